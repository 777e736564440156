"""In a real browser: the statistics page draws its heat map of arrivals."""

import pytest

from conftest import login
from onewindow.cases.tests.factories import at

from .factories import make_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_statistics_page_draws_the_heat_map(page, live_server, personas, floor):
    for minute in (0, 20, 40):
        make_ticket(floor["A"], at("2026-03-02", 9, minute), wait=5, service=5,
                    window=floor["w1"])  # fmt: skip
    login(page, live_server, "manager")
    page.goto(live_server.url + "/staff/floor-stats/?start=2026-03-02&end=2026-03-08")
    page.wait_for_selector("#heatmap[data-drawn='1'] canvas")
    box = page.locator("#heatmap canvas").first.bounding_box()
    assert box["width"] > 300 and box["height"] > 200
    assert page.inner_text("#total-issued") == "3"
    # the chart carries the counts: Monday 09:00 holds the three tickets
    count = page.evaluate(
        "echarts.getInstanceByDom(document.getElementById('heatmap'))"
        ".getOption().series[0].data.find(c => c[0] === 9 && c[1] === 0)[2]"
    )
    assert count == 3
