"""Satisfaction figures (满意度统计) counted from the ratings, in the database.

The satisfaction rate is (非常满意 + 满意 + 基本满意) / all ratings of the period; both
numbers are kept beside the rate so that a report can add periods up without averaging
rates. Bad ratings are 不满意 and 非常不满意 (`models.BAD_LEVELS`). A rating counts in the
month it was given (`rated_at`, Asia/Shanghai), which the (hall, rated_at) and
(staff, rated_at) indexes serve. Each breakdown is one GROUP BY query with a conditional
count per level; nothing is counted in Python row by row.

The share of acts rated compares the ratings of the acts served in the period with the
service acts themselves (`services.service_acts()`, found through the events' (kind, at)
index), per hall.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from fractions import Fraction

from django.core.cache import cache
from django.db.models import Count, Max, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import get_language

from .models import BAD_LEVELS, Level, Rating
from .services import service_acts

# Highest first, as the levels are shown (非常满意 … 非常不满意).
LEVELS: tuple[int, ...] = tuple(sorted(Level.values, reverse=True))
SATISFIED_LEVELS = frozenset(LEVELS) - frozenset(BAD_LEVELS)
CACHE_SECONDS = 600


@dataclass(frozen=True)
class Figures:
    """The ratings of one group (a hall, a window, a staff member, a month…)."""

    levels: dict[int, int] = field(default_factory=dict)  # level -> count
    acts: int | None = None  # service acts of the period (halls only)
    acts_rated: int | None = None  # how many of those acts were rated

    @property
    def ratings(self) -> int:
        return sum(self.levels.values())

    @property
    def satisfied(self) -> int:
        return sum(n for level, n in self.levels.items() if level in SATISFIED_LEVELS)

    @property
    def bad(self) -> int:
        return sum(n for level, n in self.levels.items() if level in BAD_LEVELS)

    @property
    def rate(self) -> Fraction | None:
        """Satisfied / all; None without ratings (no rate, rather than 0 or 100 %)."""
        return Fraction(self.satisfied, self.ratings) if self.ratings else None

    @property
    def percent(self) -> float | None:
        return None if self.rate is None else round(float(self.rate) * 100, 1)

    @property
    def rated_percent(self) -> float | None:
        if not self.acts or self.acts_rated is None:
            return None
        return round(100 * self.acts_rated / self.acts, 1)

    def level_counts(self) -> list[tuple[int, int]]:
        """(level, count) for every level, highest first, zeros included."""
        return [(level, self.levels.get(level, 0)) for level in LEVELS]

    def level_percents(self) -> list[float]:
        total = self.ratings
        return [round(100 * n / total, 1) if total else 0.0 for _l, n in self.level_counts()]

    def __add__(self, other: Figures) -> Figures:
        levels = dict(self.levels)
        for level, n in other.levels.items():
            levels[level] = levels.get(level, 0) + n
        return Figures(
            levels=levels,
            acts=_plus(self.acts, other.acts),
            acts_rated=_plus(self.acts_rated, other.acts_rated),
        )


def _plus(a: int | None, b: int | None) -> int | None:
    return None if a is None and b is None else (a or 0) + (b or 0)


def total(figures) -> Figures:
    out = Figures()
    for f in figures:
        out = out + f
    return out


# ------------------------------------------------------------------------ months


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def parse_month(text: str) -> dt.date | None:
    """The first day of the month written YYYY-MM (years 2000–2100), or None."""
    m = re.match(r"^(\d{4})-(\d{2})$", (text or "").strip())
    if not m:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return dt.date(year, month, 1)


@dataclass(frozen=True)
class MonthRange:
    """Whole months from ``first`` to ``last`` (both the first day of their month)."""

    first: dt.date
    last: dt.date

    @classmethod
    def ending(cls, last: dt.date, months: int = 12) -> MonthRange:
        last = month_start(last)
        return cls(add_months(last, -(months - 1)), last)

    @classmethod
    def default(cls, today: dt.date | None = None) -> MonthRange:
        """The last twelve months, this one included."""
        return cls.ending(today or timezone.localdate())

    @property
    def start(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.first, dt.time.min))

    @property
    def end(self) -> dt.datetime:
        """The start of the month after ``last`` (excluded)."""
        return timezone.make_aware(dt.datetime.combine(add_months(self.last, 1), dt.time.min))

    def months(self) -> list[dt.date]:
        out, month = [], self.first
        while month <= self.last:
            out.append(month)
            month = add_months(month, 1)
        return out

    def key(self) -> str:
        return f"{self.first:%Y-%m}..{self.last:%Y-%m}"


# ------------------------------------------------------------------------ counting


def _level_counts() -> dict:
    return {f"l{level}": Count("id", filter=Q(level=level)) for level in LEVELS}


def _figures(row: dict) -> Figures:
    return Figures(levels={level: row[f"l{level}"] for level in LEVELS if row[f"l{level}"]})


def local_month(value) -> dt.date:
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date().replace(day=1)
    return value.replace(day=1)


def ratings_in(period: MonthRange, queryset=None):
    """The ratings given in the period (``queryset``: already scoped, e.g. `visible_to`)."""
    qs = Rating.objects.all() if queryset is None else queryset
    return qs.filter(rated_at__gte=period.start, rated_at__lt=period.end).order_by()


def grouped(queryset, *fields: str) -> dict:
    """Figures per value of ``fields`` (one GROUP BY query): {value or tuple: Figures}."""
    rows = queryset.order_by().values(*fields).annotate(**_level_counts())
    out = {}
    for row in rows:
        key = row[fields[0]] if len(fields) == 1 else tuple(row[f] for f in fields)
        out[key] = _figures(row)
    return out


def overall(queryset) -> Figures:
    """Figures of the whole queryset (one query)."""
    return _figures(queryset.order_by().aggregate(**_level_counts()))


def monthly(queryset, period: MonthRange, by: str | None = None) -> dict:
    """Figures per month of the period, every month present (empty ones too): one GROUP BY
    query. With ``by`` (a field such as "hall_id"): {value: {month: Figures}}."""
    qs = queryset.order_by().annotate(month=TruncMonth("rated_at"))
    fields = ["month"] + ([by] if by else [])
    rows = qs.values(*fields).annotate(**_level_counts())
    counted: dict = {}
    for row in rows:
        month = local_month(row["month"])
        key = row[by] if by else None
        per = counted.setdefault(key, {})
        per[month] = per.get(month, Figures()) + _figures(row)
    months = period.months()
    filled = {key: {m: per.get(m, Figures()) for m in months} for key, per in counted.items()}
    if by:
        return filled
    return filled.get(None, {m: Figures() for m in months})


def acts_by_hall(period: MonthRange, hall_ids=None) -> dict[int, tuple[int, int]]:
    """Per hall: (service acts served in the period, how many of them were rated).

    Two GROUP BY queries: the acts through the events' (kind, at) index, the ratings of
    the acts of the same period by ``act_at``."""
    events = service_acts().filter(at__gte=period.start, at__lt=period.end)
    rated = Rating.objects.filter(
        event__isnull=False, act_at__gte=period.start, act_at__lt=period.end
    )
    if hall_ids is not None:
        events = events.filter(hall_id__in=hall_ids)
        rated = rated.filter(hall_id__in=hall_ids)
    acts = dict(events.order_by().values_list("hall_id").annotate(n=Count("id")))
    ratings = dict(rated.order_by().values_list("hall_id").annotate(n=Count("id")))
    return {hall: (n, ratings.get(hall, 0)) for hall, n in acts.items()}


def with_acts(figures: dict, acts: dict) -> dict:
    """``figures`` per hall with the hall's acts and rated acts set (every hall in either)."""
    out = {}
    for hall in set(figures) | set(acts):
        f = figures.get(hall, Figures())
        n, rated = acts.get(hall, (0, 0))
        out[hall] = Figures(levels=f.levels, acts=n, acts_rated=rated)
    return out


# ------------------------------------------------------------------------ caching


def data_stamp() -> tuple:
    """What changes whenever a figure may change: ratings are only ever added (never
    edited or deleted), so the last rating's id; and the last event's, for the acts. Two
    index lookups."""
    from onewindow.cases.models import CaseEvent

    return (
        Rating.objects.aggregate(m=Max("id"))["m"],
        CaseEvent.objects.aggregate(m=Max("id"))["m"],
    )


def cached(name: str, parts: tuple, compute):
    """``compute()`` kept in Django's cache under a key made of ``parts``, the language
    and the data stamp (a new rating or event gives a new key)."""
    raw = repr((name, parts, get_language(), data_stamp()))
    key = f"ratings:satisfaction:{name}:" + hashlib.sha256(raw.encode()).hexdigest()
    return cache.get_or_set(key, compute, CACHE_SECONDS)
