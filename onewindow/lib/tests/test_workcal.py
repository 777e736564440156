"""Tests for the legal working-day calendar and its CSV import (no Django)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from chinese_calendar import constants
from hypothesis import given, settings
from hypothesis import strategies as st

from onewindow.lib.workcal import (
    CSV_ERROR_CODES,
    CalendarCsvError,
    CalendarRow,
    DayResult,
    WorkCalendar,
    parse_calendar_csv,
)

CAL = WorkCalendar.from_chinese_calendar()

dates = st.dates(min_value=date(2004, 1, 1), max_value=date(2028, 12, 31))
counts = st.integers(min_value=0, max_value=60)
PROPERTY = settings(max_examples=300, deadline=None)


# --------------------------------------------------------------------- reference


# Independent copies of the official data, for the reference implementation.
HOLIDAYS = set(constants.holidays)
WORKDAYS = set(constants.workdays)


def ref_is_working(d: date) -> bool:
    if 2004 <= d.year <= 2026:
        return d in WORKDAYS or (d.weekday() < 5 and d not in HOLIDAYS)
    return d.weekday() < 5


def ref_add(start: date, n: int) -> tuple[date, frozenset[int]]:
    """Walk day by day; also collect the uncovered years walked over."""
    d = start
    missing: set[int] = set()
    while n > 0:
        d += timedelta(days=1)
        if not 2004 <= d.year <= 2026:
            missing.add(d.year)
        if ref_is_working(d):
            n -= 1
    return d, frozenset(missing)


def ref_between(start: date, end: date) -> int:
    count = 0
    d = start + timedelta(days=1)
    while d <= end:
        count += ref_is_working(d)
        d += timedelta(days=1)
    return count


# ------------------------------------- the known checks of docs/DOMAIN.md, section 1


def test_it_covers_the_official_years_of_chinesecalendar() -> None:
    assert CAL.covered_years == tuple(range(2004, 2027))
    assert CAL.covers(2026)
    assert not CAL.covers(2027)
    assert not CAL.covers(2003)


def test_it_adds_five_working_days_across_national_day_to_a_swapped_saturday() -> None:
    result = CAL.add_working_days(date(2026, 9, 28), 5)
    assert result == DayResult(date(2026, 10, 10), False, frozenset())
    assert date(2026, 10, 10).weekday() == 5  # a Saturday, worked


def test_it_knows_the_2026_national_day_holiday_and_swapped_days() -> None:
    for day in range(1, 8):
        assert not CAL.is_working_day(date(2026, 10, day))
    assert CAL.is_working_day(date(2026, 9, 20))  # Sunday, worked
    assert CAL.is_working_day(date(2026, 10, 10))  # Saturday, worked
    assert CAL.is_working_day(date(2026, 10, 8))
    assert not CAL.is_working_day(date(2026, 10, 11))  # ordinary Sunday


def test_it_knows_the_2026_spring_festival_holiday_and_swapped_days() -> None:
    for day in range(15, 24):
        assert not CAL.is_working_day(date(2026, 2, day))
    assert CAL.is_working_day(date(2026, 2, 14))  # Saturday, worked
    assert CAL.is_working_day(date(2026, 2, 28))  # Saturday, worked
    assert CAL.is_working_day(date(2026, 2, 24))


def test_it_returns_the_start_itself_for_zero_days_even_on_a_saturday() -> None:
    saturday = date(2026, 3, 7)
    assert not CAL.is_working_day(saturday)
    assert CAL.add_working_days(saturday, 0) == DayResult(saturday, False, frozenset())
    # Zero days walk over nothing, so even an uncovered year is not provisional.
    assert CAL.add_working_days(date(2027, 5, 1), 0).provisional is False


def test_it_does_not_count_the_start_day() -> None:
    monday = date(2026, 3, 9)
    assert CAL.add_working_days(monday, 1).value == date(2026, 3, 10)
    friday = date(2026, 3, 13)
    assert CAL.add_working_days(friday, 1).value == date(2026, 3, 16)


def test_it_adds_nothing_for_a_suspension_resumed_the_same_day() -> None:
    assert CAL.working_days_between(date(2026, 4, 1), date(2026, 4, 1)) == DayResult(
        0, False, frozenset()
    )


def test_it_counts_zero_when_end_is_before_start() -> None:
    assert CAL.working_days_between(date(2026, 4, 10), date(2026, 4, 1)).value == 0


def test_it_counts_suspension_days_excluding_the_suspension_day() -> None:
    # Suspended Tuesday 2026-09-29, resumed Saturday 10-10: 09-30, 10-08, 10-09, 10-10.
    result = CAL.working_days_between(date(2026, 9, 29), date(2026, 10, 10))
    assert result == DayResult(4, False, frozenset())


def test_it_marks_a_count_into_2027_provisional_and_uses_weekends_only() -> None:
    # 2026-12-25 is a Friday; 2026-12-28..31 are 4 days, then 2027-01-01 (Fri, no
    # official holiday data, so counted), 01-04..01-08.
    result = CAL.add_working_days(date(2026, 12, 25), 10)
    assert result.value == date(2027, 1, 8)
    assert result.provisional is True
    assert result.missing_years == frozenset({2027})


def test_it_counts_new_years_day_2027_as_working_but_provisional() -> None:
    result = CAL.add_working_days(date(2026, 12, 31), 1)
    assert result.value == date(2027, 1, 1)
    assert result.value.weekday() == 4
    assert result.provisional is True
    assert result.missing_years == frozenset({2027})
    assert CAL.is_working_day(date(2027, 1, 1))


def test_it_does_not_mark_2026_counts_that_stop_on_new_years_eve_provisional() -> None:
    result = CAL.add_working_days(date(2026, 12, 30), 1)
    assert result == DayResult(date(2026, 12, 31), False, frozenset())


def test_it_marks_a_between_count_touching_uncovered_years_provisional() -> None:
    result = CAL.working_days_between(date(2026, 12, 31), date(2028, 1, 3))
    assert result.provisional is True
    assert result.missing_years == frozenset({2027, 2028})
    assert result.value == ref_between(date(2026, 12, 31), date(2028, 1, 3))


def test_it_rejects_a_negative_count() -> None:
    with pytest.raises(ValueError):
        CAL.add_working_days(date(2026, 1, 5), -1)


def test_it_finds_the_next_working_day_on_or_after() -> None:
    assert CAL.next_working_day_on_or_after(date(2026, 10, 1)) == date(2026, 10, 8)
    assert CAL.next_working_day_on_or_after(date(2026, 10, 8)) == date(2026, 10, 8)
    assert CAL.next_working_day_on_or_after(date(2027, 1, 2)) == date(2027, 1, 4)


def test_it_ignores_rows_for_uncovered_years_and_lets_workdays_win() -> None:
    cal = WorkCalendar(
        holidays=[date(2030, 1, 1), date(2031, 1, 1), date(2030, 1, 2)],
        workdays=[date(2030, 1, 5), date(2030, 1, 2)],
        covered_years=[2030],
    )
    assert cal.covered_years == (2030,)
    assert not cal.is_working_day(date(2030, 1, 1))  # official holiday (Tuesday)
    assert cal.is_working_day(date(2030, 1, 2))  # in both sets: working
    assert cal.is_working_day(date(2030, 1, 5))  # swapped Saturday
    assert cal.is_working_day(date(2031, 1, 1))  # 2031 uncovered: row ignored
    assert cal.add_working_days(date(2029, 12, 31), 1) == DayResult(
        date(2030, 1, 2), False, frozenset()
    )


def test_it_extends_its_index_backwards_and_forwards_on_demand() -> None:
    cal = WorkCalendar.from_chinese_calendar()
    late = cal.add_working_days(date(2026, 9, 28), 5)
    early = cal.add_working_days(date(2004, 9, 28), 5)
    later = cal.add_working_days(date(2035, 1, 1), 600)
    assert late.value == date(2026, 10, 10)
    assert early.value == ref_add(date(2004, 9, 28), 5)[0]
    assert later.value == ref_add(date(2035, 1, 1), 600)[0]
    assert later.missing_years == frozenset({2035, 2036, 2037})
    # Earlier answers still hold after the index was rebuilt around them.
    assert cal.add_working_days(date(2026, 9, 28), 5) == late
    assert cal.working_days_between(date(2003, 12, 1), date(2004, 2, 1)).missing_years == {2003}


def test_it_builds_an_empty_calendar_as_weekdays_only() -> None:
    cal = WorkCalendar([], [], [])
    assert cal.covered_years == ()
    assert cal.add_working_days(date(2026, 10, 1), 1) == DayResult(
        date(2026, 10, 2), True, frozenset({2026})
    )


# -------------------------------------------------------------------- properties


@PROPERTY
@given(start=dates, n=counts)
def test_it_agrees_with_a_day_by_day_reference(start: date, n: int) -> None:
    expected, missing = ref_add(start, n)
    result = CAL.add_working_days(start, n)
    assert result.value == expected
    assert result.missing_years == missing
    assert result.provisional == bool(missing)


@PROPERTY
@given(start=dates, days=st.integers(min_value=-5, max_value=120))
def test_it_counts_between_like_the_reference(start: date, days: int) -> None:
    end = start + timedelta(days=days)
    assert CAL.working_days_between(start, end).value == ref_between(start, end)


@PROPERTY
@given(d=st.dates(min_value=date(2003, 1, 1), max_value=date(2029, 12, 31)))
def test_it_decides_working_days_like_the_reference(d: date) -> None:
    assert CAL.is_working_day(d) == ref_is_working(d)
    nxt = CAL.next_working_day_on_or_after(d)
    assert nxt >= d and ref_is_working(nxt)
    assert all(not ref_is_working(d + timedelta(days=i)) for i in range((nxt - d).days))


@PROPERTY
@given(start=dates, n=st.integers(min_value=1, max_value=60))
def test_it_lands_on_a_working_day_for_positive_counts(start: date, n: int) -> None:
    assert CAL.is_working_day(CAL.add_working_days(start, n).value)


@PROPERTY
@given(start=dates, n=counts)
def test_it_counts_back_the_days_it_added(start: date, n: int) -> None:
    end = CAL.add_working_days(start, n).value
    assert CAL.working_days_between(start, end).value == n


@PROPERTY
@given(start=dates, n=counts)
def test_it_is_strictly_monotonic_in_the_count(start: date, n: int) -> None:
    assert CAL.add_working_days(start, n).value < CAL.add_working_days(start, n + 1).value


@PROPERTY
@given(start=dates, a=st.integers(min_value=1, max_value=60), b=counts)
def test_it_composes_additions(start: date, a: int, b: int) -> None:
    # Holds for a > 0 because the intermediate result is then a working day; with
    # a == 0 from a non-working start it would not.
    first = CAL.add_working_days(start, a).value
    assert CAL.add_working_days(first, b).value == CAL.add_working_days(start, a + b).value


@PROPERTY
@given(
    start=dates,
    gap1=st.integers(min_value=0, max_value=90),
    gap2=st.integers(min_value=0, max_value=90),
)
def test_it_adds_up_consecutive_intervals(start: date, gap1: int, gap2: int) -> None:
    mid = start + timedelta(days=gap1)
    end = mid + timedelta(days=gap2)
    left = CAL.working_days_between(start, mid)
    right = CAL.working_days_between(mid, end)
    whole = CAL.working_days_between(start, end)
    assert left.value + right.value == whole.value
    assert left.missing_years | right.missing_years == whole.missing_years


# ---------------------------------------------------------------------- CSV import


def test_it_parses_a_valid_calendar_file() -> None:
    text = (
        "\ufeffdate,kind,name\n"
        "2027-10-01,holiday,国庆节\n"
        "2027-10-02,holiday,国庆节\n"
        "\n"
        "2027-09-26 , Workday , 国庆节\n"
        "2027-01-01,holiday\n"
    )
    assert parse_calendar_csv(text) == [
        CalendarRow(date(2027, 10, 1), "holiday", "国庆节"),
        CalendarRow(date(2027, 10, 2), "holiday", "国庆节"),
        CalendarRow(date(2027, 9, 26), "workday", "国庆节"),
        CalendarRow(date(2027, 1, 1), "holiday", ""),
    ]


def test_it_accepts_a_header_without_the_name_column() -> None:
    assert parse_calendar_csv("date,kind\n2027-10-02,holiday\n") == [
        CalendarRow(date(2027, 10, 2), "holiday", "")
    ]


def test_it_allows_a_holiday_on_a_weekend() -> None:
    rows = parse_calendar_csv("date,kind,name\n2027-10-02,holiday,国庆节\n")
    assert rows[0].day.weekday() == 5


def _errors(text: str) -> list[tuple[int, str, str]]:
    with pytest.raises(CalendarCsvError) as info:
        parse_calendar_csv(text)
    for _line, code, detail in info.value.errors:
        assert code in CSV_ERROR_CODES
        assert detail
    return info.value.errors


def _codes(text: str) -> list[tuple[int, str]]:
    return [(line, code) for line, code, _detail in _errors(text)]


def test_it_reports_a_bad_header() -> None:
    assert _codes("day,type,name\n2027-10-01,holiday,国庆节\n") == [(1, "bad_header")]


def test_it_reports_a_missing_header_as_bad_header() -> None:
    assert _codes("2027-10-01,holiday,国庆节\n") == [(1, "bad_header")]


def test_it_reports_an_empty_file() -> None:
    assert _codes("") == [(1, "empty")]
    assert _codes("\n  \n") == [(2, "empty")]
    assert [code for _line, code in _codes("date,kind,name\n")] == ["empty"]


@pytest.mark.parametrize("bad", ["2027-13-01", "2027-02-30", "27-10-01", "2027/10/01", ""])
def test_it_reports_a_bad_date(bad: str) -> None:
    assert _codes(f"date,kind,name\n{bad},holiday,x\n") == [(2, "bad_date")]


@pytest.mark.parametrize("bad", ["vacation", "", "休息"])
def test_it_reports_a_bad_kind(bad: str) -> None:
    assert _codes(f"date,kind,name\n2027-10-01,{bad},x\n") == [(2, "bad_kind")]


def test_it_reports_a_missing_kind_column() -> None:
    assert _codes("date,kind,name\n2027-10-01\n") == [(2, "bad_kind")]


def test_it_reports_a_duplicate_date_with_the_first_line() -> None:
    errors = _errors("date,kind,name\n2027-10-01,holiday,a\n2027-10-01,holiday,b\n")
    assert [(line, code) for line, code, _ in errors] == [(3, "duplicate_date")]
    assert "line 2" in errors[0][2]


def test_it_reports_a_workday_on_a_weekday() -> None:
    # 2027-10-04 is a Monday.
    assert _codes("date,kind,name\n2027-10-04,workday,国庆节\n") == [(2, "workday_not_weekend")]


def test_it_reports_too_many_columns() -> None:
    assert _codes("date,kind,name\n2027-10-01,holiday,国庆节,extra\n") == [(2, "bad_columns")]


def test_it_reports_every_error_at_once() -> None:
    text = (
        "date,kind,name\n"
        "2027-10-01,holiday,国庆节\n"  # 2 ok
        "2027-10-32,holiday,国庆节\n"  # 3 bad date
        "2027-10-02,day off,国庆节\n"  # 4 bad kind
        "2027-10-01,holiday,again\n"  # 5 duplicate
        "2027-10-06,workday,国庆节\n"  # 6 Wednesday workday
        "2027-10-09,workday,国庆节\n"  # 7 ok (Saturday)
        "oops,nope\n"  # 8 bad date and bad kind
    )
    assert _codes(text) == [
        (3, "bad_date"),
        (4, "bad_kind"),
        (5, "duplicate_date"),
        (6, "workday_not_weekend"),
        (8, "bad_date"),
        (8, "bad_kind"),
    ]


def test_it_is_a_value_error_with_a_readable_message() -> None:
    with pytest.raises(ValueError, match="line 3"):
        parse_calendar_csv("date,kind,name\n2027-10-01,holiday,x\nbad,holiday,x\n")


def test_it_never_imports_django() -> None:
    # The lib package is framework-free by contract; check in a clean interpreter.
    code = (
        "import sys, onewindow.lib, onewindow.lib.workcal, onewindow.lib.idnumbers;"
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[3]
    assert subprocess.run([sys.executable, "-c", code], cwd=root, check=False).returncode == 0


# ------------------------------------------------- fixed holidays of uncovered years


def test_statutory_holidays_follow_the_regulations():
    from onewindow.lib.statutory import statutory_holidays

    days = statutory_holidays(2027)
    assert len(days) == 13
    assert {date(2027, 1, 1), date(2027, 5, 1), date(2027, 5, 2), date(2027, 10, 3)} <= days
    # Lunar New Year's Eve to the 3rd day, Qingming, Duanwu, Mid-Autumn.
    assert {date(2027, 2, 5), date(2027, 2, 8), date(2027, 4, 5)} <= days
    assert {date(2027, 6, 9), date(2027, 9, 15)} <= days
    # 2026's, as the State Council published them, include these days.
    assert {date(2026, 2, 16), date(2026, 4, 5), date(2026, 9, 25)} <= statutory_holidays(2026)


def test_a_provisional_count_leaves_out_the_fixed_holidays():
    from onewindow.lib.statutory import statutory_holidays

    cal = WorkCalendar([], [], covered_years=[2026], fixed_holidays=statutory_holidays)
    # 2026-12-20 + 10 working days: 1 January 2027 is a holiday even before 2027's
    # calendar is published.
    r = cal.add_working_days(date(2026, 12, 20), 10)
    assert (r.value, r.provisional, r.missing_years) == (date(2027, 1, 4), True, {2027})
    assert not cal.is_working_day(date(2027, 10, 1))
    bare = WorkCalendar([], [], covered_years=[2026])
    assert bare.add_working_days(date(2026, 12, 20), 10).value == date(2027, 1, 1)
