"""The paced (open-loop) client: its schedule, percentiles and summary, and what it sends
to a small server in this process. No timing is asserted."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import paced  # noqa: E402
from fakeapi import FakeApi, serve  # noqa: E402


@pytest.fixture
def fake_api():
    with serve() as url:
        yield url


def test_schedule_offers_the_rate_for_the_duration():
    assert paced.schedule(4, 1) == [0, 0.25, 0.5, 0.75]
    due = paced.schedule(80, 15)
    assert len(due) == 1200
    assert due[0] == 0 and due[-1] < 15
    gaps = {round(b - a, 9) for a, b in zip(due, due[1:], strict=False)}
    assert gaps == {round(1 / 80, 9)}
    # a fractional rate: every unit due before the end is offered
    assert len(paced.schedule(2.5, 1)) == 3
    assert paced.schedule(0, 10) == [] and paced.schedule(10, 0) == []


def test_warmup_is_the_head_of_the_same_schedule():
    """The counted units are those after the warm-up's, at the same spacing."""
    warm, whole = paced.schedule(100, 1), paced.schedule(100, 1 + 5)
    assert whole[: len(warm)] == warm
    assert len(whole) - len(warm) == len(paced.schedule(100, 5))


def test_percentile_is_the_nearest_rank():
    values = list(range(1, 101))
    assert paced.percentile(values, 50) == 50
    assert paced.percentile(values, 95) == 95
    assert paced.percentile(values, 99) == 99
    assert paced.percentile(values, 100) == 100
    assert paced.percentile([1, 2, 3, 4], 50) == 2
    assert paced.percentile([7], 95) == 7
    assert paced.percentile([], 95) is None


def test_unfinished_units_rank_after_every_answer():
    tally = paced.Tally(latencies=[0.010] * 90, unit_latencies=[0.020] * 90, served=90)
    tally.requests = 90
    figures = paced.summarize(tally, offered=100, unfinished=10, seconds=10, rate=10)
    assert figures["p50_ms"] == 10.0
    assert figures["p95_ms"] is None  # beyond the drain: the 95th falls on an unfinished one
    assert figures["p99_ms"] is None
    assert figures["unit_p50_ms"] == 20.0
    assert figures["served"] == 90 and figures["unfinished"] == 10
    assert figures["served_per_s"] == 9.0
    # and when all were answered
    done = paced.summarize(tally, offered=90, unfinished=0, seconds=10, rate=9)
    assert done["p95_ms"] == 10.0 and done["unit_p95_ms"] == 20.0
    json.dumps(figures)  # no infinities in the figures


def test_get_paths_are_sent_in_turn_and_counted(fake_api):
    figures = paced.run(
        fake_api,
        paced.get_paths(["/a", "/b", "/missing"], start=1),
        rate=50,
        seconds=0.4,
        warmup=0.1,
        drain=5,
    )
    sent = [s[1] for s in FakeApi.seen]
    offered = len(paced.schedule(50, 0.5))
    assert len(sent) == offered
    # unit i asks for paths[(start + i) % 3], the warm-up's first
    assert sorted(sent) == sorted(["/a", "/b", "/missing"][(1 + i) % 3] for i in range(offered))
    counted = offered - len(paced.schedule(50, 0.1))
    assert figures["offered"] == counted
    assert figures["requests"] == counted
    missing = sum(1 for i in range(offered - counted, offered) if (1 + i) % 3 == 2)
    assert figures["errors"] == missing
    assert figures["served"] == counted - missing
    assert figures["statuses"] == {"200": counted - missing, "404": missing}
    assert figures["first_error"].startswith("GET /missing: 404")
    assert all(s[2]["X-Forwarded-Proto"] == "https" for s in FakeApi.seen)


def test_a_server_that_never_answers_serves_nothing(fake_api):
    figures = paced.run(
        fake_api, paced.get_paths(["/hang"]), rate=20, seconds=0.25, warmup=0, drain=0.2
    )
    assert figures["offered"] == 5
    assert figures["served"] == 0
    assert figures["unfinished"] == 5
    assert figures["p50_ms"] is None and figures["p95_ms"] is None
    assert figures["errors"] == 0


def test_window_intake_accepts_the_case_it_created(fake_api):
    offers = [
        {"hall": "CG", "token": "tok-cg", "window": 2, "item": "I1", "materials": [5]},
        {"hall": "JJ", "token": "tok-jj", "window": None, "item": "I2", "materials": []},
    ]
    applicants = [("32058219800101123X", "13900000000"), ("320582199001011234", "13900000001")]
    figures = paced.run(
        fake_api,
        paced.window_intake(offers, applicants),
        rate=40,
        seconds=0.2,
        warmup=0,
        drain=5,
    )
    assert figures["offered"] == figures["served"] == 8
    assert figures["requests"] == 16 and figures["errors"] == 0
    creates = [s for s in FakeApi.seen if s[1] == "/api/v1/cases"]
    accepts = {s[1].split("/")[4]: s for s in FakeApi.seen if s[1].endswith("/accept")}
    assert set(accepts) == set(FakeApi.created)
    for number, (_m, _p, headers, body) in accepts.items():
        hall = FakeApi.created[number]
        assert headers["Authorization"] == f"Bearer tok-{hall.lower()}"
        assert json.loads(body) == {"version": 1}
    bodies = [json.loads(s[3]) for s in creates]
    assert {b["hall"] for b in bodies} == {"CG", "JJ"}
    assert all(b["applicant_name"] and b["applicant_kind"] == "person" for b in bodies)
    assert all(("window" in b) == (b["hall"] == "CG") for b in bodies)


def test_no_infinite_latency_leaks():
    assert paced._ms(math.inf) is None and paced._ms(None) is None
    assert paced._ms(0.0125) == 12.5


def test_window_ratings_post_distinct_acts_from_their_tablets(fake_api):
    import scenarios

    lines = scenarios.rating_lines(
        [{"window": 1, "acts": [1, 2, 3]}, {"window": 2, "acts": [4, 5, 6]}],
        {1: "c1", 2: "c2"},
    )
    figures = paced.run(
        fake_api, paced.window_ratings(lines, start=1), rate=20, seconds=0.2, warmup=0.05
    )
    # 5 units: one warm-up, four counted; each a distinct act from line 1 on
    assert figures["offered"] == 4 and figures["served"] == 4 and figures["errors"] == 0
    assert list(FakeApi.rated) == ["4", "2", "5", "3", "6"]
    assert FakeApi.rated["2"] == "c1" and FakeApi.rated["5"] == "c2"
    # from line 0: act 1 is new, acts 4, 2 and 5 are refused a second rating
    again = paced.run(fake_api, paced.window_ratings(lines), rate=20, seconds=0.2, warmup=0)
    assert again["served"] == 1 and again["errors"] == 3
    assert again["first_error"].startswith("POST /rate/window/: 400")
