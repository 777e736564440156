"""The meeting pages: the centre records, the owner hall's manager reports, another hall
cannot touch the decision, a stale form is refused; the staff home shows what is overdue."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from onewindow.accounts.roles import Role
from onewindow.factories import make_user
from onewindow.meetings import services
from onewindow.meetings.models import Decision, DecisionNote

pytestmark = pytest.mark.django_db


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def decision(personas):
    p = personas
    meeting = services.create_meeting(
        actor=p.admin, title="联席会议", held_on=timezone.localdate() - dt.timedelta(days=40),
        agenda="议程", halls=[p.hall],
    )  # fmt: skip
    return services.add_decision(
        actor=p.admin, meeting=meeting, text="整改叫号系统", owner_hall=p.hall,
        due_on=timezone.localdate() - dt.timedelta(days=3),
    )  # fmt: skip


def test_it_records_a_meeting_and_a_decision(personas):
    p = personas
    c = client_for(p.admin)
    r = c.post("/staff/meetings/new/", {"title": "二季度联席会议", "held_on": "2026-06-02",
               "agenda": "议程", "halls": [p.hall.pk, p.other_hall.pk]})  # fmt: skip
    assert r.status_code == 302
    url = r["Location"]
    r = c.post(url + "decisions/", {"text": "民政分中心延长服务时间", "owner_hall": p.other_hall.pk,
               "due_on": "2026-07-01"})  # fmt: skip
    assert r.status_code == 302
    page = c.get(url).content.decode()
    assert "民政分中心延长服务时间" in page
    r = c.post("/staff/meetings/new/", {"title": "x", "held_on": "2026-06-02", "agenda": "x"})
    assert "请选择参加会议的大厅" in r.content.decode()


def test_the_owner_hall_manager_reports_and_others_cannot(personas, decision):
    p = personas
    url = f"/staff/meetings/decisions/{decision.pk}/"
    r = client_for(p.manager).post(url + "done/", {"note": "已完成", "version": decision.version})
    assert r.status_code == 302
    decision.refresh_from_db()
    assert decision.status == "done"
    other = make_user("mz_manager", halls=[p.other_hall], roles=[Role.HALL_MANAGER])
    r = client_for(other).post(url + "progress/", {"note": "越权", "version": decision.version})
    assert r.status_code == 404
    r = client_for(p.clerk).post(url + "progress/", {"note": "x", "version": decision.version})
    assert r.status_code == 403
    assert DecisionNote.objects.count() == 1


def test_a_stale_form_is_refused(personas, decision):
    p = personas
    c = client_for(p.manager)
    url = f"/staff/meetings/decisions/{decision.pk}/progress/"
    c.post(url, {"note": "第一次", "version": decision.version})
    r = c.post(url, {"note": "旧表单", "version": decision.version}, follow=True)
    assert "已被他人修改" in r.content.decode()
    assert list(DecisionNote.objects.values_list("text", flat=True)) == ["第一次"]


def test_the_staff_home_shows_overdue_decisions_to_the_owner(personas, decision):
    p = personas
    page = client_for(p.manager).get("/staff/").content.decode()
    assert 'id="overdue-decisions"' in page and "整改叫号系统" in page
    other = make_user("mz_manager", halls=[p.other_hall], roles=[Role.HALL_MANAGER])
    assert 'id="overdue-decisions"' not in client_for(other).get("/staff/").content.decode()
    Decision.objects.filter(pk=decision.pk).update(status="done")
    assert 'id="overdue-decisions"' not in client_for(p.manager).get("/staff/").content.decode()


def test_the_list_shows_statuses(personas, decision):
    page = client_for(personas.manager).get("/staff/meetings/").content.decode()
    assert 'data-status="overdue"' in page
    r = client_for(personas.clerk).get("/staff/meetings/")
    assert r.status_code == 403


def test_the_list_asks_the_database_a_fixed_number_of_times(personas, decision,
                                                             django_assert_max_num_queries):  # fmt: skip
    for _n in range(5):
        services.add_decision(
            actor=personas.admin, meeting=decision.meeting, text="再议", owner_hall=personas.hall,
            due_on=timezone.localdate(),
        )  # fmt: skip
    c = client_for(personas.manager)
    c.get("/staff/meetings/")
    with django_assert_max_num_queries(8):
        assert c.get("/staff/meetings/").status_code == 200
