"""The clock arithmetic of DOMAIN.md, on the platform's own calendar (seeded 2004-2026)."""

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
    # DOMAIN.md: 2026-09-28 + 5 working days = 2026-10-10 (a Saturday worked).
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
    # 2027 is counted with weekends only (1 January included): provisional, and shown as such.
    assert r.promised == d("2027-01-04")
    assert not clock.deadlines(
        accepted_on=d("2026-03-02"), promised_limit=10, legal_limit=20
    ).provisional
    assert clock.suspension_days([(d("2026-12-30"), d("2027-01-04"))]) == (3, True)


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
    from onewindow.audit.models import AuditEntry
    from onewindow.cases.jobs import refresh_provisional_deadlines
    from onewindow.lib.workcal import CalendarRow
    from onewindow.workdays import services as calendar_services

    from .factories import at, make_accepted_case

    time_machine.move_to(at("2026-12-21"), tick=False)
    case = make_accepted_case(personas, item)
    assert case.due_provisional and case.promised_due_date == d("2027-01-04")
    assert refresh_provisional_deadlines() == 0  # nothing known yet: nothing written
    calendar_services.save_year(
        actor=personas.admin,
        year=2027,
        rows=[CalendarRow(d("2027-01-01"), "holiday", "元旦")],
        source="manual",
    )
    calendar_services.invalidate_calendar()
    try:
        assert refresh_provisional_deadlines() == 1
        case.refresh_from_db()
        assert not case.due_provisional and case.promised_due_date == d("2027-01-05")
        assert AuditEntry.objects.filter(
            action="case.deadlines_recomputed", object_id=str(case.pk)
        ).exists()
    finally:
        calendar_services.invalidate_calendar()
