"""The figures from constructed tickets, events and sessions, and from floor's own
services under a frozen clock."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache

from onewindow.cases import services as case_services
from onewindow.cases.tests.factories import at, make_case, make_immediate_item
from onewindow.floor import services as floor_services
from onewindow.floor.tests.factories import make_line
from onewindow.floorstats import statistics
from onewindow.floorstats.statistics import Period, Scope, percentile
from onewindow.lib import erlang

from .factories import make_session, make_ticket

pytestmark = pytest.mark.django_db
WEEK = Period(dt.date(2026, 3, 2), dt.date(2026, 3, 8))
LATER = at("2026-03-20")


def test_percentile_interpolates_between_ranks():
    assert percentile([], 0.9) is None
    assert percentile([7.0], 0.9) == 7.0
    assert percentile(list(range(1, 11)), 0.9) == pytest.approx(9.1)
    assert percentile([10, 0, 5], 0.5) == 5


def test_it_measures_wait_service_stay_and_no_shows(personas, floor):
    a, w1 = floor["A"], floor["w1"]
    start = at("2026-03-02", 9)
    for wait, service in ((5, 4), (10, 6), (15, 8)):
        make_ticket(a, start, wait=wait, service=service, window=w1)
    make_ticket(a, start, wait=20, window=w1, no_show=True)
    make_ticket(a, start)  # still waiting: issued, not called
    total = statistics.ticket_figures(Scope(period=WEEK))["total"]
    assert (total["issued"], total["called"], total["served"], total["no_shows"]) == (5, 4, 3, 1)
    assert total["no_show_rate"] == 25.0
    assert total["waiting"] == {"count": 4, "mean": 12.5, "p90": 18.5}
    assert total["service"] == {"count": 3, "mean": 6.0, "p90": 7.6}
    # stay = wait + service: 9, 16, 23 minutes
    assert total["stay"] == {"count": 3, "mean": 16.0, "p90": 21.6}
    assert total["immediate_stay"]["count"] == 0


def test_an_immediate_item_stays_until_its_case_is_concluded(personas, floor):
    item = make_immediate_item(personas.department, [personas.hall], name="驾驶证补证")
    with time_machine.travel(at("2026-03-02", 9, 30), tick=False):
        case = make_case(personas, item)
    with time_machine.travel(at("2026-03-02", 9, 42), tick=False):
        case = case_services.handle_immediately(
            actor=personas.clerk, case=case, certificate_number="JZ-1"
        )
    assert case.concluded_at == at("2026-03-02", 9, 42)
    # issued 9:00, called 9:20, the clerk pressed "done" at 9:35, the case concluded 9:42
    make_ticket(floor["A"], at("2026-03-02", 9), wait=20, service=15, window=floor["w1"],
                case=case)  # fmt: skip
    figures = statistics.ticket_figures(Scope(period=WEEK))
    assert figures["total"]["stay"]["mean"] == 42.0
    assert figures["total"]["immediate_stay"] == {"count": 1, "mean": 42.0, "p90": 42.0}
    [row] = figures["items"]
    assert row["item"] == item and row["stay"]["mean"] == 42.0
    assert [h["hall"] for h in figures["halls"]] == [personas.hall]


def test_it_scopes_by_hall_line_and_days(personas, floor):
    other_line = make_line(personas.other_hall, "A", "婚姻登记")
    make_ticket(floor["A"], at("2026-03-02", 9), wait=10, service=5, window=floor["w1"])
    make_ticket(floor["B"], at("2026-03-03", 9), wait=30, service=5, window=floor["w2"])
    make_ticket(other_line, at("2026-03-02", 9), wait=50, service=5)
    make_ticket(floor["A"], at("2026-03-10", 9), wait=70, service=5)  # after the week
    mine = Scope(period=WEEK, hall_ids={personas.hall.pk})
    assert statistics.ticket_figures(mine)["total"]["waiting"]["mean"] == 20.0
    line = Scope(period=WEEK, hall_ids={personas.hall.pk}, category=floor["B"])
    assert statistics.ticket_figures(line)["total"]["waiting"]["mean"] == 30.0
    everyone = statistics.ticket_figures(Scope(period=WEEK))
    assert everyone["total"]["issued"] == 3
    assert {h["hall"].code for h in everyone["halls"]} == {"CG", "MZ"}


def test_the_heat_map_counts_arrivals_by_local_weekday_and_hour(floor):
    make_ticket(floor["A"], at("2026-03-02", 9, 5))  # Monday 9:05 in Shanghai
    make_ticket(floor["A"], at("2026-03-02", 9, 55))
    make_ticket(floor["B"], at("2026-03-04", 14, 30))  # Wednesday
    make_ticket(floor["A"], at("2026-03-08", 0, 10))  # Sunday just after midnight (UTC: Saturday)
    grid = statistics.arrivals_heatmap(Scope(period=WEEK))
    assert grid[0][9] == 2 and grid[2][14] == 1 and grid[6][0] == 1
    assert sum(map(sum, grid)) == 4


def test_window_shares_follow_floors_own_events(personas, floor):
    """Signed in 9:00–10:00, a visitor 9:10–9:30, paused 9:30–9:40: serving a third,
    paused a sixth, idle half; one ticket served in one hour."""
    clerk, w1, a = personas.clerk, floor["w1"], floor["A"]
    with time_machine.travel(at("2026-03-02", 9), tick=False) as clock:
        floor_services.sign_in(actor=clerk, window=w1)
        floor_services.issue_ticket(hall=personas.hall, category=a)
        clock.move_to(at("2026-03-02", 9, 10))
        floor_services.call_next(actor=clerk)
        clock.move_to(at("2026-03-02", 9, 30))
        floor_services.finish(actor=clerk)
        floor_services.pause(actor=clerk, reason="喝水")
        clock.move_to(at("2026-03-02", 9, 40))
        floor_services.resume(actor=clerk)
        clock.move_to(at("2026-03-02", 10))
        floor_services.sign_out(actor=clerk)
    [row] = statistics.window_figures(Scope(period=WEEK), now=LATER)
    assert row["window"] == w1
    assert (row["hours"], row["served"], row["per_hour"]) == (1.0, 1, 1.0)
    assert (row["serving"], row["paused"], row["idle"]) == (33.3, 16.7, 50.0)


def test_a_transfer_ends_the_serving_time_at_the_first_window(personas, floor):
    make_session(floor["w1"], personas.clerk, at("2026-03-02", 9), 60, pauses=[(40, 20)])
    ticket = make_ticket(floor["A"], at("2026-03-02", 9), wait=0, window=floor["w1"])
    from onewindow.floor.models import QueueEvent

    QueueEvent.objects.create(kind="transferred", at=at("2026-03-02", 9, 15), hall=personas.hall,
                              ticket=ticket, window=floor["w1"])  # fmt: skip
    [row] = statistics.window_figures(Scope(period=WEEK), now=LATER)
    assert (row["serving"], row["paused"], row["idle"], row["served"]) == (25.0, 33.3, 41.7, 0)


def test_the_staffing_estimate_uses_erlang_c_beside_the_windows_open(personas, floor):
    a = floor["A"]
    # two days; each day 12 tickets of line A between 10:00 and 11:00, 10 minutes each
    for day in ("2026-03-02", "2026-03-03"):
        for i in range(12):
            make_ticket(a, at(day, 10, i * 5), wait=1, service=10, window=floor["w1"])
        make_session(floor["w1"], personas.clerk, at(day, 10), 60)
        make_session(floor["w2"], personas.manager, at(day, 10), 30)
    result = statistics.staffing(personas.hall, WEEK, 5, now=LATER)
    assert result["days"] == 2
    [row] = [r for r in result["rows"] if r.hour == 10]
    cell_a, cell_b = row.lines
    assert (cell_a["arrivals"], cell_a["service"], cell_a["load"]) == (12.0, 10.0, 2.0)
    assert cell_a["needed"] == erlang.windows_needed(12 / 60, 10, 5, 0.10) == 4
    assert cell_b["needed"] == 0  # nobody took a B ticket
    assert row.needed == 4
    assert row.open_windows == 1.5


def test_the_live_wait_is_per_line_cached_and_anonymous(personas, floor):
    cache.delete(statistics.LIVE_CACHE_KEY)
    with time_machine.travel(at("2026-03-02", 9), tick=False):
        floor_services.sign_in(actor=personas.clerk, window=floor["w1"])
        for _ in range(3):
            floor_services.issue_ticket(hall=personas.hall, category=floor["A"],
                                        id_number="")  # fmt: skip
        live = statistics.live_wait()
        [hall] = live["halls"]
        a, b = hall["lines"]
        assert (a["letter"], a["waiting"], a["windows"], a["minutes"]) == ("A", 3, 1, 30)
        assert (b["letter"], b["waiting"], b["minutes"]) == ("B", 0, 0)
        floor_services.issue_ticket(hall=personas.hall, category=floor["A"])
        assert statistics.live_wait()["halls"][0]["lines"][0]["waiting"] == 3  # cached
        cache.delete(statistics.LIVE_CACHE_KEY)
        assert statistics.live_wait()["halls"][0]["lines"][0]["waiting"] == 4
    assert set(a) == {"letter", "name", "name_en", "waiting", "windows", "minutes"}
