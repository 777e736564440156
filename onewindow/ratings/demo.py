"""A year of ratings for the demo's simulated cases (`load_demo`).

About two acts in three are rated, most of them well (about 85 % 非常满意 or 满意), a
realistic one or two in a hundred badly, with reasons from the list and a comment; at
the window a minute or two after the act, from the status page or a notice's QR code
later. Every choice is drawn from the act's id alone, so a second run decides the same
and adds nothing (acts already rated are skipped), and a later simulated month gets its
share. Written with bulk_create, as the simulation writes its cases: history, not acts
of today, so no audit rows and no `rating_recorded` (the follow-up demo makes its own).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from onewindow.floor.models import Ticket

from .models import Channel, Level, Rating
from .reasons import REASONS
from .services import service_acts

BATCH = 5000
RATED_SHARE = 0.65
# Cumulative shares of the levels, best first (5: 70 %, 4: 16 %, 3: 12.5 %, 2: 1 %, 1: 0.5 %).
LEVELS = ((0.70, Level.VERY_SATISFIED), (0.86, Level.SATISFIED), (0.985, Level.BASICALLY_SATISFIED),
          (0.995, Level.DISSATISFIED), (1.0, Level.VERY_DISSATISFIED))  # fmt: skip
COMMENTS = {
    "attitude": "窗口人员说话不耐烦，问了两遍就不愿意再解释。",
    "slow": "材料齐全还是拖了好几天才办好。",
    "many_trips": "前后跑了三趟，每次说缺的东西都不一样。",
    "unclear_materials": "办事指南上没写要这份证明，到了窗口才说。",
    "long_wait": "取号后等了一个多小时。",
    "irregular_fees": "收费项目没有当面说明。",
    "other": "系统故障，当天没办成。",
}


def _share(pk: int, salt: int) -> float:
    """A number in [0, 1) drawn from the act's id and a salt (splitmix64's finaliser), so
    that the draws of one act (rated? level? channel?) are independent of each other."""
    x = (pk * 0x9E3779B97F4A7C15 + salt * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return (x ^ (x >> 31)) / 2**64


_MASK = 2**64 - 1


def _rating(pk, case_id, kind, at, hall_id, window_id, actor_id, now) -> Rating | None:
    if _share(pk, 1) >= RATED_SHARE:
        return None  # a missing rating stays missing
    draw = _share(pk, 2)
    level = next(level for limit, level in LEVELS if draw < limit)
    pick = _share(pk, 3)
    if window_id is not None and pick < 0.7:
        channel, delay = Channel.WINDOW, dt.timedelta(seconds=20 + int(_share(pk, 4) * 100))
    elif pick < 0.9 or window_id is None and pick < 0.95:
        channel, delay = Channel.STATUS_PAGE, dt.timedelta(minutes=10 + int(_share(pk, 4) * 4320))
    else:
        channel, delay = Channel.QR, dt.timedelta(minutes=60 + int(_share(pk, 4) * 7200))
    rated_at = at + delay
    if rated_at > now:
        return None
    reasons, comment = [], ""
    if level in (Level.DISSATISFIED, Level.VERY_DISSATISFIED):
        first = REASONS[int(_share(pk, 5) * len(REASONS))].code
        reasons = [first]
        if _share(pk, 6) < 0.3:
            second = REASONS[int(_share(pk, 7) * len(REASONS))].code
            if second != first:
                reasons.append(second)
        comment = COMMENTS[first]
    return Rating(
        event_id=pk,
        case_id=case_id,
        act=kind,
        act_at=at,
        hall_id=hall_id,
        window_id=window_id,
        staff_id=actor_id,
        level=level,
        channel=channel,
        reasons=reasons,
        comment=comment,
        rated_at=rated_at,
    )


def load_demo_ratings(stdout=None, *, now: dt.datetime | None = None) -> int:
    """Rate the simulated service acts not rated yet; returns how many ratings were added."""
    now = now or timezone.now()
    acts = (
        service_acts()
        .filter(rating__isnull=True, at__lte=now)
        .order_by()
        .values_list("pk", "case_id", "kind", "at", "hall_id", "window_id", "actor_id")
    )
    added = seen = 0
    batch: list[Rating] = []

    def flush():
        nonlocal added, batch
        with transaction.atomic():
            Rating.objects.bulk_create(batch, batch_size=1000)
        added += len(batch)
        batch = []
        if stdout:
            stdout.write(f"  ratings: {seen:,} acts read, {added:,} rated")

    for row in acts.iterator(chunk_size=BATCH):
        seen += 1
        rating = _rating(*row, now)
        if rating is not None:
            batch.append(rating)
            if len(batch) >= BATCH:
                flush()
    if batch:
        flush()
    if stdout:
        stdout.write(f"Ratings: {added:,} added for {seen:,} service acts not rated before.")
    return added


def link_demo_ratings_to_tickets(stdout=None) -> int:
    """Link the ratings of cases that came from a queue ticket to that ticket (the demo's
    tickets are written after its ratings); ratings linked already are left alone."""
    first = Ticket.objects.filter(case_id=OuterRef("case_id")).order_by("pk").values("pk")[:1]
    with transaction.atomic():
        linked = Rating.objects.filter(
            ticket__isnull=True,
            case_id__in=Ticket.objects.filter(case__isnull=False).values("case_id"),
        ).update(ticket_id=Subquery(first))
    if stdout:
        stdout.write(f"Ratings: {linked:,} linked to the queue ticket of their case.")
    return linked
