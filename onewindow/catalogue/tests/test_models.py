"""Model rules and read scopes of the catalogue."""

import pytest
from django.core.exceptions import ValidationError

from onewindow.catalogue import services
from onewindow.catalogue.models import ItemVersion, ServiceItem

from .factories import make_item, make_published

pytestmark = pytest.mark.django_db


def test_a_version_checks_its_limits_and_legal_basis():
    version = ItemVersion(
        name="x",
        item_type="01",
        handling="promised",
        legal_limit_days=5,
        promised_limit_days=6,
        legal_basis="",
    )
    with pytest.raises(ValidationError) as exc:
        version.clean()
    assert set(exc.value.message_dict) == {"legal_basis", "promised_limit_days"}
    version.handling, version.promised_limit_days, version.legal_basis = (
        "immediate",
        0,
        "《婚姻登记条例》",
    )
    version.clean()
    assert version.is_immediate
    assert version.max_extension_days == 10
    version.is_joint = True
    assert version.max_extension_days == 15


def test_an_item_checks_its_codes():
    item = ServiceItem(implementation_code="bad code!", catalogue_code="12345")
    with pytest.raises(ValidationError) as exc:
        item.clean()
    assert set(exc.value.message_dict) == {"implementation_code", "catalogue_code"}
    ServiceItem(implementation_code="320582-GA-001", catalogue_code="010010010000").clean()


def test_hall_staff_see_the_versions_of_their_halls(personas):
    mine = make_item(personas.department, [personas.hall])
    shared = make_item(personas.department, [personas.hall, personas.other_hall])
    other = make_item(personas.other_department, [personas.other_hall])
    assert set(ItemVersion.objects.visible_to(personas.clerk)) == {mine, shared}
    assert set(ItemVersion.objects.visible_to(personas.outsider)) == {shared, other}
    assert set(ServiceItem.objects.visible_to(personas.clerk)) == {mine.item, shared.item}


def test_reviewers_and_the_centre_see_every_hall(personas):
    make_item(personas.department, [personas.hall])
    make_item(personas.other_department, [personas.other_hall])
    for user in (personas.legal, personas.fee, personas.admin, personas.supervisor):
        assert ItemVersion.objects.visible_to(user).count() == 2


def test_anonymous_users_see_no_version(personas):
    from django.contrib.auth.models import AnonymousUser

    make_item(personas.department, [personas.hall])
    assert not ItemVersion.objects.visible_to(AnonymousUser()).exists()


def test_newest_open_and_published_versions(personas):
    v1 = make_published(personas.department, [personas.hall])
    v2 = services.new_draft_from_published(actor=None, item=v1.item)
    draft = make_item(personas.department, [personas.hall])
    assert set(ItemVersion.objects.newest()) == {v2, draft}
    assert set(ItemVersion.objects.open()) == {v2, draft}
    assert list(ItemVersion.objects.published()) == [v1]
    assert list(ServiceItem.objects.published()) == [v1.item]
    assert str(v1.item) == f"{v1.item.implementation_code} {v1.name}"


def test_the_parts_of_the_versions_in_force_load_at_once(personas, django_assert_num_queries):
    """A web process loads the halls, materials and steps of every published version as
    it starts (wsgi._warm_up); the first intakes then read none of them."""
    from onewindow.catalogue.models import (
        _read_parts,
        forget_frozen_parts,
        preload_frozen_parts,
    )

    published = [
        make_published(personas.department, [personas.hall]),
        make_published(personas.department, [personas.hall, personas.other_hall]),
    ]
    forget_frozen_parts()
    assert preload_frozen_parts() == 2
    for version in published:
        version = ItemVersion.objects.get(pk=version.pk)
        with django_assert_num_queries(0):
            parts = version.frozen_parts()
        assert parts == _read_parts(version) and parts.materials and parts.steps
    assert published[1].frozen_parts().hall_ids == {personas.hall.pk, personas.other_hall.pk}
