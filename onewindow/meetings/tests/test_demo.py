"""The demo's meetings: decisions in every state, written once."""

import datetime as dt
import io

import pytest

from onewindow.meetings.demo import load_demo_meetings
from onewindow.meetings.models import Decision, Meeting
from onewindow.meetings.services import overdue_decisions

pytestmark = pytest.mark.django_db


def test_the_demo_meetings_have_decisions_in_every_state():
    from onewindow.demo.organisation import load_organisation

    load_organisation()
    out = io.StringIO()
    today = dt.date(2026, 12, 7)
    assert load_demo_meetings(stdout=out, today=today) == 5
    assert Meeting.objects.count() == 5
    shown = {d.shown_status for d in Decision.objects.all()}
    assert shown == {"open", "overdue", "awaiting", "done", "cancelled"}
    assert Decision.objects.filter(notes__kind="returned").exists()
    late = Decision.objects.filter(notes__kind="done").late(today)
    assert late.exists()
    hall = late.first().owner_hall
    assert overdue_decisions(hall, late.first().due_on.year, today).exists()
    assert "meetings:" in out.getvalue()
    assert load_demo_meetings(today=today) == 0
    assert Meeting.objects.count() == 5
