"""Test data for the Open311 tests: partner keys (complaints come from the complaints
app's own factories, through its services)."""

from __future__ import annotations

from onewindow.complaints.models import Complaint
from onewindow.open311.services import issue_key


def make_key(name="12345-hotline", channel=Complaint.Channel.HOTLINE, batch=False):
    """A partner key row and the key itself."""
    return issue_key(actor=None, name=name, channel=channel, batch=batch)
