"""The pages and the exports: who may, the errors, the files read back."""

import io
import subprocess
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.assessment import services
from onewindow.assessment.models import Adjustment, Block, Indicator, Inspection, InspectionFinding
from onewindow.audit.models import AuditEntry

from .conftest import YEAR


def client_for(user):
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    c.force_login(user)
    return c


def test_the_ranking_page_lists_the_halls_in_order_with_the_chart_data(personas, year2025):
    r = client_for(personas.manager).get(reverse("assessment:ranking"), {"year": YEAR})
    assert r.status_code == 200
    html = r.content.decode()
    assert html.index('data-hall="MZ"') < html.index('data-hall="CG"')
    assert "79.50" in html and 'id="assessment-chart-data"' in html
    assert "统一形象" in html  # the blocks' names in Chinese
    # A hall manager opens their own hall only.
    assert reverse("assessment:hall", args=["CG"]) in html
    assert reverse("assessment:hall", args=["MZ"]) not in html


def test_a_year_without_a_scheme_offers_to_create_it(personas):
    c = client_for(personas.admin)
    r = c.get(reverse("assessment:ranking"), {"year": 2024})
    assert 'id="no-scheme"' in r.content.decode()
    r = c.post(reverse("assessment:create_scheme"), {"year": "2024"})
    assert r.status_code == 302
    assert Block.objects.filter(scheme__year=2024).count() == 7


def test_a_bad_year_is_a_clear_error(personas):
    r = client_for(personas.manager).get(reverse("assessment:ranking"), {"year": "20x5"})
    assert "不是有效的年份" in r.content.decode()


def test_the_hall_page_shows_figures_and_another_hall_is_404(personas, year2025):
    c = client_for(personas.manager)
    r = c.get(reverse("assessment:hall", args=["CG"]), {"year": YEAR})
    assert r.status_code == 200
    assert "num=3, den=4" in r.content.decode()
    assert c.get(reverse("assessment:hall", args=["MZ"]), {"year": YEAR}).status_code == 404
    assert c.get(reverse("assessment:hall", args=["ZX"]), {"year": YEAR}).status_code == 404


def test_the_scheme_page_refuses_weights_that_do_not_add_up(personas):
    c = client_for(personas.admin)
    scheme = services.structure(services.AssessmentScheme.objects.get(year=2026))
    image = scheme[0][0]
    before = AuditEntry.objects.count()
    r = c.post(reverse("assessment:scheme"), {"year": "2026", f"block-{image.pk}-weight": "12"})
    assert r.status_code == 400
    assert "各板块权重合计为 102.00，不是 100" in r.content.decode()
    assert Block.objects.get(pk=image.pk).weight == 10 and AuditEntry.objects.count() == before
    # The hall manager may not edit the scheme.
    r = client_for(personas.manager).post(reverse("assessment:scheme"), {"year": "2026"})
    assert r.status_code == 403


def test_a_deduction_without_evidence_is_refused_on_the_page(personas, year2025):
    c = client_for(personas.supervisor)
    indicator = Indicator.objects.get(block__scheme__year=YEAR, code="dress")
    url = reverse("assessment:adjust", args=["CG"])
    data = {"year": YEAR, "indicator": indicator.pk, "kind": "deduction", "points": "1",
            "reason": "未挂牌"}  # fmt: skip
    r = c.post(url, data, follow=True)
    assert "需要证据" in r.content.decode()
    assert not Adjustment.objects.exists()
    r = c.post(url, {**data, "note": "现场照片"}, follow=True)
    assert Adjustment.objects.get().inspector == personas.supervisor
    assert client_for(personas.manager).post(url, data).status_code == 403


def test_an_inspection_and_its_finding_from_fix_to_verified(personas, year2025):
    sup = client_for(personas.supervisor)
    url = reverse("assessment:inspect", args=["CG"])
    r = sup.post(url, {"date": "2025-05-06", "inspectors": [personas.supervisor.pk],
                       "summary": "六统一检查", "finding": ["饮水机无水", ""],
                       "fix_by": ["2025-05-20", ""]}, follow=True)  # fmt: skip
    assert "检查已记录" in r.content.decode()
    finding = InspectionFinding.objects.get()
    assert Inspection.objects.get().inspectors.get() == personas.supervisor
    mgr = client_for(personas.manager)
    fix = reverse("assessment:finding", args=[finding.pk, "fix"])
    r = mgr.post(fix, {"note": ""}, follow=True)
    assert "说明采取了哪些整改措施" in r.content.decode()
    mgr.post(fix, {"note": "已加水并安排专人巡查"})
    assert InspectionFinding.objects.get().status == "fixed"
    assert mgr.post(reverse("assessment:finding", args=[finding.pk, "verify"])).status_code == 403
    sup.post(reverse("assessment:finding", args=[finding.pk, "verify"]))
    assert InspectionFinding.objects.get().status == "verified"
    # Another hall's manager does not see the finding.
    from onewindow.factories import make_user

    other = make_user("mz_mgr", halls=[personas.other_hall], roles=["hall_manager"])
    assert client_for(other).post(fix, {"note": "x"}).status_code == 404


def test_a_future_inspection_is_refused(personas, year2025):
    r = client_for(personas.supervisor).post(
        reverse("assessment:inspect", args=["CG"]),
        {"date": "2999-01-01", "inspectors": [personas.supervisor.pk], "summary": "x"},
        follow=True,
    )
    assert "检查日期" in r.content.decode() and not Inspection.objects.exists()


def test_the_xlsx_has_numbers_chinese_headers_and_native_charts(personas, year2025):
    from openpyxl import load_workbook

    r = client_for(personas.manager).get(
        reverse("assessment:export"), {"year": YEAR, "format": "xlsx"}
    )
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb["排名"]
    assert [c.value for c in ws[1]][:5] == ["名次", "代码", "分中心", "总分", "统一形象"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[3]) for r in rows] == [(1, "MZ", 100.0), (2, "CG", 79.5)]
    assert isinstance(rows[1][3], float)
    assert len(wb.sheetnames) == 8
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 8  # the totals and one native chart per block
    window = wb["统一窗口运作"]
    assert list(window.iter_rows(min_row=3, values_only=True))[0][3] == 20.0


def test_the_pdf_has_the_ranking_in_chinese(personas, year2025, tmp_path):
    from onewindow.assessment import exports

    rows = services.ranking(services.AssessmentScheme.objects.get(year=YEAR))
    body, pages = exports.to_pdf(YEAR, rows, locked=False)
    path = tmp_path / "a.pdf"
    path.write_bytes(body)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    assert "2025年分中心考核" in text
    assert "车辆管理分中心" in text and "79.50" in text
    assert text.index("民政分中心") < text.index("车辆管理分中心")
    assert "电子监察" in text
    assert text.count("\f") == pages >= 1


@pytest.mark.parametrize("query", [{"year": 2024}, {"year": YEAR, "format": "doc"}])
def test_a_bad_export_is_a_clear_error(personas, year2025, query):
    r = client_for(personas.manager).get(reverse("assessment:export"), query)
    assert r.status_code == 400 and r.content.decode().strip()
