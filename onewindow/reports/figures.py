"""The figures of the monthly report (办件月报): docs/DOMAIN.md, "Monthly report".

Every figure is counted from what was recorded when it happened, never from a case's
present state, so that a past month counts the same when it is counted again:

* the case events of the month (received, accepted, refused, concluded), with the outcome,
  the working days and the minutes the conclusion event recorded, read from the month's
  rows the services keep with the events (`cases.tally`, which also holds the rules);
* for the cases open at the month's end, the due date the latest event up to that moment
  recorded (acceptance, extension, resumption, a recount of the clock) and whether the
  case stood suspended then: kept in the rows once the month is closed, counted from the
  events before;
* the ratings and the supervision alerts dated in the month;
* the bad-rating follow-ups opened in the month and the steps taken in it (a call back
  records whether it was late), and, for those open at the month's end, the state the
  latest step before then left them in;
* the complaints registered in the month, and the answers and closings of the month
  against the due date the step before them recorded.

Each other source is read with one grouped query at the finest grain (hall, department, window,
item); the levels of the report (the whole scope, halls, departments, windows, items) are
sums of those rows, so a level never disagrees with another.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from onewindow.cases import tally
from onewindow.complaints.models import Complaint, ComplaintCategory, ComplaintStep
from onewindow.followups.models import FollowUp, FollowUpEvent
from onewindow.halls.models import Department, Hall, Window
from onewindow.ratings.models import BAD_LEVELS, Rating
from onewindow.supervision.models import Alert, Level

SHANGHAI = ZoneInfo("Asia/Shanghai")
FEE_RULE = "fee_mismatch"  # supervision's rule for a fee that differs from the standard
LEVELS = ("total", "hall", "department", "window", "item")
TOP_N = 5

#: The counts of a row, in the order the exports show them: the case counts kept with
#: the events (`cases.tally`), then those of the other sources.
COUNTS = (
    *tally.COLUMNS,
    "ratings",
    "ratings_satisfied",
    "warnings",
    "yellow_cards",
    "red_cards",
    "fee_anomalies",
    "followups_opened",
    "followups_called_back",
    "followups_called_back_on_time",
    "followups_closed",
    "followups_open_at_end",
    "followups_overdue_at_end",
    "complaints_received",
    "complaints_answered",
    "complaints_answered_on_time",
    "complaints_closed",
    "complaints_closed_on_time",
)

#: Indicators still waiting for their data, listed in every report as rows to come
#: (never as zeros). Every indicator of the domain guide is counted now.
LATER: tuple[str, ...] = ()


month_bounds = tally.month_bounds


def shift_month(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _key(hall, department, window, item):
    return (hall, department, window, item)


def _add(rows, values_list, fields):
    """Add grouped rows (dicts with hall, department, window, item and counts) to ``rows``."""
    for r in values_list:
        row = rows[_key(r["h"], r["d"], r["w"], r["i"])]
        for name in fields:
            row[name] += r[name] or 0


def _case_keys(prefix: str = "case__") -> dict:
    return {
        "h": F(f"{prefix}hall"),
        "d": F(f"{prefix}department"),
        "w": F(f"{prefix}window"),
        "i": F(f"{prefix}item"),
    }


def _cases(month: dt.date, hall_ids, end, last_day, rows) -> None:
    """The case counts: the month's rows kept with the events (`cases.tally`); for a
    month not yet closed, the cases open at its end are counted from the events."""
    _, closed = tally.read(month, hall_ids, rows)
    if not closed:
        tally.open_at_end(end, last_day, hall_ids, rows)


def _ratings(hall_ids, start, end, rows) -> None:
    """Ratings given in the month; satisfied = every level but the bad ones."""
    qs = Rating.objects.filter(rated_at__gte=start, rated_at__lt=end)
    if hall_ids is not None:
        qs = qs.filter(hall__in=hall_ids)
    qs = qs.values(h=F("hall"), d=F("case__department"), w=F("window"), i=F("case__item")).annotate(
        ratings=Count("id"),
        ratings_satisfied=Count("id", filter=~Q(level__in=[int(x) for x in BAD_LEVELS])),
    )
    _add(rows, qs, ("ratings", "ratings_satisfied"))


def _alerts(hall_ids, start, end, rows) -> None:
    """Warnings and cards raised in the month; fee anomalies are the fee rule's alerts."""
    qs = Alert.objects.filter(raised_at__gte=start, raised_at__lt=end)
    if hall_ids is not None:
        qs = qs.filter(hall__in=hall_ids)
    qs = qs.values(h=F("hall"), d=F("department"), w=F("case__window"), i=F("case__item")).annotate(
        warnings=Count("id", filter=Q(level=Level.WARNING)),
        yellow_cards=Count("id", filter=Q(level=Level.YELLOW)),
        red_cards=Count("id", filter=Q(level=Level.RED)),
        fee_anomalies=Count("id", filter=Q(rule__code=FEE_RULE)),
    )
    _add(rows, qs, ("warnings", "yellow_cards", "red_cards", "fee_anomalies"))


def _followups(hall_ids, start, end, last_day, rows) -> None:
    """Bad-rating follow-ups: opened in the month; called back in it (and on time, as the
    call-back step recorded); closed (reported back to the rater) in it; open at the
    month's end, and overdue among them: still to call back past the call-back date, or
    being fixed past the fix date, counted to the month's last day."""
    base = FollowUp.objects.all()
    if hall_ids is not None:
        base = base.filter(hall__in=hall_ids)

    def keys(prefix=""):
        return {
            "h": F(f"{prefix}hall"),
            "d": F(f"{prefix}case__department"),
            "w": F(f"{prefix}rating__window"),
            "i": F(f"{prefix}case__item"),
        }

    opened = (
        base.filter(opened_at__gte=start, opened_at__lt=end)
        .values(**keys())
        .annotate(followups_opened=Count("id"))
    )
    _add(rows, opened, ("followups_opened",))
    steps = (
        FollowUpEvent.objects.filter(
            followup__in=base, at__gte=start, at__lt=end, action__in=("call_back", "report_back")
        )
        .values(**keys("followup__"))
        .annotate(
            followups_called_back=Count("id", filter=Q(action="call_back")),
            followups_called_back_on_time=Count(
                "id", filter=Q(action="call_back", data__late=False)
            ),
            followups_closed=Count("id", filter=Q(action="report_back")),
        )
    )
    _add(
        rows,
        steps,
        ("followups_called_back", "followups_called_back_on_time", "followups_closed"),
    )
    before_end = FollowUpEvent.objects.filter(followup=OuterRef("pk"), at__lt=end)
    state = before_end.exclude(to_state="").order_by("-at", "-id").values("to_state")[:1]
    still_open = (
        base.filter(opened_at__lt=end)
        .exclude(Exists(before_end.filter(action="report_back")))
        .annotate(state_then=Subquery(state))
        .values("callback_due", "fix_due", "state_then", **keys())
    )
    S = FollowUp.State
    for r in still_open:
        row = rows[_key(r["h"], r["d"], r["w"], r["i"])]
        row["followups_open_at_end"] += 1
        if (r["state_then"] == S.OPEN and r["callback_due"] < last_day) or (
            r["state_then"] == S.FIXING and r["fix_due"] and r["fix_due"] < last_day
        ):
            row["followups_overdue_at_end"] += 1


def _complaints(hall_ids, start, end, rows) -> None:
    """Complaints (not the other requests): registered in the month; answered and closed
    in it, each on time when done by the due date the step before it recorded. A
    complaint belongs to its responsible hall, and to the department, window and item of
    the case (or the window) it is about."""
    base = Complaint.objects.filter(category__kind=ComplaintCategory.Kind.COMPLAINT)
    if hall_ids is not None:
        base = base.filter(hall__in=hall_ids)

    def keys(prefix=""):
        return {
            "h": F(f"{prefix}hall"),
            "d": F(f"{prefix}subject_case__department"),
            "w": Coalesce(F(f"{prefix}subject_window"), F(f"{prefix}subject_case__window")),
            "i": F(f"{prefix}subject_case__item"),
        }

    received = (
        base.filter(registered_at__gte=start, registered_at__lt=end)
        .values(**keys())
        .annotate(complaints_received=Count("id"))
    )
    _add(rows, received, ("complaints_received",))
    K_ = ComplaintStep.Kind
    due_before = ComplaintStep.objects.filter(
        complaint=OuterRef("complaint"), seq=OuterRef("seq") - 1
    ).values("due")[:1]
    steps = (
        ComplaintStep.objects.filter(
            complaint__in=base, at__gte=start, at__lt=end, kind__in=(K_.ANSWERED, K_.CLOSED)
        )
        .annotate(due_before=Subquery(due_before))
        .values("kind", "at", "due_before", **keys("complaint__"))
    )
    for r in steps:
        row = rows[_key(r["h"], r["d"], r["w"], r["i"])]
        name = "complaints_answered" if r["kind"] == K_.ANSWERED else "complaints_closed"
        row[name] += 1
        if r["due_before"] is None or r["at"].astimezone(SHANGHAI).date() <= r["due_before"]:
            row[f"{name}_on_time"] += 1


def _rate(num, den) -> dict:
    return {"num": num, "den": den, "value": round(num / den, 4) if den else None}


def _rates(c: dict) -> dict:
    """The rates of a row, each with its numerator and denominator."""
    speed_promised = _rate(c["promised_limit_sum"], c["legal_limit_sum"])
    speed_actual = _rate(c["actual_days_sum"], c["legal_limit_sum"])
    for speed in (speed_promised, speed_actual):
        if speed["value"] is not None:
            speed["value"] = round(1 - speed["value"], 4)
    return {
        "immediate_share": _rate(c["immediate"], c["accepted"]),
        "in_time_promised": _rate(c["early_promised"] + c["on_time_promised"], c["decided"]),
        "in_time_legal": _rate(c["early_legal"] + c["on_time_legal"], c["decided"]),
        "overdue_open": _rate(c["overdue_open_at_end"], c["open_at_end"]),
        "avg_days_promised": _rate(c["promised_days_sum"], c["promised_decided"]),
        "avg_minutes_immediate": _rate(c["immediate_minutes_sum"], c["immediate_decided"]),
        "speedup_promised": speed_promised,
        "speedup_actual": speed_actual,
        "satisfaction": _rate(c["ratings_satisfied"], c["ratings"]),
        "followups_callback_in_time": _rate(
            c["followups_called_back_on_time"], c["followups_called_back"]
        ),
        "followups_overdue_open": _rate(c["followups_overdue_at_end"], c["followups_open_at_end"]),
        "complaints_answered_in_time": _rate(
            c["complaints_answered_on_time"], c["complaints_answered"]
        ),
        "complaints_closed_in_time": _rate(c["complaints_closed_on_time"], c["complaints_closed"]),
    }


RATES = (
    "immediate_share",
    "in_time_promised",
    "in_time_legal",
    "overdue_open",
    "avg_days_promised",
    "avg_minutes_immediate",
    "speedup_promised",
    "speedup_actual",
    "satisfaction",
    "followups_callback_in_time",
    "followups_overdue_open",
    "complaints_answered_in_time",
    "complaints_closed_in_time",
)


def _labels(fine: dict) -> dict:
    """Names of the halls, departments, windows and items of the rows, in four queries."""
    halls, depts, windows, items = set(), set(), set(), set()
    for h, d, w, i in fine:
        halls.add(h)
        depts.add(d)
        windows.add(w)
        items.add(i)
    from onewindow.catalogue.models import ServiceItem

    return {
        "hall": {h.pk: (h.code, h.name) for h in Hall.objects.filter(pk__in=halls - {None})},
        "department": {
            d.pk: (d.code, d.name) for d in Department.objects.filter(pk__in=depts - {None})
        },
        "window": {
            w.pk: (f"{w.hall.code}-{w.number}", f"{w.hall.name} {w.number}号窗口")
            for w in Window.objects.filter(pk__in=windows - {None}).select_related("hall")
        },
        "item": {
            i["pk"]: (i["implementation_code"], i["published_version__name"] or "")
            for i in ServiceItem.objects.filter(pk__in=items - {None}).values(
                "pk", "implementation_code", "published_version__name"
            )
        },
    }


#: Where a level's key stands in a fine row's (hall, department, window, item).
KEY_POSITION = {"total": None, "hall": 0, "department": 1, "window": 2, "item": 3}


def compute(month: dt.date, hall: Hall | None = None, levels=LEVELS) -> dict:
    """The figures of ``month`` (its first day) for one hall, or the whole centre (None):
    one row per level key of ``levels``, each with its counts and rates. No comparisons
    (see :func:`monthly_figures`)."""
    start, end = month_bounds(month)
    last_day = (end - dt.timedelta(days=1)).date()
    hall_ids = None if hall is None else [hall.pk]
    fine: dict = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    _cases(month, hall_ids, end, last_day, fine)
    _ratings(hall_ids, start, end, fine)
    _alerts(hall_ids, start, end, fine)
    _followups(hall_ids, start, end, last_day, fine)
    _complaints(hall_ids, start, end, fine)
    names = _labels(fine) if set(levels) - {"total"} else {}
    out = {}
    # Most counts of a fine row are zero: each row's others are added to every level.
    nonzero = [(key, [(n, v) for n, v in counts.items() if v]) for key, counts in fine.items()]
    for level in levels:
        grouped: dict = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
        position = KEY_POSITION[level]
        for key, values in nonzero:
            target = grouped[None if position is None else key[position]]
            for name, value in values:
                target[name] += value
        if level == "total" and not grouped:
            grouped[None] = dict.fromkeys(COUNTS, 0)
        rows = []
        for pk, counts in grouped.items():
            if level == "total":
                code, name = (hall.code, hall.name) if hall else ("", "")
            else:
                code, name = names[level].get(pk, ("", ""))
            rows.append({"code": code, "name": name, "counts": counts, "rates": _rates(counts)})
        rows.sort(key=lambda r: (-r["counts"]["received"], r["code"]))
        out[level] = rows
    return {
        "month": month.strftime("%Y-%m"),
        "hall": hall.code if hall else None,
        "levels": out,
        "later": list(LATER),
    }


def _change(now: dict, then: dict | None) -> dict:
    """Month-on-month or year-on-year change of the total row: counts as differences and
    ratios, rates as differences of their values."""
    if then is None:
        return {}
    counts = {}
    for name in COUNTS:
        a, b = now["counts"][name], then["counts"][name]
        counts[name] = {
            "before": b,
            "delta": a - b,
            "ratio": round((a - b) / b, 4) if b else None,
        }
    rates = {}
    for name in RATES:
        a, b = now["rates"][name]["value"], then["rates"][name]["value"]
        rates[name] = {
            "before": b,
            "delta": round(a - b, 4) if a is not None and b is not None else None,
        }
    return {"counts": counts, "rates": rates}


def _ranked_items(rows: list[dict]) -> tuple[list, list]:
    """Items ranked by decisions in time against the promised date (ties: more decisions
    first); only items with a decision in the month are ranked."""
    ranked = [r for r in rows if r["counts"]["decided"]]
    ranked.sort(
        key=lambda r: (-r["rates"]["in_time_promised"]["value"], -r["counts"]["decided"], r["code"])
    )
    top = ranked[:TOP_N]
    rest = [r for r in ranked if r not in top]
    bottom = list(reversed(rest[-TOP_N:]))
    pick = ("code", "name")
    return (
        [{**{k: r[k] for k in pick}, "decided": r["counts"]["decided"],
          "in_time_promised": r["rates"]["in_time_promised"]} for r in top],
        [{**{k: r[k] for k in pick}, "decided": r["counts"]["decided"],
          "in_time_promised": r["rates"]["in_time_promised"]} for r in bottom],
    )  # fmt: skip


def monthly_figures(month: dt.date, hall: Hall | None = None) -> dict:
    """The whole report of a month: the figures, their change against the month before
    and the same month a year before, and the top and bottom items."""
    figures = compute(month, hall)
    total = figures["levels"]["total"][0]
    previous = compute(shift_month(month, -1), hall, ("total",))["levels"]["total"][0]
    last_year = compute(shift_month(month, -12), hall, ("total",))["levels"]["total"][0]
    figures["changes"] = {"mom": _change(total, previous), "yoy": _change(total, last_year)}
    figures["top_items"], figures["bottom_items"] = _ranked_items(figures["levels"]["item"])
    return figures


def differences(stored: dict, fresh: dict, path: str = "") -> list[tuple[str, object, object]]:
    """Every value that differs between two reports, as (path, stored, fresh)."""
    out = []
    if isinstance(stored, dict) and isinstance(fresh, dict):
        for k in sorted(set(stored) | set(fresh), key=str):
            out += differences(stored.get(k), fresh.get(k), f"{path}.{k}" if path else str(k))
    elif isinstance(stored, list) and isinstance(fresh, list) and len(stored) == len(fresh):
        for n, (a, b) in enumerate(zip(stored, fresh, strict=True)):
            out += differences(a, b, f"{path}[{n}]")
    elif stored != fresh:
        out.append((path, stored, fresh))
    return out
