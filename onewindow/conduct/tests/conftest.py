import pytest

from .factories import make_finding, make_observer, make_visit, png


@pytest.fixture
def observer(personas):
    return make_observer()


@pytest.fixture
def visit(personas, observer):
    return make_visit(observer, personas.hall, windows=[personas.window])


@pytest.fixture
def finding(personas, observer, visit):
    """A shortcoming about the clerk at window 1, with a photo."""
    return make_finding(
        observer, visit, staff=personas.clerk, window=personas.window, photos=[png()]
    )
