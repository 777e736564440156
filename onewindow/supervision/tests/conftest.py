from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from onewindow.workdays.services import invalidate_calendar

from .factories import make_item

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(y, m, d, hh=10, mm=0, ss=0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _fresh_calendar():
    # The calendar is cached per process; each test database is seeded the same, but a
    # test that edits the calendar must not leak into the next one.
    invalidate_calendar()
    yield
    invalidate_calendar()


@pytest.fixture
def clock():
    """A frozen clock; `clock.move_to(local(...))` moves it."""
    with time_machine.travel(local(2026, 9, 30, 10), tick=False) as traveller:
        yield traveller


@pytest.fixture
def version(personas):
    return make_item(personas.department, halls=[personas.hall])
