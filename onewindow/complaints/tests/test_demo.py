"""The demo complaints: every state, several channels, idempotent."""

import io

import pytest

from onewindow.complaints.demo import load_demo_complaints
from onewindow.complaints.models import Complaint
from onewindow.demo.organisation import load_organisation

pytestmark = pytest.mark.django_db


def test_it_loads_complaints_in_every_state_once():
    load_organisation()
    out = io.StringIO()
    made = load_demo_complaints(out)
    assert made == 60
    assert set(Complaint.objects.values_list("status", flat=True)) == set(Complaint.Status.values)
    assert Complaint.objects.overdue().exists()
    assert Complaint.objects.filter(reopen_count__gt=0, status="investigating").exists()
    assert Complaint.objects.filter(reopen_count__gt=0, status="closed").exists()
    assert Complaint.objects.values("channel").distinct().count() >= 5
    assert "complaints: 60 over the year" in out.getvalue()
    assert load_demo_complaints(io.StringIO()) == 0
    assert Complaint.objects.count() == 60
