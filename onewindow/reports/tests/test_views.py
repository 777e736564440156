"""The report page and its exports: who sees which hall, bad input, the kept report."""

import io

from django.test import Client
from openpyxl import load_workbook

from onewindow.reports.models import MonthlyReport


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def test_the_hall_manager_sees_the_month_of_the_hall(personas, june):
    r = client_for(personas.manager).get("/staff/reports/?month=2026-06")
    assert r.status_code == 200
    page = r.content.decode()
    assert "车辆管理分中心办件月报（2026年06月）" in page
    assert 'id="report-chart"' in page and "echarts.min.js" in page
    assert 'data-indicator="satisfaction"' in page and "66.67%" in page
    assert "差评整改" in page
    assert 'value="" ' not in page  # no whole-centre choice for a hall manager
    assert MonthlyReport.objects.count() == 0  # reading keeps nothing


def test_another_halls_code_is_answered_as_unknown(personas, june):
    c = client_for(personas.manager)
    r = c.get("/staff/reports/?month=2026-06&hall=MZ")
    assert "没有代码为“MZ”的大厅" in r.content.decode()
    assert "report-title" not in r.content.decode()
    r = c.get("/staff/reports/monthly/export/?month=2026-06&hall=MZ&format=xlsx")
    assert r.status_code == 400
    r = c.get("/staff/reports/?month=2026-06&hall=")
    assert "请选择您所在的大厅" in r.content.decode()


def test_a_future_month_is_refused_on_the_page(personas, june):
    r = client_for(personas.admin).get("/staff/reports/?month=2026-09")
    assert "2026-09尚未到来" in r.content.decode()
    r = client_for(personas.admin).get("/staff/reports/monthly/export/?month=2026-09")
    assert r.status_code == 400


def test_the_centre_keeps_a_report_and_exports_it(personas, june):
    c = client_for(personas.admin)
    r = c.post("/staff/reports/monthly/generate/", {"month": "2026-06", "hall": ""})
    assert r.status_code == 302
    report = MonthlyReport.objects.get()
    assert report.hall is None and report.generated_by == personas.admin
    page = c.get("/staff/reports/?month=2026-06&hall=").content.decode()
    assert 'id="report-kept"' in page
    r = c.get("/staff/reports/monthly/export/?month=2026-06&hall=&format=xlsx")
    assert r.status_code == 200
    assert r["Content-Disposition"] == 'attachment; filename="report-2026-06-ALL.xlsx"'
    wb = load_workbook(io.BytesIO(r.content))
    assert wb["汇总"]["B3"].value == 6
    assert [row[0].value for row in wb["分中心"].iter_rows(min_row=2)] == ["CG"]


def test_a_clerk_may_not_see_reports(personas, june):
    assert client_for(personas.clerk).get("/staff/reports/").status_code == 403
    r = client_for(personas.supervisor).post(
        "/staff/reports/monthly/generate/", {"month": "2026-06"}
    )
    assert r.status_code == 403
    assert MonthlyReport.objects.count() == 0


def test_the_staff_menu_links_the_report_for_those_who_may_see_it(personas):
    assert 'href="/staff/reports/"' in client_for(personas.manager).get("/staff/").content.decode()
    assert (
        'href="/staff/reports/"' not in client_for(personas.clerk).get("/staff/").content.decode()
    )
