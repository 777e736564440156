"""The clock arithmetic of docs/DOMAIN.md ("1. Working days (工作日) and the legal calendar"
and "2. The clock of a case"), on the platform's own calendar (seeded 2004-2026)."""

from datetime import date

import pytest

from onewindow.cases import clock

pytestmark = pytest.mark.django_db

d = date.fromisoformat


def test_it_counts_a_limit_from_the_day_after_acceptance():
    r = clock.add_working_days(d("2026-03-02"), 10)
    assert r.value == d("2026-03-16") and not r.provisional


def test_it_keeps_the_acceptance_date_for_a_zero_limit_even_on_saturday():
    assert clock.add_working_days(d("2026-03-07"), 0).value == d("2026-03-07")
    assert clock.add_working_days(d("2026-03-07"), 1).value == d("2026-03-09")


def test_it_counts_the_swapped_saturday_after_national_day():
    # docs/DOMAIN.md, "Known checks" of section 1: 2026-09-28 + 5 working days =
    # 2026-10-10 (a Saturday worked).
    assert clock.add_working_days(d("2026-09-28"), 5).value == d("2026-10-10")


def test_it_counts_a_suspension_as_the_working_days_after_its_start_up_to_resumption():
    assert clock.suspension_days([(d("2026-03-06"), d("2026-03-09"))]) == (1, False)
    assert clock.suspension_days([(d("2026-03-04"), d("2026-03-04"))]) == (0, False)
    # Spring Festival 2026: 02-14 (Saturday) worked, 02-15..02-23 off.
    assert clock.suspension_days([(d("2026-02-13"), d("2026-02-24"))]) == (2, False)
    assert clock.suspension_days(
        [(d("2026-03-02"), d("2026-03-04")), (d("2026-03-06"), d("2026-03-09"))]
    ) == (3, False)


def test_it_moves_both_due_dates_by_extension_and_suspension():
    plain = clock.deadlines(accepted_on=d("2026-03-02"), promised_limit=10, legal_limit=20)
    assert (plain.promised, plain.legal) == (d("2026-03-16"), d("2026-03-30"))
    moved = clock.deadlines(
        accepted_on=d("2026-03-02"),
        promised_limit=10,
        legal_limit=20,
        extension_days=5,
        suspended_days=3,
    )
    assert moved.promised == clock.add_working_days(d("2026-03-16"), 8).value == d("2026-03-26")
    assert moved.legal == clock.add_working_days(d("2026-03-30"), 8).value


def test_it_marks_a_due_date_in_a_year_without_data_provisional():
    r = clock.deadlines(accepted_on=d("2026-12-21"), promised_limit=10, legal_limit=20)
    assert r.provisional
    # 2027 has no official data: its fixed holidays (1 January) are left out, the swapped
    # days are unknown; provisional, and shown as such.
    assert r.promised == d("2027-01-05")
    assert not clock.deadlines(
        accepted_on=d("2026-03-02"), promised_limit=10, legal_limit=20
    ).provisional
    assert clock.suspension_days([(d("2026-12-30"), d("2027-01-04"))]) == (2, True)


@pytest.mark.parametrize(
    ("today", "left"),
    [
        ("2026-03-13", 1),
        ("2026-03-14", 1),
        ("2026-03-16", 0),
        ("2026-03-17", -1),
        ("2026-03-02", 10),
        ("2026-03-21", -4),
        ("2026-03-23", -5),
    ],
)
def test_it_counts_working_days_left(today, left):
    assert clock.days_left(d("2026-03-16"), today=d(today)).value == left


def test_it_freezes_days_left_while_the_clock_is_stopped():
    left = clock.days_left(d("2026-03-16"), today=d("2026-03-20"), stopped_on=d("2026-03-12"))
    assert left.value == 2 and left.stopped and not left.overdue


def test_it_judges_the_outcome_against_a_due_date():
    due = d("2026-03-16")
    assert clock.outcome(d("2026-03-13"), due) == "early"
    assert clock.outcome(due, due) == "on_time"
    assert clock.outcome(d("2026-03-17"), due) == "overdue"


def test_it_leaves_suspended_days_out_of_the_days_used():
    assert clock.working_days_used(d("2026-03-02"), d("2026-03-06"), 0) == (4, False)
    assert clock.working_days_used(d("2026-03-02"), d("2026-03-06"), 1) == (3, False)
    assert clock.working_days_used(d("2026-03-02"), d("2026-03-02"), 0) == (0, False)


def test_it_makes_provisional_deadlines_exact_once_the_year_is_entered(
    personas, item, time_machine
):
    """Open and concluded cases alike: the dates and the outcome counted on 2027 before
    its calendar was entered are counted again, with an event saying why."""
    from onewindow.audit.models import AuditEntry
    from onewindow.cases import services
    from onewindow.cases.jobs import refresh_provisional_deadlines
    from onewindow.lib.workcal import CalendarRow
    from onewindow.workdays import services as calendar_services

    from .factories import at, make_accepted_case, run_steps

    time_machine.move_to(at("2026-12-21"), tick=False)
    case = make_accepted_case(personas, item)
    done = make_accepted_case(personas, item)
    # 1 January is a fixed holiday even before 2027's calendar is entered.
    assert case.due_provisional and case.promised_due_date == d("2027-01-05")
    time_machine.move_to(at("2027-01-05"), tick=False)
    done = run_steps(personas, done)
    done = services.conclude_case(
        actor=personas.clerk, case=done, result="granted", certificate_number="苏E1"
    )
    assert (done.outcome_promised, done.due_provisional) == ("on_time", True)
    assert refresh_provisional_deadlines() == 0  # nothing known yet: nothing written
    calendar_services.save_year(
        actor=personas.admin,
        year=2027,
        rows=[
            CalendarRow(d("2027-01-01"), "holiday", "元旦"),
            CalendarRow(d("2027-01-04"), "holiday", "(a test: one more day off)"),
        ],
        source="manual",
    )
    calendar_services.invalidate_calendar()
    try:
        assert refresh_provisional_deadlines() == 2
        case.refresh_from_db()
        assert not case.due_provisional and case.promised_due_date == d("2027-01-06")
        done.refresh_from_db()
        assert (done.promised_due_date, done.outcome_promised) == (d("2027-01-06"), "early")
        event = done.events.get(kind="clock_recomputed")
        assert event.data["before"]["outcome_promised"] == "on_time"
        assert event.data["after"]["outcome_promised"] == "early"
        assert "法定工作日安排已录入" in event.reason  # kept in Chinese, the official language
        assert done.version == event.case.version and done.status == "concluded"
        assert AuditEntry.objects.filter(
            action="case.clock_recomputed", object_id=str(done.pk)
        ).exists()
        assert refresh_provisional_deadlines() == 0  # exact now: nothing left to do
    finally:
        calendar_services.invalidate_calendar()
