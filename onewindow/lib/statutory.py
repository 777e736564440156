"""The public holidays fixed by the national holiday regulations (全国年节及纪念日放假办法,
as revised in 2024, in force from 2025), for years whose official calendar is not yet
published.

The State Council publishes each year's calendar, with the swapped working days (调休),
only in the autumn before. Until then the dates of the holidays themselves are known from
the regulations: 元旦 1 January; 春节 New Year's Eve and the first three days of the
lunar year; 清明 the day of the Qingming solar term; 劳动节 1 and 2 May; 端午 the 5th
day of the 5th lunar month; 中秋 the 15th day of the 8th lunar month; 国庆 1 to 3
October. A count over such a year leaves them out and stays provisional, as only the
swapped days are unknown. Lunar dates and the solar term come from lunar-python.

This module must not import Django.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

__all__ = ["statutory_holidays"]


@cache
def statutory_holidays(year: int) -> frozenset[date]:
    """The days off the regulations fix for ``year`` (weekend days included)."""
    from lunar_python import Lunar  # local import: only needed for uncovered years

    def solar(month: int, day: int) -> date:
        s = Lunar.fromYmd(year, month, day).getSolar()
        return date(s.getYear(), s.getMonth(), s.getDay())

    new_year = solar(1, 1)
    qingming = Lunar.fromYmd(year, 3, 1).getJieQiTable()["清明"]
    days = {
        date(year, 1, 1),
        *(new_year + timedelta(days=i) for i in range(-1, 3)),
        date(qingming.getYear(), qingming.getMonth(), qingming.getDay()),
        date(year, 5, 1),
        date(year, 5, 2),
        solar(5, 5),
        solar(8, 15),
        date(year, 10, 1),
        date(year, 10, 2),
        date(year, 10, 3),
    }
    return frozenset(d for d in days if d.year == year)
