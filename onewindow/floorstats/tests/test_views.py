"""The statistics and staffing pages, the public live wait, and the API: who sees what,
what is shown, and bad filters answered with a clear error that changes nothing."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from onewindow.cases.tests.factories import at
from onewindow.floor.tests.factories import make_line
from onewindow.floorstats import statistics

from .factories import make_session, make_ticket

pytestmark = pytest.mark.django_db


def client(user=None, language="zh-hans"):
    c = Client(HTTP_ACCEPT_LANGUAGE=language)
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if user is not None:
        c.force_login(user)
    return c


@pytest.fixture
def tickets(personas, floor):
    other = make_line(personas.other_hall, "A", "婚姻登记")
    make_ticket(floor["A"], at("2026-03-02", 9), wait=10, service=5, window=floor["w1"])
    make_ticket(floor["A"], at("2026-03-02", 9, 30), wait=20, service=7, window=floor["w1"])
    make_ticket(other, at("2026-03-03", 14), wait=40, service=5)
    make_session(floor["w1"], personas.clerk, at("2026-03-02", 9), 120)
    return {"other": other}


WEEK = "start=2026-03-02&end=2026-03-08"


def test_the_hall_manager_sees_the_figures_of_their_hall(personas, tickets):
    page = client(personas.manager).get("/staff/floor-stats/?" + WEEK)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="total-issued">2<' in html
    assert 'id="total-wait">15.0<' in html
    assert 'data-hall="CG"' in html and 'data-hall="MZ"' not in html
    assert 'data-window="CG-1"' in html
    assert page.context["heatmap"]["cells"][9] == [9, 0, 2]  # Monday 9:00
    assert "等候时间" in html  # in Chinese first


def test_the_centre_sees_every_hall(personas, tickets):
    html = client(personas.admin).get("/staff/floor-stats/?" + WEEK).content.decode()
    assert 'data-hall="CG"' in html and 'data-hall="MZ"' in html
    assert 'id="total-issued">3<' in html


def test_the_page_turns_away_who_may_not_see_it(personas):
    assert client(personas.clerk).get("/staff/floor-stats/").status_code == 403
    assert client(personas.clerk).get("/staff/floor-stats/staffing/").status_code == 403
    assert client().get("/staff/floor-stats/").status_code == 302


def test_bad_filters_are_shown_and_the_default_is_used(personas, tickets):
    c = client(personas.manager)
    page = c.get("/staff/floor-stats/?start=2026-03-08&end=2026-03-02")
    assert page.status_code == 200
    assert "最后一天早于第一天" in page.content.decode()
    # another hall's code is no choice for a hall manager
    page = c.get("/staff/floor-stats/?hall=MZ&" + WEEK)
    assert "filter-errors" in page.content.decode()
    assert page.context["period"] == statistics.Period.default()
    page = c.get(f"/staff/floor-stats/?hall=CG&category={tickets['other'].pk}&" + WEEK)
    assert "filter-errors" in page.content.decode()


def test_the_staffing_page_explains_the_formula_and_shows_the_estimate(personas, tickets):
    page = client(personas.manager).get("/staff/floor-stats/staffing/?target=10&" + WEEK)
    assert page.status_code == 200
    html = page.content.decode()
    assert "P(W &gt; t) = C(c, A) · e" in html
    assert 'data-hour="9"' in html
    [row] = [r for r in page.context["result"]["rows"] if r.hour == 9]
    assert row.open_windows == 1.0
    assert row.lines[0]["arrivals"] == 2.0
    english = client(personas.manager, "en").get("/staff/floor-stats/staffing/?" + WEEK)
    assert "How the estimate is made" in english.content.decode()


def test_the_live_wait_is_public(personas, floor):
    cache.delete(statistics.LIVE_CACHE_KEY)
    make_ticket(floor["A"], at("2026-03-02", 9))
    page = client().get("/floor-wait/")
    assert page.status_code == 200
    assert 'data-hall="CG"' in page.content.decode()


# ------------------------------------------------------------------------------ API


def test_the_api_gives_the_figures(personas, tickets):
    answer = client(personas.manager).get("/api/v1/floorstats/statistics?" + WEEK)
    assert answer.status_code == 200
    body = answer.json()
    assert body["total"]["waiting"] == {"count": 2, "mean": 15.0, "p90": 19.0}
    assert [h["hall"] for h in body["halls"]] == ["CG"]
    assert body["windows"][0]["window"] == 1 and body["windows"][0]["served"] == 2
    assert body["arrivals"][0][9] == 2
    line = client(personas.admin).get("/api/v1/floorstats/statistics?hall=mz&category=A&" + WEEK)
    assert line.json()["total"]["waiting"]["mean"] == 40.0


def test_the_api_refuses_bad_filters_in_the_one_error_format(personas, tickets):
    c = client(personas.manager)
    answer = c.get("/api/v1/floorstats/statistics?start=2026-03-08&end=2026-03-02")
    assert answer.status_code == 400 and answer.json()["code"] == "invalid"
    assert "end" in answer.json()["errors"]
    assert c.get("/api/v1/floorstats/statistics?hall=MZ").status_code == 404
    assert c.get("/api/v1/floorstats/statistics?category=A").status_code == 400
    assert c.get("/api/v1/floorstats/statistics?hall=CG&category=Z").status_code == 400
    assert c.get("/api/v1/floorstats/statistics?start=2024-01-01&end=2026-01-01").status_code == 400
    assert c.get("/api/v1/floorstats/staffing?hall=CG&target=0").status_code == 422
    assert c.get("/api/v1/floorstats/statistics?start=yesterday").status_code == 422
    assert client(personas.clerk).get("/api/v1/floorstats/statistics").status_code == 403
    assert client().get("/api/v1/floorstats/statistics").status_code == 401


def test_the_api_gives_the_staffing_estimate_and_the_live_wait(personas, tickets):
    answer = client(personas.manager).get("/api/v1/floorstats/staffing?hall=CG&target=10&" + WEEK)
    assert answer.status_code == 200
    body = answer.json()
    assert body["days"] == 1 and body["share"] == 0.1
    [nine] = [h for h in body["hours"] if h["hour"] == 9]
    assert nine["open_windows"] == 1.0 and nine["lines"][0]["category"] == "A"
    cache.delete(statistics.LIVE_CACHE_KEY)
    live = client().get("/api/v1/floorstats/live")
    assert live.status_code == 200
    assert {h["code"] for h in live.json()["halls"]} == {"CG", "MZ"}
