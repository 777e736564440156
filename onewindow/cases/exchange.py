"""Cases handled in department systems, pushed to the platform event by event.

`POST /api/v1/exchange/events` (see docs/apps/cases-api.md). A department system that
processes cases in its own software sends each step of each case as an event:

* ``idempotency_key``: unique per event within the hall the event names. The same event
  sent again is stored once: the first time the answer is 201, afterwards 200 with the
  same body. A key sent again with a different event of the hall is a conflict (409). A
  key another hall's system used is no concern of this hall's: it is simply unused here.
* ``case``: the hall code and the department's own case number (``external_number``);
  the first event (``received``) also names the item (implementation code) and the
  applicant. The case gets the number ``<hall code>-<external number>``, which cannot
  clash with the platform's own numbers (hall code + date + sequence, no hyphen), and
  the applicant can look it up on the public status page like any other.
* ``seq``: 1, 2, 3… per case. An event whose seq is not the next one is rejected with
  409 naming the expected seq, so a gap or a reordering never goes unnoticed.
* ``kind``, ``at``, ``actor_name``, ``data``: what happened, when, who did it there.

Each event is handed to the case service of its kind (`cases.services`: the same checks,
transitions, clock, events, audit row and after-commit signal as at a window), with its
time and an `Origin` that puts the idempotency key (unique per hall in the database) and the
bookkeeping below on the event it writes. This module only keeps the idempotency and
the sequence: it locks the case row, checks the seq, then calls the service in the same
transaction. Steps are taken in the department's system: their events are recorded
(`services.record_step_elsewhere`) and change no state.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.catalogue.models import ServiceItem
from onewindow.halls.models import Hall

from . import services
from .models import Case, CaseEvent
from .services import CaseError, InvalidInput, NotPermitted, Origin
from .services.common import in_hall
from .services.errors import fmt

S = Case.Status
K = CaseEvent.Kind

EXTERNAL_NUMBER_RE = re.compile(r"[0-9A-Za-z][0-9A-Za-z-]{0,24}")
MAX_DATA_CHARS = 10000
FUTURE_TOLERANCE = dt.timedelta(minutes=5)

# Event kind -> the action of the transitions table it stands for. `received` creates the case.
KIND_ACTIONS = {
    K.CORRECTION_ISSUED: "issue_correction",
    K.CORRECTION_SUPPLIED: "supply_correction",
    K.REFUSED: "refuse",
    K.ACCEPTED: "accept",
    K.STEP_ASSIGNED: "assign_step",
    K.STEP_DECIDED: "decide_step",
    K.EXTENDED: "extend",
    K.SUSPENDED: "suspend",
    K.RESUMED: "resume",
    K.CONCLUDED: "conclude",
    K.DELIVERED: "deliver",
}
KINDS = (K.RECEIVED, *KIND_ACTIONS)


class ExchangeConflict(CaseError):
    """Out of order, or an idempotency key reused for another event (409)."""

    code = "conflict"

    def __init__(self, message, *, code: str, expected_seq: int | None = None):
        super().__init__(message, code=code)
        self.expected_seq = expected_seq


@dataclass
class Outcome:
    created: bool
    body: dict

    @property
    def status_code(self) -> int:
        return 201 if self.created else 200


def case_number(hall_code: str, external_number: str) -> str:
    """Upper case, like every case number: the public status page reads numbers that way."""
    return f"{hall_code.upper()}-{external_number.upper()}"


def body_of(event: CaseEvent, case: Case) -> dict:
    """The answer for an event, built only from what was stored when it was first
    recorded, so that sending it again gets exactly the same body."""
    data = event.data or {}
    return {
        "idempotency_key": event.external_key,
        "case": {
            "number": case.number,
            "hall": data.get("hall"),
            "external_number": data.get("external_number"),
        },
        "seq": data.get("external_seq"),
        "kind": event.kind,
        "at": timezone.localtime(event.at).isoformat(),
        "status": data.get("status_after"),
    }


def record_event(
    *,
    actor,
    idempotency_key: str,
    case: dict,
    seq: int,
    kind: str,
    at: dt.datetime,
    actor_name: str = "",
    data: dict | None = None,
    request=None,
) -> Outcome:
    """Record one event of a department system; see the module docstring."""
    data = dict(data or {})
    key = (idempotency_key or "").strip()
    errors = {}
    if not key or len(key) > 100:
        errors["idempotency_key"] = _("Give each event an idempotency key of 1 to 100 characters.")
    external = str(case.get("external_number") or "").strip()
    hall_code = str(case.get("hall") or "").strip().upper()
    if not EXTERNAL_NUMBER_RE.fullmatch(external):
        errors["case.external_number"] = _(
            "The department's case number has 1 to 25 letters, digits and hyphens, beginning with a letter or digit."
        )
    if not hall_code:
        errors["case.hall"] = _("Name the hall (its code).")
    if kind not in KINDS:
        errors["kind"] = fmt(
            _("Unknown kind of event; use one of: %(kinds)s."), kinds=", ".join(KINDS)
        )
    if not isinstance(seq, int) or seq < 1:
        errors["seq"] = _(
            "The sequence number of an event is 1 for the first event of a case, then 2, 3…"
        )
    elif kind == K.RECEIVED and seq != 1:
        errors["seq"] = _("The received event is the first event of a case: its seq is 1.")
    elif kind in KIND_ACTIONS and seq == 1:
        errors["seq"] = _("The first event of a case (seq 1) is its received event.")
    if at is None:
        errors["at"] = _("Give the time of the event.")
    else:
        if timezone.is_naive(at):
            at = timezone.make_aware(at)
        if at > timezone.now() + FUTURE_TOLERANCE:
            errors["at"] = _("The time of the event cannot be in the future.")
    if len(json.dumps(data, ensure_ascii=False, default=str)) > MAX_DATA_CHARS:
        errors["data"] = fmt(
            _("The event data is too large (at most %(n)s characters)."), n=MAX_DATA_CHARS
        )
    if errors:
        raise InvalidInput(errors)
    hall = Hall.objects.visible_to(actor).filter(code=hall_code).first()
    if hall is None:
        raise Http404("no such hall")
    if not actor.has_perm("cases.handle_cases") or not in_hall(actor, hall.pk):
        raise NotPermitted(_("Your account may not record cases of this hall."))
    number = case_number(hall.code, external)
    if kind == K.RECEIVED:
        return _receive(actor, key, hall, number, external, case, at, actor_name, data, request)
    return _apply(actor, key, hall, number, external, seq, kind, at, actor_name, data, request)


def _replay(key: str, hall: Hall, number: str, seq: int, kind: str) -> Outcome | None:
    """The stored answer when this exact event was recorded before; a conflict when the
    key was used for another event. Keys are the hall's own (unique per hall): another
    hall's key is an unused key here, and a conflict can only name the hall's own case."""
    event = CaseEvent.objects.select_related("case").filter(hall=hall, external_key=key).first()
    if event is None:
        return None
    data = event.data or {}
    if event.case.number != number or data.get("external_seq") != seq or event.kind != kind:
        raise ExchangeConflict(
            fmt(
                _(
                    "The idempotency key %(key)s was already used for another event (%(kind)s, seq %(seq)s of case %(number)s)."
                ),
                key=key,
                kind=event.kind,
                seq=data.get("external_seq"),
                number=event.case.number,
            ),
            code="idempotency_conflict",
        )
    return Outcome(created=False, body=body_of(event, event.case))


def _origin(key: str, *, hall: Hall, external: str, seq: int, actor_name: str, data: dict):
    """The event's data as sent, with the bookkeeping of the exchange."""
    return Origin(
        key=key,
        data={
            **data,
            "hall": hall.code,
            "external_number": external,
            "external_seq": seq,
            "actor_name": (actor_name or "")[:100],
        },
        actor_name=actor_name,
    )


# The services' field names that the exchange's body names otherwise.
FIELD_NAMES = {"kind": "procedure"}


def _prefixed(error: InvalidInput, prefix: str) -> InvalidInput:
    """The service's field errors named as the exchange's body names those fields."""
    return InvalidInput(
        {f"{prefix}{FIELD_NAMES.get(n, n)}": message for n, message in error.errors.items()},
        error.message,
        code=error.code,
    )


def _receive(actor, key, hall, number, external, case_in, at, actor_name, data, request) -> Outcome:
    replay = _replay(key, hall, number, 1, K.RECEIVED)
    if replay:
        return replay
    item = (
        ServiceItem.objects.select_related("published_version")
        .filter(implementation_code=case_in.get("item") or "")
        .first()
    )
    version = item.published_version if item else None
    origin = _origin(key, hall=hall, external=external, seq=1, actor_name=actor_name, data=data)
    try:
        with transaction.atomic():
            case = services.receive_case(
                actor=actor,
                hall=hall,
                item=item,
                applicant_kind=case_in.get("applicant_kind") or "",
                applicant_name=str(case_in.get("applicant_name") or ""),
                applicant_id_number=case_in.get("applicant_id_number") or "",
                contact_phone=case_in.get("contact_phone") or "",
                contact_name=str(case_in.get("contact_name") or ""),
                # The department checked the papers: its checklist is complete.
                provided_material_ids=[m.pk for m in version.frozen_parts().materials]
                if version
                else (),
                received_at=at,
                source=Case.Source.EXCHANGE,
                number=number,
                origin=origin,
                request=request,
            )
    except InvalidInput as exc:
        raise _prefixed(exc, "case.") from None
    except IntegrityError:
        # The same case (or key) was recorded a moment ago by a concurrent request.
        replay = _replay(key, hall, number, 1, K.RECEIVED)
        if replay:
            return replay
        existing = Case.objects.filter(number=number, hall=hall).first()
        if existing is None:
            raise
        raise ExchangeConflict(
            fmt(_("Case %(number)s exists already: send its next event."), number=number),
            code="out_of_order",
            expected_seq=_next_seq(existing),
        ) from None
    return Outcome(created=True, body=body_of(case.events.get(external_key=key), case))


def _next_seq(case: Case) -> int:
    return CaseEvent.objects.filter(case=case, external_key__isnull=False).count() + 1


@transaction.atomic
def _apply(actor, key, hall, number, external, seq, kind, at, actor_name, data, request) -> Outcome:
    replay = _replay(key, hall, number, seq, kind)
    if replay:
        return replay
    case = (
        Case.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .filter(number=number, hall=hall)
        .first()
    )
    if case is None:
        raise ExchangeConflict(
            fmt(
                _("There is no case %(number)s yet: send its received event first (seq 1)."),
                number=number,
            ),
            code="out_of_order",
            expected_seq=1,
        )
    # Under the lock: a concurrent copy of this very event may have been recorded meanwhile.
    replay = _replay(key, hall, number, seq, kind)
    if replay:
        return replay
    expected = _next_seq(case)
    if seq != expected:
        raise ExchangeConflict(
            fmt(
                _(
                    "Event seq %(seq)s of case %(number)s is out of order: the next event must have seq %(expected)s."
                ),
                seq=seq,
                number=number,
                expected=expected,
            ),
            code="out_of_order",
            expected_seq=expected,
        )
    last_at = (
        CaseEvent.objects.filter(case=case, external_key__isnull=False)
        .order_by("-seq")
        .values_list("at", flat=True)
        .first()
    )
    if last_at and at < last_at:
        raise InvalidInput(
            {"at": _("An event cannot happen before the previous event of the case.")}
        )
    origin = _origin(key, hall=hall, external=external, seq=seq, actor_name=actor_name, data=data)
    act = dict(actor=actor, case=case, at=at, origin=origin, request=request)
    reason = str(data.get("reason") or "")
    try:
        case = SERVICES[kind](act, data, reason)
    except InvalidInput as exc:
        raise _prefixed(exc, "data.") from None
    return Outcome(created=True, body=body_of(case.events.get(external_key=key), case))


# ------------------------------------------------------------ the service of each kind


def _date(value, field: str):
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput({field: _("Enter a date as YYYY-MM-DD.")}) from None


def _correction(act: dict, data: dict, reason: str) -> Case:
    items = data.get("items")
    if (
        not isinstance(items, list)
        or not items
        or not all(isinstance(i, str) and i.strip() for i in items)
    ):
        raise InvalidInput(
            {"items": _("List the missing materials (data.items, a list of texts).")}
        )
    return services.issue_correction_notice(**act, items=items)


def _step(kind: str):
    def record(act: dict, data: dict, reason: str) -> Case:
        position = data.get("step_position")
        return services.record_step_elsewhere(
            **act,
            kind=kind,
            step_position=position if isinstance(position, int) else None,
            reason=reason,
        )

    return record


SERVICES = {
    K.ACCEPTED: lambda act, data, reason: services.accept_case(**act),
    K.REFUSED: lambda act, data, reason: services.refuse_case(**act, reason=reason),
    K.CORRECTION_ISSUED: _correction,
    K.CORRECTION_SUPPLIED: lambda act, data, reason: services.supply_correction(**act),
    K.STEP_ASSIGNED: _step(K.STEP_ASSIGNED),
    K.STEP_DECIDED: _step(K.STEP_DECIDED),
    K.EXTENDED: lambda act, data, reason: services.extend_case(
        **act, days=data.get("days"), reason=reason
    ),
    K.SUSPENDED: lambda act, data, reason: services.suspend_case(
        **act, kind=data.get("procedure"), reason=reason, max_days=data.get("max_days")
    ),
    K.RESUMED: lambda act, data, reason: services.resume_case(**act),
    K.CONCLUDED: lambda act, data, reason: services.conclude_case(
        **act,
        result=data.get("result"),
        reason=reason,
        certificate_number=str(data.get("certificate_number") or "")[:80],
        certificate_valid_until=_date(
            data.get("certificate_valid_until"), "certificate_valid_until"
        ),
        fee_charged=data.get("fee_charged"),
        fee_conditions=data.get("fee_conditions"),
    ),
    K.DELIVERED: lambda act, data, reason: services.deliver_case(**act, method=data.get("method")),
}
