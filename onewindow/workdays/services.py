"""The calendar the rest of the platform counts with, and the writes that change it.

Every part of the platform (cases, complaints, follow-ups, reports) gets its calendar from
`get_calendar()` so that all of them count alike.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone

from onewindow.audit.services import record
from onewindow.lib.statutory import statutory_holidays
from onewindow.lib.workcal import CalendarRow, WorkCalendar, parse_calendar_csv

from .models import CalendarDay, CalendarYear

# Another process (the worker, another web worker) may change the calendar; re-read the
# tables at most this often. Changes made in this process invalidate at once.
CACHE_SECONDS = 30

_lock = threading.Lock()
_cache: dict[str, object] = {"calendar": None, "checked": 0.0, "stamp": None}


def _stamp() -> tuple:
    years = list(CalendarYear.objects.order_by("year").values_list("year", "updated_at"))
    return (tuple(years), CalendarDay.objects.count())


def _build() -> WorkCalendar:
    holidays, workdays = [], []
    for day, kind in CalendarDay.objects.values_list("day", "kind"):
        (holidays if kind == CalendarDay.Kind.HOLIDAY else workdays).append(day)
    years = CalendarYear.objects.values_list("year", flat=True)
    return WorkCalendar(
        holidays=holidays,
        workdays=workdays,
        covered_years=years,
        fixed_holidays=statutory_holidays,
    )


def get_calendar() -> WorkCalendar:
    """The legal working-day calendar, cached per process."""
    now = time.monotonic()
    with _lock:
        cal = _cache["calendar"]
        if cal is not None and now - _cache["checked"] < CACHE_SECONDS:
            return cal
        stamp = _stamp()
        if cal is None or stamp != _cache["stamp"]:
            cal = _build()
            _cache["calendar"], _cache["stamp"] = cal, stamp
        _cache["checked"] = now
        return cal


def invalidate_calendar() -> None:
    with _lock:
        _cache["calendar"] = None
        _cache["stamp"] = None


def covered_years() -> list[int]:
    return list(CalendarYear.objects.order_by("year").values_list("year", flat=True))


def missing_upcoming_years(today: date | None = None) -> list[int]:
    """This year and next year when they have no official data (shown to administrators)."""
    today = today or timezone.localdate()
    covered = set(covered_years())
    return [y for y in (today.year, today.year + 1) if y not in covered]


def save_year(
    *,
    actor,
    year: int,
    rows: Iterable[CalendarRow],
    source: str,
    notice: str = "",
    request=None,
) -> CalendarYear:
    """Replace the official arrangement of one year (all its holidays and swapped days)."""
    rows = list(rows)
    for row in rows:
        if row.day.year != year:
            raise ValueError(f"{row.day} is not in {year}")
    with transaction.atomic():
        existing = CalendarYear.objects.select_for_update().filter(year=year).first()
        before = None
        if existing is not None:
            before = {
                "source": existing.source,
                "days": _describe(CalendarDay.objects.filter(day__year=year)),
            }
        CalendarDay.objects.filter(day__year=year).delete()
        CalendarDay.objects.bulk_create(
            CalendarDay(day=row.day, kind=row.kind, name=row.name) for row in rows
        )
        cal_year, _created = CalendarYear.objects.update_or_create(
            year=year, defaults={"source": source, "notice": notice}
        )
        record(
            actor=actor,
            action="calendar.year_saved",
            obj=cal_year,
            before=before,
            after={"source": source, "notice": notice, "days": _describe_rows(rows)},
            request=request,
        )
        # Forget the cached calendar now (this process) and again after commit (so a
        # rebuild that raced with the transaction is thrown away too).
        invalidate_calendar()
        transaction.on_commit(invalidate_calendar)
    return cal_year


def import_csv(*, actor, text: str, notice: str = "", request=None) -> list[CalendarYear]:
    """Import a CSV of holidays and swapped days; every year present is replaced.

    Raises CalendarCsvError listing every bad line; nothing is written then.
    """
    rows = parse_calendar_csv(text)
    by_year: dict[int, list[CalendarRow]] = defaultdict(list)
    for row in rows:
        by_year[row.day.year].append(row)
    with transaction.atomic():
        return [
            save_year(
                actor=actor,
                year=year,
                rows=year_rows,
                source=CalendarYear.Source.CSV,
                notice=notice,
                request=request,
            )
            for year, year_rows in sorted(by_year.items())
        ]


def _describe(days) -> list[str]:
    return [f"{d.day.isoformat()} {d.kind} {d.name}".strip() for d in days.order_by("day")]


def _describe_rows(rows: list[CalendarRow]) -> list[str]:
    return [
        f"{r.day.isoformat()} {r.kind} {r.name}".strip() for r in sorted(rows, key=lambda r: r.day)
    ]
