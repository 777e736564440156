"""The follow-up's steps: one transitions table, a locked row, an event and an audit row
for each; every refusal is a clear translated error that changes nothing."""

import datetime as dt

import pytest
from django.utils import translation

from onewindow.accounts.roles import Role
from onewindow.audit.models import AuditEntry
from onewindow.factories import make_user
from onewindow.followups import services
from onewindow.followups.models import FollowUp, FollowUpEvent, HallFollowUpSetting
from onewindow.ratings.models import Rating

from .factories import at, make_rating

pytestmark = pytest.mark.django_db

D = dt.date


def snapshot(fu: FollowUp) -> tuple:
    fu = FollowUp.objects.get(pk=fu.pk)
    fields = [f.attname for f in FollowUp._meta.concrete_fields if f.attname != "updated_at"]
    return (
        tuple(getattr(fu, f) for f in fields),
        FollowUpEvent.objects.filter(followup=fu).count(),
        AuditEntry.objects.count(),
    )


def opened(personas, item, **kwargs) -> FollowUp:
    return services.open_for(make_rating(personas, item, **kwargs))


def called_back(personas, item, **kwargs) -> FollowUp:
    fu = opened(personas, item, **kwargs)
    return services.call_back(
        actor=personas.manager, followup=fu, note="已电话回访，群众反映等候时间长"
    )


# ----------------------------------------------------------------------------- opening


def test_it_opens_one_follow_up_per_bad_rating_owned_by_the_hall_manager(clock, personas, item):
    rating = make_rating(personas, item, level=2)
    fu = services.open_for(rating)
    assert fu.hall == personas.hall and fu.case == rating.case
    assert fu.owner == personas.manager
    assert fu.state == FollowUp.State.OPEN
    # Rated on Monday 2 March 2026: called back by the next working day.
    assert fu.callback_due == D(2026, 3, 3)
    assert services.open_for(rating) == fu  # idempotent
    assert FollowUp.objects.count() == 1
    assert list(fu.events.values_list("action", flat=True)) == ["open"]
    entry = AuditEntry.objects.get(action="followup.opened")
    assert entry.object_id == str(fu.pk) and entry.hall == personas.hall


def test_a_good_rating_opens_nothing(clock, personas, item):
    assert services.open_for(make_rating(personas, item, level=3)) is None
    assert not FollowUp.objects.exists()


def test_the_call_back_after_a_friday_rating_is_due_on_monday(clock, personas, item):
    clock.move_to(at("2026-03-06", 16))  # Friday
    fu = opened(personas, item)
    assert fu.callback_due == D(2026, 3, 9)


def test_a_rating_in_a_year_without_calendar_gives_a_clear_error(clock, personas, item):
    clock.move_to(at("2026-12-31", 15))  # the next working day is in 2027: no official data
    rating = make_rating(personas, item)
    with translation.override("en"), pytest.raises(services.CalendarMissing) as err:
        services.open_for(rating)
    assert "2027" in err.value.message and "calendar" in err.value.message
    with translation.override("zh-hans"), pytest.raises(services.CalendarMissing) as err:
        services.open_for(rating)
    assert "2027" in err.value.message and "工作日历" in err.value.message
    assert not FollowUp.objects.exists()


def test_open_missing_opens_what_a_missing_calendar_left_out(clock, personas, item):
    make_rating(personas, item)
    make_rating(personas, item, level=5)
    assert services.open_missing() == 1
    assert services.open_missing() == 0


# ----------------------------------------------------------------------------- the steps


def test_it_goes_call_back_fix_by_fixed_report_back_and_rerate(clock, personas, item):
    fu = called_back(personas, item)
    assert fu.state == FollowUp.State.CALLED_BACK and fu.version == 2
    clock.move_to(at("2026-03-03"))
    fu = services.fix_by(actor=personas.manager, followup=fu, plan="增设叫号提醒")
    # The hall's default: 5 working days from Tuesday 3 March.
    assert fu.state == FollowUp.State.FIXING and fu.fix_due == D(2026, 3, 10)
    fu = services.mark_fixed(actor=personas.manager, followup=fu, note="已增设提醒屏")
    assert fu.state == FollowUp.State.ANSWERED and fu.outcome == FollowUp.Outcome.FIXED
    fu = services.report_back(actor=personas.manager, followup=fu, text="我们已增设叫号提醒屏")
    assert fu.state == FollowUp.State.REPORTED and fu.report_text == "我们已增设叫号提醒屏"
    fu = services.rerate(followup=fu, level=4, comment="好多了")
    assert fu.state == FollowUp.State.RERATED and fu.rerate_level == 4
    actions = list(fu.events.values_list("action", "from_state", "to_state"))
    assert actions == [
        ("open", "", "open"),
        ("call_back", "open", "called_back"),
        ("fix_by", "called_back", "fixing"),
        ("mark_fixed", "fixing", "answered"),
        ("report_back", "answered", "reported"),
        ("rerate", "reported", "rerated"),
    ]
    audited = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "followup.call_back",
        "followup.fix_by",
        "followup.mark_fixed",
        "followup.report_back",
        "followup.rerate",
    } <= audited
    # The original rating is never edited.
    assert Rating.objects.get(pk=fu.rating_id).level == 1


def test_a_fix_done_after_its_due_date_is_kept_as_late(clock, personas, item):
    fu = called_back(personas, item)
    fu = services.fix_by(actor=personas.manager, followup=fu, plan="整改", due=D(2026, 3, 4))
    clock.move_to(at("2026-03-05"))
    fu = services.mark_fixed(actor=personas.manager, followup=fu, note="已整改")
    assert fu.outcome == FollowUp.Outcome.FIXED_LATE


@pytest.mark.parametrize(
    ("service", "kwargs", "outcome"),
    [
        (services.fix_now, {"note": "当场道歉并办结"}, FollowUp.Outcome.FIXED_NOW),
        (services.explain, {"note": "材料要求系法定要求"}, FollowUp.Outcome.EXPLAINED),
    ],
)
def test_fix_now_and_explain_answer_at_once(clock, personas, item, service, kwargs, outcome):
    fu = service(actor=personas.manager, followup=called_back(personas, item), **kwargs)
    assert fu.state == FollowUp.State.ANSWERED and fu.outcome == outcome


def test_the_centre_upholds_or_rejects_an_appeal(clock, personas, item):
    fu = called_back(personas, item)
    fu = services.appeal(actor=personas.manager, followup=fu, reason="评价针对的是法定收费标准")
    assert fu.state == FollowUp.State.APPEALED
    with pytest.raises(services.NotAllowed):
        services.decide_appeal(actor=personas.manager, followup=fu, uphold=True, note="x")
    fu = services.decide_appeal(
        actor=personas.supervisor, followup=fu, uphold=False, note="仍需说明服务态度问题"
    )
    assert fu.state == FollowUp.State.CALLED_BACK and fu.appeal_decided_by == personas.supervisor
    fu = services.appeal(actor=personas.manager, followup=fu, reason="补充说明")
    fu = services.decide_appeal(
        actor=personas.supervisor, followup=fu, uphold=True, note="申诉成立"
    )
    assert fu.state == FollowUp.State.ANSWERED
    assert fu.outcome == FollowUp.Outcome.APPEAL_UPHELD
    assert AuditEntry.objects.filter(action="followup.uphold_appeal").count() == 1
    assert AuditEntry.objects.filter(action="followup.reject_appeal").count() == 1


# ----------------------------------------------------------------------------- refusals


def test_a_step_the_table_does_not_allow_is_refused_and_changes_nothing(clock, personas, item):
    fu = opened(personas, item)
    before = snapshot(fu)
    with translation.override("en"), pytest.raises(services.WrongState) as err:
        services.report_back(actor=personas.manager, followup=fu, text="已整改")
    assert "cannot be taken now" in err.value.message and err.value.status == 409
    with translation.override("zh-hans"), pytest.raises(services.WrongState) as err:
        services.explain(actor=personas.manager, followup=fu, note="说明")
    assert "待回访" in err.value.message
    assert snapshot(fu) == before


def test_a_stale_form_or_double_submit_is_refused(clock, personas, item):
    fu = opened(personas, item)
    services.call_back(actor=personas.manager, followup=fu, note="回访", expected_version=1)
    fu.refresh_from_db()
    before = snapshot(fu)
    with pytest.raises(services.Stale):
        services.fix_now(actor=personas.manager, followup=fu, note="已改", expected_version=1)
    assert snapshot(fu) == before


def test_a_due_date_in_the_past_or_beyond_the_halls_days_is_refused(clock, personas, item):
    fu = called_back(personas, item)
    before = snapshot(fu)
    with translation.override("en"), pytest.raises(services.FollowUpError) as err:
        services.fix_by(actor=personas.manager, followup=fu, plan="整改", due=D(2026, 3, 1))
    assert err.value.field == "due" and "past" in err.value.message
    with translation.override("en"), pytest.raises(services.FollowUpError) as err:
        services.fix_by(actor=personas.manager, followup=fu, plan="整改", due=D(2026, 3, 10))
    assert "at most 5 working days" in err.value.message and "2026-03-09" in err.value.message
    assert snapshot(fu) == before


def test_the_halls_own_number_of_days_sets_the_limit(clock, personas, item):
    services.set_fix_days(actor=personas.manager, hall=personas.hall, fix_days=7)
    assert AuditEntry.objects.filter(action="followup.fix_days_set").exists()
    fu = services.fix_by(actor=personas.manager, followup=called_back(personas, item), plan="整改")
    assert fu.fix_due == D(2026, 3, 11)


@pytest.mark.parametrize("days", [0, 61, "5"])
def test_a_bad_number_of_days_is_refused(clock, personas, days):
    with pytest.raises(services.FollowUpError) as err:
        services.set_fix_days(actor=personas.manager, hall=personas.hall, fix_days=days)
    assert err.value.field == "fix_days"
    assert not HallFollowUpSetting.objects.exists()


def test_only_who_manages_the_hall_sets_its_days(clock, personas):
    for user in (personas.clerk, personas.outsider, personas.supervisor):
        with pytest.raises(services.NotAllowed):
            services.set_fix_days(actor=user, hall=personas.hall, fix_days=7)
    services.set_fix_days(actor=personas.admin, hall=personas.hall, fix_days=15)
    assert HallFollowUpSetting.objects.get().fix_days == 15


def test_a_second_rerating_and_one_before_the_report_are_refused(clock, personas, item):
    fu = called_back(personas, item)
    before = snapshot(fu)
    with translation.override("en"), pytest.raises(services.WrongState) as err:
        services.rerate(followup=fu, level=5)
    assert "not answered yet" in err.value.message
    assert snapshot(fu) == before
    fu = services.explain(actor=personas.manager, followup=fu, note="说明")
    fu = services.report_back(actor=personas.manager, followup=fu, text="说明")
    services.rerate(followup=fu, level=2)
    before = snapshot(fu)
    with translation.override("en"), pytest.raises(services.WrongState) as err:
        services.rerate(followup=fu, level=5)
    assert "already rated" in err.value.message
    assert snapshot(fu) == before
    assert FollowUp.objects.get().rerate_level == 2


@pytest.mark.parametrize("level", [0, 6, "x", None])
def test_a_rerating_outside_1_to_5_is_refused(clock, personas, item, level):
    fu = called_back(personas, item)
    fu = services.explain(actor=personas.manager, followup=fu, note="说明")
    fu = services.report_back(actor=personas.manager, followup=fu, text="说明")
    before = snapshot(fu)
    with pytest.raises(services.FollowUpError) as err:
        services.rerate(followup=fu, level=level)
    assert err.value.field == "level"
    assert snapshot(fu) == before


def test_only_the_owner_or_the_hall_manager_takes_the_steps(clock, personas, item):
    fu = opened(personas, item)
    before = snapshot(fu)
    for user in (personas.clerk, personas.outsider, personas.supervisor, personas.admin):
        with pytest.raises(services.NotAllowed):
            services.call_back(actor=user, followup=fu, note="回访")
    assert snapshot(fu) == before
    fu = services.reassign(actor=personas.manager, followup=fu, owner=personas.clerk)
    assert fu.owner == personas.clerk and fu.state == FollowUp.State.OPEN
    fu = services.call_back(actor=personas.clerk, followup=fu, note="回访")
    assert fu.state == FollowUp.State.CALLED_BACK


def test_a_follow_up_is_handed_only_to_staff_of_its_hall(clock, personas, item):
    fu = opened(personas, item)
    before = snapshot(fu)
    with pytest.raises(services.FollowUpError) as err:
        services.reassign(actor=personas.manager, followup=fu, owner=personas.outsider)
    assert err.value.field == "owner"
    with pytest.raises(services.NotAllowed):
        services.reassign(actor=personas.clerk, followup=fu, owner=personas.clerk)
    other_manager = make_user(
        "other_manager", halls=[personas.other_hall], roles=[Role.HALL_MANAGER]
    )
    with pytest.raises(services.NotAllowed):
        services.reassign(actor=other_manager, followup=fu, owner=personas.clerk)
    assert snapshot(fu) == before


@pytest.mark.parametrize("text", ["", "   ", "\u3000\u3000", "x" * 2001])
def test_a_blank_or_too_long_note_is_refused(clock, personas, item, text):
    fu = opened(personas, item)
    before = snapshot(fu)
    with pytest.raises(services.FollowUpError) as err:
        services.call_back(actor=personas.manager, followup=fu, note=text)
    assert err.value.field == "note"
    assert snapshot(fu) == before


def test_a_hall_without_a_manager_leaves_the_follow_up_unassigned(clock, personas, item):
    personas.manager.groups.clear()
    fu = opened(personas, item)
    assert fu.owner is None


def test_a_bad_rating_through_the_ratings_service_opens_its_follow_up(clock, personas, item):
    from onewindow.cases.models import CaseEvent
    from onewindow.cases.tests.factories import make_accepted_case
    from onewindow.ratings.services import rate

    case = make_accepted_case(personas, item)
    event = case.events.get(kind=CaseEvent.Kind.ACCEPTED)
    rating = rate(event=event, level=1, channel="status", reasons=["attitude"], comment="态度差")
    fu = FollowUp.objects.get(rating=rating)
    assert fu.state == FollowUp.State.OPEN and fu.owner == personas.manager
    other = make_accepted_case(personas, item)
    good = rate(event=other.events.get(kind=CaseEvent.Kind.ACCEPTED), level=5, channel="status")
    assert not FollowUp.objects.filter(rating=good).exists()


def test_the_command_opens_the_missing_follow_ups(clock, personas, item):
    import io

    from django.core.management import call_command

    make_rating(personas, item)
    out = io.StringIO()
    call_command("followups_open_missing", stdout=out)
    assert "1 follow-up(s) opened." in out.getvalue()
    assert FollowUp.objects.count() == 1


def test_the_worker_job_opens_them_once_the_calendar_is_entered(clock, personas, item, caplog):
    from django.conf import settings

    from onewindow.followups.jobs import open_missing_followups
    from onewindow.workdays.models import CalendarYear
    from onewindow.workdays.services import invalidate_calendar

    assert (
        "onewindow.followups.jobs.open_missing_followups",
        3600,
    ) in settings.ONEWINDOW_WORKER_JOBS
    clock.move_to(at("2026-12-31", 15))  # the call-back would fall in 2027: no official data
    rating = make_rating(personas, item)
    open_missing_followups()
    assert not FollowUp.objects.exists()
    assert "2027" in caplog.text
    CalendarYear.objects.create(year=2027, source="manual")  # the year is entered
    invalidate_calendar()
    open_missing_followups()
    assert FollowUp.objects.get().rating == rating
