"""Fixtures of the complaint tests: a frozen clock and a complaint from the portal."""

import pytest
import time_machine

from onewindow.cases.tests.factories import at

from .factories import make_complaint


@pytest.fixture
def monday():
    """Monday 2 March 2026, 10:00 in Shanghai (a plain working week follows)."""
    with time_machine.travel(at("2026-03-02"), tick=False) as traveller:
        yield traveller


@pytest.fixture
def complaint(personas, monday):
    return make_complaint(personas)
