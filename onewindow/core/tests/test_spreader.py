"""core.handler.ConnectionSpreader: a saturated web process asks some clients to
reconnect (Connection: close), an idle one keeps its connections."""

import pytest
from django.test import override_settings

from onewindow.cases.tests.test_fast_route import call
from onewindow.core.handler import ConnectionSpreader, Handler


def feed(spreader, *, gap: float, service: float, count: int, start: float = 1000.0):
    """``count`` requests of ``service`` seconds, each starting ``gap`` after the last
    one ended; the answers that close their connection (their positions)."""
    closed, now = [], start
    for i in range(count):
        now += gap
        spreader.started(now)
        now += service
        if spreader.ended(now):
            closed.append(i)
    return closed, now


def test_a_process_with_idle_moments_keeps_its_connections():
    spreader = ConnectionSpreader()
    closed, _now = feed(spreader, gap=0.002, service=0.003, count=2000)
    assert closed == []
    assert spreader.queued_share < 0.01


def test_a_saturated_process_closes_every_sixteenth_answer_then_stops_when_it_idles():
    spreader = ConnectionSpreader()
    closed, now = feed(spreader, gap=0.00003, service=0.003, count=400)
    assert spreader.queued_share > 0.99
    assert len(closed) >= 20
    assert all(b - a == 16 for a, b in zip(closed, closed[1:], strict=False))
    # Half of the requests waited: below the threshold, nothing more is closed.
    spreader_closed = []
    for i in range(400):
        more, now = feed(
            spreader, gap=0.00003 if i % 2 else 0.004, service=0.003, count=1, start=now
        )
        spreader_closed += more
    assert 0.3 < spreader.queued_share < 0.7
    assert len(spreader_closed) <= 3  # only while the share was still coming down


def test_the_share_follows_a_moving_window():
    spreader = ConnectionSpreader()
    _closed, now = feed(spreader, gap=0.00003, service=0.003, count=200)
    assert spreader.queued_share > 0.99
    feed(spreader, gap=0.01, service=0.003, count=100, start=now)
    assert spreader.queued_share < 0.1


@pytest.mark.django_db
def test_the_handler_closes_some_connections_of_back_to_back_requests(monkeypatch):
    """Requests through the handler each waiting for the one before, as a saturated
    process gets them (a clock that moves 10 µs a reading): every sixteenth answer says
    Connection: close once the share is up; the answers are otherwise unchanged."""
    from onewindow.core import handler as module

    ticks = iter(range(10**6))
    monkeypatch.setattr(module, "perf_counter", lambda: 1000 + next(ticks) * 0.00001)
    with override_settings(ONEWINDOW_SPREAD_CONNECTIONS=True):
        handler = Handler()
    answers = [call(handler, "/healthz") for _ in range(200)]
    closing = [i for i, (_s, hdrs, _b) in enumerate(answers) if ("Connection", "close") in hdrs]
    assert all(status == 200 for status, _h, _b in answers)
    # The share passes 3/4 after ~44 requests; then every sixteenth answer closes.
    assert closing == list(range(59, 200, 16))
    plain = {(s, tuple(h for h in hdrs if h[0] != "Connection"), b) for s, hdrs, b in answers}
    assert len(plain) == 1


@pytest.mark.django_db
def test_without_the_setting_no_answer_closes_its_connection():
    handler = Handler()  # the test settings turn spreading off
    assert handler.spreader is None
    answers = [call(handler, "/healthz") for _ in range(100)]
    assert not any(("Connection", "close") in headers for _s, headers, _b in answers)


def test_serve_turns_spreading_on_for_one_thread_per_process_only():
    from onewindow.core.management.commands.serve import web_environment

    assert web_environment({"PATH": "/bin"}, 1) == {
        "PATH": "/bin",
        "ONEWINDOW_SPREAD_CONNECTIONS": "1",
    }
    assert "ONEWINDOW_SPREAD_CONNECTIONS" not in web_environment({}, 4)
    assert web_environment({"ONEWINDOW_SPREAD_CONNECTIONS": "0"}, 1) == {
        "ONEWINDOW_SPREAD_CONNECTIONS": "0"
    }
