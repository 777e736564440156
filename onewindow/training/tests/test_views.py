"""The training pages: sessions, results, hours, the unqualified list and the rule; the
refusals on the floor's console and the staff form; the staff list's badge."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.accounts.roles import Role
from onewindow.audit.models import AuditEntry
from onewindow.factories import make_user
from onewindow.floor.models import WindowSession
from onewindow.training.models import Attendance, QualificationRule, TrainingSession

from .factories import make_session

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def newcomer(personas):
    return make_user("newcomer", halls=[personas.hall], roles=[Role.WINDOW_CLERK],
                     department=personas.department, full_name="新人小周",
                     qualified=False)  # fmt: skip


def test_a_manager_records_a_session_and_its_results(personas, newcomer, day):
    c = client_for(personas.manager)
    r = c.post(reverse("training:session_new"), {
        "date": "2026-02-27", "hours": "6", "topic": "岗前培训", "trainer": "王老师",
        "has_exam": "on", "qualifying": "on", "pass_mark": "60",
        "halls": [personas.hall.pk], "attendees": [newcomer.pk, personas.clerk.pk]})  # fmt: skip
    session = TrainingSession.objects.get(topic="岗前培训")
    assert r.status_code == 302 and r["Location"] == reverse("training:session", args=[session.pk])
    page = c.get(r["Location"]).content.decode()
    assert 'data-attendee="newcomer"' in page and "及格分" in page
    r = c.post(r["Location"], {f"result-{newcomer.pk}": "passed", f"score-{newcomer.pk}": "92",
                               f"result-{personas.clerk.pk}": "absent"})  # fmt: skip
    assert r.status_code == 302
    assert Attendance.objects.get(session=session, user=newcomer).score == 92
    assert AuditEntry.objects.filter(action="training.results_recorded").count() == 1
    listing = c.get(reverse("training:sessions") + "?year=2026").content.decode()
    assert f'data-session="{session.pk}"' in listing and "岗前培训" in listing


def test_bad_results_are_shown_and_nothing_changes(personas, newcomer, day):
    session = make_session([personas.hall], date=dt.date(2026, 2, 1), qualifying=True,
                           attendees=[newcomer], result="absent")  # fmt: skip
    session.pass_mark = 60
    session.save()
    c = client_for(personas.manager)
    url = reverse("training:session", args=[session.pk])
    r = c.post(url, {f"result-{newcomer.pk}": "passed", f"score-{newcomer.pk}": "abc"})
    assert r.status_code == 400 and "分数不是数字" in r.content.decode()
    r = c.post(url, {f"result-{newcomer.pk}": "passed", f"score-{newcomer.pk}": "40"})
    assert r.status_code == 400 and "与及格分 60 不符" in r.content.decode()
    assert Attendance.objects.get(session=session).result == "absent"
    assert not AuditEntry.objects.filter(action__startswith="training.").exists()


def test_a_session_in_the_future_is_refused_in_chinese(personas, day):
    c = client_for(personas.manager)
    r = c.post(reverse("training:session_new"), {
        "date": "2026-03-09", "hours": "2", "topic": "礼仪", "trainer": "李老师",
        "halls": [personas.hall.pk]})  # fmt: skip
    assert r.status_code == 400 and "培训举办后才能登记" in r.content.decode()
    assert not TrainingSession.objects.filter(topic="礼仪").exists()


def test_another_halls_session_is_not_found_and_a_clerk_is_refused(personas, day):
    session = make_session([personas.other_hall], date=dt.date(2026, 2, 1))
    assert client_for(personas.manager).get(
        reverse("training:session", args=[session.pk])).status_code == 404  # fmt: skip
    assert client_for(personas.admin).get(
        reverse("training:session", args=[session.pk])).status_code == 200  # fmt: skip
    assert client_for(personas.clerk).get(reverse("training:sessions")).status_code == 403
    # The supervision office reads, but does not record.
    r = client_for(personas.supervisor).post(
        reverse("training:session", args=[session.pk]), {"x": "y"})  # fmt: skip
    assert r.status_code == 403


def test_hours_and_the_unqualified_list(personas, newcomer, day):
    make_session([personas.hall], date=dt.date(2026, 2, 1), hours="3.5", attendees=[newcomer])
    c = client_for(personas.manager)
    page = c.get(
        reverse("training:hours"), {"hall": personas.hall.pk, "year": 2026}
    ).content.decode()
    assert 'data-person="newcomer"' in page and "3.5" in page and "未取得上岗资格" in page
    r = c.get(reverse("training:hours"), {"hall": personas.hall.pk, "year": 2031})
    assert r.status_code == 400
    page = c.get(reverse("training:unqualified")).content.decode()
    assert 'data-unqualified="newcomer"' in page and 'data-unqualified="clerk"' not in page
    assert f'id="hall-{personas.other_hall.code}"' not in page  # not the manager's hall


def test_the_centre_sets_the_rule_and_a_manager_may_not(personas, newcomer, day):
    data = {"valid_from": "2026-03-02", "exam_valid_years": "0", "min_hours": "0",
            "note": "试行"}  # fmt: skip
    r = client_for(personas.manager).post(reverse("training:rule"), data)
    assert r.status_code == 403 and not QualificationRule.objects.exists()
    r = client_for(personas.admin).post(
        reverse("training:rule"), {**data, "valid_from": "2026-03-01"}
    )
    assert r.status_code == 400 and not QualificationRule.objects.exists()
    r = client_for(personas.admin).post(reverse("training:rule"), data)
    assert r.status_code == 302 and QualificationRule.objects.count() == 1


def test_the_console_refuses_an_unqualified_clerk(personas, newcomer, day):
    c = client_for(newcomer)
    r = c.post(reverse("floor:act", args=["sign-in"]),
               {"window": personas.window.pk}, follow=True)  # fmt: skip
    assert "未取得窗口上岗资格" in r.content.decode()
    assert not WindowSession.objects.exists()


def test_the_staff_form_refuses_the_window_role_and_the_list_shows_a_badge(personas, day):
    person = make_user("trainee", halls=[personas.hall], roles=[Role.HANDLER],
                       department=personas.department, full_name="见习小吴",
                       qualified=False)  # fmt: skip
    c = client_for(personas.manager)
    r = c.post(reverse("accounts:staff_edit", args=["trainee"]), {
        "username": "trainee", "full_name": "见习小吴", "department": personas.department.pk,
        "is_active": "on", "halls": [personas.hall.pk],
        "roles": [Role.HANDLER, Role.WINDOW_CLERK]})  # fmt: skip
    assert r.status_code == 403 and "未取得窗口上岗资格" in r.content.decode()
    assert set(person.groups.values_list("name", flat=True)) == {Role.HANDLER}
    make_user("newbie", halls=[personas.hall], roles=[Role.WINDOW_CLERK], qualified=False)
    listing = c.get(reverse("accounts:staff_list")).content.decode()
    assert listing.count("data-badge") == 1 and "未取得上岗资格" in listing


def test_the_pages_speak_english_when_chosen(personas, newcomer, day):
    from django.conf import settings

    c = client_for(personas.manager)
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = c.get(reverse("training:unqualified")).content.decode()
    assert "Window staff not qualified" in page and "no qualifying exam passed" in page
    page = c.get(reverse("training:rule")).content.decode()
    assert "A qualifying exam passed within the last 3 years." in page


def test_the_staff_list_badges_in_a_fixed_number_of_queries(personas, day):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = client_for(personas.admin)
    c.get(reverse("accounts:staff_list"))
    with CaptureQueriesContext(connection) as before:
        c.get(reverse("accounts:staff_list"))
    for n in range(6):
        make_user(f"extra{n}", halls=[personas.hall], roles=[Role.WINDOW_CLERK], qualified=n % 2)
    with CaptureQueriesContext(connection) as after:
        page = c.get(reverse("accounts:staff_list")).content.decode()
    assert len(after) == len(before)
    assert page.count("data-badge") == 3
