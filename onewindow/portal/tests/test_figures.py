"""The public monthly figures: ratings and complaints per hall, no person named."""

from __future__ import annotations

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from onewindow.cases.tests.factories import at
from onewindow.complaints.tests.factories import make_complaint, take_to
from onewindow.ratings.tests.test_satisfaction_statistics import rating

FIGURES = reverse("portal:figures")


@pytest.fixture
def february(personas):
    """CG in February 2025: ratings 5 5 3 1 (the clerk); MZ: 4. One January rating of CG
    (2). Complaints about CG registered in February: one closed (answered the same
    day, on time), one open; a consultation that does not count as a complaint."""
    p = personas
    for level in (5, 5, 3, 1):
        rating(p.hall, level, at("2025-02-10"), window=p.window, staff=p.clerk)
    rating(p.other_hall, 4, at("2025-02-11"), staff=p.outsider)
    rating(p.hall, 2, at("2025-01-20"), window=p.window, staff=p.clerk)
    with time_machine.travel(at("2025-02-12"), tick=False):
        take_to(p, make_complaint(p, complainant_name="王秘密"), "closed")
        make_complaint(p)
        make_complaint(p, category="consultation")
    return p


@pytest.fixture(autouse=True)
def march_2025():
    with time_machine.travel(at("2025-03-17"), tick=False):
        yield


def rows_of(response):
    return {hall.code: (f, c) for hall, f, c in response.context["rows"]}


def test_it_shows_last_months_figures_per_hall_to_anyone(february):
    r = Client().get(FIGURES)
    assert r.status_code == 200
    assert r.context["month"].isoformat() == "2025-02-01"
    rows = rows_of(r)
    f, c = rows["CG"]
    assert (f.ratings, f.satisfied, f.bad, f.percent) == (4, 3, 1, 75.0)
    assert c == {"received": 2, "closed": 1, "on_time": 1}
    assert rows["MZ"][0].ratings == 1 and rows["MZ"][1]["received"] == 0
    assert r.context["total"].ratings == 5
    html = r.content.decode()
    assert 'title="3 / 4">75.0 %' in html
    assert "满意度 = （非常满意 + 满意 + 基本满意）/ 当月全部评价数" in html
    trend = r.context["trend"]
    assert trend["months"][-2:] == ["2025-01", "2025-02"]
    assert trend["series"][0]["data"][-2:] == [0.0, 80.0]  # all halls: 0/1, then 4/5
    assert trend["counts"]["data"][-1] == 2
    assert 'id="trend-data"' in html and "echarts.min.js" in html


def test_no_person_is_named(february):
    html = Client().get(FIGURES).content.decode()
    for private in ("王秘密", "李四", "139", "窗口小王", "clerk", "outsider"):
        assert private not in html


def test_an_earlier_month_and_english(february):
    c = Client()
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r = c.get(FIGURES, {"month": "2025-01"})
    assert r.status_code == 200
    f, complaints = rows_of(r)["CG"]
    assert (f.ratings, f.bad, complaints["received"]) == (1, 1, 0)
    html = r.content.decode()
    assert "Monthly service figures" in html and "Figures of 2025-01" in html


@pytest.mark.parametrize("month", ["2025-04", "2022-01", "2025-13", "<script>"])
def test_a_month_not_published_is_a_clear_error(february, month):
    r = Client().get(FIGURES, {"month": month})
    assert r.status_code == 400
    html = r.content.decode()
    assert "仅公示最近 24 个月的数据；现显示 2025-02。" in html
    assert "<script>" not in html.split("<main", 1)[1].split("</main>", 1)[0]
    assert r.context["month"].isoformat() == "2025-02-01"


def test_the_figures_are_cached_until_something_changes(february, django_assert_max_num_queries):
    c = Client()
    c.get(FIGURES)
    with django_assert_max_num_queries(4) as ctx:  # the stamps and the halls
        r = c.get(FIGURES)
    assert not any("GROUP BY" in q["sql"] for q in ctx.captured_queries)
    assert rows_of(r)["CG"][1]["received"] == 2
    with time_machine.travel(at("2025-02-20"), tick=False):
        make_complaint(february)
    assert rows_of(c.get(FIGURES))["CG"][1]["received"] == 3


def test_the_home_page_links_the_figures(db):
    assert FIGURES in Client().get("/").content.decode()
