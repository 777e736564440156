import pytest
import time_machine

from onewindow.cases.tests.factories import at


@pytest.fixture
def day():
    """Monday 2 March 2026, 10:00 in Shanghai."""
    with time_machine.travel(at("2026-03-02"), tick=False) as traveller:
        yield traveller
