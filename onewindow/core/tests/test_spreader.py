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
        start = now + gap
        now = start + service
        if spreader.ended(start, now):
            closed.append(i)
    return closed, now


def test_a_process_with_idle_moments_keeps_its_connections():
    spreader = ConnectionSpreader()
    # 3 ms requests with 0.3 ms gaps (busy 91 %) half the time, 4 ms gaps the other half.
    closed = []
    now = 1000.0
    for i in range(2000):
        more, now = feed(
            spreader, gap=0.0003 if i % 2 else 0.004, service=0.003, count=1, start=now
        )
        closed += more
    assert closed == []
    assert 0.55 < spreader.share < 0.65


def test_a_saturated_process_closes_every_sixteenth_answer_then_stops_when_it_idles():
    spreader = ConnectionSpreader()
    closed, now = feed(spreader, gap=0.00003, service=0.003, count=400)
    assert spreader.share > 0.98
    # Nothing before a quarter of a second was measured (~95 requests of 3 ms).
    assert closed[0] >= 95
    assert len(closed) >= 15
    assert all(b - a == 16 for a, b in zip(closed, closed[1:], strict=False))
    # Then 2 ms gaps (busy 60 %): nothing more once the average has come down.
    later, _now = feed(spreader, gap=0.002, service=0.003, count=400, start=now)
    assert spreader.share < 0.65
    assert later == [] or later[-1] < 100


def test_the_share_follows_a_moving_window():
    spreader = ConnectionSpreader()
    _closed, now = feed(spreader, gap=0.00003, service=0.003, count=500)
    assert spreader.share > 0.98
    feed(spreader, gap=3.0, service=0.003, count=1, start=now)  # three idle seconds
    assert spreader.share < 0.1


@pytest.mark.django_db
def test_the_handler_closes_some_connections_of_back_to_back_requests(monkeypatch):
    """Requests through the handler each waiting for the one before, as a saturated
    process gets them (a clock that says so): every sixteenth answer says Connection:
    close once the process has been busy long enough; the answers are otherwise
    unchanged."""
    from onewindow.core import handler as module

    # Each request takes 3 ms and the next one starts 30 µs after (it was waiting).
    moments = iter([1000 + i * 0.00303 + d for i in range(10**4) for d in (0.0, 0.003)])
    monkeypatch.setattr(module, "perf_counter", lambda: next(moments))
    with override_settings(ONEWINDOW_SPREAD_CONNECTIONS=True):
        handler = Handler()
    answers = [call(handler, "/healthz") for _ in range(200)]
    closing = [i for i, (_s, hdrs, _b) in enumerate(answers) if ("Connection", "close") in hdrs]
    assert all(status == 200 for status, _h, _b in answers)
    # A quarter of a second measured (~95 requests of 3 ms, the average decaying), then
    # every sixteenth answer closes.
    assert closing == list(range(closing[0], 200, 16)) and 95 <= closing[0] < 111
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
