"""The scanner: evaluates the enabled rules and raises one alert per new breach.

Design (docs/apps/supervision.md has the long version):

* **Set-based.** Each rule is one query (see `checks.py`) that already leaves out the
  breaches raised before (an anti-join on the alerts), so the cost of a scan follows the
  number of *new* breaches, not the number of open cases.
* **Incremental.** After the first scan, a scan looks only at the cases updated since the
  watermark (the previous scan's start, minus an overlap for transactions that were still
  open then) and at the due dates that entered a rule's window since the day of the
  previous scan. A full scan runs when there is no previous scan, when a rule was edited,
  when the clock went back, when too many cases changed, and at least once a day.
* **Raised once.** The lease in `core/worker.py` keeps one worker per database; the unique
  `breach_key` is the second guard: the insert ignores conflicts, and the scan writes
  "raised" events only for the rows it inserted itself (tagged with its `scan_token`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from onewindow.audit.services import record
from onewindow.cases.models import Case, CaseStep
from onewindow.workdays.services import get_calendar

from ..models import Alert, AlertEvent, Rule, ScanState
from .checks import CHECKS, Breach, ScanContext, _CaseClock, _StepClock

log = logging.getLogger("onewindow.supervision")

STATE_NAME = "main"


def _setting(name: str, default):
    return getattr(settings, name, default)


def overlap() -> timedelta:
    """How far before the previous scan's start the next one looks (late commits)."""
    return timedelta(seconds=_setting("SUPERVISION_SCAN_OVERLAP_SECONDS", 120))


def max_changed() -> int:
    """Above this many changed cases an incremental scan becomes a full one (cheaper then)."""
    return _setting("SUPERVISION_SCAN_MAX_CHANGED", 5000)


def full_scan_every() -> timedelta:
    return timedelta(hours=_setting("SUPERVISION_FULL_SCAN_HOURS", 24))


@dataclass
class ScanResult:
    mode: str
    reason: str
    raised: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)
    candidates: int = 0
    duration_ms: int = 0
    # Of which SQLite statistics upkeep (a first full scan analyses the case tables once).
    maintenance_ms: int = 0
    token: str = ""


def rules_stamp(rules) -> str:
    """A fingerprint of every rule's settings: when it changes, the next scan is a full one."""
    data = [
        (r.code, r.enabled, r.level, r.threshold, json.dumps(r.params or {}, sort_keys=True))
        for r in sorted(rules, key=lambda r: r.code)
    ]
    return hashlib.sha256(json.dumps(data).encode()).hexdigest()


def plan(*, now: datetime, force_full: bool = False) -> tuple[ScanContext, list[Rule], str, str]:
    """Decide what this scan looks at. Returns (context, enabled rules, rules stamp, reason)."""
    today = timezone.localdate(now)
    all_rules = list(Rule.objects.all())
    stamp = rules_stamp(all_rules)
    rules = [r for r in all_rules if r.enabled]
    ctx = ScanContext(now=now, today=today, calendar=get_calendar(), full=True)
    state = ScanState.objects.filter(pk=STATE_NAME).first()

    reason = ""
    if force_full:
        reason = "forced"
    elif state is None or state.last_started_at is None or state.last_today is None:
        reason = "first scan"
    elif state.rules_stamp != stamp:
        reason = "rules changed"
    elif state.last_today > today or state.last_started_at > now:
        reason = "clock went back"
    elif state.last_full_at is None or state.last_full_at <= now - full_scan_every():
        reason = "daily full scan"
    if reason:
        return ctx, rules, stamp, reason

    since = state.last_started_at - overlap()
    limit = max_changed()
    changed = list(
        Case.objects.order_by()
        .filter(updated_at__gte=since)
        .values_list("pk", flat=True)[: limit + 1]
    )
    if len(changed) > limit:
        return ctx, rules, stamp, "many changes"
    ctx.full = False
    ctx.changed_case_ids = changed
    ctx.prev_today = state.last_today
    return ctx, rules, stamp, "incremental"


def breach_key(rule: Rule, breach) -> str:
    due = breach.due_date.isoformat() if breach.due_date else "-"
    return f"{rule.code}:{breach.case_id}:{breach.subject_id}:{due}"


class Pending(NamedTuple):
    """A breach about to become an alert (plain tuples: a first scan may raise thousands)."""

    rule: Rule
    breach: Breach
    key: str


def evaluate(ctx: ScanContext, rules: list[Rule], token: str = "") -> list[Pending]:
    """Run every enabled rule; return the breaches not raised yet."""
    pending: list[Pending] = []
    seen: set[str] = set()
    for rule in rules:
        check = CHECKS.get(rule.code)
        if check is None:
            log.warning("supervision rule %s has no check in this build; skipped", rule.code)
            continue
        for b in check.breaches(rule, ctx):
            key = breach_key(rule, b)
            if key not in seen:
                seen.add(key)
                pending.append(Pending(rule, b, key))
    return pending


# The columns the scanner writes; the others are null or filled by the actions later.
_ALERT_COLUMNS = (
    "rule_id",
    "level",
    "case_id",
    "step_id",
    "step_position",
    "subject_id",
    "due_date",
    "detail",
    "responsible_id",
    "hall_id",
    "department_id",
    "status",
    "raised_at",
    "answer_note",
    "decision_note",
    "breach_key",
    "scan_token",
    "updated_at",
)


def _insert_alerts(pending: list[Pending], *, now: datetime, token: str) -> None:
    """One prepared INSERT for all rows, conflicts on the breach key ignored.

    bulk_create would build a statement per ~45 rows on SQLite (its parameter limit) and
    a model instance per row; executemany of one statement is several times faster.
    """
    ops = connection.ops
    table = connection.ops.quote_name(Alert._meta.db_table)
    columns = ", ".join(ops.quote_name(c) for c in _ALERT_COLUMNS)
    marks = ", ".join(["%s"] * len(_ALERT_COLUMNS))
    adapt_json = ops.adapt_json_value
    adapt_date = functools.lru_cache(maxsize=None)(ops.adapt_datefield_value)
    stamp = ops.adapt_datetimefield_value(now)
    raised = Alert.Status.RAISED.value
    rows = [
        (
            p.rule.pk,
            p.rule.level,
            b.case_id,
            b.step_id,
            b.step_position,
            b.subject_id,
            b.due_date and adapt_date(b.due_date),
            adapt_json(b.detail or {}, None),
            b.responsible_id,
            b.hall_id,
            b.department_id,
            raised,
            stamp,
            "",
            "",
            p.key,
            token,
            stamp,
        )
        for p, b in ((p, p.breach) for p in pending)
    ]
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES ({marks}) "
        f"ON CONFLICT ({ops.quote_name('breach_key')}) DO NOTHING"
    )
    with connection.cursor() as cursor:
        for i in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[i : i + 5000])


def _insert_raised_events(*, now: datetime, token: str) -> None:
    """One "raised" event for each alert this scan inserted (set-based: INSERT … SELECT)."""
    ops = connection.ops
    q = ops.quote_name
    event_cols = ", ".join(
        q(c) for c in ("alert_id", "kind", "from_status", "to_status", "at", "note")
    )
    sql = (
        f"INSERT INTO {q(AlertEvent._meta.db_table)} ({event_cols}) "
        f"SELECT {q('id')}, %s, '', %s, {q('raised_at')}, '' FROM {q(Alert._meta.db_table)} "
        f"WHERE {q('raised_at')} = %s AND {q('scan_token')} = %s"
    )
    raised = Alert.Status.RAISED.value
    with connection.cursor() as cursor:
        cursor.execute(sql, [raised, raised, ops.adapt_datetimefield_value(now), token])


def store(
    pending: list[Pending],
    *,
    ctx: ScanContext,
    token: str,
    stamp: str,
    mode: str,
    started: float,
) -> dict[str, int]:
    """Insert the alerts (conflicts ignored), their "raised" events, the audit row and the state.

    Returns the number of alerts this scan really inserted, per rule code.
    """
    by_rule: dict[str, int] = {}
    with transaction.atomic():
        if pending:
            _insert_alerts(pending, now=ctx.now, token=token)
            by_rule = dict(
                Alert.objects.filter(raised_at=ctx.now, scan_token=token)
                .order_by()
                .values_list("rule__code")
                .annotate(n=Count("id"))
            )
            if by_rule:
                _insert_raised_events(now=ctx.now, token=token)
        raised = sum(by_rule.values())
        state, _created = ScanState.objects.select_for_update().get_or_create(pk=STATE_NAME)
        state.last_started_at = ctx.now
        state.last_finished_at = timezone.now()
        state.last_today = ctx.today
        if mode == ScanState.Mode.FULL:
            state.last_full_at = ctx.now
        state.rules_stamp = stamp
        state.last_mode = mode
        state.last_raised = raised
        state.last_counts = by_rule
        state.last_duration_ms = int((time.perf_counter() - started) * 1000)
        state.scans += 1
        state.save()
        if raised:
            # One audit row per scan that raised something (not one per alert: a first scan
            # over a year of cases may raise thousands; each alert has its own event).
            record(
                actor=None,
                action="supervision.alerts_raised",
                object_type="supervision.scan",
                object_id=token,
                object_repr=f"scan {token[:8]}",
                after={"raised": raised, "by_rule": by_rule, "mode": mode},
            )
    return by_rule


def _planned_tables() -> list[str]:
    """The tables whose query plans depend on statistics (the others are reached by key)."""
    return [Case._meta.db_table, CaseStep._meta.db_table]


def sqlite_statistics(*, after_full_scan: bool) -> int:
    """Keep SQLite's planner statistics, without which it plans the clock queries badly.

    Without `sqlite_stat1` SQLite assumes an equality on an indexed column (the case status)
    is selective and walks every open case instead of the few due in the window. Before the
    first full scan the tables are analysed once; after each full scan `PRAGMA optimize`
    refreshes what changed (SQLite's own advice for long-running processes). PostgreSQL
    keeps its statistics itself (autovacuum). Returns the milliseconds spent.
    """
    if connection.vendor != "sqlite":
        return 0
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            # Sample each index instead of reading it all (SQLite's advice; milliseconds
            # instead of a second on a large case table, and good enough for these plans).
            cursor.execute("PRAGMA analysis_limit = 2000")
            if after_full_scan:
                cursor.execute("PRAGMA optimize")
            elif not _has_statistics(cursor):
                for table in _planned_tables():
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    except DatabaseError:  # maintenance must never stop a scan
        log.warning("could not refresh SQLite statistics", exc_info=True)
    return int((time.perf_counter() - started) * 1000)


def _has_statistics(cursor) -> bool:
    cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
    if cursor.fetchone() is None:
        return False
    cursor.execute("SELECT 1 FROM sqlite_stat1 WHERE tbl = %s", [Case._meta.db_table])
    return cursor.fetchone() is not None


#: Kept with a warning that closed itself.
WARNING_CLOSED = "环节或办件已办理完毕或期限已变更，预警自动关闭"


def _finished_warnings() -> Q:
    """The open warnings whose reason is gone, per clock rule (by its code, so that a rule
    the office set to "warning" is judged by its own date, and an act rule set to it is left
    for the office to close).

    * the step rules: the step is decided, its due date moved (an extension moves the
      current step's), or the step is gone;
    * the case rules: the case's own date (promised or legal) moved;
    * both: the case's clock no longer runs (concluded, suspended, withdrawn …).
    """
    not_running = ~Q(case__status=Case.Status.ACCEPTED)
    step_changed = Exists(
        CaseStep.objects.filter(pk=OuterRef("step_id")).filter(
            Q(finished_at__isnull=False) | ~Q(due_date=OuterRef("due_date"))
        )
    )
    step_rules = [c.code for c in CHECKS.values() if isinstance(c, _StepClock)]
    finished = Q(rule__code__in=step_rules) & (not_running | Q(step__isnull=True) | step_changed)
    for check in CHECKS.values():
        if isinstance(check, _CaseClock):
            moved = ~Q(**{f"case__{check.date_field}": F("due_date")})
            finished |= Q(rule__code=check.code) & (not_running | moved)
    return finished


def close_finished_warnings(now: datetime) -> int:
    """Close the pre-due warnings whose step or case is done, or whose due date moved
    (an extension, a suspension): a warning tells, it is not a finding. Returns how many."""
    done = list(Alert.objects.warnings().filter(_finished_warnings()).values_list("pk", flat=True))
    if not done:
        return 0
    with transaction.atomic():
        closed = Alert.objects.select_for_update().filter(pk__in=done, status=Alert.Status.RAISED)
        ids = list(closed.values_list("pk", flat=True))
        Alert.objects.filter(pk__in=ids).update(
            status=Alert.Status.CLOSED,
            decided_at=now,
            decision_note=WARNING_CLOSED,
            updated_at=now,
        )
        AlertEvent.objects.bulk_create(
            AlertEvent(
                alert_id=pk,
                kind=AlertEvent.Kind.CLOSED,
                from_status=Alert.Status.RAISED,
                to_status=Alert.Status.CLOSED,
                at=now,
                note=WARNING_CLOSED,
            )
            for pk in ids
        )
    return len(ids)


def scan(*, full: bool = False, now: datetime | None = None) -> ScanResult:
    """One scan over the cases; safe to run again at any time (each breach is raised once)."""
    started = time.perf_counter()
    now = now or timezone.now()
    ctx, rules, stamp, reason = plan(now=now, force_full=full)
    mode = ScanState.Mode.FULL if ctx.full else ScanState.Mode.INCREMENTAL
    maintenance_ms = sqlite_statistics(after_full_scan=False) if ctx.full else 0
    token = uuid.uuid4().hex
    pending = evaluate(ctx, rules, token)
    by_rule = store(pending, ctx=ctx, token=token, stamp=stamp, mode=mode, started=started)
    close_finished_warnings(now)
    if ctx.full:
        maintenance_ms += sqlite_statistics(after_full_scan=True)
    result = ScanResult(
        mode=str(mode),
        reason=reason,
        raised=sum(by_rule.values()),
        by_rule=by_rule,
        candidates=len(pending),
        duration_ms=int((time.perf_counter() - started) * 1000),
        maintenance_ms=maintenance_ms,
        token=token,
    )
    if result.raised:
        log.info(
            "supervision scan (%s, %s) raised %s alerts: %s", mode, reason, result.raised, by_rule
        )
    return result
