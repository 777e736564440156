"""The demo catalogue: size, share of the sub-centres, realistic content, idempotent."""

import pytest

from onewindow.catalogue.demo import load_demo_catalogue
from onewindow.catalogue.models import Fee, ItemVersion, ServiceItem, check_steps
from onewindow.catalogue.statistics import catalogue_statistics
from onewindow.demo.organisation import load_organisation

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_it_loads_a_whole_city_catalogue_once():
    load_organisation()
    created = load_demo_catalogue()
    assert created >= 400
    stats = catalogue_statistics(ItemVersion.objects.published())
    assert stats.total.items >= 400
    assert stats.sub_centres.items >= 140
    assert stats.sub_centre_share >= 0.35
    sub = stats.sub_centres
    assert 0.35 <= sub.immediate / sub.items <= 0.45
    for code in ["CG", "LB", "MZ", "DS", "FC", "TD", "RH", "GJJ"]:
        hall = next(f for f in stats.by_hall if f.key == code)
        assert hall.items >= 8, code
    assert ItemVersion.objects.published().filter(legal_basis="").count() == 0
    assert not Fee.objects.filter(basis="").exists()
    car = ItemVersion.objects.published().get(name="机动车注册登记")
    assert car.pinyin_initials == "JDCZCDJ"
    assert "《中华人民共和国道路交通安全法》" in car.legal_basis
    assert car.fees.count() == 3
    assert car.reviews.filter(stage="legal", decision="pass").exists()
    assert ItemVersion.objects.published().filter(name__contains="住房公积金提取").count() >= 8
    # Every published version obeys the rules the services enforce.
    for version in ItemVersion.objects.published().prefetch_related("steps"):
        version.full_clean(exclude=["item", "halls", "created_by"])
        check_steps(version, list(version.steps.all()))
    # A few new versions are on their way, so the review queues have work.
    assert ItemVersion.objects.filter(status=ItemVersion.Status.LEGAL_REVIEW).count() == 2
    assert ItemVersion.objects.filter(status=ItemVersion.Status.FEE_REVIEW).count() == 1
    assert ItemVersion.objects.filter(status=ItemVersion.Status.RETURNED).count() == 1

    items, versions = ServiceItem.objects.count(), ItemVersion.objects.count()
    assert load_demo_catalogue() == 0
    assert (ServiceItem.objects.count(), ItemVersion.objects.count()) == (items, versions)
