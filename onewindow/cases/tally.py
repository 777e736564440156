"""The monthly counts of case acts (`CaseTally`): kept with the events, rebuilt from them.

The monthly report counts what the events of a month recorded (docs/DOMAIN.md, "Monthly
report"). Counting a year of a city's events for every report takes seconds, so the
services add each counted event to its month's row in the transaction that appends it
(`add`), and a report reads those rows. Both ways count with the same rules:

* `increments` for one event (the services), `count_events` for a month of events in one
  grouped query (the rebuild, the check, and the months written by the simulation);
* the counts at a month's end (cases accepted and not concluded, overdue among them) are
  a state, not a flow: `open_at_end` folds the events up to the end, and `close` writes
  them into the month's rows once the month has ended (the worker's `close_months`), so a
  closed month is read whole from its rows.

`rebuild` writes a month's rows again from its events (after a bulk load, or to repair);
`differences` compares the rows with a fresh count (`onewindow tally --check`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Count, F, IntegerField, Q, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from .models import Case, CaseEvent, CaseTally, CaseTallyMonth

SHANGHAI = ZoneInfo("Asia/Shanghai")
K = CaseEvent.Kind
TALLIED = (K.RECEIVED, K.ACCEPTED, K.ACCEPTED_WITH_GAPS, K.REFUSED, K.CONCLUDED)
DECISIONS = (Case.Result.GRANTED, Case.Result.REFUSED)

#: The counts of a row, in the order the monthly report shows them.
COLUMNS = (
    "received",
    "accepted",
    "refused",
    "immediate",
    "promised",
    "concluded",
    "decided",
    "early_promised",
    "on_time_promised",
    "overdue_promised",
    "early_legal",
    "on_time_legal",
    "overdue_legal",
    "open_at_end",
    "overdue_open_at_end",
    "promised_decided",
    "promised_days_sum",
    "immediate_decided",
    "immediate_minutes_sum",
    "promised_limit_sum",
    "legal_limit_sum",
    "actual_days_sum",
)
#: The state at the month's end: written when the month is closed.
STATES = ("open_at_end", "overdue_open_at_end")
#: The flows: counted from the events of the month.
FLOWS = tuple(c for c in COLUMNS if c not in STATES)
KEYS = ("hall_id", "department_id", "window_id", "item_id")


def month_of(at: dt.datetime) -> dt.date:
    """The first day of the month of ``at``, in Shanghai."""
    local = at.astimezone(SHANGHAI)
    return dt.date(local.year, local.month, 1)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The first moment of the month and of the next one, in Shanghai."""
    start = dt.datetime(month.year, month.month, 1, tzinfo=SHANGHAI)
    nxt = dt.datetime(month.year + (month.month == 12), month.month % 12 + 1, 1, tzinfo=SHANGHAI)
    return start, nxt


def _int(value) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _outcomes(counts: dict, n: int, promised, legal) -> None:
    for value, field in ((promised, "promised"), (legal, "legal")):
        if value == Case.Outcome.EARLY:
            counts[f"early_{field}"] += n
        elif value == Case.Outcome.ON_TIME:
            counts[f"on_time_{field}"] += n
        elif value == Case.Outcome.OVERDUE:
            counts[f"overdue_{field}"] += n


def _fold(counts: dict, kind: str, n: int, *, immediate: bool, result, outcome_promised,
          outcome_legal, days, minutes, promised_limit, legal_limit) -> None:  # fmt: skip
    """Add ``n`` events of one kind (and, for conclusions, what they recorded) to
    ``counts``: the one rule both ways of counting share."""
    if kind == K.RECEIVED:
        counts["received"] += n
    elif kind == K.REFUSED:
        counts["refused"] += n
    elif kind in (K.ACCEPTED, K.ACCEPTED_WITH_GAPS):
        counts["accepted"] += n
        counts["immediate" if immediate else "promised"] += n
    elif kind == K.CONCLUDED:
        counts["concluded"] += n
        if result not in DECISIONS:
            return
        counts["decided"] += n
        _outcomes(counts, n, outcome_promised, outcome_legal)
        counts["promised_limit_sum"] += promised_limit or 0
        counts["legal_limit_sum"] += legal_limit or 0
        counts["actual_days_sum"] += days or 0
        if immediate:
            counts["immediate_decided"] += n
            counts["immediate_minutes_sum"] += minutes or 0
        else:
            counts["promised_decided"] += n
            counts["promised_days_sum"] += days or 0


def increments(case: Case, event: CaseEvent) -> dict:
    """What one event adds to its month's row (empty for the kinds not counted)."""
    counts: dict = defaultdict(int)
    if event.kind not in TALLIED:
        return counts
    data = event.data or {}
    _fold(
        counts,
        event.kind,
        1,
        immediate=case.is_immediate,
        result=data.get("result"),
        outcome_promised=data.get("outcome_promised"),
        outcome_legal=data.get("outcome_legal"),
        days=_int(data.get("working_days_used")),
        minutes=_int(data.get("minutes_used")),
        promised_limit=case.promised_limit_days,
        legal_limit=case.legal_limit_days,
    )
    return counts


def add(case: Case, events) -> None:
    """Add the counted events of one case to their months' rows (in the caller's
    transaction, the one appending the events): one UPDATE per month touched, an INSERT
    for the month's first act of that hall, department, window and item."""
    per_month: dict = {}
    for event in events:
        inc = increments(case, event)
        if inc:
            target = per_month.setdefault(month_of(event.at), defaultdict(int))
            for name, n in inc.items():
                target[name] += n
    for month, inc in per_month.items():
        key = {
            "month": month,
            "hall_id": case.hall_id,
            "department_id": case.department_id,
            "window_id": case.window_id,
            "item_id": case.item_id,
        }
        _bump(key, {k: v for k, v in inc.items() if v})


def _bump(key: dict, inc: dict) -> None:
    if not inc:
        return
    rows = CaseTally.objects.filter(**key)
    updates = {name: F(name) + n for name, n in inc.items()}
    if rows.update(**updates):
        return
    try:
        with transaction.atomic():
            CaseTally.objects.create(**key, **inc)
    except IntegrityError:  # written meanwhile by another transaction, now committed
        rows.update(**updates)


def _case_keys(prefix: str = "case__") -> dict:
    return {
        "h": F(f"{prefix}hall"),
        "d": F(f"{prefix}department"),
        "w": F(f"{prefix}window"),
        "i": F(f"{prefix}item"),
    }


def _rows():
    return defaultdict(lambda: dict.fromkeys(COLUMNS, 0))


def count_events(start, end, hall_ids=None, rows=None) -> dict:
    """The flows of the events in [start, end), per (hall, department, window, item) of
    their case, in one grouped query: the events are grouped by their kind and the
    values the conclusion recorded, each read once, and folded with `_fold`."""
    rows = _rows() if rows is None else rows
    qs = CaseEvent.objects.filter(at__gte=start, at__lt=end, kind__in=TALLIED)
    if hall_ids is not None:
        qs = qs.filter(case__hall__in=hall_ids)
    qs = qs.values(
        **_case_keys(),
        k=F("kind"),
        imm=F("case__is_immediate"),
        res=KT("data__result"),
        op=KT("data__outcome_promised"),
        ol=KT("data__outcome_legal"),
    ).annotate(
        n=Count("id"),
        days=Sum(Cast(KT("data__working_days_used"), IntegerField())),
        minutes=Sum(Cast(KT("data__minutes_used"), IntegerField())),
        plim=Sum("case__promised_limit_days"),
        llim=Sum("case__legal_limit_days"),
    )
    for r in qs:
        _fold(
            rows[(r["h"], r["d"], r["w"], r["i"])],
            r["k"],
            r["n"],
            immediate=r["imm"],
            result=r["res"],
            outcome_promised=r["op"],
            outcome_legal=r["ol"],
            days=r["days"],
            minutes=r["minutes"],
            promised_limit=r["plim"],
            legal_limit=r["llim"],
        )
    return rows


def open_at_end(end, last_day: dt.date, hall_ids=None, rows=None) -> dict:
    """Cases accepted and not concluded at ``end``, and those overdue among them: past
    the promised due date that stood then, counted to ``last_day``, or to the day of the
    suspension for a case that stood suspended (its clock had stopped).

    The events decide; the case's own receipt and conclusion times (set once, with the
    event) only narrow the search to the cases that can be open then. Their events up
    to the end are read in one query, in order, and folded here per case."""
    rows = _rows() if rows is None else rows
    cases = Case.objects.filter(received_at__lt=end).filter(
        Q(concluded_at__isnull=True) | Q(concluded_at__gte=end)
    )
    if hall_ids is not None:
        cases = cases.filter(hall__in=hall_ids)
    dated = (K.ACCEPTED, K.ACCEPTED_WITH_GAPS, K.EXTENDED, K.RESUMED)
    events = (
        CaseEvent.objects.filter(case__in=cases.values("pk"), at__lt=end)
        .filter(Q(kind__in=(*dated, K.CONCLUDED, K.CLOCK_RECOMPUTED)) | ~Q(to_status=""))
        .annotate(due=Coalesce(KT("data__promised_due_date"), KT("data__after__promised_due_date")))
        .order_by("case", "seq")
        .values_list("case", "kind", "to_status", "at", "due")
    )
    state: dict = {}
    for case, kind, to_status, at, due in events:
        s = state.setdefault(case, {"accepted": False, "concluded": False, "due": None})
        if kind in (K.ACCEPTED, K.ACCEPTED_WITH_GAPS):
            s["accepted"] = True
        elif kind == K.CONCLUDED:
            s["concluded"] = True
        if kind in dated or (kind == K.CLOCK_RECOMPUTED and due):
            s["due"] = due
        if to_status:
            s["status"], s["status_at"] = to_status, at
    keys = cases.filter(
        pk__in=[c for c, s in state.items() if s["accepted"] and not s["concluded"]]
    )
    for pk, h, d, w, i in keys.values_list("pk", "hall", "department", "window", "item"):
        s = state[pk]
        row = rows[(h, d, w, i)]
        row["open_at_end"] += 1
        if not s["due"]:
            continue
        ref = last_day
        if s.get("status") == Case.Status.SUSPENDED:
            ref = min(ref, s["status_at"].astimezone(SHANGHAI).date())
        if dt.date.fromisoformat(s["due"]) < ref:
            row["overdue_open_at_end"] += 1
    return rows


def is_closed(month: dt.date) -> bool:
    return CaseTallyMonth.objects.filter(month=month).exists()


def read(month: dt.date, hall_ids=None, rows=None) -> tuple[dict, bool]:
    """The month's rows as counts per (hall, department, window, item), and whether the
    month is closed (its counts at the end are among them; otherwise they are zero and
    the caller counts them with `open_at_end`)."""
    rows = _rows() if rows is None else rows
    qs = CaseTally.objects.filter(month=month)
    if hall_ids is not None:
        qs = qs.filter(hall__in=hall_ids)
    for r in qs.values_list(*KEYS, *COLUMNS):
        target = rows[r[:4]]
        for name, value in zip(COLUMNS, r[4:], strict=True):
            target[name] += value
    return rows, is_closed(month)


def _last_day(end: dt.datetime) -> dt.date:
    return (end - dt.timedelta(days=1)).date()


def fresh(month: dt.date, hall_ids=None) -> dict:
    """The month counted from its events: the flows, and the state at its end once the
    month has ended (zero before)."""
    start, end = month_bounds(month)
    rows = count_events(start, end, hall_ids)
    if end <= timezone.now():
        open_at_end(end, _last_day(end), hall_ids, rows)
    return rows


def _write(month: dt.date, rows: dict) -> int:
    CaseTally.objects.filter(month=month).delete()
    objs = [
        CaseTally(
            month=month,
            **dict(zip(KEYS, key, strict=True)),
            **{k: v for k, v in counts.items() if v},
        )
        for key, counts in rows.items()
        if any(counts.values())
    ]
    CaseTally.objects.bulk_create(objs, batch_size=500)
    return len(objs)


def rebuild(month: dt.date) -> int:
    """Write the month's rows again from its events, closing it when it has ended.
    Returns the number of rows. Run it when nothing else writes cases (after a bulk
    load, or to repair): acts recorded meanwhile would be counted twice or not at all."""
    rows = fresh(month)
    _, end = month_bounds(month)
    with transaction.atomic():
        n = _write(month, rows)
        CaseTallyMonth.objects.filter(month=month).delete()
        if end <= timezone.now():
            CaseTallyMonth.objects.create(month=month)
    return n


def close(month: dt.date) -> bool:
    """Write the counts at the end of an ended month into its rows, once. Returns False
    for a month not yet ended or already closed."""
    start, end = month_bounds(month)
    if end > timezone.now():
        return False
    if is_closed(month):
        return False
    states = open_at_end(end, _last_day(end))
    try:
        with transaction.atomic():
            CaseTallyMonth.objects.create(month=month)  # a second closer stops here
            for key, counts in states.items():
                values = {k: counts[k] for k in STATES if counts[k]}
                if not values:
                    continue
                lookup = {"month": month, **dict(zip(KEYS, key, strict=True))}
                if not CaseTally.objects.filter(**lookup).update(**values):
                    CaseTally.objects.create(**lookup, **values)
    except IntegrityError:
        return False
    return True


def close_months() -> int:
    """The worker's job: close every ended month since the first case that is not
    closed yet. Returns the number of months closed."""
    closed = set(CaseTallyMonth.objects.values_list("month", flat=True))
    return sum(close(m) for m in months_with_cases() if m not in closed)


def months(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first days of the months from the month of ``first`` to that of ``last``."""
    month, out = first.replace(day=1), []
    while month <= last:
        out.append(month)
        month = month_bounds(month)[1].date()
    return out


def months_with_cases() -> list[dt.date]:
    """Every month from the first case's receipt to the present one."""
    first = Case.objects.order_by("received_at").values_list("received_at", flat=True).first()
    if first is None:
        return []
    return months(month_of(first), month_of(timezone.now()))


def rebuild_months(months_: list[dt.date], stderr=None) -> None:
    """`rebuild` each month, with a progress line on ``stderr`` when given."""
    for n, month in enumerate(months_, start=1):
        rebuild(month)
        if stderr:
            stderr.write(f"\rmonthly counts: {n}/{len(months_)} months ({month:%Y-%m})")
            stderr.flush()
    if stderr and months_:
        stderr.write("\n")


def differences(month: dt.date) -> list[tuple[tuple, str, int, int]]:
    """(key, count, kept, fresh) for every count of the month whose row differs from a
    fresh count of the events; empty when the rows are right."""
    kept, closed = read(month)
    now = fresh(month)
    out = []
    for key in sorted(set(kept) | set(now), key=lambda k: tuple(x or 0 for x in k)):
        a, b = kept.get(key), now.get(key)
        for name in FLOWS + (STATES if closed else ()):
            x = a[name] if a else 0
            y = b[name] if b else 0
            if x != y:
                out.append((key, name, x, y))
    return out
