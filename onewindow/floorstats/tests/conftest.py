import pytest

from onewindow.floor.tests.factories import make_floor


@pytest.fixture
def floor(personas):
    return make_floor(personas)
