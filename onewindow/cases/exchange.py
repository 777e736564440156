"""Cases handled in department systems, pushed to the platform event by event.

`POST /api/v1/exchange/events` (see docs/apps/cases-api.md). A department system that
processes cases in its own software sends each step of each case as an event:

* ``idempotency_key``: unique per event. The same event sent again is stored once: the
  first time the answer is 201, afterwards 200 with the same body. A key sent again with
  a different event is a conflict (409).
* ``case``: the hall code and the department's own case number (``external_number``);
  the first event (``received``) also names the item (implementation code) and the
  applicant. The case gets the number ``<hall code>-<external number>``, which cannot
  clash with the platform's own numbers (hall code + date + sequence, no hyphen), and
  the applicant can look it up on the public status page like any other.
* ``seq``: 1, 2, 3… per case. An event whose seq is not the next one is rejected with
  409 naming the expected seq, so a gap or a reordering never goes unnoticed.
* ``kind``, ``at``, ``actor_name``, ``data``: what happened, when, who did it there.

Each event changes the case as the corresponding service would (the same transitions
table, the legal clock of `cases.clock`), appends a CaseEvent carrying the idempotency
key (unique in the database), writes the audit row and sends `case_changed` after commit,
so supervision and reports see these cases like any other. Writes are serialised per
case by locking its row.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.catalogue.models import ServiceItem
from onewindow.halls.models import Hall

from . import clock
from .models import Case, CaseEvent, CorrectionNotice, Extension, Suspension
from .services import (
    RESULT_FROM,
    RESULT_STATUS,
    TRANSITIONS,
    CaseError,
    InvalidInput,
    NotPermitted,
    TransitionNotAllowed,
    needs_certificate,
    normalise_phone,
    validate_applicant,
)
from .services.common import Change, finish, in_hall, not_allowed
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


def _replay(key: str, number: str, seq: int, kind: str) -> Outcome | None:
    """The stored answer when this exact event was recorded before; a conflict when the
    key was used for another event."""
    event = CaseEvent.objects.select_related("case").filter(external_key=key).first()
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


def _event_data(
    data: dict, *, hall: Hall, external: str, seq: int, actor_name: str, case: Case
) -> dict:
    return {
        **data,
        "hall": hall.code,
        "external_number": external,
        "external_seq": seq,
        "actor_name": (actor_name or "")[:100],
        "status_after": case.status,
    }


def _receive(actor, key, hall, number, external, case_in, at, actor_name, data, request) -> Outcome:
    replay = _replay(key, number, 1, K.RECEIVED)
    if replay:
        return replay
    errors: dict = {}
    item = (
        ServiceItem.objects.select_related("published_version")
        .filter(implementation_code=case_in.get("item") or "")
        .first()
    )
    version = item.published_version if item else None
    if version is None:
        errors["case.item"] = _("No published item has this implementation code.")
    elif hall.pk not in version.frozen_parts().hall_ids:
        errors["case.item"] = fmt(_("This item is not handled in %(hall)s."), hall=hall.name)
    kind = case_in.get("applicant_kind") or ""
    id_number = None
    if kind not in Case.ApplicantKind.values:
        errors["case.applicant_kind"] = _("Choose a person or an organisation.")
    else:
        id_number, error = validate_applicant(kind, case_in.get("applicant_id_number") or "")
        if error:
            errors["case.applicant_id_number"] = error
    name = str(case_in.get("applicant_name") or "").strip()
    if not name or len(name) > 200:
        errors["case.applicant_name"] = _("Enter the applicant's name.")
    phone = normalise_phone(case_in.get("contact_phone") or "")
    if phone is None:
        errors["case.contact_phone"] = _(
            "Enter a mobile number (11 digits) or a landline number with its area code."
        )
    if errors:
        raise InvalidInput(errors)
    try:
        with transaction.atomic():
            case = Case(
                number=number,
                source=Case.Source.EXCHANGE,
                hall=hall,
                department_id=item.department_id,
                item=item,
                item_version=version,
                is_immediate=version.is_immediate,
                applicant_kind=kind,
                applicant_name=name,
                applicant_id_number=id_number,
                contact_name=str(case_in.get("contact_name") or "").strip()[:60],
                contact_phone=phone,
                received_at=at,
                legal_limit_days=version.legal_limit_days,
                promised_limit_days=version.promised_limit_days,
            )
            case.save(force_insert=True)
            change = Change(case=case, actor=actor, action="exchange_received", at=at)
            change.before = None
            change.event(
                K.RECEIVED,
                to_status=S.RECEIVED,
                data=_event_data(
                    {
                        **data,
                        "item": item.implementation_code,
                        "version": version.number,
                        "source": "exchange",
                    },
                    hall=hall,
                    external=external,
                    seq=1,
                    actor_name=actor_name,
                    case=case,
                ),
            )
            change.events[-1].external_key = key
            finish(change, request=request, note=actor_name, bump=False)
    except IntegrityError:
        # The same case (or key) was recorded a moment ago by a concurrent request.
        replay = _replay(key, number, 1, K.RECEIVED)
        if replay:
            return replay
        raise ExchangeConflict(
            fmt(_("Case %(number)s exists already: send its next event."), number=number),
            code="out_of_order",
            expected_seq=_next_seq(Case.objects.get(number=number)),
        ) from None
    return Outcome(created=True, body=body_of(change.events[-1], case))


def _next_seq(case: Case) -> int:
    return CaseEvent.objects.filter(case=case, external_key__isnull=False).count() + 1


@transaction.atomic
def _apply(actor, key, hall, number, external, seq, kind, at, actor_name, data, request) -> Outcome:
    replay = _replay(key, number, seq, kind)
    if replay:
        return replay
    found = (
        Case.objects.visible_to(actor).filter(number=number).values_list("pk", flat=True).first()
    )
    if found is None:
        raise ExchangeConflict(
            fmt(
                _("There is no case %(number)s yet: send its received event first (seq 1)."),
                number=number,
            ),
            code="out_of_order",
            expected_seq=1,
        )
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("hall", "item_version", "current_step")
        .get(pk=found)
    )
    # Under the lock: a concurrent copy of this very event may have been recorded meanwhile.
    replay = _replay(key, number, seq, kind)
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
    action = KIND_ACTIONS[kind]
    if case.status not in TRANSITIONS[action][0]:
        raise not_allowed(action, case)
    change = Change(case=case, actor=actor, action=f"exchange_{kind}", at=at)
    from_status = case.status
    reason = str(data.get("reason") or "").strip()
    derived = APPLY[kind](change, data, reason) or {}
    change.event(
        kind,
        from_status=from_status if case.status != from_status else "",
        to_status=case.status if case.status != from_status else "",
        reason=reason,
        data=_event_data(
            {**data, **derived},
            hall=hall,
            external=external,
            seq=seq,
            actor_name=actor_name,
            case=case,
        ),
        step_position=data.get("step_position")
        if isinstance(data.get("step_position"), int)
        else None,
    )
    change.events[-1].external_key = key
    finish(change, request=request, note=actor_name)
    return Outcome(created=True, body=body_of(change.events[-1], case))


# ------------------------------------------------------------------ the changes per kind


def _positive_int(value, field: str, message) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise InvalidInput({field: message})
    return number


def _clock_data(case: Case) -> dict:
    return {
        "promised_due_date": case.promised_due_date.isoformat() if case.promised_due_date else None,
        "legal_due_date": case.legal_due_date.isoformat() if case.legal_due_date else None,
        "provisional": case.due_provisional,
    }


def _accepted(change: Change, data: dict, reason: str) -> dict:
    case = change.case
    version = case.item_version
    case.status = S.ACCEPTED
    case.accepted_at = change.at
    case.accepted_on = change.today
    case.legal_limit_days = version.legal_limit_days
    case.promised_limit_days = version.promised_limit_days
    clock.recompute(case, periods=[])
    return {"accepted_on": case.accepted_on.isoformat(), **_clock_data(case)}


def _refused(change: Change, data: dict, reason: str) -> None:
    if not reason:
        raise InvalidInput(
            {
                "data.reason": _(
                    "Write the reason for not accepting: the applicant receives it in writing."
                )
            }
        )
    change.case.status = S.REFUSED
    change.case.refusal_reason = reason


def _correction_issued(change: Change, data: dict, reason: str) -> None:
    case = change.case
    items = data.get("items")
    if (
        not isinstance(items, list)
        or not items
        or not all(isinstance(i, str) and i.strip() for i in items)
    ):
        raise InvalidInput(
            {"data.items": _("List the missing materials (data.items, a list of texts).")}
        )
    round_no = case.corrections.count() + 1
    due_by = clock.add_working_days(clock.local_date(case.received_at), 5).value
    CorrectionNotice.objects.create(
        case=case,
        round=round_no,
        items=[
            {
                "material_id": None,
                "name": name.strip()[:200],
                "note": "",
                "derived_from": None,
                "key": f"{round_no}.{i}",
            }
            for i, name in enumerate(items, start=1)
        ],
        issued_at=change.at,
        due_by=due_by,
        late=change.today > due_by,
    )
    case.status = S.CORRECTION


def _correction_supplied(change: Change, data: dict, reason: str) -> None:
    notice = change.case.corrections.order_by("-round").first()
    if notice is not None:
        notice.supplied_at = change.at
        notice.save(update_fields=["supplied_at"])
    change.case.status = S.RECEIVED


def _nothing(change: Change, data: dict, reason: str) -> None:
    """Steps are taken in the department's system: recorded, the state does not change."""


def _extended(change: Change, data: dict, reason: str) -> dict:
    case = change.case
    days = _positive_int(
        data.get("days"), "data.days", _("Enter the number of working days (at least 1).")
    )
    limit = case.item_version.max_extension_days
    if case.extension_days + days > limit:
        raise InvalidInput(
            {
                "data.days": fmt(
                    _(
                        "The law allows at most %(limit)s working days of extension for this item; %(used)s are used already."
                    ),
                    limit=limit,
                    used=case.extension_days,
                )
            }
        )
    if not reason:
        raise InvalidInput({"data.reason": _("Write the reason for the extension.")})
    Extension.objects.create(case=case, days=days, reason=reason, at=change.at)
    case.extension_days += days
    clock.recompute(case)
    return {"days": days, "total": case.extension_days, **_clock_data(case)}


def _suspended(change: Change, data: dict, reason: str) -> None:
    case = change.case
    kind = data.get("procedure")
    if kind not in Suspension.Kind.values:
        raise InvalidInput(
            {
                "data.procedure": fmt(
                    _("Name the special procedure: one of %(kinds)s."),
                    kinds=", ".join(Suspension.Kind.values),
                )
            }
        )
    if not reason:
        raise InvalidInput({"data.reason": _("Write the reason for the suspension.")})
    Suspension.objects.create(case=case, kind=kind, reason=reason, started_on=change.today)
    case.status = S.SUSPENDED
    case.suspended_since = change.today


def _resumed(change: Change, data: dict, reason: str) -> dict:
    case = change.case
    suspension = case.suspensions.filter(resumed_on=None).order_by("-started_on", "-id").first()
    if suspension is not None:
        suspension.resumed_on = change.today
        suspension.days_added = (
            clock.calendar().working_days_between(suspension.started_on, change.today).value
        )
        suspension.save(update_fields=["resumed_on", "days_added"])
    case.status = S.ACCEPTED
    case.suspended_since = None
    clock.recompute(case)
    return {"days_added": suspension.days_added if suspension else 0, **_clock_data(case)}


def _concluded(change: Change, data: dict, reason: str) -> dict:
    case = change.case
    result = data.get("result")
    if result not in Case.Result.values:
        raise InvalidInput(
            {
                "data.result": fmt(
                    _("Give the result: one of %(results)s."), results=", ".join(Case.Result.values)
                )
            }
        )
    if case.status not in RESULT_FROM[result]:
        raise TransitionNotAllowed(
            fmt(
                _("A case that is “%(status)s” cannot be concluded as “%(result)s”."),
                status=case.get_status_display(),
                result=Case.Result(result).label,
            )
        )
    certificate = str(data.get("certificate_number") or "").strip()[:80]
    if result == Case.Result.GRANTED and needs_certificate(case.item_version) and not certificate:
        raise InvalidInput(
            {"data.certificate_number": _("A granted licence needs its certificate number.")}
        )
    if result in (Case.Result.REFUSED, Case.Result.VOID) and not reason:
        raise InvalidInput({"data.reason": _("A refusal needs its reasons, in writing.")})
    valid_until = None
    if data.get("certificate_valid_until"):
        try:
            valid_until = dt.date.fromisoformat(str(data["certificate_valid_until"]))
        except ValueError:
            raise InvalidInput(
                {"data.certificate_valid_until": _("Enter a date as YYYY-MM-DD.")}
            ) from None
    fee = None
    if data.get("fee_charged") not in (None, ""):
        try:
            fee = Decimal(str(data["fee_charged"])).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            raise InvalidInput(
                {"data.fee_charged": _("Enter the fee as an amount in yuan.")}
            ) from None
    if case.status == S.SUSPENDED:
        _resumed(change, data, reason)
    case.status = RESULT_STATUS[result]
    case.result = result
    case.result_reason = reason
    case.certificate_number = certificate if result == Case.Result.GRANTED else ""
    case.certificate_valid_until = valid_until if result == Case.Result.GRANTED else None
    case.concluded_at = change.at
    case.fee_charged = fee
    case.current_step = None
    case.current_assignee = None
    if case.accepted_on is not None:
        done = change.today
        case.outcome_promised = clock.outcome(done, case.promised_due_date)
        case.outcome_legal = clock.outcome(done, case.legal_due_date)
        case.working_days_used, _provisional = clock.working_days_used(
            case.accepted_on, done, case.suspended_days
        )
        case.minutes_used = (
            clock.minutes_between(case.accepted_at, change.at) if case.is_immediate else None
        )
        return {
            "outcome_promised": case.outcome_promised,
            "outcome_legal": case.outcome_legal,
            "working_days_used": case.working_days_used,
        }
    return {}


def _delivered(change: Change, data: dict, reason: str) -> None:
    method = data.get("method")
    if method not in Case.DeliveryMethod.values:
        raise InvalidInput(
            {
                "data.method": fmt(
                    _("Give the delivery method: one of %(methods)s."),
                    methods=", ".join(Case.DeliveryMethod.values),
                )
            }
        )
    case = change.case
    case.status = S.DELIVERED
    case.delivered_at = change.at
    case.delivery_method = method


APPLY = {
    K.ACCEPTED: _accepted,
    K.REFUSED: _refused,
    K.CORRECTION_ISSUED: _correction_issued,
    K.CORRECTION_SUPPLIED: _correction_supplied,
    K.STEP_ASSIGNED: _nothing,
    K.STEP_DECIDED: _nothing,
    K.EXTENDED: _extended,
    K.SUSPENDED: _suspended,
    K.RESUMED: _resumed,
    K.CONCLUDED: _concluded,
    K.DELIVERED: _delivered,
}
