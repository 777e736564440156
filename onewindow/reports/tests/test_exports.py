"""The xlsx and PDF read back and compared with the figures."""

import io
import zipfile

from openpyxl import load_workbook
from pypdf import PdfReader

from onewindow.reports import exports
from onewindow.reports import figures as fig
from onewindow.reports.figures import COUNTS, RATES

from .conftest import JUNE


def test_the_workbook_has_a_sheet_per_level_with_numbers_and_a_chart(personas, june):
    f = fig.monthly_figures(JUNE, None)
    wb = load_workbook(io.BytesIO(exports.to_xlsx(f, "测试市行政服务中心")))
    assert wb.sheetnames == ["汇总", "分中心", "部门", "窗口", "事项"]
    summary = wb["汇总"]
    assert summary["A2"].value == "指标"
    by_label = {row[0]: row for row in summary.iter_rows(min_row=3, values_only=True)}
    assert by_label["收件"][1] == 6
    assert by_label["满意率"][1:4] == (0.6667, 2, 3)
    assert by_label["实际提速率"][1:4] == (0.65, 7, 20)
    assert by_label["差评整改新增"][1] == 0
    items = wb["事项"]
    header = [c.value for c in items[1]]
    assert header[:3] == ["代码", "名称", "收件"]
    rows = {r[1]: r for r in items.iter_rows(min_row=2, values_only=True) if r[1]}
    for row in f["levels"]["item"]:
        got = rows[row["name"]]
        assert list(got[2 : 2 + len(COUNTS)]) == [row["counts"][c] for c in COUNTS]
        assert list(got[2 + len(COUNTS) :]) == [row["rates"][r]["value"] for r in RATES]
        assert all(isinstance(v, int) for v in got[2 : 2 + len(COUNTS)])
    with zipfile.ZipFile(io.BytesIO(exports.to_xlsx(f, "中心"))) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 4  # one native chart per sheet of rows


def test_the_bulletin_says_the_figures_in_chinese(personas, june):
    f = fig.monthly_figures(JUNE, personas.hall)
    pdf, pages = exports.to_pdf(f, personas.hall.name)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == pages
    assert 1 <= pages <= 4
    text = "".join(p.extract_text() for p in reader.pages)
    squeezed = "".join(text.split())
    assert "车辆管理分中心办件月报（2026年06月）" in squeezed
    assert "收件6" in squeezed
    assert "满意率66.67%23" in squeezed  # value, numerator, denominator
    assert "按承诺时限办结率100.00%22" in squeezed
    assert "差评整改" in squeezed
    assert "<svg" not in text
    fonts = {
        str(font.get("/BaseFont"))
        for page in reader.pages
        for font in (page["/Resources"].get("/Font") or {}).values()
        for font in [font.get_object()]
    }
    assert any("CJK" in name for name in fonts), fonts
