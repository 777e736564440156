"""The staff satisfaction pages: who sees which hall, the figures shown, both languages."""

from __future__ import annotations

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from onewindow.cases.tests.factories import at
from onewindow.factories import make_window

from .test_satisfaction_statistics import rating

OVERVIEW = reverse("satisfaction:overview")
Q1 = {"start": "2025-01", "end": "2025-03"}


def client_for(user, language="zh-hans") -> Client:
    """A signed-in client reading pages in ``language`` (the language switch's cookie)."""
    c = Client()
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    c.force_login(user)
    return c


@pytest.fixture
def rated(personas):
    """CG: January 5 4 2 (window 1, the clerk), February 5 (window 2, the handler);
    MZ: January 1."""
    p = personas
    w2 = make_window(p.hall, 2, p.department)
    rating(p.hall, 5, at("2025-01-06"), window=p.window, staff=p.clerk)
    rating(p.hall, 4, at("2025-01-07"), window=p.window, staff=p.clerk)
    rating(p.hall, 2, at("2025-01-08"), window=p.window, staff=p.clerk)
    rating(p.hall, 5, at("2025-02-03"), window=w2, staff=p.handler)
    rating(p.other_hall, 1, at("2025-01-09"), staff=p.outsider)
    return w2


@pytest.fixture(autouse=True)
def march_2025():
    with time_machine.travel(at("2025-03-17"), tick=False):
        yield


def test_it_shows_the_hall_managers_own_hall_only(personas, rated):
    r = client_for(personas.manager).get(OVERVIEW, Q1)
    assert r.status_code == 200
    rows = {hall.code: f for hall, f in r.context["rows"]}
    assert list(rows) == ["CG"]
    assert (rows["CG"].ratings, rows["CG"].satisfied, rows["CG"].bad) == (4, 3, 1)
    html = r.content.decode()
    assert "车辆管理分中心" in html and "民政分中心" not in html
    assert 'title="3 / 4">75.0 %' in html  # numerator and denominator beside the rate
    assert "满意度 = （非常满意 + 满意 + 基本满意）/ 期间全部评价数" in html
    trend = r.context["trend"]
    assert trend["months"] == ["2025-01", "2025-02", "2025-03"]
    assert trend["series"][1] == {"name": "车辆管理分中心", "data": [66.7, 100.0, None]}
    assert trend["counts"]["data"] == [3, 1, 0]
    assert 'id="trend-data"' in html and "echarts.min.js" in html


def test_the_supervision_office_sees_every_hall(personas, rated):
    r = client_for(personas.supervisor).get(OVERVIEW, Q1)
    rows = {hall.code: f for hall, f in r.context["rows"]}
    assert rows["MZ"].bad == 1 and rows["CG"].ratings == 4 and rows["ZX"].ratings == 0
    assert r.context["total"].ratings == 5
    assert r.context["level_chart"]["categories"] == ["车辆管理分中心", "民政分中心"]
    very_satisfied = r.context["level_chart"]["series"][0]
    assert very_satisfied == {"name": "非常满意", "data": [50.0, 0.0]}


def test_it_reads_in_english(personas, rated):
    r = client_for(personas.supervisor, "en").get(OVERVIEW, Q1)
    html = r.content.decode()
    assert "Satisfaction by hall" in html
    assert "Satisfaction rate = (very satisfied + satisfied + basically satisfied)" in html
    assert r.context["level_chart"]["series"][0]["name"] == "Very satisfied"
    assert r.context["trend"]["rate_label"] == "Satisfaction rate (%)"


def test_other_roles_are_refused_and_strangers_sent_to_sign_in(personas, rated):
    assert client_for(personas.clerk).get(OVERVIEW).status_code == 403
    assert client_for(personas.legal).get(OVERVIEW).status_code == 403
    r = Client().get(OVERVIEW)
    assert r.status_code == 302 and reverse("accounts:login") in r["Location"]


def test_a_hall_drills_down_to_windows_and_staff(personas, rated):
    w2 = rated
    r = client_for(personas.manager).get(reverse("satisfaction:hall", args=["CG"]), Q1)
    assert r.status_code == 200
    windows = {w.number: f for w, f in r.context["window_rows"]}
    assert (windows[1].ratings, windows[1].bad, windows[2].ratings) == (3, 1, 1)
    staff = {p.username: f for p, f in r.context["staff_rows"]}
    assert staff["clerk"].percent == 66.7 and staff["handler"].percent == 100.0
    assert [p.username for p, _f in r.context["staff_rows"]] == ["handler", "clerk"]
    html = r.content.decode()
    assert reverse("satisfaction:staff", args=["CG", "clerk"]) + "?start=2025-01" in html
    assert reverse("satisfaction:window", args=["CG", w2.number]) in html
    assert r.context["trend"]["series"][0]["data"] == [66.7, 100.0, None]


def test_window_and_staff_pages_show_their_months(personas, rated):
    c = client_for(personas.manager)
    r = c.get(reverse("satisfaction:window", args=["CG", 1]), Q1)
    assert r.status_code == 200
    months = dict(r.context["months"])
    assert [f.ratings for f in months.values()] == [3, 0, 0]
    assert r.context["total"].satisfied == 2
    r = c.get(reverse("satisfaction:staff", args=["CG", "handler"]), Q1)
    assert [f.ratings for _m, f in r.context["months"]] == [0, 1, 0]
    assert 'data-month="2025-02"' in r.content.decode()


def test_another_hall_and_its_people_are_unknown(personas, rated):
    c = client_for(personas.manager)
    assert c.get(reverse("satisfaction:hall", args=["MZ"])).status_code == 404
    assert c.get(reverse("satisfaction:window", args=["MZ", 1])).status_code == 404
    assert c.get(reverse("satisfaction:staff", args=["MZ", "outsider"])).status_code == 404
    # someone of another hall, never rated here, is unknown in this hall too
    assert c.get(reverse("satisfaction:staff", args=["CG", "outsider"])).status_code == 404
    assert c.get(reverse("satisfaction:window", args=["CG", 9])).status_code == 404
    assert c.get(reverse("satisfaction:staff", args=["CG", "nobody"])).status_code == 404


def test_a_bad_month_is_a_translated_error_and_the_default_months_are_shown(personas, rated):
    r = client_for(personas.manager).get(OVERVIEW, {"start": "2025-13"})
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="period-errors"' in html
    assert "请按“年-月”填写月份，例如 2025-03。" in html
    assert r.context["period"].first.isoformat() == "2024-04-01"


def test_the_figures_are_cached_until_a_new_rating(personas, rated, django_assert_num_queries):
    c = client_for(personas.manager)
    first = c.get(OVERVIEW, Q1)
    assert first.context["total"].ratings == 4
    with django_assert_num_queries(5) as ctx:  # session, user, halls, the stamp (2): no counts
        c.get(OVERVIEW, Q1)
    assert not any("GROUP BY" in q["sql"] for q in ctx.captured_queries)
    rating(personas.hall, 3, at("2025-03-02"), window=personas.window, staff=personas.clerk)
    assert c.get(OVERVIEW, Q1).context["total"].ratings == 5


def test_the_staff_home_links_the_satisfaction_pages(personas):
    assert (
        OVERVIEW in client_for(personas.manager).get(reverse("portal:staff_home")).content.decode()
    )
    assert (
        OVERVIEW
        not in client_for(personas.clerk).get(reverse("portal:staff_home")).content.decode()
    )
