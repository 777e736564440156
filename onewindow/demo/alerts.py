"""The warnings and cards the simulated history would have raised, dated when they would
have been raised.

The simulation writes a year of cases behind the supervision scanner's back, so without
this the desk would show the whole year's irregularities raised at once, today. Here the
supervision rules run over the history through supervision's own services, in one pass:

* `scan.plan` and `scan.evaluate` give every breach the rules find in the cases as they
  stand now (the irregular acts of the whole year, the clock of the cases still open);
* the steps still open past their own date get their yellow card the night the date
  passed (steps decided late since are not replayed);
* the cases decided late were open and past their date once: each gets the yellow (and,
  past the legal date, red) card the clock rules raised the night after its date, with
  the figures the rule computes (`Check.detail`) as of that night;
* each breach is dated by the first scan that would have seen it: the night a date
  passed (00:00:15), or the day of the act. `scan.store` raises a night's breaches at
  that moment and a day's acts at its last act (never before the cause; at most two
  stores a day keep a year's history quick), in date order; a last full `scan.scan`
  leaves the scanner's state as after a normal scan.

Warnings of cases that finished since (they closed themselves) are not replayed. Safe to
run again: a breach is raised once (its breach key).
"""

from __future__ import annotations

import time
import uuid
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from datetime import time as dtime

from django.db import connection
from django.utils import timezone

from onewindow.cases.models import Case, CaseEvent, CaseStep, CorrectionNotice, Extension
from onewindow.cases.simulate import analyze
from onewindow.supervision.models import Alert, AlertEvent, ScanState
from onewindow.supervision.services import scan
from onewindow.supervision.services.checks import CHECKS, Breach, ScanContext, overdue_end

# The scanner runs every 15 s: a breach is raised this long after it came about.
SCAN_DELAY = timedelta(seconds=15)
# The clock rules whose cards the cases decided late once had: the date they were
# late against, and the outcome the case stored.
CLOCK_CARDS = {
    "case_overdue": ("promised_due_date", "outcome_promised"),
    "legal_overdue": ("legal_due_date", "outcome_legal"),
}
ONE_DAY = timedelta(days=1)
CHUNK = 500


def raise_history_alerts(*, now: datetime | None = None, stdout=None) -> Counter:
    """Raise the alerts of the history, each dated when it would have been raised.
    Returns the number raised per rule code."""
    started = time.perf_counter()
    now = now or timezone.now()
    ctx, rules, stamp, _reason = scan.plan(now=now, force_full=True)
    pending = scan.evaluate(ctx, rules)
    pending += _late_decisions(ctx, rules)
    # Two stores a day at most: the night's first scan (dates that passed), and the acts
    # of the day at its last act, so that nothing is raised before its cause.
    groups: dict = defaultdict(list)
    last: dict = {}
    for p, moment in zip(pending, _moments(pending, ctx), strict=True):
        moment = min(moment, now)
        key = (timezone.localdate(moment), moment != _midnight(timezone.localdate(moment)))
        groups[key].append(p)
        last[key] = max(last.get(key, moment), moment)
    raised: Counter = Counter()
    for key in sorted(groups):
        moment = last[key]
        at = ScanContext(now=moment, today=timezone.localdate(moment), calendar=ctx.calendar)
        raised.update(
            scan.store(
                groups[key],
                ctx=at,
                token=uuid.uuid4().hex,
                stamp=stamp,
                mode=ScanState.Mode.FULL,
                started=time.perf_counter(),
            )
        )
    # Thousands of alerts in one go: the planner's statistics must know them.
    analyze(connection, [Alert._meta.db_table, AlertEvent._meta.db_table])
    raised.update(scan.scan(full=True, now=now).by_rule)
    if stdout:
        total = sum(raised.values())
        shown = ", ".join(f"{code} {n:,}" for code, n in sorted(raised.items()))
        stdout.write(
            f"supervision: {total:,} alerts of the history raised in "
            f"{time.perf_counter() - started:.1f} s ({shown or 'none new'})\n"
        )
    return raised


def _midnight(day) -> datetime:
    """The first scan of a day (local time)."""
    return timezone.make_aware(datetime.combine(day, dtime.min)) + SCAN_DELAY


def _chunks(ids):
    ids = sorted(set(ids))
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def _times(model, ids, *fields) -> dict:
    """pk -> the given columns, read in chunks."""
    out = {}
    for chunk in _chunks(ids):
        for pk, *values in model.objects.filter(pk__in=chunk).values_list("pk", *fields):
            out[pk] = values
    return out


def _overdue_day(cal, due, n: int):
    """The first day on which a date ``due`` counts as past with ``n`` days of grace."""
    day = due + ONE_DAY
    while not due < overdue_end(cal, day, n):
        day += ONE_DAY
    return day


def _late_decisions(ctx: ScanContext, rules) -> list:
    """The clock cards of the cases decided after their date: the rule raised them the
    night the date passed, while the case was still open."""
    out = []
    cal = ctx.calendar
    for rule in rules:
        if rule.code not in CLOCK_CARDS:
            continue
        check = CHECKS[rule.code]
        date_field, outcome = CLOCK_CARDS[rule.code]
        rows = list(
            Case.objects.order_by()
            .filter(
                status__in=(Case.Status.CONCLUDED, Case.Status.DELIVERED),
                **{outcome: Case.Outcome.OVERDUE},
            )
            .values_list(
                "pk", "hall_id", "department_id", "received_by_id", date_field, "concluded_at"
            )
        )
        steps = _open_steps(rows, cal, rule.threshold or 0)
        for pk, hall_id, dept_id, clerk, due, concluded in rows:
            day = _overdue_day(cal, due, rule.threshold or 0)
            if timezone.localdate(concluded) < day:
                continue  # decided within the grace: never carded
            at = ScanContext(now=_midnight(day), today=day, calendar=cal)
            step_id, position, assignee = steps.get(pk, (None, None, None))
            breach = Breach(
                pk,
                hall_id,
                dept_id,
                assignee or clerk,
                step_id,
                position,
                0,
                due,
                check.detail(at, due),
            )
            out.append(scan.Pending(rule, breach, scan.breach_key(rule, breach)))
    return out


def _open_steps(rows, cal, n: int) -> dict:
    """case id -> (step id, position, assignee) of the step open the night it was carded."""
    night = {pk: _midnight(_overdue_day(cal, due, n)) for pk, _h, _d, _c, due, _t in rows}
    out = {}
    for chunk in _chunks(night):
        steps = (
            CaseStep.objects.filter(case_id__in=chunk)
            .order_by("case_id", "position")
            .values_list("case_id", "pk", "position", "assignee_id", "started_at", "finished_at")
        )
        for case_id, pk, position, assignee, started, finished in steps:
            t = night[case_id]
            if started <= t and (finished is None or finished > t):
                out[case_id] = (pk, position, assignee)
    return out


def _moments(pending, ctx: ScanContext) -> list[datetime]:
    """When the scanner would first have seen each breach."""
    cal = ctx.calendar
    by_code = defaultdict(list)
    for p in pending:
        by_code[p.rule.code].append(p.breach)
    cases = _times(
        Case,
        [p.breach.case_id for p in pending],
        "received_at",
        "accepted_at",
        "refused_at",
        "concluded_at",
        "delivered_at",
    )
    notices = _times(
        CorrectionNotice,
        [b.subject_id for b in by_code["late_correction_notice"]],
        "issued_at",
    )
    extensions = _times(
        Extension, [b.subject_id for b in by_code["extension_without_approver"]], "at"
    )
    extended = _times(CaseEvent, [b.subject_id for b in by_code["extension_after_legal_due"]], "at")
    steps = _times(
        CaseStep,
        [b.subject_id for code in ("step_due_soon", "step_overdue") for b in by_code[code]],
        "started_at",
    )

    def moment(p) -> datetime:
        code, b = p.rule.code, p.breach
        received, accepted, refused, concluded, delivered = cases[b.case_id]
        n = p.rule.threshold or 0
        if code in ("case_overdue", "legal_overdue"):
            return max(_midnight(_overdue_day(cal, b.due_date, n)), accepted + SCAN_DELAY)
        if code == "step_overdue":
            began = steps[b.subject_id][0]
            return max(_midnight(_overdue_day(cal, b.due_date, n)), began + SCAN_DELAY)
        if code in ("case_due_soon", "step_due_soon"):
            # The first day with at most n working days left, or when the work began.
            day = b.due_date
            while cal.working_days_between(day - ONE_DAY, b.due_date).value <= n:
                day -= ONE_DAY
            began = steps[b.subject_id][0] if code == "step_due_soon" else accepted
            return max(_midnight(day), began + SCAN_DELAY)
        if code in ("intake_overdue", "not_delivered"):
            return _midnight(b.due_date + ONE_DAY)
        if code == "late_correction_notice":
            return notices[b.subject_id][0] + SCAN_DELAY
        if code == "extension_without_approver":
            return extensions[b.subject_id][0] + SCAN_DELAY
        if code == "extension_after_legal_due":
            return extended[b.subject_id][0] + SCAN_DELAY
        if code == "suspension_too_long":
            started = datetime.fromisoformat(b.detail["started_on"]).date()
            over = cal.add_working_days(started, b.detail["max_days"] + n + 1).value
            return _midnight(over)
        if code == "late_delivery":
            return delivered + SCAN_DELAY
        if code == "refusal_without_reason":
            return (refused or received) + SCAN_DELAY
        if code in ("fee_mismatch", "concluded_without_acceptance"):
            return (concluded or received) + SCAN_DELAY
        return ctx.now

    return [moment(p) for p in pending]
