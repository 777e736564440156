"""Writing ratings (好差评): which case events are service acts, and `rate`.

A service act is a case event that served someone: an acceptance (受理, also with
materials to follow), a conclusion (办结) and a delivery (送达). An immediate service
(即办件) is accepted and concluded in one visit, with two events at the same moment, and
its result handed over then: the conclusion is its one act, its acceptance and delivery
are not rated apart. So a promised case may be rated at acceptance, at conclusion and at
delivery, an immediate one once.

Every act is rated at most once, from whichever channel comes first; a rating is never
edited or deleted, and an act nobody rated stays unrated.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import record
from onewindow.cases.models import CaseEvent
from onewindow.floor.models import Ticket

from . import reasons as reason_list
from .models import BAD_LEVELS, Channel, Level, Rating, RatingRequest
from .signals import rating_recorded

K = CaseEvent.Kind

#: The kinds of case event that may be a service act (see `is_service_act`).
ACT_KINDS = (K.ACCEPTED, K.ACCEPTED_WITH_GAPS, K.CONCLUDED, K.DELIVERED)

#: Kinds that are part of an immediate service rather than acts of their own: its
#: acceptance and the handing over of its result in the same visit.
INSIDE_IMMEDIATE = (K.ACCEPTED, K.DELIVERED)

MAX_COMMENT = 1000

ALREADY_RATED = _("This service has already been rated; a rating cannot be changed.")
NOT_AN_ACT = _("There is no such service to rate.")


def refused(field: str, message, code: str) -> ValidationError:
    """A refusal naming the field at fault, with a code the API and the tablet can tell."""
    return ValidationError({field: ValidationError(message, code=code)})


def service_acts() -> QuerySet[CaseEvent]:
    """Every case event that is a service act, as a queryset (the rule of
    `is_service_act` in SQL): the acceptance and the delivery of an immediate service
    (an immediate item accepted and concluded at the same moment) are left out."""
    return CaseEvent.objects.filter(kind__in=ACT_KINDS).exclude(
        kind__in=INSIDE_IMMEDIATE,
        case__is_immediate=True,
        case__accepted_at__isnull=False,
        case__concluded_at=F("case__accepted_at"),
    )


def is_service_act(event: CaseEvent) -> bool:
    """Whether this event (with its case) is a service act that can be rated."""
    if event.kind not in ACT_KINDS:
        return False
    case = event.case
    immediate = (
        case.is_immediate and case.accepted_at is not None and case.concluded_at == case.accepted_at
    )
    return not (immediate and event.kind in INSIDE_IMMEDIATE)


def unrated_acts(case) -> QuerySet[CaseEvent]:
    """The case's service acts that nobody has rated yet, in the order they happened."""
    return (
        service_acts()
        .filter(case=case, rating__isnull=True)
        .select_related("window", "actor")
        .order_by("seq")
    )


def find_act(event_id) -> CaseEvent:
    """The service act with this id (with its case), or a ValidationError: an id that is
    not a number, an event that never happened and an event that is not a service act
    all get the same answer."""
    try:
        pk = int(event_id)
    except (TypeError, ValueError):
        raise refused("event", NOT_AN_ACT, "no_act") from None
    event = CaseEvent.objects.select_related("case", "hall").filter(pk=pk).first()
    if event is None or not is_service_act(event):
        raise refused("event", NOT_AN_ACT, "no_act")
    return event


def parse_level(value) -> int | None:
    try:
        level = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return level if level in Level.values else None


def check(*, level, channel: str, reasons=(), comment: str = "") -> tuple[int, list[str], str]:
    """Validate what a rater sent: the level (1–5), the channel, and for a bad rating at
    least one reason from the list and a comment. Returns the clean values or raises a
    ValidationError naming each field at fault."""
    errors: dict = {}
    parsed = parse_level(level)
    if parsed is None:
        errors["level"] = _("Choose a rating from 1 (very dissatisfied) to 5 (very satisfied).")
    if channel not in Channel.values:
        errors["channel"] = _("Unknown rating channel.")
    if isinstance(reasons, str):
        reasons = [reasons]
    codes = list(dict.fromkeys(str(r) for r in (reasons or []) if str(r).strip()))
    unknown = [c for c in codes if c not in reason_list.CODES]
    comment = (comment or "").strip()
    if unknown:
        errors["reasons"] = _("Choose the reasons from the list.")
    if len(comment) > MAX_COMMENT:
        errors["comment"] = _("The comment is too long (at most %(max)d characters).") % {
            "max": MAX_COMMENT
        }
    if parsed in BAD_LEVELS:
        if not codes and "reasons" not in errors:
            errors["reasons"] = _("Tell us why: choose at least one reason.")
        if not comment and "comment" not in errors:
            errors["comment"] = _("Tell us in a few words what went wrong.")
    else:
        codes = []  # reasons belong to bad ratings only
    if errors:
        raise ValidationError(errors)
    return parsed, codes, comment


def rate(
    *,
    event: CaseEvent,
    level,
    channel: str,
    reasons=(),
    comment: str = "",
    rated_at: dt.datetime | None = None,
    actor=None,
    request=None,
) -> Rating:
    """Record the rating of one service act, copying who served, where and when from the
    act's event; write the audit row and send `rating_recorded` (in the transaction).

    Refused with a ValidationError, and nothing written: an event that is not a service
    act, a level outside 1–5, a bad rating without a reason or a comment, a second rating
    of the same act — also when two raters send theirs at once: the unique event column
    turns the slower one away."""
    level, codes, comment = check(level=level, channel=channel, reasons=reasons, comment=comment)
    if not is_service_act(event):
        raise refused("event", NOT_AN_ACT, "no_act")
    rating = Rating(
        event=event,
        case_id=event.case_id,
        act=event.kind,
        act_at=event.at,
        hall_id=event.hall_id,
        window_id=event.window_id,
        staff_id=event.actor_id,
        ticket_id=case_ticket_id(event.case_id),
        level=level,
        channel=channel,
        reasons=codes,
        comment=comment,
        rated_at=rated_at or timezone.now(),
    )
    with transaction.atomic():
        try:
            with transaction.atomic():
                rating.save(force_insert=True)
        except IntegrityError:
            raise refused("event", ALREADY_RATED, "already_rated") from None
        _audit(rating, event, actor, request)
        rating_recorded.send(sender=Rating, rating=rating, request=request)
    return rating


def case_ticket_id(case_id) -> int | None:
    """The id of the queue ticket the case was started from (the first, should a case
    have been linked to more than one), or None for a case that came without a ticket."""
    if case_id is None:
        return None
    return (
        Ticket.objects.filter(case_id=case_id).order_by("pk").values_list("pk", flat=True).first()
    )


def _audit(rating: Rating, event: CaseEvent, actor, request) -> None:
    record(
        actor=actor,
        action="rating.recorded",
        obj=rating,
        object_repr=f"{event.case.number} {event.kind}",
        hall=event.hall,
        after={
            "case": event.case.number,
            "event": event.pk,
            "act": event.kind,
            "level": rating.level,
            "channel": rating.channel,
            "reasons": rating.reasons,
        },
        request=request,
    )


NOTHING_TO_RATE = _("This case has no service at a window left to rate.")


def request_rating(*, actor, case, request=None) -> RatingRequest:
    """The clerk's "please rate" (请评价): put the case's newest unrated act done at a
    window on that window's tablet again. Only the act's own window: a tablet never
    rates another window's service."""
    event = unrated_acts(case).filter(window__isnull=False).order_by("-seq").first()
    if event is None:
        raise refused("event", NOTHING_TO_RATE, "nothing_to_rate")
    with transaction.atomic():
        asked = RatingRequest.objects.create(
            event=event, window_id=event.window_id, requested_by=actor
        )
        record(
            actor=actor,
            action="rating.requested",
            obj=case,
            hall=case.hall,
            after={"event": event.pk, "act": event.kind, "window": event.window_id},
            request=request,
        )
    return asked


def already_rated(event_ids) -> set[int]:
    """Which of these events have a rating (one query)."""
    return set(
        Rating.objects.filter(event_id__in=list(event_ids)).values_list("event_id", flat=True)
    )


__all__ = [
    "ACT_KINDS",
    "already_rated",
    "check",
    "find_act",
    "is_service_act",
    "rate",
    "request_rating",
    "service_acts",
    "unrated_acts",
]
