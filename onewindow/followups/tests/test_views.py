"""The follow-up pages: the hall's queue (overdue first), the detail page and its step
forms (Post/Redirect/Get, field errors, a stale double submit refused), the hall's days
to fix, and the rater's public page with its one re-rating."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onewindow.audit.models import AuditEntry
from onewindow.followups import services
from onewindow.followups.models import FollowUp, HallFollowUpSetting

from .factories import at, make_rating

pytestmark = pytest.mark.django_db

QUEUE = reverse("followups:queue")


def opened(personas, item, **kwargs) -> FollowUp:
    return services.open_for(make_rating(personas, item, **kwargs))


def step_url(fu, action):
    return reverse("followups:step", args=[fu.pk, action])


def public_url(fu):
    return reverse("followups_public:detail", args=[fu.token])


def reported(personas, item, text="已整改完毕") -> FollowUp:
    fu = opened(personas, item)
    fu = services.call_back(actor=personas.manager, followup=fu, note="已回访")
    fu = services.fix_now(actor=personas.manager, followup=fu, note="已改正")
    return services.report_back(actor=personas.manager, followup=fu, text=text)


# ----------------------------------------------------------------------------- the queue


def test_the_queue_shows_the_halls_follow_ups_overdue_first(clock, personas, item, client):
    fresh = opened(personas, item)
    clock.move_to(at("2026-03-05"))
    newer = opened(personas, item)  # due 03-06: not overdue
    fixing = services.call_back(actor=personas.manager, followup=fresh, note="回访")
    fixing = services.fix_by(
        actor=personas.manager, followup=fixing, plan="整改", due=dt.date(2026, 3, 5)
    )
    late = opened(personas, item, rated_at=at("2026-03-02"))  # due 03-03: overdue
    clock.move_to(at("2026-03-06"))
    client.force_login(personas.clerk)
    response = client.get(QUEUE)
    assert response.status_code == 200
    rows = [fu.pk for fu in response.context["page"]]
    assert rows[:2] == sorted([fixing.pk, late.pk], key=lambda pk: rows.index(pk))
    assert set(rows[:2]) == {fixing.pk, late.pk} and rows[2] == newer.pk
    overdue = client.get(QUEUE, {"state": "overdue"}).context["page"]
    assert {fu.pk for fu in overdue} == {fixing.pk, late.pk}
    fixing_only = client.get(QUEUE, {"state": "fixing"}).context["page"]
    assert [fu.pk for fu in fixing_only] == [fixing.pk]


def test_the_queue_asks_the_database_as_often_for_many_rows(clock, personas, item, client):
    opened(personas, item)
    client.force_login(personas.manager)
    client.get(QUEUE)  # the session and the user's access, read once
    with CaptureQueriesContext(connection) as few:
        client.get(QUEUE)
    for _ in range(5):
        opened(personas, item)
    with CaptureQueriesContext(connection) as many:
        client.get(QUEUE)
    assert len(many) == len(few)


def test_another_halls_staff_see_none_and_supervisors_see_all(clock, personas, item, client):
    fu = opened(personas, item)
    client.force_login(personas.outsider)
    assert list(client.get(QUEUE).context["page"]) == []
    assert client.get(reverse("followups:detail", args=[fu.pk])).status_code == 404
    client.force_login(personas.supervisor)
    assert [f.pk for f in client.get(QUEUE).context["page"]] == [fu.pk]
    assert (
        client.get(QUEUE, {"hall": personas.other_hall.code}).context["page"].object_list.count()
        == 0
    )


def test_a_bad_filter_value_is_said_and_the_list_is_unfiltered(clock, personas, item, client):
    opened(personas, item)
    client.force_login(personas.manager)
    response = client.get(QUEUE, {"state": "<b>nope</b>"})
    assert response.status_code == 200
    assert "<b>nope</b>" not in response.content.decode()
    assert response.context["form"].errors


# ----------------------------------------------------------------------------- the steps


def test_the_manager_calls_back_and_is_redirected(clock, personas, item, client):
    fu = opened(personas, item)
    client.force_login(personas.manager)
    page = client.get(reverse("followups:detail", args=[fu.pk]))
    assert [f["action"] for f in page.context["forms"]] == ["call_back", "reassign"]
    response = client.post(
        step_url(fu, "call_back"), {"call_back-version": 1, "call_back-note": "已回访"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("followups:detail", args=[fu.pk])
    fu.refresh_from_db()
    assert fu.state == FollowUp.State.CALLED_BACK
    assert AuditEntry.objects.filter(action="followup.call_back").count() == 1
    # The same form sent again (a double submit): refused, nothing changes.
    again = client.post(
        step_url(fu, "call_back"), {"call_back-version": 1, "call_back-note": "已回访"}
    )
    assert again.status_code == 409
    assert "不能办理这一步" in again.content.decode()
    assert FollowUp.objects.get(pk=fu.pk).version == fu.version


def test_a_stale_version_on_an_allowed_step_is_refused(clock, personas, item, client):
    fu = opened(personas, item)
    services.call_back(actor=personas.manager, followup=fu, note="回访")
    client.force_login(personas.manager)
    response = client.post(step_url(fu, "explain"), {"explain-version": 1, "explain-note": "说明"})
    assert response.status_code == 409
    assert "已被修改" in response.content.decode()
    assert FollowUp.objects.get(pk=fu.pk).state == FollowUp.State.CALLED_BACK


def test_a_missing_note_or_a_past_date_is_shown_at_the_field(clock, personas, item, client):
    fu = opened(personas, item)
    client.force_login(personas.manager)
    response = client.post(
        step_url(fu, "call_back"), {"call_back-version": 1, "call_back-note": ""}
    )
    assert response.status_code == 400
    assert response.context["forms"][0]["form"].errors["note"]
    services.call_back(actor=personas.manager, followup=fu, note="回访")
    response = client.post(
        step_url(fu, "fix_by"),
        {"fix_by-version": 2, "fix_by-plan": "整改", "fix_by-due": "2026-03-01"},
    )
    assert response.status_code == 400
    form = next(f["form"] for f in response.context["forms"] if f["action"] == "fix_by")
    assert "不能早于今天" in form.errors["due"][0]
    assert form.data["fix_by-plan"] == "整改"  # the form as it was sent
    assert FollowUp.objects.get(pk=fu.pk).state == FollowUp.State.CALLED_BACK


def test_html_in_texts_is_shown_as_text(clock, personas, item, client):
    fu = opened(personas, item, comment="<script>alert(1)</script>")
    services.call_back(actor=personas.manager, followup=fu, note="<b>回访</b>")
    client.force_login(personas.manager)
    body = client.get(reverse("followups:detail", args=[fu.pk])).content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body
    assert "<b>回访</b>" not in body and "&lt;b&gt;回访&lt;/b&gt;" in body


def test_a_clerk_who_is_not_the_owner_gets_403_and_changes_nothing(clock, personas, item, client):
    fu = opened(personas, item)
    client.force_login(personas.clerk)
    page = client.get(reverse("followups:detail", args=[fu.pk]))
    assert page.status_code == 200 and page.context["forms"] == []
    response = client.post(
        step_url(fu, "call_back"), {"call_back-version": 1, "call_back-note": "x"}
    )
    assert response.status_code == 403
    assert FollowUp.objects.get(pk=fu.pk).state == FollowUp.State.OPEN


def test_the_supervisor_decides_an_appeal_from_the_page(clock, personas, item, client):
    fu = opened(personas, item)
    fu = services.call_back(actor=personas.manager, followup=fu, note="回访")
    fu = services.appeal(actor=personas.manager, followup=fu, reason="非本厅服务问题")
    client.force_login(personas.supervisor)
    page = client.get(reverse("followups:detail", args=[fu.pk]))
    assert [f["action"] for f in page.context["forms"]] == ["decide_appeal"]
    response = client.post(
        step_url(fu, "decide_appeal"),
        {
            "decide_appeal-version": fu.version,
            "decide_appeal-decision": "uphold",
            "decide_appeal-note": "申诉成立",
        },
    )
    assert response.status_code == 302
    assert FollowUp.objects.get(pk=fu.pk).outcome == FollowUp.Outcome.APPEAL_UPHELD


def test_an_unknown_step_is_404(clock, personas, item, client):
    fu = opened(personas, item)
    client.force_login(personas.manager)
    assert client.post(step_url(fu, "destroy"), {}).status_code == 404


# ----------------------------------------------------------------------------- settings


def test_the_manager_sets_the_halls_days_and_a_bad_number_is_refused(personas, client):
    client.force_login(personas.manager)
    url = reverse("followups:settings")
    page = client.get(url)
    assert [r["hall"] for r in page.context["rows"]] == [personas.hall]
    bad = client.post(url, {"hall": personas.hall.code, "fix_days": "0"})
    assert bad.status_code == 400 and not HallFollowUpSetting.objects.exists()
    assert client.post(url, {"hall": personas.hall.code, "fix_days": "7"}).status_code == 302
    assert HallFollowUpSetting.objects.get(hall=personas.hall).fix_days == 7
    other = client.post(url, {"hall": personas.other_hall.code, "fix_days": "7"})
    assert other.status_code == 404


# ----------------------------------------------------------------------------- public


def test_the_rater_sees_no_answer_before_the_report_and_cannot_rate(clock, personas, item, client):
    fu = opened(personas, item)
    page = client.get(public_url(fu))
    assert page.status_code == 200 and page.context["form"] is None
    assert "正在处理" in page.content.decode()
    refused = client.post(public_url(fu), {"version": fu.version, "level": "4"})
    assert refused.status_code == 409 and "尚未答复" in refused.content.decode()
    assert FollowUp.objects.get(pk=fu.pk).rerate_level is None


def test_the_rater_reads_the_answer_and_rates_once(clock, personas, item, client):
    fu = reported(personas, item, text="<i>已</i>整改")
    page = client.get(public_url(fu))
    body = page.content.decode()
    assert "&lt;i&gt;已&lt;/i&gt;整改" in body and page.context["form"] is not None
    done = client.post(public_url(fu), {"version": fu.version, "level": "4", "comment": "好"})
    assert done.status_code == 302
    fu.refresh_from_db()
    assert fu.rerate_level == 4 and fu.state == FollowUp.State.RERATED
    again = client.post(public_url(fu), {"version": fu.version - 1, "level": "5"})
    assert again.status_code == 409 and "已经评价过" in again.content.decode()
    assert FollowUp.objects.get(pk=fu.pk).rerate_level == 4
    assert fu.rating.level == 1


def test_a_bad_level_is_refused_on_the_public_page(clock, personas, item, client):
    fu = reported(personas, item)
    response = client.post(public_url(fu), {"version": fu.version, "level": "9"})
    assert response.status_code == 400
    assert FollowUp.objects.get(pk=fu.pk).rerate_level is None


def test_an_unknown_token_is_404(client, db):
    assert client.get(reverse("followups_public:detail", args=["nosuchtoken"])).status_code == 404
