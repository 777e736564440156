"""The demo's training records: nearly every window clerk qualified, three flagged, each
for its own reason; every demo window clerk but those signs in; idempotent."""

import io

import pytest
from django.utils import timezone

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.floor import services as floor
from onewindow.floor.errors import NotPermitted
from onewindow.halls.models import Hall, Window
from onewindow.training import services
from onewindow.training.demo import load_demo_training
from onewindow.training.models import TrainingSession

pytestmark = pytest.mark.django_db


def test_the_demo_training_records():
    from onewindow.demo.organisation import load_organisation

    load_organisation()
    out = io.StringIO()
    made = load_demo_training(stdout=out)
    assert made == TrainingSession.objects.count() and "training:" in out.getvalue()
    halls = Hall.objects.active()
    flagged = {
        u.username: s.reasons
        for _hall, rows in services.unqualified_by_hall(halls)
        for u, s in rows
    }
    assert set(flagged) == {"td_clerk2", "rh_clerk2", "gjj_clerk2"}
    assert flagged["td_clerk2"] == ["未通过上岗资格考试"]
    assert "已过有效期" in flagged["rh_clerk2"][0]
    assert "应修 24 学时" in flagged["gjj_clerk2"][0]
    clerks = User.objects.filter(groups__name=Role.WINDOW_CLERK).count()
    assert clerks >= 30 and len(flagged) <= clerks // 10  # nearly all of them qualified
    for hall in halls:
        share = services.qualified_share(hall, timezone.localdate().year)
        assert share.staff == 0 or share.rate >= 0.5
    # Every hall's staff had hours this year or last (sessions in every hall).
    assert set(TrainingSession.objects.values_list("halls", flat=True)) >= set(
        halls.values_list("pk", flat=True)
    )
    # A qualified demo clerk signs in at a window; a flagged one is refused.
    cg = Hall.objects.get(code="CG")
    window = Window.objects.filter(hall=cg).first()
    assert floor.sign_in(actor=User.objects.get(username="cg_clerk"), window=window)
    td = Window.objects.filter(hall__code="TD").first()
    with pytest.raises(NotPermitted):
        floor.sign_in(actor=User.objects.get(username="td_clerk2"), window=td)
    assert load_demo_training() == 0  # again: nothing new
