"""The submission form on the hall's report page, the centre's review queue and forms, the
due-day setting, and open data (page, JSON, CSV): only published figures, nothing personal."""

import csv
import datetime as dt
import io

import pytest
from django.test import Client

from onewindow.audit.models import AuditEntry
from onewindow.cases.tests.factories import at
from onewindow.reports import services
from onewindow.reports.models import MonthlyReport

JUNE = dt.date(2026, 6, 1)
S = MonthlyReport.State
TEXT = {
    "narrative": "六月办件平稳。",
    "training_held": "礼仪培训",
    "problems": "无",
    "plans": "预约",
}


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def july(personas, time_machine):
    time_machine.move_to(at("2026-07-03", 10), tick=False)
    return personas


def test_the_hall_submits_and_the_centre_returns_then_publishes(july):
    p = july
    manager = client_for(p.manager)
    page = manager.get("/staff/reports/?month=2026-06&hall=CG").content.decode()
    assert 'id="submission-form"' in page and "2026-07-07" in page
    r = manager.post(
        "/staff/reports/monthly/submission/",
        {"month": "2026-06", "hall": "CG", "version": "0", "action": "submit", **TEXT},
    )
    assert r.status_code == 302 and r["Location"].endswith("?month=2026-06&hall=CG")
    report = MonthlyReport.objects.get(hall=p.hall)
    assert report.state == S.SUBMITTED and report.submitted_by == p.manager
    page = manager.get(r["Location"]).content.decode()
    assert 'id="submission-form"' not in page and "六月办件平稳。" in page
    assert 'id="review-forms"' not in page  # the hall does not review itself

    admin = client_for(p.admin)
    queue = admin.get("/staff/reports/review/?year=2026").content.decode()
    assert 'data-hall="CG" data-month="2026-06" data-state="submitted"' in queue
    assert 'data-hall="MZ" data-month="2026-06" data-state="draft"' in queue
    page = admin.get("/staff/reports/?month=2026-06&hall=CG").content.decode()
    assert 'id="review-forms"' in page
    # without a reason: refused, said, nothing changed
    r = admin.post(
        "/staff/reports/review/decide/",
        {"month": "2026-06", "hall": "CG", "version": report.version, "decision": "return"},
        follow=True,
    )
    assert "请说明退回的理由" in r.content.decode()
    assert MonthlyReport.objects.get().state == S.SUBMITTED
    admin.post(
        "/staff/reports/review/decide/",
        {"month": "2026-06", "hall": "CG", "version": report.version, "decision": "return",
         "reason": "请补充培训人数"},
    )  # fmt: skip
    report.refresh_from_db()
    assert report.state == S.RETURNED
    page = manager.get("/staff/reports/?month=2026-06&hall=CG").content.decode()
    assert "请补充培训人数" in page and 'id="submission-form"' in page
    manager.post(
        "/staff/reports/monthly/submission/",
        {"month": "2026-06", "hall": "CG", "version": report.version, "action": "submit",
         **TEXT, "training_held": "礼仪培训，20人"},
    )  # fmt: skip
    report.refresh_from_db()
    admin.post(
        "/staff/reports/review/decide/",
        {"month": "2026-06", "hall": "CG", "version": report.version, "decision": "publish"},
    )
    report.refresh_from_db()
    assert report.state == S.PUBLISHED and report.training_held == "礼仪培训，20人"


def test_refusals_on_the_pages_change_nothing(july):
    p = july
    manager, admin = client_for(p.manager), client_for(p.admin)
    before = AuditEntry.objects.count()
    # publishing a report not submitted
    r = admin.post(
        "/staff/reports/review/decide/",
        {"month": "2026-06", "hall": "CG", "version": "0", "decision": "publish"},
        follow=True,
    )
    assert "不是已报送状态" in r.content.decode()
    # another hall's report, a future month, an unknown hall
    for month, hall, said in (
        ("2026-06", "MZ", "没有代码为“MZ”的大厅"),
        ("2026-09", "CG", "2026-09尚未到来"),
        ("2026-06", "XX", "没有代码为“XX”的大厅"),
    ):
        r = manager.post(
            "/staff/reports/monthly/submission/",
            {"month": month, "hall": hall, "version": "0", "action": "submit", **TEXT},
            follow=True,
        )
        assert said in r.content.decode()
    # the hall manager may not review; the clerk may not submit
    assert manager.post("/staff/reports/review/decide/", {}).status_code == 403
    assert manager.get("/staff/reports/review/").status_code == 403
    assert client_for(p.clerk).post("/staff/reports/monthly/submission/", {}).status_code == 403
    assert not MonthlyReport.objects.exists() and AuditEntry.objects.count() == before
    # the due day: the centre administrator only, 1 to 20
    assert client_for(p.supervisor).post("/staff/reports/review/due-day/").status_code == 403
    r = admin.post("/staff/reports/review/due-day/", {"due_working_day": "30"}, follow=True)
    assert "第 1 至第 20 个工作日" in r.content.decode() and services.due_working_day() == 5
    admin.post("/staff/reports/review/due-day/", {"due_working_day": "7"})
    assert services.due_working_day() == 7


def _publish_june(p, time_machine):
    time_machine.move_to(at("2026-07-03", 10), tick=False)
    report = services.save_written(
        actor=p.manager, month=JUNE, hall=p.hall, data=TEXT, version=0, submit=True
    )
    services.review(
        actor=p.admin, month=JUNE, hall=p.hall, decision="publish", version=report.version
    )
    # MZ wrote its report but did not submit it: never open data.
    services.save_written(
        actor=p.admin, month=JUNE, hall=p.other_hall, data={"narrative": "民政草稿"}, version=0
    )


def test_open_data_shows_only_published_figures(personas, june, time_machine):
    _publish_june(personas, time_machine)
    anon = Client()
    r = anon.get("/open-data/?month=2026-06")
    assert r.status_code == 200
    page = r.content.decode()
    assert 'data-hall="CG"' in page and 'data-hall="MZ"' not in page
    assert "echarts.min.js" in page and 'id="open-chart-data"' in page
    for private in ("六月办件平稳", "民政草稿", "车管科长", "manager", "中心主任"):
        assert private not in page
    assert anon.get("/open-data/").content.decode().count('data-hall="CG"') == 1
    r = anon.get("/open-data/?month=2026-13")
    assert r.status_code == 400 and "YYYY-MM" in r.content.decode()

    r = anon.get("/api/v1/stats/monthly?month=2026-06")
    assert r.status_code == 200
    data = r.json()
    assert data["month"] == "2026-06" and [h["hall"] for h in data["halls"]] == ["CG"]
    cg = data["halls"][0]
    kept = MonthlyReport.objects.get(hall=personas.hall).figures["levels"]["total"][0]
    assert cg["counts"]["received"] == kept["counts"]["received"] == 6
    assert cg["rates"]["satisfaction"] == {"value": 0.6667, "num": 2, "den": 3}
    text = r.content.decode()
    for private in ("六月办件平稳", "民政草稿", "manager", "narrative", "submitted_by"):
        assert private not in text

    for r in (
        anon.get("/api/v1/stats/monthly?month=2026-06&format=csv"),
        anon.get("/api/v1/stats/monthly?month=2026-06", HTTP_ACCEPT="text/csv"),
    ):
        assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
        assert [row["hall"] for row in rows] == ["CG"]
        assert rows[0]["received"] == "6" and rows[0]["satisfaction_num"] == "2"
        assert rows[0]["hall_name"] == "车辆管理分中心"


def test_open_data_refuses_bad_months_in_the_clients_language(personas, time_machine):
    time_machine.move_to(at("2026-07-03", 10), tick=False)
    anon = Client()
    for month, said in (("2026-6", "YYYY-MM"), ("2026-07", "尚未结束"), ("2027-01", "尚未到来")):
        r = anon.get(f"/api/v1/stats/monthly?month={month}")
        assert r.status_code == 422 and said in r.json()["message"]
    r = anon.get("/api/v1/stats/monthly?month=2027-01", HTTP_ACCEPT_LANGUAGE="en")
    assert "is in the future" in r.json()["message"]
    assert anon.get("/api/v1/stats/monthly").status_code == 422
    r = anon.get("/api/v1/stats/monthly?month=2026-05&format=xml")
    assert r.status_code == 422
    r = anon.get("/api/v1/stats/monthly?month=2026-05")
    assert r.status_code == 200 and r.json() == {"month": "2026-05", "halls": []}
