"""Test data of the follow-ups: a case accepted at the personas' hall and a rating of its
acceptance written with the ORM (the ratings services are another app's)."""

from __future__ import annotations

from django.utils import timezone

from onewindow.cases.models import CaseEvent
from onewindow.cases.tests.factories import at, make_accepted_case, make_item  # noqa: F401
from onewindow.ratings.models import Channel, Rating


def make_rating(personas, item, *, level=1, comment="窗口人员态度生硬", case=None, rated_at=None):
    """A rating of the acceptance of a (new) case, rated now unless told otherwise."""
    case = case or make_accepted_case(personas, item)
    event = case.events.filter(kind=CaseEvent.Kind.ACCEPTED).first()
    return Rating.objects.create(
        event=event,
        case=case,
        act=event.kind,
        act_at=event.at,
        hall=case.hall,
        window=event.window,
        staff=event.actor,
        level=level,
        channel=Channel.STATUS_PAGE,
        reasons=["attitude"] if level <= 2 else [],
        comment=comment,
        rated_at=rated_at or timezone.now(),
    )
