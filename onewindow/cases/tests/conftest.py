"""Fixtures of the case tests: items published in the personas' hall, a frozen clock."""

import pytest
import time_machine

from .factories import at, make_immediate_item, make_item


@pytest.fixture
def monday():
    """Monday 2 March 2026, 10:00 in Shanghai (a plain working week follows)."""
    with time_machine.travel(at("2026-03-02"), tick=False) as traveller:
        yield traveller


@pytest.fixture
def item(personas):
    """A promised licensing item: 10 promised / 20 legal working days, three steps."""
    return make_item(personas.department, [personas.hall], name="机动车转移登记", pinyin="jdczydj")


@pytest.fixture
def immediate_item(personas):
    return make_immediate_item(
        personas.department, [personas.hall], name="补领机动车号牌", pinyin="bljdchp"
    )


@pytest.fixture
def english():
    """Service messages read in English (the tests of pages check the Chinese ones)."""
    from django.utils import translation

    with translation.override("en"):
        yield
