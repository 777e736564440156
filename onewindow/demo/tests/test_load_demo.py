import pytest

from onewindow.accounts.models import User
from onewindow.halls.models import Hall

pytestmark = pytest.mark.django_db


def test_load_demo_organisation_is_idempotent():
    from onewindow.demo.organisation import load_organisation

    load_organisation()
    counts = (Hall.objects.count(), User.objects.count())
    load_organisation()
    assert (Hall.objects.count(), User.objects.count()) == counts
    assert Hall.objects.filter(kind=Hall.Kind.SUB_CENTRE).count() == 8
    assert Hall.objects.get(code="CG").name == "市公安局车辆管理所分中心"
    assert User.objects.get(username="cg_clerk").hall_id_set == {Hall.objects.get(code="CG").pk}


def test_it_writes_each_hall_address_with_the_city_once():
    from onewindow.demo.organisation import load_organisation

    load_organisation()
    addresses = list(Hall.objects.values_list("address", flat=True))
    assert "张家港市公安局车辆管理所分中心服务大厅" not in addresses  # the hall, not the department
    assert "张家港市公安局服务大厅" in addresses
    assert all("市市" not in a for a in addresses)
