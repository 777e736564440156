"""The satisfaction charts really draw: a hall manager's trend and level charts, and the
public figures page's trend, each an ECharts canvas."""

import pytest

from conftest import login
from onewindow.cases.tests.factories import at

from .test_satisfaction_statistics import rating

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_hall_manager_sees_the_charts_drawn(page, live_server, personas):
    for level, day in ((5, "2025-01-06"), (2, "2025-01-07"), (4, "2025-02-03")):
        rating(personas.hall, level, at(day), window=personas.window, staff=personas.clerk)
    login(page, live_server, "manager")
    page.click("#satisfaction-link a >> nth=0")
    page.fill("#id_start", "2025-01")
    page.fill("#id_end", "2025-03")
    page.click("#period-form button")
    page.wait_for_selector('#trend-chart[data-ready="1"] canvas')
    page.wait_for_selector('#levels-chart[data-ready="1"] canvas')
    assert page.locator("#halls tr[data-hall]").count() == 1
    assert "66.7 %" in page.locator("#halls tr[data-hall='CG']").inner_text()
    page.click("#halls a", timeout=5000)
    page.wait_for_selector('#trend-chart[data-ready="1"] canvas')
    assert page.locator("#staff tr[data-staff='clerk']").count() == 1


def test_the_public_figures_draw_their_trend(page, live_server, personas):
    page.goto(live_server.url + "/figures/")
    page.wait_for_selector('#trend-chart[data-ready="1"] canvas')
    assert page.locator("#figures tr[data-hall]").count() == 3
