"""The simulated year (`onewindow simulate`): counts, rhythm, life cycles consistent with
the services and the clock, determinism, and room for the live numbering afterwards."""

import datetime as dt
import io
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db.models import Count

from onewindow.cases import clock, services, simulate
from onewindow.cases.models import Case, CaseEvent, CaseNumberCounter, CaseStep, CorrectionNotice
from onewindow.cases.simulate.generate import WRONG_FEE_EXTRA, Generator
from onewindow.cases.simulate.write import TABLES, table_sql
from onewindow.halls.models import OpeningHours
from onewindow.workdays.models import CalendarDay
from onewindow.workdays.services import get_calendar

from .factories import at, make_case, make_immediate_item, make_item

pytestmark = [pytest.mark.django_db]

YEAR_END = dt.datetime(2026, 1, 1, tzinfo=clock.timezone.get_current_timezone())


@pytest.fixture
def catalogue(personas):
    """Opening hours (the vehicle sub-centre also on Saturday mornings) and a few items."""
    for hall, saturday in ((personas.hall, True), (personas.other_hall, False)):
        for weekday in range(6 if saturday else 5):
            OpeningHours.objects.create(
                hall=hall,
                weekday=weekday,
                opens=dt.time(9) if weekday == 5 else dt.time(8, 30),
                closes=dt.time(12) if weekday == 5 else dt.time(17, 30),
            )
    return [
        make_item(personas.department, [personas.hall], name="机动车转移登记"),
        make_immediate_item(personas.department, [personas.hall], name="补领机动车号牌"),
        make_item(
            personas.department,
            [personas.hall],
            name="机动车驾驶人培训许可",
            promised=15,
            legal=20,
            joint=True,
        ),
        make_item(
            personas.other_department,
            [personas.other_hall],
            name="社会团体成立登记",
            legal=30,
            promised=20,
        ),
        make_immediate_item(personas.other_department, [personas.other_hall], name="婚姻登记证明"),
    ]


def simulate_year(cases=2500, seed=7, **kw):
    options = simulate.Options(
        start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31), cases=cases, seed=seed
    )
    return simulate.run(options, progress=False, parallel=kw.pop("parallel", False), **kw)


def signature():
    """Everything the simulation wrote, without the database ids."""
    cases = list(
        Case.objects.order_by("number").values_list(
            "number",
            "status",
            "applicant_id_number",
            "received_at",
            "accepted_on",
            "promised_due_date",
            "result",
            "version",
        )
    )
    events = list(
        CaseEvent.objects.order_by("case__number", "seq").values_list(
            "case__number", "seq", "kind", "at", "actor", "data"
        )
    )
    return cases, events


# ------------------------------------------------------------------ counts and shares


def test_it_writes_the_cases_asked_for_with_realistic_shares(personas, catalogue):
    stats = simulate_year()
    assert stats.cases == Case.objects.count() == 2500
    assert stats.events == CaseEvent.objects.count()
    assert Case.objects.filter(source="simulation").count() == 2500
    n = 2500
    refused = Case.objects.filter(status="refused").count()
    corrections = CorrectionNotice.objects.count()
    overdue = Case.objects.filter(outcome_promised="overdue").count()
    assert 0.01 * n <= refused <= 0.035 * n
    assert 0.03 * n <= corrections <= 0.075 * n
    assert 0.005 * n <= overdue <= 0.03 * n
    assert (
        Case.objects.exclude(suspended_days=0).exists()
        and Case.objects.exclude(extension_days=0).exists()
    )
    assert CaseEvent.objects.filter(kind="accepted_with_gaps").exists()
    # Skewed volumes: the vehicle items of the busy sub-centre carry most of the year.
    by_hall = Counter(Case.objects.values_list("hall__code", flat=True))
    assert by_hall["CG"] > 2 * by_hall["MZ"] > 0
    immediate = Case.objects.filter(is_immediate=True).count()
    assert 0.2 * n < immediate < 0.8 * n


def test_it_asks_for_and_approves_every_extension_before_the_legal_due_date(personas, catalogue):
    """An extension after the legal due date is refused by the services (the case stays
    overdue): the simulated year has none. Each `extended` event records the days and the
    legal due date after them; the date before is the `days`-th working day before that
    one, so the approval day A was in time when more than `days` working days lie in
    [A, new legal due date]."""
    from onewindow.cases.models import Extension

    stats = simulate_year(4000, seed=11)
    cal = get_calendar()
    events = list(CaseEvent.objects.filter(kind="extended").values_list("case_id", "at", "data"))
    assert stats.extensions == len(events) > 0
    for case_id, when, data in events:
        approved = clock.timezone.localdate(when)
        after = dt.date.fromisoformat(data["legal_due_date"])
        within = cal.working_days_between(approved - dt.timedelta(days=1), after).value
        assert within > data["days"], (case_id, approved, data)
    extensions = Extension.objects.values_list("status", "at", "decided_at", "approver_id")
    assert len(extensions) == len(events)
    for status, requested, decided, approver in extensions:
        assert status == "approved" and approver is not None
        assert requested <= decided  # asked for no later than approved, so in time too


def test_it_follows_the_weekly_and_seasonal_rhythm(personas, catalogue):
    simulate_year(cases=4000)
    by_day = defaultdict(Counter)
    for hall, received in Case.objects.values_list("hall__code", "received_at"):
        by_day[clock.local_date(received)][hall] += 1
    holidays = set(
        CalendarDay.objects.filter(kind="holiday", day__year=2025).values_list("day", flat=True)
    )
    cal = get_calendar()
    assert not [
        d for d in by_day if d.weekday() == 6 and not cal.is_working_day(d)
    ]  # closed on Sundays
    assert not [d for d in by_day if d in holidays]  # and on public holidays
    saturdays = [d for d in by_day if d.weekday() == 5 and not cal.is_working_day(d)]
    assert saturdays and all(set(by_day[d]) == {"CG"} for d in saturdays)  # only the hall open then
    weekdays = [sum(c.values()) for d, c in by_day.items() if d.weekday() < 5]
    assert (
        sum(by_day[d]["CG"] for d in saturdays) / len(saturdays) < sum(weekdays) / len(weekdays) / 2
    )
    # A swapped working Sunday (调休, 2025-01-26 before the Spring Festival) is open.
    assert sum(by_day[dt.date(2025, 1, 26)].values()) > 0

    def per_day(month):
        days = [d for d in by_day if d.month == month and cal.is_working_day(d)]
        return sum(sum(by_day[d].values()) for d in days) / len(days)

    assert per_day(3) > per_day(2) * 1.2  # busy March, quiet Spring Festival month
    mondays = [
        sum(c.values()) for d, c in by_day.items() if d.weekday() == 0 and cal.is_working_day(d)
    ]
    fridays = [
        sum(c.values()) for d, c in by_day.items() if d.weekday() == 4 and cal.is_working_day(d)
    ]
    assert sum(mondays) / len(mondays) > sum(fridays) / len(fridays)
    # Arrivals inside opening hours.
    hours = {
        clock.timezone.localtime(t).time()
        for t in Case.objects.values_list("received_at", flat=True)
    }
    assert min(hours) >= dt.time(8, 30) and max(hours) <= dt.time(17, 30)


# ------------------------------------------------------------------ consistency


def test_it_writes_events_consistent_with_the_statuses(personas, catalogue):
    simulate_year()
    staff = {
        u.pk
        for u in (
            personas.clerk,
            personas.handler,
            personas.reviewer,
            personas.approver,
            personas.manager,
        )
    }
    staff.add(personas.outsider.pk)
    events = defaultdict(list)
    for e in CaseEvent.objects.order_by("case_id", "seq").values(
        "case_id", "seq", "kind", "at", "from_status", "to_status", "actor_id", "hall_id"
    ):
        events[e["case_id"]].append(e)
    cases = Case.objects.values(
        "id", "status", "hall_id", "received_at", "accepted_at", "concluded_at", "current_step_id"
    )
    for case in cases:
        evs = events[case["id"]]
        assert [e["seq"] for e in evs] == list(range(1, len(evs) + 1))
        assert evs[0]["kind"] == "received" and evs[0]["at"] == case["received_at"]
        status = ""
        previous = None
        for e in evs:
            assert previous is None or e["at"] >= previous
            previous = e["at"]
            assert e["hall_id"] == case["hall_id"] and (
                e["actor_id"] is None or e["actor_id"] in staff
            )
            # accept_with_gaps writes its own event and the acceptance, both from
            # received to accepted (as the services do); the first one notes the gaps.
            if e["to_status"] and e["kind"] != "accepted_with_gaps":
                assert e["from_status"] == status, (case, e)
                status = e["to_status"]
        assert status == case["status"]
        assert previous <= YEAR_END
        if case["status"] in ("accepted", "suspended"):
            assert case["concluded_at"] is None
    # The open step of a case is the one it waits on.
    for case in Case.objects.exclude(current_step=None).select_related("current_step"):
        assert (
            case.current_step.finished_at is None
            and case.current_step.assignee_id == case.current_assignee_id
        )
    assert not CaseStep.objects.filter(finished_at__isnull=False, decision="").exists()


def test_it_computes_the_clock_like_the_services(personas, catalogue):
    simulate_year()
    cal = get_calendar()
    checked = 0
    for case in Case.objects.exclude(accepted_on=None):
        d = clock.deadlines(
            accepted_on=case.accepted_on,
            promised_limit=case.promised_limit_days,
            legal_limit=case.legal_limit_days,
            extension_days=case.extension_days,
            suspended_days=case.suspended_days,
            cal=cal,
        )
        assert (case.promised_due_date, case.legal_due_date) == (d.promised, d.legal)
        if case.concluded_at and case.result not in ("granted", "refused"):
            # Withdrawn, forwarded, void: no decision, so no outcome (as the services do).
            assert (case.outcome_promised, case.working_days_used) == ("", None)
        elif case.concluded_at:
            done = clock.local_date(case.concluded_at)
            assert case.outcome_promised == clock.outcome(done, case.promised_due_date)
            assert case.outcome_legal == clock.outcome(done, case.legal_due_date)
            assert (
                case.working_days_used
                == clock.working_days_used(case.accepted_on, done, case.suspended_days, cal)[0]
            )
            checked += 1
    assert checked > 2000
    for s in Case.objects.exclude(suspended_days=0).prefetch_related("suspensions"):
        assert s.suspended_days == sum(x.days_added for x in s.suspensions.all())


def test_it_keeps_recent_cases_open(personas, catalogue):
    simulate_year()
    open_cases = Case.objects.filter(status__in=Case.OPEN_STATUSES)
    assert open_cases.exists()
    oldest = min(clock.local_date(t) for t in open_cases.values_list("received_at", flat=True))
    assert oldest >= dt.date(2025, 8, 1)
    assert Case.objects.filter(
        status="concluded", result="granted"
    ).exists()  # waiting for delivery


def test_it_writes_the_monthly_counts_of_what_it_wrote(personas, catalogue):
    """The simulation writes events by the table, not through the services that keep the
    monthly counts (`cases.tally`): it counts the months it wrote again, and closes them."""
    from onewindow.cases import tally
    from onewindow.cases.models import CaseTally

    simulate_year(cases=800)
    months = [dt.date(2025, m, 1) for m in range(1, 13)]
    assert all(tally.is_closed(m) for m in months)
    for month in months:
        assert tally.differences(month) == [], month
    kept = CaseTally.objects.filter(month__year=2025)
    assert sum(r.received for r in kept) == Case.objects.count()
    assert (
        sum(r.open_at_end for r in kept.filter(month=months[-1]))
        == Case.objects.filter(status__in=Case.OPEN_STATUSES, accepted_at__isnull=False).count()
    )


def test_its_open_cases_can_be_carried_on_by_the_services(personas, catalogue, english):
    simulate_year()
    case = Case.objects.filter(
        status="accepted", current_step__role="handler", item=catalogue[0]
    ).first()
    assert case is not None
    with time_machine.travel(at("2026-01-05"), tick=False):
        after = services.decide_step(
            actor=case.current_assignee, case=case, decision="pass", expected_version=case.version
        )
    assert after.current_step.position == 2
    assert list(after.events.values_list("seq", flat=True))[-2:] == [
        after.events.count() - 1,
        after.events.count(),
    ]


# ------------------------------------------------------------------ determinism, numbering


def test_it_is_deterministic_with_a_seed(personas, catalogue):
    simulate_year(cases=600, seed=11)
    first = signature()
    Case.objects.all().delete()
    CaseNumberCounter.objects.all().delete()
    simulate_year(cases=600, seed=11)
    assert signature() == first
    Case.objects.all().delete()
    CaseNumberCounter.objects.all().delete()
    simulate_year(cases=600, seed=12)
    assert signature() != first


@pytest.mark.slow
def test_it_writes_the_same_rows_when_generating_in_a_second_process(personas, catalogue):
    simulate_year(cases=600, seed=5, parallel=False)
    serial = signature()
    Case.objects.all().delete()
    CaseNumberCounter.objects.all().delete()
    stats = simulate_year(cases=600, seed=5, parallel=True)
    assert signature() == serial
    assert stats.cases == 600 and stats.events == CaseEvent.objects.count()


def test_it_leaves_the_numbering_to_the_live_services_afterwards(personas, catalogue):
    live = make_case(
        personas, catalogue[1], received_at=at("2025-06-02", 8, 40)
    )  # before the simulation
    now = at("2025-06-02", 16, 0)
    options = simulate.Options(
        start=dt.date(2025, 5, 26), end=dt.date(2025, 6, 2), cases=300, seed=3, now=now
    )
    simulate.run(options, progress=False, parallel=False)
    today = Case.objects.filter(hall=personas.hall, number__startswith="CG20250602").order_by(
        "number"
    )
    numbers = list(today.values_list("number", flat=True))
    assert numbers[0] == live.number == "CG202506020001"
    assert numbers == [f"CG20250602{i:04d}" for i in range(1, len(numbers) + 1)]
    assert max(CaseEvent.objects.values_list("at", flat=True)) <= now
    later = make_case(personas, catalogue[1], received_at=at("2025-06-02", 16, 30))
    assert later.number == f"CG20250602{len(numbers) + 1:04d}"
    assert Case.objects.filter(number=later.number).count() == 1


# ------------------------------------------------------------------ the machinery


def test_it_writes_every_column_that_matters(db):
    """Every column without NULL is written explicitly (no model default slips in
    unnoticed); what is left out may only be NULL, like the exchange's idempotency key."""
    from django.apps import apps
    from django.db import connection

    for _key, model_name, columns in TABLES:
        model = apps.get_model("cases", model_name)
        left = [
            f for f in model._meta.concrete_fields if not f.primary_key and f.column not in columns
        ]
        assert all(f.null for f in left), model_name
    assert "external_key" not in TABLES[3][2] and TABLES[3][1] == "CaseEvent"
    assert all(tail == () for _key, _sql, tail in table_sql(connection))


def test_its_calendar_tables_agree_with_the_calendar(personas, catalogue):
    from onewindow.cases.simulate import load_snapshot

    cal = get_calendar()
    options = simulate.Options(
        start=dt.date(2025, 1, 1), end=dt.date(2026, 12, 31), cases=10, seed=1
    )
    gen = Generator(load_snapshot(), options)
    first = gen.dates.index(dt.date(2025, 1, 1))
    for i in range(first, first + 730):
        day = gen.dates[i]
        for n in (0, 1, 5, 20, 45):
            j = gen.add(i, n)
            assert gen.dates[j] == cal.add_working_days(day, n).value
            assert gen.provisional(i, j) == cal.add_working_days(day, n).provisional
        for k in (0, 3, 30):
            assert gen.between(i, i + k) == cal.working_days_between(day, gen.dates[i + k]).value


def test_the_command_reports_and_refuses_without_a_catalogue(personas, catalogue):
    out = io.StringIO()
    call_command(
        "simulate", "--year", "2025", "--cases", "300", "--seed", "2", "--no-progress", stdout=out
    )
    assert "simulated 300 cases" in out.getvalue()
    assert Case.objects.count() == 300
    with pytest.raises(CommandError, match="load the catalogue"):
        call_command(
            "simulate",
            "--year",
            "2025",
            "--cases",
            "10",
            "--halls",
            "ZX",
            "--no-progress",
            stdout=out,
        )
    with pytest.raises(CommandError):
        call_command("simulate", "--year", "2030", "--cases", "10", "--no-progress", stdout=out)


def test_it_counts_events_per_case_like_a_real_year(personas, catalogue):
    simulate_year(cases=1000)
    per_case = Case.objects.annotate(n=Count("events")).values_list("is_immediate", "status", "n")
    immediate = [n for imm, status, n in per_case if imm and status == "delivered"]
    promised = [n for imm, status, n in per_case if not imm and status == "delivered"]
    assert min(immediate) >= 4  # received, accepted, concluded, delivered (+ fee)
    assert min(promised) >= 9  # + the three steps assigned and decided


def test_a_run_that_died_half_way_can_be_run_again(personas, catalogue, monkeypatch):
    """Each batch raises the number counters of its days in its own transaction: after a
    run that died between two batches, what was written is consistent and a second run
    goes on without a duplicate case number."""
    from onewindow.cases.simulate import write

    options = simulate.Options(
        start=dt.date(2025, 5, 5), end=dt.date(2025, 5, 30), cases=400, seed=5, batch_cases=50
    )
    real, written = write.write_batch, []

    def dies_after_two(conn, statements, rows):
        if len(written) == 2:
            raise SystemExit("killed")
        real(conn, statements, rows)
        written.append(len(rows["case"]))

    monkeypatch.setattr(simulate, "write_batch", dies_after_two)
    with pytest.raises(SystemExit):
        simulate.run(options, progress=False, parallel=False)
    first = Case.objects.count()
    assert first == sum(written) and first > 0
    # Every number written is covered by its counter.
    for hall_id, number in Case.objects.values_list("hall_id", "number"):
        day = dt.datetime.strptime(number[-12:-4], "%Y%m%d").date()
        assert CaseNumberCounter.objects.get(hall_id=hall_id, day=day).last >= int(number[-4:])
    monkeypatch.setattr(simulate, "write_batch", real)
    stats = simulate.run(options, progress=False, parallel=False)
    assert Case.objects.count() == first + stats.cases
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))


def test_it_records_the_fee_lines_it_charged(personas, catalogue):
    from django.db.models import Sum

    from onewindow.cases.models import CaseFeeLine

    simulate_year(cases=400)
    charged = Case.objects.filter(fee_charged__isnull=False)
    assert charged.exists()
    sums = dict(
        CaseFeeLine.objects.values("case_id").annotate(s=Sum("due")).values_list("case_id", "s")
    )
    # Every charge has its lines (no condition applied), adding up to what was charged,
    # and the fee_charged event carries them; but for the few wrong charges the demo
    # plants for the fee rule to find (a fixed sum on top of the standard).
    assert set(sums) == {c.pk for c in charged}
    over = {c.pk: c.fee_charged - sums[c.pk] for c in charged if c.fee_charged != sums[c.pk]}
    assert set(over.values()) <= {Decimal(x) for x in WRONG_FEE_EXTRA}
    assert len(over) <= 0.1 * len(sums)
    events = CaseEvent.objects.filter(kind=CaseEvent.Kind.FEE_CHARGED)
    event = events.exclude(case_id__in=over).first()
    assert event.data["standard"] == event.data["charged"]
    assert [line["extra_copies"] for line in event.data["lines"]] == [0]
    for event in events.filter(case_id__in=over):
        assert (
            Decimal(event.data["charged"]) - Decimal(event.data["standard"]) == over[event.case_id]
        )
