"""The hall floor's figures, read from floor's tickets, queue events and window sessions.

- waiting time: first call − issue; service time: done − start (floor's definitions);
- stay (停留时间): issue − end of service, and for an immediate item (即办件) issue − the
  linked case's conclusion: the seed's 零时间停留 is measured this way, per item and hall;
- no-show rate: tickets that ended as no-shows ÷ tickets called;
- per window: signed-in time (sessions), paused time (pause → resume or sign-out),
  serving time (a call at the window → done, no-show or transfer), idle = the rest;
  tickets served per signed-in hour;
- arrivals by weekday and hour (the heat map);
- the staffing estimate (Erlang C, `onewindow.lib.erlang`) beside the windows open.

Averages and percentiles are computed in Python from the rows one query reads (no raw
SQL, the same on SQLite and PostgreSQL); hours and weekdays are those of Asia/Shanghai.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay
from django.utils import timezone

from onewindow.catalogue.models import ServiceItem
from onewindow.floor import services as floor_services
from onewindow.floor.models import QueueCategory, QueueEvent, Ticket, WindowSession
from onewindow.halls.models import Hall, Window
from onewindow.lib import erlang

LIVE_CACHE_KEY = "floorstats:live"
LIVE_SECONDS = 5
# The staffing estimate: keep the 90th percentile of the wait under the target.
STAFFING_SHARE = 0.10


# ------------------------------------------------------------------------ numbers


def percentile(values: list[float], q: float) -> float | None:
    """The q-th quantile (0 ≤ q ≤ 1) by linear interpolation between the closest ranks
    (as numpy's default and PostgreSQL's percentile_cont); None without values."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


@dataclass
class Durations:
    """Count, mean and 90th percentile of durations, in minutes (None without any)."""

    count: int = 0
    mean: float | None = None
    p90: float | None = None

    @classmethod
    def of(cls, seconds: list[float]) -> Durations:
        if not seconds:
            return cls()
        minutes = [s / 60 for s in seconds]
        return cls(len(minutes), round(sum(minutes) / len(minutes), 1),
                   round(percentile(minutes, 0.9), 1))  # fmt: skip

    def as_dict(self) -> dict:
        return {"count": self.count, "mean": self.mean, "p90": self.p90}


@dataclass
class Period:
    """Days `first` to `last` (both included), local dates."""

    first: dt.date
    last: dt.date

    @classmethod
    def default(cls, today: dt.date | None = None) -> Period:
        today = today or timezone.localdate()
        return cls(today - dt.timedelta(days=27), today)

    @property
    def start(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.first, dt.time()))

    @property
    def end(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time()))


@dataclass
class Scope:
    """What the figures cover: the halls the user sees (None: all), optionally one hall
    and one line, over a period."""

    period: Period
    hall_ids: set[int] | None = None
    hall: Hall | None = None
    category: QueueCategory | None = None

    def tickets(self):
        qs = Ticket.objects.filter(day__gte=self.period.first, day__lte=self.period.last)
        return self._halls(qs)

    def _halls(self, qs, field_name: str = "hall_id"):
        if self.hall is not None:
            qs = qs.filter(**{field_name: self.hall.pk})
        elif self.hall_ids is not None:
            qs = qs.filter(**{f"{field_name}__in": self.hall_ids})
        if self.category is not None and qs.model is Ticket:
            qs = qs.filter(category=self.category)
        return qs


def _seconds(start: dt.datetime | None, end: dt.datetime | None) -> float | None:
    if start is None or end is None or end < start:
        return None
    return (end - start).total_seconds()


# ------------------------------------------------------------------------ tickets


@dataclass
class Group:
    """The figures of a group of tickets (all, a hall, a line, an item)."""

    issued: int = 0
    called: int = 0
    served: int = 0
    no_shows: int = 0
    waits: list[float] = field(default_factory=list)
    services: list[float] = field(default_factory=list)
    stays: list[float] = field(default_factory=list)
    immediate_stays: list[float] = field(default_factory=list)

    def add(self, row: dict) -> None:
        self.issued += 1
        if row["first_called_at"] is not None:
            self.called += 1
        if row["status"] == Ticket.Status.NO_SHOW:
            self.no_shows += 1
        wait = _seconds(row["issued_at"], row["first_called_at"])
        if wait is not None:
            self.waits.append(wait)
        if row["status"] == Ticket.Status.DONE:
            self.served += 1
            service = _seconds(row["started_at"], row["done_at"])
            if service is not None:
                self.services.append(service)
        stay, immediate = stay_of(row)
        if stay is not None:
            self.stays.append(stay)
            if immediate:
                self.immediate_stays.append(stay)

    def figures(self) -> dict:
        return {
            "issued": self.issued,
            "called": self.called,
            "served": self.served,
            "no_shows": self.no_shows,
            "no_show_rate": round(100 * self.no_shows / self.called, 1) if self.called else None,
            "waiting": Durations.of(self.waits).as_dict(),
            "service": Durations.of(self.services).as_dict(),
            "stay": Durations.of(self.stays).as_dict(),
            "immediate_stay": Durations.of(self.immediate_stays).as_dict(),
        }


def stay_of(row: dict) -> tuple[float | None, bool]:
    """The visitor's stay in seconds, and whether it ends at an immediate case's
    conclusion: ticket → conclusion for an immediate item once concluded, else ticket →
    end of service (None while not served)."""
    if row["case__is_immediate"] and row["case__concluded_at"] is not None:
        return _seconds(row["issued_at"], row["case__concluded_at"]), True
    if row["status"] == Ticket.Status.DONE:
        return _seconds(row["issued_at"], row["done_at"]), False
    return None, False


TICKET_FIELDS = (
    "hall_id", "category_id", "status", "issued_at", "first_called_at", "started_at",
    "done_at", "case__is_immediate", "case__concluded_at", "case__item_id",
)  # fmt: skip


def ticket_figures(scope: Scope) -> dict:
    """Totals, and the same per hall, per line and per item (the linked case's item)."""
    total = Group()
    halls: dict[int, Group] = defaultdict(Group)
    lines: dict[int, Group] = defaultdict(Group)
    items: dict[int, Group] = defaultdict(Group)
    for row in scope.tickets().values(*TICKET_FIELDS).iterator(chunk_size=5000):
        total.add(row)
        halls[row["hall_id"]].add(row)
        lines[row["category_id"]].add(row)
        if row["case__item_id"] is not None:
            items[row["case__item_id"]].add(row)
    hall_rows = Hall.objects.filter(pk__in=halls).order_by("code")
    line_rows = QueueCategory.objects.filter(pk__in=lines).select_related("hall")
    item_rows = (
        ServiceItem.objects.filter(pk__in=items)
        .select_related("published_version", "latest_version")
        .order_by("implementation_code")
    )
    return {
        "total": total.figures(),
        "halls": [{"hall": h, **halls[h.pk].figures()} for h in hall_rows],
        "lines": [{"line": c, **lines[c.pk].figures()} for c in line_rows],
        "items": [{"item": i, **items[i.pk].figures()} for i in item_rows],
    }


def item_name(item: ServiceItem) -> str:
    version = item.published_version or item.latest_version
    return version.name if version else item.implementation_code


def arrivals_heatmap(scope: Scope) -> list[list[int]]:
    """Tickets issued per weekday (Monday = 0) and hour: 7 rows of 24 counts."""
    grid = [[0] * 24 for _ in range(7)]
    rows = (
        scope.tickets()
        .annotate(weekday=ExtractIsoWeekDay("issued_at"), hour=ExtractHour("issued_at"))
        .values("weekday", "hour")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        grid[row["weekday"] - 1][row["hour"]] += row["n"]
    return grid


# ------------------------------------------------------------------------ windows


def _clip(start, end, lo, hi) -> tuple | None:
    start, end = max(start, lo), min(end, hi)
    return (start, end) if end > start else None


def window_intervals(scope: Scope, now: dt.datetime | None = None) -> dict[int, dict]:
    """Per window: its signed-in, paused and serving intervals within the period (an open
    session or pause runs until now), and the tickets it finished."""
    now = now or timezone.now()
    lo, hi = scope.period.start, min(scope.period.end, now)
    out: dict[int, dict] = defaultdict(
        lambda: {"signed_in": [], "paused": [], "serving": [], "served": 0}
    )
    if hi <= lo:
        return out
    sessions = scope._halls(
        WindowSession.objects.filter(started_at__lt=hi).exclude(ended_at__lte=lo)
    ).values_list("window_id", "started_at", "ended_at")
    for window_id, started, ended in sessions:
        span = _clip(started, ended or now, lo, hi)
        if span:
            out[window_id]["signed_in"].append(span)
    kinds = [QueueEvent.Kind.PAUSED, QueueEvent.Kind.RESUMED, QueueEvent.Kind.SIGNED_OUT,
             QueueEvent.Kind.CALLED, QueueEvent.Kind.DONE, QueueEvent.Kind.NO_SHOW,
             QueueEvent.Kind.TRANSFERRED]  # fmt: skip
    events = scope._halls(
        QueueEvent.objects.filter(kind__in=kinds, at__gte=lo - dt.timedelta(days=1), at__lt=hi)
    ).values_list("kind", "at", "window_id", "ticket_id")
    paused_since: dict[int, dt.datetime] = {}
    called_at: dict[int, tuple[int, dt.datetime]] = {}
    K = QueueEvent.Kind
    for kind, at, window_id, ticket_id in events.order_by("at", "pk"):
        if window_id is None:
            continue
        if kind == K.PAUSED:
            paused_since[window_id] = at
        elif kind in (K.RESUMED, K.SIGNED_OUT) and window_id in paused_since:
            span = _clip(paused_since.pop(window_id), at, lo, hi)
            if span:
                out[window_id]["paused"].append(span)
        elif kind == K.CALLED and ticket_id is not None:
            called_at[ticket_id] = (window_id, at)
        elif kind in (K.DONE, K.NO_SHOW, K.TRANSFERRED) and ticket_id in called_at:
            at_window, since = called_at.pop(ticket_id)
            span = _clip(since, at, lo, hi)
            if span:
                out[at_window]["serving"].append(span)
            if kind == K.DONE and at >= lo:
                out[at_window]["served"] += 1
    for window_id, since in paused_since.items():
        span = _clip(since, hi, lo, hi)
        if span:
            out[window_id]["paused"].append(span)
    for at_window, since in called_at.values():
        span = _clip(since, hi, lo, hi)
        if span:
            out[at_window]["serving"].append(span)
    return out


def _total(spans) -> float:
    return sum((end - start).total_seconds() for start, end in spans)


def window_figures(scope: Scope, now: dt.datetime | None = None) -> list[dict]:
    """Per window: hours signed in, the shares serving, paused and idle (% of the
    signed-in time), tickets served and tickets per signed-in hour."""
    rows = []
    intervals = window_intervals(scope, now)
    windows = Window.objects.filter(pk__in=intervals).select_related("hall")
    for window in sorted(windows, key=lambda w: (w.hall.code, w.number)):
        spans = intervals[window.pk]
        signed = _total(spans["signed_in"])
        serving = min(_total(spans["serving"]), signed)
        paused = min(_total(spans["paused"]), signed - serving)
        idle = signed - serving - paused
        hours = signed / 3600

        def share(x, signed=signed):
            return round(100 * x / signed, 1) if signed else None

        rows.append({
            "window": window,
            "hours": round(hours, 1),
            "served": spans["served"],
            "per_hour": round(spans["served"] / hours, 2) if hours else None,
            "serving": share(serving),
            "paused": share(paused),
            "idle": share(idle),
        })  # fmt: skip
    return rows


# ------------------------------------------------------------------------ staffing


def _by_local_hour(spans) -> dict[tuple[dt.date, int], float]:
    """Seconds of the spans falling in each local (day, hour)."""
    out: dict[tuple[dt.date, int], float] = defaultdict(float)
    for start, end in spans:
        start, end = timezone.localtime(start), timezone.localtime(end)
        cursor = start
        while cursor < end:
            boundary = (cursor.replace(minute=0, second=0, microsecond=0)
                        + dt.timedelta(hours=1))  # fmt: skip
            stop = min(boundary, end)
            out[(cursor.date(), cursor.hour)] += (stop - cursor).total_seconds()
            cursor = stop
    return out


@dataclass
class StaffingRow:
    hour: int
    open_windows: float | None
    lines: list[dict]

    @property
    def needed(self) -> int:
        return sum(line["needed"] for line in self.lines if line["needed"] is not None)


def staffing(hall: Hall, period: Period, target_minutes: float,
             share: float = STAFFING_SHARE, now: dt.datetime | None = None) -> dict:  # fmt: skip
    """Per hour of the day: for each line of the hall, the mean arrivals per hour (over
    the days the hall issued tickets), the mean service time of the period (the line's
    default without served tickets), and the windows needed by Erlang C so that at most
    `share` of visitors wait longer than `target_minutes`; beside them, the windows open
    on average in that hour (signed in, not paused)."""
    scope = Scope(period=period, hall=hall)
    tickets = scope.tickets()
    days = tickets.values("day").distinct().count()
    lines = list(QueueCategory.objects.filter(hall=hall).order_by("sort_order", "letter"))
    arrivals: dict[tuple[int, int], int] = defaultdict(int)
    for row in (
        tickets.annotate(hour=ExtractHour("issued_at"))
        .values("category_id", "hour")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        arrivals[(row["category_id"], row["hour"])] += row["n"]
    service: dict[int, list[float]] = defaultdict(list)
    for cat, start, done in tickets.filter(
        status=Ticket.Status.DONE, started_at__isnull=False, done_at__isnull=False
    ).values_list("category_id", "started_at", "done_at"):
        seconds = _seconds(start, done)
        if seconds is not None:
            service[cat].append(seconds / 60)
    mean_service = {
        c.pk: (sum(service[c.pk]) / len(service[c.pk]) if service[c.pk]
               else float(c.default_service_minutes))
        for c in lines
    }  # fmt: skip
    open_seconds: dict[int, float] = defaultdict(float)
    for spans in window_intervals(scope, now).values():
        signed = _by_local_hour(spans["signed_in"])
        paused = _by_local_hour(spans["paused"])
        for (day, hour), seconds in signed.items():
            open_seconds[hour] += max(0.0, seconds - paused.get((day, hour), 0.0))
    hours = sorted({h for _c, h in arrivals} | {h for h, s in open_seconds.items() if s > 0})
    rows = []
    for hour in hours:
        cells = []
        for line in lines:
            per_hour = arrivals.get((line.pk, hour), 0) / days if days else 0.0
            minutes = mean_service[line.pk]
            try:
                needed = erlang.windows_needed(per_hour / 60, minutes, target_minutes, share)
                p_wait = erlang.wait_exceeds(needed, per_hour / 60, minutes, target_minutes)
            except ValueError:
                needed, p_wait = None, None
            cells.append({
                "line": line,
                "arrivals": round(per_hour, 2),
                "load": round(per_hour * minutes / 60, 2),
                "service": round(minutes, 1),
                "needed": needed,
                "p_wait": round(100 * p_wait, 1) if p_wait is not None else None,
            })  # fmt: skip
        opened = round(open_seconds.get(hour, 0.0) / 3600 / days, 1) if days else None
        rows.append(StaffingRow(hour, opened, cells))
    return {
        "days": days,
        "lines": [{"line": c, "service": round(mean_service[c.pk], 1)} for c in lines],
        "rows": rows,
        "target": target_minutes,
        "share": share,
    }


# ------------------------------------------------------------------------ live


def live_wait() -> list[dict]:
    """Now, per active hall and active line: people waiting and the estimated wait of a
    visitor taking a ticket now (waiting × mean service time ÷ windows open for the line,
    at least one). No personal data. Cached for LIVE_SECONDS."""

    def compute():
        out = []
        for hall in Hall.objects.active().order_by("code"):
            lines = []
            for row in floor_services.waiting_counts(hall):
                line = row["category"]
                windows = floor_services.serving_windows(line)
                minutes = floor_services.average_service_minutes(line)
                lines.append({
                    "letter": line.letter,
                    "name": line.name,
                    "name_en": line.name_en,
                    "waiting": row["waiting"],
                    "windows": windows,
                    "minutes": round(row["waiting"] * minutes / max(windows, 1)),
                })  # fmt: skip
            if lines:
                out.append({"code": hall.code, "name": hall.name,
                            "name_en": hall.name_en, "lines": lines})  # fmt: skip
        return {"at": timezone.now().isoformat(), "halls": out}

    return cache.get_or_set(LIVE_CACHE_KEY, compute, LIVE_SECONDS)
