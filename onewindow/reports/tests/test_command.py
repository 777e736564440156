"""`onewindow report monthly`: files written, bad input refused with nothing changed."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook
from pypdf import PdfReader

from onewindow.audit.models import AuditEntry
from onewindow.reports.models import MonthlyReport


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("report", "monthly", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_keeps_the_report_and_writes_the_workbook(personas, june, tmp_path):
    path = tmp_path / "cg.xlsx"
    out, _err = run("--month", "2026-06", "--hall", "cg", "--format", "xlsx", "--out", str(path))
    assert "正在统计车辆管理分中心 2026-06" in out
    assert "月报已保存" in out and "已写入" in out
    report = MonthlyReport.objects.get()
    assert report.hall == personas.hall
    assert AuditEntry.objects.filter(action="report.monthly_generated").count() == 1
    wb = load_workbook(path)
    assert wb.sheetnames == ["汇总", "部门", "窗口", "事项"]  # a hall's report has no hall sheet
    assert wb["汇总"]["B3"].value == 6  # received


def test_a_second_run_exports_the_kept_report_and_says_what_differs(
    personas, june, tmp_path, time_machine
):
    from onewindow.cases.tests.factories import at

    from .conftest import accept

    run("--month", "2026-06", "--format", "pdf", "--out", str(tmp_path / "a.pdf"))
    time_machine.move_to(at("2026-07-03", 18), tick=False)
    accept(personas, june["item"], "2026-06-30")  # a late push dated in June
    out, err = run("--month", "2026-06", "--format", "pdf", "--out", str(tmp_path / "b.pdf"))
    assert "导出" in out and "页" in out
    assert "重新统计后，有" in err and "levels.total[0].counts.received: 6 → 7" in err
    assert MonthlyReport.objects.count() == 1
    text = "".join(p.extract_text() for p in PdfReader(tmp_path / "b.pdf").pages)
    assert "测试市行政服务中心办件月报" in "".join(text.split())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--month", "2026-08"), "2026-08尚未到来"),
        (("--month", "2026-07"), "2026-07尚未结束"),
        (("--month", "2026-13"), "月份请写成YYYY-MM格式"),
        (("--month", "june"), "月份请写成YYYY-MM格式"),
        (("--month", "2003-05"), "2003年尚无官方工作日历"),
        (("--month", "2026-06", "--hall", "XX"), "没有代码为“XX”的大厅"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(personas, june, tmp_path, args, message):
    path = tmp_path / "r.xlsx"
    audit = AuditEntry.objects.count()
    with pytest.raises(CommandError, match=message):
        run(*args, "--out", str(path))
    assert not path.exists()
    assert MonthlyReport.objects.count() == 0
    assert AuditEntry.objects.count() == audit
