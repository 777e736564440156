"""Writes of the joint meetings and the follow-up of their decisions.

Each function is one transaction with one audit row; invalid input raises a translated
`ValidationError` and writes nothing. A decision is locked while it changes and its
`version` compared with the one the form was filled in on, so a stale form is refused.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.audit.services import record
from onewindow.halls.models import Hall

from .models import Decision, DecisionNote, Meeting

S = Decision.Status
K = DecisionNote.Kind


def overdue_decisions(hall: Hall, year: int, today: dt.date | None = None):
    """The decisions of ``hall`` due in ``year`` that missed their date: still open after
    it, or reported done after it. For the yearly assessment (read only)."""
    return (
        Decision.objects.filter(owner_hall=hall, due_on__year=year)
        .late(today)
        .select_related("meeting")
        .order_by("due_on", "pk")
    )


def _require(actor, perm: str) -> None:
    if not actor.has_perm(perm):
        raise PermissionDenied


@transaction.atomic
def create_meeting(
    *,
    actor,
    title: str,
    held_on: dt.date,
    agenda: str,
    halls,
    place: str = "",
    minutes: str = "",
    attendees=(),
    request=None,
) -> Meeting:
    """Record a meeting (the centre)."""
    _require(actor, "meetings.manage_meetings")
    halls = list(halls)
    if not halls:
        raise ValidationError({"halls": _("Choose the halls that attended the meeting.")})
    meeting = Meeting(
        title=title, held_on=held_on, place=place, agenda=agenda, minutes=minutes,
        created_by=actor,
    )  # fmt: skip
    meeting.full_clean()
    meeting.save()
    meeting.halls.set(halls)
    meeting.attendees.set(list(attendees))
    record(
        actor=actor,
        action="meeting.created",
        obj=meeting,
        after={
            "title": title,
            "held_on": held_on,
            "halls": sorted(h.code for h in halls),
            "attendees": sorted(u.username for u in meeting.attendees.all()),
        },
        request=request,
    )
    return meeting


@transaction.atomic
def add_decision(
    *, actor, meeting: Meeting, text: str, owner_hall: Hall, due_on: dt.date, request=None
) -> Decision:
    """Add a decision to a meeting; its owner hall joins the meeting's halls."""
    _require(actor, "meetings.manage_meetings")
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if due_on < meeting.held_on:
        raise ValidationError({"due_on": _("The due date cannot be before the meeting was held.")})
    if not text.strip():
        raise ValidationError({"text": _("Write what was decided.")})
    number = (meeting.decisions.aggregate(n=Max("number"))["n"] or 0) + 1
    decision = Decision.objects.create(
        meeting=meeting, number=number, text=text.strip(), owner_hall=owner_hall, due_on=due_on
    )
    meeting.halls.add(owner_hall)
    record(
        actor=actor,
        action="meeting.decision_added",
        obj=decision,
        hall=owner_hall,
        after={"meeting": meeting.pk, "number": number, "owner": owner_hall.code,
               "due_on": due_on},
        request=request,
    )  # fmt: skip
    return decision


def _locked(decision: Decision, version: int | None) -> Decision:
    current = Decision.objects.select_for_update().get(pk=decision.pk)
    if version is not None and current.version != version:
        raise ValidationError(
            _(
                "This decision was changed by someone else while you were looking at it. "
                "Nothing was saved: read it again and retry."
            ),
            code="stale",
        )
    return current


def _step(actor, decision: Decision, kind: str, note: str, before: str, request) -> Decision:
    decision.version += 1
    decision.save()
    DecisionNote.objects.create(decision=decision, kind=kind, text=note, author=actor)
    record(
        actor=actor,
        action=f"meeting.decision_{kind}",
        obj=decision,
        hall=decision.owner_hall,
        before={"status": before},
        after={"status": decision.status, "note": note},
        request=request,
    )
    return decision


@transaction.atomic
def report_progress(
    *, actor, decision: Decision, note: str, done: bool = False, version=None, request=None
) -> Decision:
    """The owner hall's manager notes progress, or reports the decision done."""
    _require(actor, "meetings.report_progress")
    if decision.owner_hall_id not in actor.hall_id_set:
        # Only the owner hall's own manager; the view answers 404 before this.
        raise PermissionDenied
    decision = _locked(decision, version)
    if decision.status != S.OPEN:
        raise ValidationError(_("Only an open decision takes progress notes."), code="state")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Write what was done.")})
    before = decision.status
    if done:
        decision.status = S.DONE
        decision.done_at = timezone.now()
    return _step(actor, decision, K.DONE if done else K.PROGRESS, note, before, request)


@transaction.atomic
def verify_decision(
    *, actor, decision: Decision, accept: bool, note: str = "", version=None, request=None
) -> Decision:
    """The centre verifies a decision reported done, or returns it to its hall (open
    again, with the reason)."""
    _require(actor, "meetings.manage_meetings")
    decision = _locked(decision, version)
    if decision.status != S.DONE or decision.verified_at is not None:
        raise ValidationError(
            _("Only a decision reported done and not yet verified can be verified or returned."),
            code="state",
        )
    note = (note or "").strip()
    before = decision.status
    if accept:
        decision.verified_at = timezone.now()
        decision.verified_by = actor
        return _step(actor, decision, K.VERIFIED, note or _("Verified."), before, request)
    if not note:
        raise ValidationError({"note": _("Say why the decision is returned.")})
    decision.status = S.OPEN
    decision.done_at = None
    return _step(actor, decision, K.RETURNED, note, before, request)


@transaction.atomic
def cancel_decision(*, actor, decision: Decision, note: str, version=None, request=None):
    """The centre cancels a decision that is not verified yet (a later meeting
    overturned it), with the reason."""
    _require(actor, "meetings.manage_meetings")
    decision = _locked(decision, version)
    if decision.status == S.CANCELLED or decision.verified_at is not None:
        raise ValidationError(
            _("A cancelled or verified decision cannot be cancelled."), code="state"
        )
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say why the decision is cancelled.")})
    before = decision.status
    decision.status = S.CANCELLED
    return _step(actor, decision, K.CANCELLED, note, before, request)
