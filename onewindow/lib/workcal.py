"""Legal working-day (工作日) arithmetic for time limits.

The rules (docs/DOMAIN.md, section 1, "Working days and the legal calendar"):

* A working day is a Monday-to-Friday that is not an official holiday, or a weekend
  day that the State Council declared a working day (调休).
* Official data exists only for some years (``covered_years``). In any other year the
  calendar falls back to "Monday to Friday, less the holidays the regulations fix"
  (``fixed_holidays``, see ``statutory.py``) and every result that walked over such a
  year is flagged ``provisional`` with the years listed in ``missing_years``: the
  platform never guesses silently.
* The due date of an N-day limit is the N-th working day *after* the start date (the
  start date is not counted); N = 0 is the start date itself, even on a Saturday.
* A suspension from S to R adds the number of working days d with S < d <= R.

Speed matters (a simulated year is ~910,000 cases), so the calendar keeps a prefix
sum of working days indexed by date ordinal and answers with one ``bisect`` or two
array look-ups instead of walking day by day. The index is built lazily, whole years
at a time, and replaced copy-on-write so concurrent readers never see it half-built.

This module must not import Django.
"""

from __future__ import annotations

import csv
import io
import re
import threading
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

__all__ = [
    "CSV_ERROR_CODES",
    "CalendarCsvError",
    "CalendarRow",
    "DayResult",
    "WorkCalendar",
    "parse_calendar_csv",
]

_EMPTY_YEARS: frozenset[int] = frozenset()
_MAX_ORDINAL = date.max.toordinal()


@dataclass(frozen=True)
class DayResult:
    """A calendar answer plus how far it can be trusted.

    ``value`` is a date (for :meth:`WorkCalendar.add_working_days`) or a count (for
    :meth:`WorkCalendar.working_days_between`). ``provisional`` is true when any year
    the computation walked over has no official holiday data; those years are in
    ``missing_years``.
    """

    value: date | int
    provisional: bool
    missing_years: frozenset[int]


class WorkCalendar:
    """Working-day calendar built from official holidays and swapped working days.

    ``holidays`` are the official days off (they may include weekend days inside a
    holiday span; those are off anyway). ``workdays`` are the weekend days declared
    working days. Both only take effect inside ``covered_years``: rows for any other
    year are ignored, because a year the administrator has not published yet must be
    treated as unknown (weekends only, provisional) rather than half-known. A date in
    both sets counts as a working day. ``fixed_holidays(year)``, when given, names the
    days off that are certain in a year without official data (the fixed statutory
    holidays); only the swapped days stay unknown there.
    """

    # Guess at working days per year, used only to size forward extensions of the
    # index; any positive lower bound works (a year has ~250, never fewer than 104
    # weekdays minus at most a few dozen holidays).
    _MIN_WORKDAYS_PER_YEAR = 200

    def __init__(
        self,
        holidays: Iterable[date],
        workdays: Iterable[date],
        covered_years: Iterable[int],
        fixed_holidays: Callable[[int], Iterable[date]] | None = None,
    ) -> None:
        self._covered: frozenset[int] = frozenset(int(y) for y in covered_years)
        self._covered_sorted: tuple[int, ...] = tuple(sorted(self._covered))
        covered = self._covered
        self._holidays: frozenset[int] = frozenset(
            d.toordinal() for d in holidays if d.year in covered
        )
        self._workdays: frozenset[int] = frozenset(
            d.toordinal() for d in workdays if d.year in covered
        )
        # (first ordinal indexed, prefix sums). prefix[i] = number of working days
        # with ordinal in [lo, lo + i). Replaced as a whole tuple (never mutated in
        # place) so readers need no lock; writers serialise on _lock.
        self._index: tuple[int, array[int]] | None = None
        self._lock = threading.Lock()
        self._fixed_holidays = fixed_holidays
        self._fixed: dict[int, frozenset[int]] = {}

    # ------------------------------------------------------------------ building

    def _fixed_in(self, year: int) -> frozenset[int]:
        """Ordinals of the fixed holidays of an uncovered year."""
        fixed = self._fixed.get(year)
        if fixed is None:
            days = self._fixed_holidays(year) if self._fixed_holidays else ()
            fixed = frozenset(d.toordinal() for d in days if d.year == year)
            self._fixed[year] = fixed
        return fixed

    @classmethod
    def from_chinese_calendar(cls) -> WorkCalendar:
        """Build the calendar from the ``chinesecalendar`` package's official data.

        Covered years are every year from the first to the last year present in the
        package data (2004..2026 for chinesecalendar 1.11).
        """
        from chinese_calendar import constants  # local import: only needed here

        holidays = list(constants.holidays)
        workdays = list(constants.workdays)
        years = [d.year for d in holidays] + [d.year for d in workdays]
        covered = range(min(years), max(years) + 1) if years else range(0)
        return cls(holidays, workdays, covered)

    def covers(self, year: int) -> bool:
        """Whether official holiday data exists for ``year``."""
        return year in self._covered

    @property
    def covered_years(self) -> tuple[int, ...]:
        """The years with official data, sorted."""
        return self._covered_sorted

    def __repr__(self) -> str:
        years = self._covered_sorted
        span = f"{years[0]}..{years[-1]}" if years else "none"
        return f"<WorkCalendar covered={span} ({len(years)} years)>"

    # ------------------------------------------------------------------- queries

    def is_working_day(self, d: date) -> bool:
        """Whether ``d`` is a legal working day (weekends only in uncovered years)."""
        return self._is_working_ordinal(d.toordinal(), d.year)

    def _is_working_ordinal(self, o: int, year: int) -> bool:
        if year in self._covered:
            if o in self._workdays:
                return True
            return (o - 1) % 7 < 5 and o not in self._holidays
        # date(1, 1, 1) has ordinal 1 and is a Monday, so (o - 1) % 7 is weekday().
        return (o - 1) % 7 < 5 and o not in self._fixed_in(year)

    def add_working_days(self, start: date, n: int) -> DayResult:
        """Return the ``n``-th working day after ``start`` (``start`` not counted).

        ``n == 0`` returns ``start`` itself even when it is not a working day (an
        immediate case accepted on a Saturday is due that Saturday). The result is
        provisional when any day strictly after ``start`` up to the result lies in
        a year without official data.
        """
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        if n == 0:
            return DayResult(start, False, _EMPTY_YEARS)
        s = start.toordinal()
        while True:
            # Re-read after extending: the index (and its `lo`) may have changed.
            lo, prefix = self._index_for(s + 1, s + 1)
            target = prefix[s + 1 - lo] + n
            if prefix[-1] >= target:
                break
            self._extend_forward(target - prefix[-1])
        # Smallest i with prefix[i] >= target: day lo + i - 1 is the target-th
        # working day counted from the start of the index.
        i = bisect_left(prefix, target, s + 1 - lo)
        end = lo + i - 1
        return DayResult(date.fromordinal(end), *self._missing(s, end))

    def working_days_between(self, start: date, end: date) -> DayResult:
        """Count working days ``d`` with ``start < d <= end`` (0 when end <= start).

        This is what a suspension from ``start`` (suspended) to ``end`` (resumed)
        adds to a due date.
        """
        s = start.toordinal()
        e = end.toordinal()
        if e <= s:
            return DayResult(0, False, _EMPTY_YEARS)
        lo, prefix = self._index_for(s + 1, e + 1)
        count = prefix[e + 1 - lo] - prefix[s + 1 - lo]
        return DayResult(count, *self._missing(s, e))

    def next_working_day_on_or_after(self, d: date) -> date:
        """The first working day on or after ``d`` (``d`` itself if it is one)."""
        o = d.toordinal()
        if self._is_working_ordinal(o, d.year):
            return d
        while True:
            lo, prefix = self._index_for(o, o)
            target = prefix[o - lo] + 1
            if prefix[-1] >= target:
                break
            self._extend_forward(1)
        i = bisect_left(prefix, target, o - lo)
        return date.fromordinal(lo + i - 1)

    # ------------------------------------------------------------------ internals

    def _missing(self, s: int, e: int) -> tuple[bool, frozenset[int]]:
        """Uncovered years among the days with ordinal in (s, e]; requires s < e."""
        y0 = date.fromordinal(s + 1).year
        y1 = date.fromordinal(e).year
        covered = self._covered
        if y0 == y1:  # the common case: stay within one year
            return (False, _EMPTY_YEARS) if y0 in covered else (True, frozenset((y0,)))
        missing = frozenset(y for y in range(y0, y1 + 1) if y not in covered)
        return bool(missing), missing

    def _index_for(self, first: int, last: int) -> tuple[int, array[int]]:
        """Return an index whose prefix sums can be read at ordinals first..last.

        ``prefix[x - lo]`` must exist for x in [first, last], i.e. the index must
        cover days lo .. last - 1 and ``lo <= first``.
        """
        index = self._index
        if index is not None:
            lo, prefix = index
            if lo <= first and last <= lo + len(prefix) - 1:
                return index
        # x == last needs day last - 1 indexed; day `first` keeps the start year in.
        return self._extend(min(first, last - 1), max(last - 1, first))

    def _extend_forward(self, more: int) -> None:
        """Extend the index forward by enough whole years for ~``more`` workdays."""
        index = self._index
        assert index is not None
        lo, prefix = index
        hi = lo + len(prefix) - 1  # first ordinal not indexed
        if hi > _MAX_ORDINAL:
            raise OverflowError("working-day count runs past date.max")
        years = more // self._MIN_WORKDAYS_PER_YEAR + 1
        last_year = min(date.fromordinal(hi).year + years - 1, date.max.year)
        self._extend(hi, date(last_year, 12, 31).toordinal())

    def _extend(self, first_day: int, last_day: int) -> tuple[int, array[int]]:
        """Make the index cover days first_day..last_day, in whole years."""
        first_day = max(first_day, 1)
        if last_day > _MAX_ORDINAL:
            raise OverflowError("date out of range for the working-day index")
        with self._lock:
            index = self._index
            want_lo = date(date.fromordinal(first_day).year, 1, 1).toordinal()
            want_hi = date(date.fromordinal(last_day).year, 12, 31).toordinal() + 1
            if index is None:
                lo, hi = want_lo, want_hi
                prefix = array("q", [0])
                self._append_days(prefix, lo, hi)
            else:
                old_lo, old_prefix = index
                old_hi = old_lo + len(old_prefix) - 1
                lo, hi = min(old_lo, want_lo), max(old_hi, want_hi)
                if lo == old_lo and hi == old_hi:
                    return index  # another thread already extended it
                prefix = array("q", [0])
                if lo < old_lo:
                    self._append_days(prefix, lo, old_lo)
                base = prefix[-1]
                if base:
                    prefix.extend(c + base for c in old_prefix[1:])
                else:
                    prefix.extend(old_prefix[1:])
                if hi > old_hi:
                    self._append_days(prefix, old_hi, hi)
            new_index = (lo, prefix)
            self._index = new_index
            return new_index

    def _append_days(self, prefix: array[int], start: int, stop: int) -> None:
        """Append prefix sums for days with ordinal in [start, stop)."""
        count = prefix[-1]
        covered = self._covered
        holidays = self._holidays
        workdays = self._workdays
        o = start
        while o < stop:
            year = date.fromordinal(o).year
            year_end = min(date(year, 12, 31).toordinal() + 1, stop)
            if year in covered:
                for x in range(o, year_end):
                    if x in workdays or ((x - 1) % 7 < 5 and x not in holidays):
                        count += 1
                    prefix.append(count)
            else:
                fixed = self._fixed_in(year)
                for x in range(o, year_end):
                    if (x - 1) % 7 < 5 and x not in fixed:
                        count += 1
                    prefix.append(count)
            o = year_end


# ---------------------------------------------------------------------------
# CSV import of a newly published year
# ---------------------------------------------------------------------------

#: Every error code :func:`parse_calendar_csv` can report; stable, for translation.
CSV_ERROR_CODES: tuple[str, ...] = (
    "empty",  # no header, or a header and no data rows
    "bad_header",  # first row is not date,kind[,name]
    "bad_columns",  # a data row with more than three columns
    "bad_date",  # not a real date written YYYY-MM-DD
    "bad_kind",  # kind is missing or not holiday/workday
    "duplicate_date",  # the same date on two rows
    "workday_not_weekend",  # a swapped working day on Mon-Fri is already a workday
)

_KINDS = ("holiday", "workday")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class CalendarRow:
    """One row of an administrator's calendar file."""

    day: date
    kind: str  # "holiday" or "workday"
    name: str  # e.g. 国庆节; may be empty


class CalendarCsvError(ValueError):
    """A calendar file with errors; ``errors`` lists every one of them.

    Each error is ``(line_no, code, detail)``: the 1-based line of the file (the
    header is line 1), a stable code from :data:`CSV_ERROR_CODES` and an English
    detail for logs and as a fallback message.
    """

    def __init__(self, errors: list[tuple[int, str, str]]) -> None:
        self.errors = errors
        summary = "; ".join(f"line {line}: {detail}" for line, _code, detail in errors)
        super().__init__(f"{len(errors)} error(s) in calendar file: {summary}")


def parse_calendar_csv(text: str) -> list[CalendarRow]:
    """Parse ``date,kind,name`` rows; raise one :class:`CalendarCsvError` for all errors.

    The header row is required (case and surrounding spaces ignored; the ``name``
    column may be left out). Blank lines are skipped, a UTF-8 byte-order mark (as
    Excel writes) is ignored. A ``holiday`` on a weekend is fine (holiday spans cover
    weekends); a ``workday`` on Monday-Friday is rejected, because a swapped working
    day is always a weekend day and a weekday there is almost surely a typo.
    """
    text = text.removeprefix("\ufeff")
    errors: list[tuple[int, str, str]] = []
    rows: list[CalendarRow] = []
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    seen: dict[date, int] = {}
    for fields in reader:
        line = reader.line_num
        cells = [c.strip() for c in fields]
        if not any(cells):
            continue  # blank line
        if header is None:
            header = [c.lower() for c in cells]
            if header not in (["date", "kind", "name"], ["date", "kind"]):
                # Without a sound header the columns cannot be trusted: stop here.
                raise CalendarCsvError(
                    [
                        (
                            line,
                            "bad_header",
                            f"expected header 'date,kind,name', got {','.join(cells)!r}",
                        )
                    ]
                )
            continue
        if len(cells) > 3:
            errors.append((line, "bad_columns", f"expected at most 3 columns, got {len(cells)}"))
            continue
        raw_date = cells[0]
        raw_kind = cells[1].lower() if len(cells) > 1 else ""
        name = cells[2] if len(cells) > 2 else ""

        day: date | None = None
        if _DATE_RE.fullmatch(raw_date):
            try:
                day = date.fromisoformat(raw_date)
            except ValueError:
                day = None
        if day is None:
            errors.append((line, "bad_date", f"{raw_date!r} is not a date YYYY-MM-DD"))

        kind_ok = raw_kind in _KINDS
        if not kind_ok:
            detail = (
                "kind is missing"
                if not raw_kind
                else f"kind {raw_kind!r} is not 'holiday' or 'workday'"
            )
            errors.append((line, "bad_kind", detail))

        if day is not None:
            if day in seen:
                errors.append(
                    (
                        line,
                        "duplicate_date",
                        f"{day.isoformat()} already given on line {seen[day]}",
                    )
                )
                continue
            seen[day] = line
            if kind_ok and raw_kind == "workday" and day.weekday() < 5:
                errors.append(
                    (
                        line,
                        "workday_not_weekend",
                        f"{day.isoformat()} is a {day.strftime('%A')}; "
                        "a swapped working day must fall on a weekend",
                    )
                )
                continue
        if day is not None and kind_ok:
            rows.append(CalendarRow(day=day, kind=raw_kind, name=name))
    if header is None or (not rows and not errors):
        errors.append((max(reader.line_num, 1), "empty", "the file has no calendar rows"))
    if errors:
        raise CalendarCsvError(errors)
    return rows
