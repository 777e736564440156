"""How many cases each hall receives each day, and of which items.

Volumes: every published item gets a weight in each hall that handles it. The demo
catalogue's items weigh what `catalogue.demo_data.popularity` says they are asked for
(vehicle registration, social insurance, provident fund withdrawals, property and marriage
registration the busiest; rare procedures a few times a year), with a little seeded
jitter. Items of another catalogue are weighted Zipf-like over a seeded shuffle of the
hall's items (a few items make most of the work), the seed's busiest trades (vehicle
registration, social insurance) and immediate items weighted up. A hall's volume is the
sum over its items. Rhythm: weekdays busy (Monday most, Friday least), Saturday small
where the hall opens then, Sundays and public holidays closed, swapped working days (调休)
like a Monday; a quiet Spring Festival, a busy March and September; the last working days
of a month busier (declarations and contributions fall due); and every hall's day drawn
with some seeded noise around all that.
"""

from __future__ import annotations

import random
import re
from datetime import date, timedelta
from itertools import accumulate

from onewindow.catalogue.demo_data.popularity import weight_of

from .snapshot import HallPlan, Snapshot

DAY = 86400
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

MONTH_FACTOR = (1.0, 0.85, 1.25, 1.0, 0.95, 1.0, 1.05, 0.95, 1.2, 0.9, 1.0, 1.1)
WEEKDAY_FACTOR = (1.2, 1.05, 1.0, 1.0, 0.9, 0.3, 0.15)  # Saturday/Sunday: when the hall opens
SPRING_FESTIVAL_BEFORE, SPRING_FESTIVAL_AFTER = 0.75, 0.65  # the ten days either side
# The seed's busiest trades: vehicle registration and social insurance.
HEAVY_ITEMS = re.compile(
    r"机动车|驾驶|车辆|号牌|行驶证|社会保险|社保|养老保险|养老金|医疗保险|失业|参保|社会保障卡"
)
HEAVY_FACTOR = 6.0
IMMEDIATE_FACTOR = 1.5
ZIPF_EXPONENT = 0.9
POPULARITY_JITTER = 0.15  # sigma of the log-normal factor on a listed item's weight
MONTH_END_DAYS, MONTH_END_FACTOR = 3, 1.25  # the last working days of a month
DAY_NOISE = 0.15  # sigma of the log-normal factor on each hall's day
# Arrivals over the day: (from, to, weight), local time. Morning peak, lunch dip.
ARRIVAL_SHAPE = (
    (0, 9 * 3600, 0.8),
    (9 * 3600, 11 * 3600, 1.5),
    (11 * 3600, 12 * 3600, 1.0),
    (12 * 3600, 13 * 3600 + 1800, 0.35),
    (13 * 3600 + 1800, 15 * 3600 + 1800, 1.25),
    (15 * 3600 + 1800, DAY, 0.7),
)


class PlanError(Exception):
    pass


def spring_festival(cal, year: int) -> tuple[date, date] | None:
    """The longest run of days off between 10 January and 10 March (None without data)."""
    if not cal.covers(year):
        return None
    best, run_start, d = None, None, date(year, 1, 10)
    while d <= date(year, 3, 10):
        if not cal.is_working_day(d):
            run_start = run_start or d
        else:
            if run_start and (best is None or (d - run_start) > (best[1] - best[0])):
                best = (run_start, d - timedelta(days=1))
            run_start = None
        d += timedelta(days=1)
    if best and (best[1] - best[0]).days >= 5:
        return best
    return None


def day_factor(hall: HallPlan, d: date, cal, holidays, festivals: dict) -> float:
    """How busy ``hall`` is on ``d`` relative to an ordinary Tuesday (0: closed)."""
    wd = d.weekday()
    working = cal.is_working_day(d)
    if hall.public_hours(d, working, holidays) is None:
        return 0.0
    # A swapped weekend working day is as busy as a Monday; an ordinary Saturday is small.
    factor = (WEEKDAY_FACTOR[0] if working and wd >= 5 else WEEKDAY_FACTOR[wd]) * MONTH_FACTOR[
        d.month - 1
    ]
    sf = festivals.get(d.year)
    if sf:
        if sf[0] - timedelta(days=10) <= d < sf[0]:
            factor *= SPRING_FESTIVAL_BEFORE
        elif sf[1] < d <= sf[1] + timedelta(days=10):
            factor *= SPRING_FESTIVAL_AFTER
    return factor


def weigh_offers(snapshot: Snapshot, rng: random.Random) -> None:
    """Give every offer its weight (see the module docstring).

    Within each hall the items are ranked by a seeded shuffle and weighted 1/rank^0.9, the
    heavy and the immediate ones weighted up: the weight of an item without a known
    popularity. A hall's volume is the sum of its weights, which grows with the log of
    its number of items: a long list of rarely used items does not outweigh the busy
    sub-centres (the seed's 910,000 cases a year are mostly theirs). An item of the
    demo catalogue weighs its popularity instead, times a little log-normal jitter.
    """
    for hall in snapshot.halls:
        order = list(range(len(hall.offers)))
        rng.shuffle(order)
        for rank, i in enumerate(order):
            offer = hall.offers[i]
            known = weight_of(offer.code, offer.name)
            if known is not None:
                offer.weight = known * rng.lognormvariate(0.0, POPULARITY_JITTER)
                continue
            w = 1.0 / (rank + 1) ** ZIPF_EXPONENT
            if HEAVY_ITEMS.search(offer.name):
                w *= HEAVY_FACTOR
            if offer.immediate:
                w *= IMMEDIATE_FACTOR
            offer.weight = w
        hall.cum_weights = list(accumulate(o.weight for o in hall.offers))
        hall.weight = hall.cum_weights[-1] if hall.offers else 0.0


def month_ends(cal, start: date, end: date) -> frozenset:
    """The last MONTH_END_DAYS working days of every month from ``start`` to ``end``."""
    out: set = set()
    month = date(end.year + (end.month == 12), end.month % 12 + 1, 1)  # after `end`'s month
    while month > start:
        d, found = month - timedelta(days=1), 0
        month = d.replace(day=1)
        while d >= month and found < MONTH_END_DAYS:
            if cal.is_working_day(d):
                out.add(d)
                found += 1
            d -= timedelta(days=1)
    return frozenset(out)


def plan_volumes(
    snapshot: Snapshot, start: date, end: date, cases: int, now_local: int, rng: random.Random
) -> dict[tuple[int, int], int]:
    """Cases per (local day number, hall index), adding up to exactly ``cases``.

    A day cut short by ``now_local`` (today) counts with the share of its hours gone by.
    Each hall's day is weighted by its rhythm (`day_factor`), the month's end and a
    log-normal noise drawn from ``rng``.
    """
    cal = snapshot.calendar
    festivals = {y: spring_festival(cal, y) for y in range(start.year, end.year + 1)}
    busy_ends = month_ends(cal, start, end)
    cells = []
    d = start
    while d <= end:
        ld = d.toordinal() - EPOCH_ORDINAL
        for hall in snapshot.halls:
            if not hall.weight:
                continue
            f = day_factor(hall, d, cal, snapshot.holidays, festivals)
            if not f:
                continue
            if d in busy_ends:
                f *= MONTH_END_FACTOR
            f *= rng.lognormvariate(0.0, DAY_NOISE)
            opens, closes = hall.public_hours(d, cal.is_working_day(d), snapshot.holidays)
            now_s = now_local - ld * DAY
            if now_s < closes:
                if now_s <= opens + 900:
                    continue
                f *= (now_s - opens) / (closes - opens)
            cells.append((ld, hall.index, hall.weight * f))
        d += timedelta(days=1)
    total = sum(w for _ld, _h, w in cells)
    if not cells or total <= 0:
        raise PlanError(
            "no hall is open with published items in the period: load the catalogue first"
        )
    counts, rests = {}, []
    for ld, h, w in cells:
        exact = cases * w / total
        n = int(exact)
        counts[(ld, h)] = n
        rests.append((exact - n, ld, h))
    missing = cases - sum(counts.values())
    rests.sort(key=lambda x: (-x[0], x[1], x[2]))
    for _frac, ld, h in rests[:missing]:
        counts[(ld, h)] += 1
    return {k: v for k, v in counts.items() if v}


def arrival_table(opens: int, closes: int) -> tuple[list[int], list[float], int]:
    """Half-hour slots from opening to 15 minutes before closing, weighted by ARRIVAL_SHAPE.
    Returns (slot starts, cumulative weights, latest arrival)."""
    last = max(opens + 600, closes - 900)
    starts, weights = [], []
    t = opens
    while t < last:
        starts.append(t)
        weights.append(next((w for a, b, w in ARRIVAL_SHAPE if a <= t < b), 1.0))
        t += 1800
    return starts, list(accumulate(weights)), last
