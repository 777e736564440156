"""Fixtures of the follow-up tests: a frozen clock, an item of the personas' hall."""

import pytest
import time_machine

from onewindow.cases.tests.factories import at, make_item
from onewindow.workdays.services import invalidate_calendar


@pytest.fixture(autouse=True)
def _fresh_calendar():
    invalidate_calendar()
    yield
    invalidate_calendar()


@pytest.fixture
def clock():
    """Monday 2 March 2026, 10:00 in Shanghai; `clock.move_to(at(...))` moves it."""
    with time_machine.travel(at("2026-03-02"), tick=False) as traveller:
        yield traveller


@pytest.fixture
def item(personas):
    return make_item(personas.department, [personas.hall], name="机动车转移登记", pinyin="jdczydj")
