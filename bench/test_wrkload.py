"""The wrk wrapper and its Lua scenarios, against a small HTTP server in this process that
answers as the API does (no timing asserted: only what was sent and counted)."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import wrkload  # noqa: E402
from fakeapi import FakeApi, serve  # noqa: E402
from scenarios import rating_lines, write_intake, write_paths, write_ratings  # noqa: E402

needs_wrk = pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")


@pytest.fixture
def fake_api():
    with serve() as url:
        yield url


def test_command_line():
    cmd = wrkload.command(
        "http://127.0.0.1:9/", "get", Path("/tmp/p"), seconds=4.6, connections=8, threads=4
    )
    assert cmd[:5] == ["wrk", "-t4", "-c8", "-d5s", "--timeout=10s"]
    assert ["-H", "X-Forwarded-Proto: https"] == cmd[7:9]
    assert cmd[-6:] == ["http://127.0.0.1:9/", "--", "get", "/tmp/p", "0", "4"]
    # never more threads than connections
    assert wrkload.command("u", "get", Path("p"), seconds=1, connections=1, threads=2)[1] == "-t1"
    with pytest.raises(ValueError):
        wrkload.command("u", "post", Path("p"), seconds=1)


def test_parse_adds_rates_and_error_count():
    line = (
        'WRKJSON {"duration_s":2.0,"requests":100,"bytes":1,"errors":{"connect":1,"read":2,'
        '"write":0,"status":5,"timeout":3},"latency_ms":{"mean":1,"max":2,"p50":1,"p90":1,'
        '"p99":2},"created":40,"accepted":30,"bad_answers":5,"first_error":"409 x"}'
    )
    figures = wrkload.parse("Running 2s test\n" + line + "\n")
    assert figures["requests_per_s"] == 50
    assert figures["accepted_per_s"] == 15
    assert figures["socket_errors"] == 3
    assert figures["error_count"] == 3 + 3 + 5
    with pytest.raises(wrkload.WrkError):
        wrkload.parse("no figures here")


@needs_wrk
def test_get_scenario_sends_the_paths_and_counts_bad_answers(fake_api, tmp_path):
    paths = tmp_path / "paths"
    write_paths(paths, ["/a", "/b", "/missing"])
    figures = wrkload.run(fake_api, "get", paths, seconds=1, connections=2, threads=1)
    sent = [s[1] for s in FakeApi.seen]
    assert set(sent) == {"/a", "/b", "/missing"}
    # requests still unanswered when wrk stopped are not counted
    assert 0 < figures["requests"] <= len(sent)
    assert 0 < figures["bad_answers"] <= sent.count("/missing")
    assert figures["bad_answers"] >= sent.count("/missing") - 2
    assert figures["first_error"].startswith("404")
    assert all(s[2]["X-Forwarded-Proto"] == "https" for s in FakeApi.seen)


@needs_wrk
def test_intake_scenario_accepts_each_case_it_created(fake_api, tmp_path):
    data = tmp_path / "intake"
    offers = [
        {"hall": "CG", "token": "tok-cg", "window": 3, "item": "ITEM-1", "materials": [7, 8]},
        {"hall": "JJ", "token": "tok-jj", "window": None, "item": "ITEM-2", "materials": []},
    ]
    write_intake(data, offers, [("32058219800101123X", "13900000000")])
    figures = wrkload.run(fake_api, "intake", data, seconds=1, connections=4, threads=2)
    creates = [s for s in FakeApi.seen if s[1] == "/api/v1/cases"]
    accepts = [s for s in FakeApi.seen if s[1].endswith("/accept")]
    # requests still unanswered when wrk stopped are not counted (one per connection)
    assert 0 < figures["created"] <= len(creates) <= figures["created"] + 4
    assert figures["bad_answers"] == 0, figures["first_error"]
    # every accepted case was created first, accepted once, with a token of its hall
    accepted_numbers = [s[1].split("/")[4] for s in accepts]
    assert len(set(accepted_numbers)) == len(accepted_numbers)
    assert 0 < figures["accepted"] <= len(accepted_numbers) <= figures["accepted"] + 4
    assert set(accepted_numbers) <= set(FakeApi.created)
    for _m, path, headers, _b in accepts:
        hall = FakeApi.created[path.split("/")[4]]
        assert headers["Authorization"] == f"Bearer tok-{hall.lower()}"
    body = json.loads(creates[0][3])
    assert body["applicant_id_number"] == "32058219800101123X"
    assert body["applicant_kind"] == "person"
    assert body["provided_material_ids"] in ([7, 8], [])
    assert ("window" in body) == (body["hall"] == "CG")
    assert creates[0][2]["Content-Type"] == "application/json"


@needs_wrk
def test_rate_scenario_posts_each_act_once_with_its_tablets_cookie(fake_api, tmp_path):
    data = tmp_path / "ratings"
    # 50,000 acts a tablet: more than a thread posts in a second to the fake API (a quiet
    # machine posted over 6,000 a second per thread, running through 5,000)
    acts = 50_000
    tablets = [{"window": w, "acts": list(range(w * 10**6, w * 10**6 + acts))} for w in (1, 2)]
    write_ratings(data, rating_lines(tablets, {1: "cookie-1", 2: "cookie-2"}))
    figures = wrkload.run(fake_api, "rate", data, seconds=1, connections=4, threads=2)
    posts = [s for s in FakeApi.seen if s[1] == "/rate/window/"]
    assert posts and len(posts) == len(FakeApi.seen)
    # each act rated once (the threads start apart and the file is not used up)
    assert figures["bad_answers"] == 0, figures["first_error"]
    assert 0 < figures["accepted"] <= len(FakeApi.rated) <= figures["accepted"] + 4
    for event, cookie in FakeApi.rated.items():
        assert cookie == f"cookie-{int(event) // 10**6}"  # the act's own window
    _m, _p, headers, body = posts[0]
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert body.decode().startswith("event=") and "&level=" in body.decode()
    assert figures["latency_ms"]["p95"] >= figures["latency_ms"]["p50"]
