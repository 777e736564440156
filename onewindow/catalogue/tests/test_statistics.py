"""Catalogue statistics: the numbers, and the page."""

import pytest
from django.urls import reverse

from onewindow.catalogue.models import ItemVersion
from onewindow.catalogue.statistics import Figures, catalogue_statistics

from .factories import make_item, make_published

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(personas):
    make_published(personas.department, [personas.hall], legal=20, promised=5, fees=1)
    make_published(
        personas.department, [personas.hall, personas.centre], legal=10, immediate=True, fees=0
    )
    make_published(personas.other_department, [personas.other_hall], legal=30, promised=10, fees=0)
    make_item(
        personas.department, [personas.hall], legal=40, promised=1, fees=3
    )  # a draft: not counted


def test_it_counts_the_published_catalogue(catalogue):
    stats = catalogue_statistics(ItemVersion.objects.published())
    total = stats.total
    assert (total.items, total.immediate, total.promised) == (3, 1, 2)
    assert (total.promised_days, total.legal_days) == (15, 60)
    assert total.immediate_share == pytest.approx(1 / 3)
    assert total.speed_up == pytest.approx(0.75)
    assert (total.with_fees, total.fee_share) == (1, pytest.approx(1 / 3))
    assert stats.sub_centres.items == 3
    assert stats.sub_centre_share == 1


def test_it_counts_per_hall_and_department(catalogue):
    stats = catalogue_statistics(ItemVersion.objects.published())
    halls = {f.key: f for f in stats.by_hall}
    assert (halls["CG"].items, halls["CG"].immediate, halls["CG"].with_fees) == (2, 1, 1)
    assert halls["CG"].speed_up == pytest.approx(1 - 5 / 30)
    assert (halls["ZX"].items, halls["ZX"].speed_up) == (1, 1.0)
    assert (halls["MZ"].items, halls["MZ"].immediate) == (1, 0)
    assert halls["MZ"].speed_up == pytest.approx(1 - 10 / 30)
    departments = [(f.key, f.items) for f in stats.by_department]
    assert departments == [("GA", 2), ("MZ", 1)]


def test_it_has_no_rates_without_items():
    empty = Figures()
    assert (empty.immediate_share, empty.speed_up, empty.fee_share) == (None, None, None)


def test_the_page_shows_the_numbers_and_the_charts(client, personas, catalogue):
    client.force_login(personas.clerk)
    response = client.get(reverse("catalogue:statistics"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="stat-total">3<' in body
    assert "75.0 %" in body
    assert "33.3 %" in body
    assert "15 / 60" in body
    assert "vendor/echarts/echarts.min.js" in body
    chart = response.context["chart"]
    assert chart["immediate"] == 1 and chart["promised"] == 2
    assert sum(chart["hall_immediate"]) + sum(chart["hall_promised"]) == 4  # one item in two halls


def test_the_page_needs_sign_in(client, catalogue):
    assert client.get(reverse("catalogue:statistics")).status_code == 302
