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
