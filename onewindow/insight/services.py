"""Process insight (简政放权, 提速): what the recorded cases say about each item.

* where the time goes: per item and step, the median and 90th percentile working days
  from the step's start to its decision (the case's step records, finished ones only);
* candidates to become immediate items: promised items whose decided cases were nearly
  always concluded on the day they were accepted;
* items with the most correction notices (their materials need a better guide);
* the immediate share of acceptances, month by month.

Every function takes the halls to look at (None: every hall) and a period of receipt.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from onewindow.cases import clock
from onewindow.cases.models import Case, CaseEvent, CaseStep, CorrectionNotice

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: A promised item is a candidate when at least this share of its decided cases was
#: concluded on the day of acceptance, over at least MIN_CASES cases.
SAME_DAY_SHARE = 0.9
MIN_CASES = 20
TOP = 20


def _cases(halls, start: dt.datetime, end: dt.datetime):
    qs = Case.objects.filter(received_at__gte=start, received_at__lt=end)
    return qs if halls is None else qs.filter(hall__in=halls)


def percentile(values: list[int], p: float) -> float | None:
    """The p-th percentile (0-100), nearest rank; None without values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(math.ceil(p / 100 * len(ordered)), 1)
    return float(ordered[rank - 1])


def median(values: list[int]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[mid])
    return (ordered[mid - 1] + ordered[mid]) / 2


def step_times(halls, start, end) -> list[dict]:
    """Per item and step position: passes, median and 90th percentile working days."""
    cal = clock.calendar()
    steps = (
        CaseStep.objects.filter(case__in=_cases(halls, start, end), finished_at__isnull=False)
        .values_list("case__item", "position", "name", "started_at", "finished_at")
        .order_by()
    )
    days: dict = defaultdict(list)
    names: dict = {}
    for item, position, name, started, finished in steps:
        a = started.astimezone(SHANGHAI).date()
        b = finished.astimezone(SHANGHAI).date()
        days[(item, position)].append(cal.working_days_between(a, b).value)
        names[(item, position)] = name
    labels = _item_labels({item for item, _p in days})
    out = []
    for (item, position), values in days.items():
        code, name = labels.get(item, ("", ""))
        out.append({
            "item_code": code, "item_name": name, "position": position,
            "step": names[(item, position)], "passes": len(values),
            "median": median(values), "p90": percentile(values, 90),
        })  # fmt: skip
    out.sort(key=lambda r: (-(r["p90"] or 0), r["item_code"], r["position"]))
    return out


def same_day_candidates(halls, start, end) -> list[dict]:
    """Promised items and the share of their decided cases concluded on the day of
    acceptance (Shanghai), with the counts; candidates first."""
    rows = (
        _cases(halls, start, end)
        .filter(is_immediate=False, accepted_at__isnull=False, concluded_at__isnull=False)
        .filter(result__in=(Case.Result.GRANTED, Case.Result.REFUSED))
        .values_list("item", "accepted_at", "concluded_at")
        .order_by()
    )
    counts: dict = defaultdict(lambda: [0, 0])
    for item, accepted, concluded in rows:
        c = counts[item]
        c[0] += 1
        if accepted.astimezone(SHANGHAI).date() == concluded.astimezone(SHANGHAI).date():
            c[1] += 1
    labels = _item_labels(set(counts))
    out = []
    for item, (decided, same_day) in counts.items():
        share = same_day / decided
        code, name = labels.get(item, ("", ""))
        out.append({
            "item_code": code, "item_name": name, "decided": decided, "same_day": same_day,
            "share": round(share, 4),
            "candidate": decided >= MIN_CASES and share >= SAME_DAY_SHARE,
        })  # fmt: skip
    out.sort(key=lambda r: (not r["candidate"], -r["share"], -r["decided"], r["item_code"]))
    return out


def corrections(halls, start, end) -> list[dict]:
    """Items by correction notices issued to their cases received in the period: notices,
    cases with a notice, cases received, and the share of cases that needed one."""
    cases = _cases(halls, start, end)
    notices = dict(
        CorrectionNotice.objects.filter(case__in=cases)
        .values_list("case__item")
        .annotate(n=Count("id"))
        .order_by()
    )
    per_item = (
        cases.filter(item__in=list(notices))
        .values("item")
        .annotate(
            received=Count("id", distinct=True),
            corrected=Count("id", filter=Q(corrections__isnull=False), distinct=True),
        )
        .order_by()
    )
    labels = _item_labels(set(notices))
    out = []
    for r in per_item:
        code, name = labels.get(r["item"], ("", ""))
        out.append({
            "item_code": code, "item_name": name, "notices": notices[r["item"]],
            "corrected": r["corrected"], "received": r["received"],
            "share": round(r["corrected"] / r["received"], 4) if r["received"] else None,
        })  # fmt: skip
    out.sort(key=lambda r: (-r["notices"], r["item_code"]))
    return out[:TOP]


def immediate_share_by_month(halls, start, end) -> list[dict]:
    """Acceptances per month (Shanghai) and the immediate share among them."""
    qs = CaseEvent.objects.filter(
        kind__in=(CaseEvent.Kind.ACCEPTED, CaseEvent.Kind.ACCEPTED_WITH_GAPS),
        at__gte=start,
        at__lt=end,
    )
    if halls is not None:
        qs = qs.filter(case__hall__in=halls)
    rows = (
        qs.annotate(month=TruncMonth("at", tzinfo=SHANGHAI))
        .values("month")
        .annotate(accepted=Count("id"), immediate=Count("id", filter=Q(case__is_immediate=True)))
        .order_by("month")
    )
    return [
        {
            "month": r["month"].strftime("%Y-%m"),
            "accepted": r["accepted"],
            "immediate": r["immediate"],
            "share": round(r["immediate"] / r["accepted"], 4) if r["accepted"] else None,
        }
        for r in rows
    ]


def _item_labels(ids: set) -> dict:
    from onewindow.catalogue.models import ServiceItem

    return {
        r["pk"]: (r["implementation_code"], r["published_version__name"] or "")
        for r in ServiceItem.objects.filter(pk__in=ids - {None}).values(
            "pk", "implementation_code", "published_version__name"
        )
    }


def insight(halls, start, end) -> dict:
    return {
        "steps": step_times(halls, start, end),
        "same_day": same_day_candidates(halls, start, end),
        "corrections": corrections(halls, start, end),
        "immediate": immediate_share_by_month(halls, start, end),
    }


__all__ = ["insight"]
