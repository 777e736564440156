"""The scanner: raised once per breach, incremental after the first scan, safe with two workers."""

import os
import threading
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, connections, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from onewindow.audit.models import AuditEntry
from onewindow.cases.models import Case, CaseEvent
from onewindow.core import worker
from onewindow.core.models import JobRun
from onewindow.supervision.models import Alert, AlertEvent, Rule, ScanState
from onewindow.supervision.services import scan as scan_module
from onewindow.supervision.services.checks import CHECKS
from onewindow.supervision.services.scan import evaluate, plan, scan, store

from .conftest import local
from .factories import (
    make_case,
    make_correction,
    make_event,
    make_extension,
    make_item,
    make_step,
    make_suspension,
    only_rules,
)

D = date
SCAN_JOB = ("onewindow.supervision.jobs.scan_alerts", 15)


@pytest.mark.django_db
def test_it_raises_each_breach_once_however_often_it_scans(clock, personas, version):
    case = make_case(personas, version, promised_due=D(2026, 9, 29), legal_due=D(2026, 9, 29))
    first = scan()
    assert first.mode == "full" and first.reason == "first scan"
    assert first.by_rule == {"case_overdue": 1, "legal_overdue": 1}
    for _ in range(3):
        assert scan().raised == 0
        assert scan(full=True).raised == 0
    assert Alert.objects.filter(case=case).count() == 2
    assert AlertEvent.objects.filter(kind=AlertEvent.Kind.RAISED).count() == 2


def make_breaches_of_every_rule(personas, version) -> None:
    """Cases that breach each of the rules once (today is Wednesday 2026-09-30)."""
    late = make_case(personas, version, promised_due=D(2026, 9, 28), legal_due=D(2026, 9, 29))
    make_step(late, assignee=personas.handler, due_date=D(2026, 9, 30))  # step due today
    make_extension(late, requested_by=personas.handler)  # without an approver
    make_event(  # an extension approved today, after the legal due date (09-29)
        late,
        CaseEvent.Kind.EXTENDED,
        actor=personas.approver,
        data={"days": 2, "legal_due_date": "2026-10-08"},
    )
    due_soon = make_case(personas, version, promised_due=D(2026, 9, 30), legal_due=D(2026, 10, 20))
    make_step(due_soon, assignee=personas.handler, due_date=D(2026, 9, 29))  # a step late
    make_case(personas, version, status=Case.Status.REFUSED, refusal_reason="")
    make_case(personas, version, status=Case.Status.RECEIVED, received_on=D(2026, 9, 1))
    noticed = make_case(personas, version, status=Case.Status.CORRECTION, received_on=D(2026, 9, 1))
    make_correction(noticed, issued_on=D(2026, 9, 30))
    make_case(  # a fee the item does not have; decided a month ago and not delivered
        personas,
        version,
        status=Case.Status.CONCLUDED,
        fee_charged=Decimal("20.00"),
        concluded_at=local(2026, 9, 1),
    )
    suspended = make_case(personas, version, status=Case.Status.SUSPENDED)
    make_suspension(suspended, started_on=D(2026, 9, 1), max_days=5)
    make_case(
        personas,
        version,
        status=Case.Status.DELIVERED,
        concluded_at=local(2026, 9, 1),
        delivered_at=local(2026, 9, 29),
    )
    make_case(
        personas,
        version,
        status=Case.Status.CONCLUDED,
        accepted_at=None,
        concluded_at=local(2026, 9, 29),
    )


@pytest.mark.django_db
def test_it_asks_the_database_as_often_for_many_breaches_as_for_few(clock, personas, version):
    """Set-based: one query per rule and one insert per batch, never one per case."""
    # A first scan that raised something: the state row, the audit chain's head and
    # SQLite's statistics exist; the two scans compared differ only in their breaches.
    make_breaches_of_every_rule(personas, version)
    scan()
    make_breaches_of_every_rule(personas, version)
    with CaptureQueriesContext(connection) as few:
        one = scan(full=True)
    for _ in range(6):
        make_breaches_of_every_rule(personas, version)
    with CaptureQueriesContext(connection) as many:
        six = scan(full=True)
    # The checks other apps add (followups) are not among the breaches made here.
    checks_module = "onewindow.supervision.services.checks"
    own = {code for code, check in CHECKS.items() if type(check).__module__ == checks_module}
    assert set(one.by_rule) == own
    assert six.by_rule == {code: 6 * n for code, n in one.by_rule.items()}
    assert len(many) == len(few)


@pytest.mark.django_db
def test_it_keeps_the_breach_key_unique_in_the_database(clock, personas, version):
    make_case(personas, version, promised_due=D(2026, 9, 29))
    scan()
    alert = Alert.objects.first()
    alert.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        alert.save()


@pytest.mark.django_db
def test_it_raises_a_new_card_when_the_due_date_moves_and_is_missed_again(clock, personas, version):
    only_rules("case_overdue")
    case = make_case(personas, version, promised_due=D(2026, 9, 29))
    scan()
    # An extension moves the due date; the case is late again a week later.
    make_extension(case, requested_by=personas.handler, approver=personas.approver)
    case.promised_due_date = D(2026, 10, 9)
    case.save()
    clock.move_to(local(2026, 10, 12, 9))
    scan()
    assert sorted(Alert.objects.values_list("due_date", flat=True)) == [
        D(2026, 9, 29),
        D(2026, 10, 9),
    ]


@pytest.mark.django_db
def test_it_scans_incrementally_after_the_first_scan(clock, personas, version):
    only_rules("refusal_without_reason")
    scan()
    clock.shift(timedelta(seconds=15))
    case = make_case(personas, version, status=Case.Status.REFUSED, refusal_reason="")
    result = scan()
    assert result.mode == "incremental" and result.reason == "incremental"
    assert result.by_rule == {"refusal_without_reason": 1}
    assert Alert.objects.get().case == case


@pytest.mark.django_db
def test_it_leaves_unchanged_cases_alone_in_an_incremental_scan(clock, personas, version):
    only_rules("refusal_without_reason")
    case = make_case(personas, version, status=Case.Status.REFUSED, refusal_reason="理由")
    scan()
    clock.shift(timedelta(minutes=10))
    scan()  # the case is inside the overlap of the first watermark, not of this one
    clock.shift(timedelta(seconds=15))
    # Changed behind the scanner's back (no updated_at): an incremental scan does not see it,
    # which proves it looks only at what changed; the next full scan finds it.
    Case.objects.filter(pk=case.pk).update(refusal_reason="")
    result = scan()
    assert result.mode == "incremental" and result.raised == 0
    assert scan(full=True).raised == 1


@pytest.mark.django_db
@override_settings(SUPERVISION_FULL_SCAN_HOURS=72)
def test_it_catches_cases_that_became_due_overnight_without_any_change(clock, personas, version):
    only_rules("case_due_soon", "case_overdue", "step_due_soon")
    # The last night of the National Day holiday. Due Friday 10-09: two working days left.
    clock.move_to(local(2026, 10, 7, 23, 59, 50))
    case = make_case(personas, version, promised_due=D(2026, 10, 9), assignee=personas.handler)
    make_step(case, assignee=personas.handler, due_date=D(2026, 10, 9))
    assert scan().raised == 0
    clock.move_to(local(2026, 10, 8, 0, 0, 10))  # one working day left now
    result = scan()
    assert result.mode == "incremental"
    # The case is warned about one working day ahead; the step on its due day only.
    assert result.by_rule == {"case_due_soon": 1}
    clock.move_to(local(2026, 10, 9, 0, 0, 10))  # the due day
    result = scan()
    assert result.mode == "incremental" and result.by_rule == {"step_due_soon": 1}
    clock.move_to(local(2026, 10, 10, 0, 0, 10))  # the swapped Saturday: now past due
    result = scan()
    assert result.mode == "incremental" and result.by_rule == {"case_overdue": 1}
    levels = dict(Alert.objects.values_list("rule__code", "level"))
    assert levels == {
        "case_due_soon": "warning",
        "step_due_soon": "warning",
        "case_overdue": "yellow",
    }


@pytest.mark.django_db
@override_settings(SUPERVISION_FULL_SCAN_HOURS=72)
def test_it_catches_a_step_that_became_late_overnight_without_any_change(clock, personas, version):
    only_rules("step_overdue")
    clock.move_to(local(2026, 10, 8, 23, 59, 50))
    case = make_case(personas, version, promised_due=D(2026, 10, 20))
    make_step(case, assignee=personas.handler, due_date=D(2026, 10, 8))
    assert scan().raised == 0
    clock.move_to(local(2026, 10, 9, 0, 0, 10))
    result = scan()
    assert result.mode == "incremental" and result.by_rule == {"step_overdue": 1}
    assert Alert.objects.get().detail["days_overdue"] == 1


@pytest.mark.django_db
def test_it_scans_in_full_after_a_rule_changed(clock, personas, version):
    only_rules("case_due_soon")
    case = make_case(personas, version, promised_due=D(2026, 10, 9))
    assert scan().raised == 0
    clock.shift(timedelta(seconds=15))
    rule = Rule.objects.get(code="case_due_soon")
    rule.threshold = 2
    rule.save()
    result = scan()
    assert result.mode == "full" and result.reason == "rules changed"
    assert Alert.objects.get().case == case


@pytest.mark.django_db
def test_it_scans_in_full_when_the_clock_went_back_or_a_day_passed(clock, personas, version):
    scan()
    clock.move_to(local(2026, 9, 29, 10))
    assert scan().reason == "clock went back"
    clock.move_to(local(2026, 9, 29, 12))
    assert scan().mode == "incremental"
    clock.move_to(local(2026, 9, 30, 11))
    assert scan().reason == "daily full scan"


@pytest.mark.django_db
@override_settings(SUPERVISION_SCAN_MAX_CHANGED=2)
def test_it_scans_in_full_when_many_cases_changed(clock, personas, version):
    scan()
    for _ in range(3):
        make_case(personas, version)
    assert scan().reason == "many changes"


@pytest.mark.django_db
def test_it_keeps_its_watermark_and_figures(clock, personas, version):
    make_case(personas, version, promised_due=D(2026, 9, 29))
    scan()
    state = ScanState.objects.get()
    assert state.last_started_at == timezone.now()
    assert state.last_today == D(2026, 9, 30)
    assert state.last_full_at == timezone.now()
    assert state.last_mode == "full" and state.last_raised == 1 and state.scans == 1
    assert state.last_counts == {"case_overdue": 1}


@pytest.mark.django_db
def test_it_writes_one_audit_row_per_scan_that_raised_something(clock, personas, version):
    make_case(personas, version, promised_due=D(2026, 9, 29))
    make_case(personas, version, promised_due=D(2026, 9, 28))
    result = scan()
    entry = AuditEntry.objects.get(action="supervision.alerts_raised")
    assert entry.object_id == result.token
    assert entry.after["raised"] == 2
    scan()
    assert AuditEntry.objects.filter(action="supervision.alerts_raised").count() == 1


@pytest.mark.django_db
def test_it_inserts_nothing_when_a_concurrent_scan_raised_the_same_breaches_first(
    clock, personas, version
):
    """The second guard: two scans that both saw the breach; the slower one inserts nothing."""
    make_case(personas, version, promised_due=D(2026, 9, 29))
    ctx_a, rules, stamp, _reason = plan(now=timezone.now())
    ctx_b, _rules, _stamp, _reason = plan(now=timezone.now())
    token_a, token_b = uuid.uuid4().hex, uuid.uuid4().hex
    pending_a = evaluate(ctx_a, rules, token_a)
    pending_b = evaluate(ctx_b, rules, token_b)
    assert len(pending_a) == len(pending_b) == 1
    assert store(pending_a, ctx=ctx_a, token=token_a, stamp=stamp, mode="full", started=0) == {
        "case_overdue": 1
    }
    assert store(pending_b, ctx=ctx_b, token=token_b, stamp=stamp, mode="full", started=0) == {}
    assert Alert.objects.count() == 1
    assert Alert.objects.get().scan_token == token_a
    assert AlertEvent.objects.count() == 1


def test_it_runs_as_a_worker_job_every_fifteen_seconds():
    from django.conf import settings

    assert SCAN_JOB in settings.ONEWINDOW_WORKER_JOBS


@pytest.mark.django_db
def test_two_workers_in_turn_never_double_raise(clock, personas, version, settings):
    settings.ONEWINDOW_WORKER_JOBS = [SCAN_JOB]
    make_case(personas, version, promised_due=D(2026, 9, 29))
    assert worker.run_once("worker-a") == 1
    assert worker.run_once("worker-b") == 0  # the lease is held by worker-a
    assert Alert.objects.count() == 1
    # worker-a dies; once its lease expired worker-b takes over and scans again.
    clock.shift(timedelta(seconds=31))
    make_case(personas, version, promised_due=D(2026, 9, 28))
    assert worker.run_once("worker-b") == 1
    assert worker.run_once("worker-a") == 0
    assert Alert.objects.count() == 2
    assert AlertEvent.objects.filter(kind=AlertEvent.Kind.RAISED).count() == 2
    assert JobRun.objects.get(name=SCAN_JOB[0]).last_error == ""


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_the_same_moment_never_double_raise(personas, settings):
    """Two threads (two database connections) run a worker pass at once."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        # Two connections to pytest's in-memory SQLite share one cache whose table locks
        # fail at once instead of waiting; the file database of `onewindow serve` waits
        # (WAL, IMMEDIATE transactions). PostgreSQL runs this test.
        pytest.skip("needs PostgreSQL or a file database")
    settings.ONEWINDOW_WORKER_JOBS = [SCAN_JOB]
    version = make_item(personas.department, halls=[personas.hall])
    today = timezone.localdate()
    for i in range(20):
        make_case(personas, version, promised_due=today - timedelta(days=i + 1))
    barrier = threading.Barrier(2)
    results, errors = {}, []

    def run(owner):
        try:
            barrier.wait()
            results[owner] = worker.run_once(owner)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()  # this thread's connections

    threads = [threading.Thread(target=run, args=(name,)) for name in ("worker-a", "worker-b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(results.values()) == [0, 1]
    overdue = Alert.objects.filter(rule__code="case_overdue")
    assert overdue.count() == 20
    assert AlertEvent.objects.filter(kind=AlertEvent.Kind.RAISED, alert__in=overdue).count() == 20


@pytest.mark.django_db
def test_it_gives_a_newly_overdue_case_its_card_within_a_minute_in_the_worker_loop(
    clock, personas, version, settings
):
    """In the running demo: the worker ticks every 5 s and scans every 15 s."""
    settings.ONEWINDOW_WORKER_JOBS = [SCAN_JOB]
    case = make_case(personas, version, promised_due=D(2026, 9, 30), assignee=personas.handler)
    clock.move_to(local(2026, 9, 30, 23, 59, 50))
    worker.run_once("demo")
    assert not Alert.objects.filter(case=case, rule__code="case_overdue").exists()
    # Midnight: the case is overdue now. Tick the worker like `run_forever` does.
    midnight = local(2026, 10, 1, 0, 0, 0)
    clock.move_to(midnight)
    while not Alert.objects.filter(case=case, rule__code="case_overdue").exists():
        clock.shift(timedelta(seconds=5))
        worker.run_once("demo")
        assert timezone.now() - midnight < timedelta(seconds=60)


@pytest.mark.django_db
def test_the_management_command_runs_a_scan(clock, personas, version, capsys):
    make_case(personas, version, promised_due=D(2026, 9, 29))
    call_command("supervision_scan", "--full")
    out = capsys.readouterr().out
    assert "full scan (forced): 1 alert(s) raised" in out
    assert "case_overdue" in out


def test_the_scan_module_reads_its_tuning_from_settings(settings):
    settings.SUPERVISION_SCAN_OVERLAP_SECONDS = 7
    settings.SUPERVISION_SCAN_MAX_CHANGED = 9
    settings.SUPERVISION_FULL_SCAN_HOURS = 3
    assert scan_module.overlap() == timedelta(seconds=7)
    assert scan_module.max_changed() == 9
    assert scan_module.full_scan_every() == timedelta(hours=3)


@pytest.mark.slow
def test_the_benchmark_runs_on_a_small_database():
    """Keeps bench/supervision_scan.py working (figures only; no timing is asserted)."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    out = subprocess.run(
        [sys.executable, str(root / "bench" / "supervision_scan.py"), "--cases", "300", "--json"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=root,
        env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
    )
    assert out.returncode == 0, out.stderr
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    assert figures["open_cases"] == 300
    assert figures["full_scan_raised"] > 0 and figures["full_rescan_raised"] == 0
    assert figures["incremental_mode"] == "incremental" and figures["incremental_raised"] == 50
    assert figures["incremental_next_day_mode"] == "incremental"
