"""Satisfaction figures against ratings counted by hand."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
import time_machine

from onewindow.cases.tests.factories import at
from onewindow.factories import make_window
from onewindow.ratings import services, statistics
from onewindow.ratings.models import Channel, Rating
from onewindow.ratings.statistics import Figures, MonthRange
from onewindow.ratings.stats_views import PeriodForm

from .factories import accepted, immediate_service

JAN, FEB, MAR = dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)
Q1 = MonthRange(JAN, MAR)


def rating(hall, level, when, *, window=None, staff=None):
    """A rating row as the service leaves it (the figures read nothing else)."""
    return Rating.objects.create(
        hall=hall,
        window=window,
        staff=staff,
        level=level,
        act="concluded",
        act_at=when,
        rated_at=when,
        channel=Channel.WINDOW,
    )


@pytest.fixture
def rated(personas):
    """By hand: the vehicle hall (CG) has, in January, 5 5 4 3 2 at window 1 by the clerk
    (the last one at 23:30 on 31 January, Shanghai time: still January); in February 1 5
    at window 2 by the handler (the first at 00:10 on 1 February: February, although
    still January in UTC). The civil-affairs hall (MZ) has 4 2 in January. One rating of
    December 2024 and one of April 2025 lie outside the quarter."""
    p = personas
    w1, w2 = p.window, make_window(p.hall, 2, p.department)
    for level, day, hour, minute in ((5, 3, 10, 0), (5, 8, 9, 0), (4, 9, 15, 0), (3, 20, 11, 0)):
        rating(p.hall, level, at(f"2025-01-{day:02d}", hour, minute), window=w1, staff=p.clerk)
    rating(p.hall, 2, at("2025-01-31", 23, 30), window=w1, staff=p.clerk)
    rating(p.hall, 1, at("2025-02-01", 0, 10), window=w2, staff=p.handler)
    rating(p.hall, 5, at("2025-02-14"), window=w2, staff=p.handler)
    rating(p.other_hall, 4, at("2025-01-05"), staff=p.outsider)
    rating(p.other_hall, 2, at("2025-01-06"), staff=p.outsider)
    rating(p.hall, 1, at("2024-12-31", 23, 0), window=w1, staff=p.clerk)
    rating(p.hall, 1, at("2025-04-01", 0, 0), window=w1, staff=p.clerk)
    return w1, w2


def test_it_counts_each_hall_by_level(personas, rated):
    per_hall = statistics.grouped(statistics.ratings_in(Q1), "hall_id")
    cg, mz = per_hall[personas.hall.pk], per_hall[personas.other_hall.pk]
    assert cg.level_counts() == [(5, 3), (4, 1), (3, 1), (2, 1), (1, 1)]
    assert (cg.ratings, cg.satisfied, cg.bad) == (7, 5, 2)
    assert cg.rate == Fraction(5, 7)
    assert cg.percent == 71.4
    assert (mz.ratings, mz.satisfied, mz.bad, mz.percent) == (2, 1, 1, 50.0)
    assert set(per_hall) == {personas.hall.pk, personas.other_hall.pk}


def test_it_counts_months_in_shanghai_time_and_fills_empty_months(personas, rated):
    ratings = statistics.ratings_in(Q1, Rating.objects.filter(hall=personas.hall))
    months = statistics.monthly(ratings, Q1)
    assert list(months) == [JAN, FEB, MAR]
    assert months[JAN].level_counts() == [(5, 2), (4, 1), (3, 1), (2, 1), (1, 0)]
    assert (months[FEB].ratings, months[FEB].satisfied, months[FEB].bad) == (2, 1, 1)
    assert months[MAR] == Figures() and months[MAR].rate is None and months[MAR].percent is None


def test_it_counts_months_per_hall_in_one_query(personas, rated, django_assert_num_queries):
    with django_assert_num_queries(1):
        per = statistics.monthly(statistics.ratings_in(Q1), Q1, by="hall_id")
    assert per[personas.hall.pk][JAN].ratings == 5
    assert per[personas.other_hall.pk][JAN].ratings == 2
    assert per[personas.other_hall.pk][FEB].ratings == 0


def test_it_counts_windows_and_staff(personas, rated):
    w1, w2 = rated
    ratings = statistics.ratings_in(Q1, Rating.objects.filter(hall=personas.hall))
    windows = statistics.grouped(ratings, "window_id")
    assert (windows[w1.pk].ratings, windows[w1.pk].satisfied) == (5, 4)
    assert (windows[w2.pk].ratings, windows[w2.pk].bad) == (2, 1)
    staff = statistics.grouped(ratings, "staff_id")
    assert staff[personas.clerk.pk].rate == Fraction(4, 5)
    assert staff[personas.handler.pk].rate == Fraction(1, 2)
    assert personas.outsider.pk not in staff


def test_totals_add_numerators_and_denominators_not_rates(personas, rated):
    per_hall = statistics.grouped(statistics.ratings_in(Q1), "hall_id")
    t = statistics.total(per_hall.values())
    assert (t.ratings, t.satisfied, t.bad) == (9, 6, 3)
    assert t.rate == Fraction(6, 9)  # not the mean of 5/7 and 1/2
    assert statistics.overall(statistics.ratings_in(Q1)) == t


def test_the_share_of_acts_rated_counts_service_acts(personas, item, immediate_item):
    with time_machine.travel(at("2025-02-10"), tick=False):
        _case, act = immediate_service(personas, immediate_item)  # one act (not two)
        _case2, acceptance = accepted(personas, item)
        services.rate(event=act, level=5, channel=Channel.WINDOW)
    acts = statistics.acts_by_hall(Q1)
    assert acts == {personas.hall.pk: (2, 1)}
    assert statistics.acts_by_hall(MonthRange(MAR, MAR)) == {}
    f = statistics.with_acts({}, acts)[personas.hall.pk]
    assert (f.acts, f.acts_rated, f.rated_percent, f.ratings) == (2, 1, 50.0, 0)


def test_month_range():
    r = MonthRange.ending(dt.date(2025, 3, 17), 12)
    assert (r.first, r.last) == (dt.date(2024, 4, 1), MAR)
    assert len(r.months()) == 12
    assert r.start == at("2024-04-01", 0, 0)
    assert r.end == at("2025-04-01", 0, 0)
    assert MonthRange(dt.date(2024, 11, 1), FEB).months() == [
        dt.date(2024, 11, 1),
        dt.date(2024, 12, 1),
        JAN,
        FEB,
    ]


@pytest.mark.parametrize(
    "data, expected",
    [
        ({}, (dt.date(2024, 4, 1), MAR)),
        ({"start": "2025-01", "end": "2025-02"}, (JAN, FEB)),
        ({"start": "2024-01"}, (dt.date(2024, 1, 1), dt.date(2024, 12, 1))),
        ({"start": "2025-02"}, (FEB, MAR)),  # not beyond this month
        ({"end": "2024-06"}, (dt.date(2023, 7, 1), dt.date(2024, 6, 1))),
    ],
)
def test_period_form_reads_whole_months(data, expected):
    form = PeriodForm(data or None, today=dt.date(2025, 3, 17))
    period = form.period()
    assert (period.first, period.last) == expected


@pytest.mark.parametrize(
    "data, message",
    [
        ({"start": "2025-13"}, "Enter a month as year and month, e.g. 2025-03."),
        ({"start": "March"}, "Enter a month as year and month, e.g. 2025-03."),
        ({"end": "1999-12"}, "Enter a month as year and month, e.g. 2025-03."),
        ({"start": "2025-03", "end": "2025-01"}, "The last month comes before the first."),
        ({"start": "2010-01", "end": "2025-01"}, "Choose at most 60 months."),
    ],
)
def test_period_form_refuses_bad_months_and_falls_back(data, message, english):
    form = PeriodForm(data, today=dt.date(2025, 3, 17))
    assert not form.is_valid()
    assert message in str(form.errors)
    period = form.period()
    assert (period.first, period.last) == (dt.date(2024, 4, 1), MAR)
