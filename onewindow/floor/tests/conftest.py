import pytest
import time_machine

from onewindow.cases.tests.factories import at

from .factories import make_floor


@pytest.fixture
def floor(personas):
    return make_floor(personas)


@pytest.fixture
def monday():
    """Monday 2 March 2026, 10:00 in Shanghai."""
    with time_machine.travel(at("2026-03-02"), tick=False) as traveller:
        yield traveller
