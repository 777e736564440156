"""After acceptance: steps, special procedures (extension, suspension), conclusion and
delivery."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .. import clock, fees
from ..models import (
    Case,
    CaseEvent,
    CaseFeeLine,
    CaseStep,
    Extension,
    Suspension,
    needs_certificate,
)
from .common import (
    RESULT_FROM,
    RESULT_STATUS,
    Change,
    Origin,
    eligible_for_step,
    finish,
    hand_back_to_window,
    in_hall,
    lock,
    official,
    require,
    start_step,
)
from .errors import InvalidInput, NotPermitted, TransitionNotAllowed, fmt

S = Case.Status
K = CaseEvent.Kind
D = CaseStep.Decision

#: Told to every applicant whose application is refused (行政许可法 第三十八条).
DEFAULT_REMEDIES = _(
    "If you do not agree with this decision, you may apply for administrative reconsideration "
    "within 60 days of receiving it, or bring an administrative lawsuit before a people's court "
    "within 6 months."
)


def default_remedies() -> str:
    """The remedies statement as kept with the case."""
    return official(DEFAULT_REMEDIES)


def _current_step(case: Case) -> CaseStep:
    step = case.current_step
    if step is None:
        raise TransitionNotAllowed(
            _("No step of this case is waiting: every step has been decided.")
        )
    return step


@transaction.atomic
def assign_step(
    *, actor, case: Case, assignee, expected_version: int | None = None, window=None, request=None
) -> Case:
    """Give the current step to a person with the step's role in the case's hall and the
    item's department."""
    case = lock(case, "assign_step", expected_version)
    require(actor, case)
    step = _current_step(case)
    if assignee is None or not assignee.is_active or case.hall_id not in assignee.hall_id_set:
        # Somebody of another hall gets the answer of a name nobody has (the API's lookup
        # by username): the case's hall learns nothing about another hall's staff.
        raise InvalidInput({"assignee": _("There is no active staff member with this username.")})
    if not eligible_for_step(assignee, case, step.role):
        raise InvalidInput(
            {
                "assignee": fmt(
                    _(
                        "%(name)s cannot take this step: it needs the role “%(role)s” in this hall and department."
                    ),
                    name=str(assignee) if assignee else "—",
                    role=step.role_label,
                )
            }
        )
    change = Change(case=case, actor=actor, action="step_assigned", window=window)
    step.assignee = assignee
    step.save(update_fields=["assignee"])
    case.current_assignee = assignee
    change.event(
        K.STEP_ASSIGNED,
        step_position=step.position,
        data={
            "step": step.name,
            "role": step.role,
            "assignee": assignee.username,
            "assignee_id": assignee.pk,
            "assignee_name": str(assignee),
            "auto": False,
        },
    )
    return finish(change, request=request)


@transaction.atomic
def record_step_elsewhere(
    *,
    actor,
    case: Case,
    kind: str,
    step_position: int | None = None,
    reason: str = "",
    expected_version: int | None = None,
    at: dt.datetime | None = None,
    origin: Origin | None = None,
    window=None,
    request=None,
) -> Case:
    """A step of a case handled in a department system, assigned or decided there: kept
    in the case's history, changing no state (that system holds the steps)."""
    action = {K.STEP_ASSIGNED: "assign_step", K.STEP_DECIDED: "decide_step"}[kind]
    case = lock(case, action, expected_version)
    require(actor, case)
    change = Change(case=case, actor=actor, action=kind, at=at, origin=origin, window=window)
    change.event(kind, step_position=step_position, reason=(reason or "").strip())
    return finish(change, request=request)


def _check_decider(actor, case: Case, step: CaseStep) -> None:
    if actor is None:
        return
    if step.assignee_id is not None:
        if step.assignee_id != actor.pk:
            raise NotPermitted(
                fmt(_("This step is waiting for %(name)s, not for you."), name=str(step.assignee))
            )
    elif not eligible_for_step(actor, case, step.role):
        raise NotPermitted(
            fmt(
                _("This step needs the role “%(role)s” in this hall and department."),
                role=step.role_label,
            )
        )


@transaction.atomic
def decide_step(
    *,
    actor,
    case: Case,
    decision: str,
    opinion: str = "",
    send_back_to: int | None = None,
    expected_version: int | None = None,
    window=None,
    request=None,
) -> Case:
    """Decide the current step with an opinion.

    * ``pass``: handling or review done, on to the next step;
    * ``approve`` / ``reject``: the decision (审批) of an approver step, or of the last
      step; a rejection needs an opinion and ends the steps (the case is then concluded
      as refused);
    * ``send_back``: back to an earlier step (``send_back_to`` is its 1-based position,
      the previous step when None), with an opinion saying why; it goes to the person
      who took that step before when they still can.

    When the last step is decided the case waits for the window to conclude it.
    """
    case = lock(case, "decide_step", expected_version)
    step = _current_step(case)
    _check_decider(actor, case, step)
    opinion = (opinion or "").strip()
    steps = list(case.item_version.frozen_parts().steps)
    is_last = step.position >= len(steps)
    is_decision_step = step.role == "approver" or is_last
    errors: dict = {}
    if decision not in D.values:
        errors["decision"] = _("Choose a decision.")
    elif decision in (D.APPROVE, D.REJECT) and not is_decision_step:
        errors["decision"] = _(
            "Only the deciding step (审批) can approve or reject; pass the case on instead."
        )
    elif decision == D.PASS and step.role == "approver":
        errors["decision"] = _("The deciding step approves or rejects.")
    elif decision in (D.REJECT, D.SEND_BACK) and not opinion:
        errors["opinion"] = _("Write your opinion: the reasons are kept with the case.")
    target = None
    if decision == D.SEND_BACK and not errors:
        target = step.position - 1 if send_back_to in (None, "") else send_back_to
        try:
            target = int(target)
        except (TypeError, ValueError):
            target = 0
        if not 1 <= target < step.position:
            errors["send_back_to"] = _("Choose an earlier step to send the case back to.")
    if errors:
        raise InvalidInput(errors)

    change = Change(case=case, actor=actor, action="step_decided", window=window)
    if step.assignee_id is None and actor is not None:
        step.assignee = actor
    step.decision = decision
    step.opinion = opinion
    step.finished_at = change.at
    step.save(update_fields=["assignee", "decision", "opinion", "finished_at"])
    if decision == D.SEND_BACK:
        change.event(
            K.SENT_BACK,
            step_position=step.position,
            reason=opinion,
            data={"step": step.name, "to": target, "to_step": steps[target - 1].name},
        )
        previous = (
            case.steps.filter(position=target)
            .exclude(assignee=None)
            .order_by("-started_at", "-id")
            .first()
        )
        start_step(change, target, assignee=previous.assignee if previous else None)
        return finish(change, request=request)

    final = decision == D.REJECT or is_last
    change.event(
        K.STEP_DECIDED,
        step_position=step.position,
        reason=opinion,
        data={"step": step.name, "role": step.role, "decision": decision, "final": final},
    )
    if final:
        hand_back_to_window(case)
    else:
        start_step(change, step.position + 1)
    return finish(change, request=request)


def _extension_days(case: Case, days, errors: dict, *, pending: int = 0) -> int:
    """The days asked for, checked against what the law still allows for the item."""
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    limit = case.item_version.max_extension_days
    if days < 1:
        errors["days"] = _("Enter the number of working days (at least 1).")
    elif case.extension_days + pending + days > limit:
        errors["days"] = fmt(
            _(
                "The law allows at most %(limit)s working days of extension for this item; %(used)s are used already."
            ),
            limit=limit,
            used=case.extension_days + pending,
        )
    return days


def _before_legal_due(case: Case, today: dt.date, errors: dict, field: str) -> None:
    """An extension is asked for and approved before the legal due date has passed; a
    later one cannot turn an overdue case into an early one."""
    if case.legal_due_date is not None and today > case.legal_due_date:
        errors[field] = fmt(
            _(
                "The legal due date (%(due)s) has passed: an extension can no longer be asked for or approved, and the case stays overdue."
            ),
            due=case.legal_due_date.isoformat(),
        )


def may_approve_extensions(user, case: Case) -> bool:
    """Someone who may approve extensions in the case's hall."""
    return (
        user is not None
        and user.is_active
        and user.has_perm("cases.approve_extensions")
        and in_hall(user, case.hall_id)
    )


def pending_extension(case: Case) -> Extension | None:
    return case.extensions.filter(status=Extension.Status.REQUESTED).first()


def _extend(change: Change, extension: Extension) -> None:
    """Add an approved extension's days to the case and to the current step."""
    case = change.case
    case.extension_days += extension.days
    clock.recompute(case)
    _move_step_due(case, extension.days)
    change.event(
        K.EXTENDED,
        reason=extension.reason,
        data={
            "days": extension.days,
            "total": case.extension_days,
            "requested_by": extension.requested_by.username if extension.requested_by else None,
            "approver": extension.approver.username if extension.approver else None,
            "approver_id": extension.approver_id,
            "promised_due_date": case.promised_due_date,
            "legal_due_date": case.legal_due_date,
        },
    )


def _move_step_due(case: Case, days: int) -> None:
    """The current step's due date moves with the case's: by ``days`` working days when
    the step has a limit of its own, else to the case's new promised date."""
    step = case.current_step
    if step is None or not days:
        return
    if step.step_id and step.step.limit_days and step.due_date:
        step.due_date = clock.add_working_days(step.due_date, days).value
    else:
        step.due_date = case.promised_due_date
    step.save(update_fields=["due_date"])


@transaction.atomic
def request_extension(
    *,
    actor,
    case: Case,
    days: int,
    reason: str,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
    window=None,
    request=None,
) -> Case:
    """Ask for an A-type extension (延长): it waits in the queue of the hall's approvers
    and moves nothing until one of them approves it."""
    case = lock(case, "request_extension", expected_version)
    require(actor, case)
    change = Change(case=case, actor=actor, action="extension_requested", at=at, window=window)
    errors: dict = {}
    if pending_extension(case) is not None:
        raise TransitionNotAllowed(_("An extension of this case is already waiting for approval."))
    days = _extension_days(case, days, errors)
    if not (reason or "").strip():
        errors["reason"] = _("Write the reason for the extension.")
    _before_legal_due(case, change.today, errors, "days")
    if errors:
        raise InvalidInput(errors)
    Extension.objects.create(
        case=case,
        days=days,
        reason=reason.strip(),
        requested_by=actor if getattr(actor, "pk", None) else None,
        at=change.at,
    )
    change.event(K.EXTENSION_REQUESTED, reason=reason.strip(), data={"days": days})
    return finish(change, request=request)


@transaction.atomic
def decide_extension(
    *,
    actor,
    case: Case,
    approve: bool,
    note: str = "",
    expected_version: int | None = None,
    at: dt.datetime | None = None,
    window=None,
    request=None,
) -> Case:
    """Approve or refuse the extension waiting for approval. The approver holds the right
    in the case's hall and is not the requester; an approval comes before the legal due
    date. A refusal needs a note."""
    case = lock(case, "decide_extension", expected_version)
    if not may_approve_extensions(actor, case):
        raise NotPermitted(
            _("Only someone who may approve extensions in this hall can decide on it.")
        )
    extension = pending_extension(case)
    if extension is None:
        raise TransitionNotAllowed(_("No extension of this case is waiting for approval."))
    if extension.requested_by_id is not None and extension.requested_by_id == actor.pk:
        raise NotPermitted(_("An extension is approved by someone other than its requester."))
    change = Change(case=case, actor=actor, action="extension_decided", at=at, window=window)
    note = (note or "").strip()
    errors: dict = {}
    if approve:
        _before_legal_due(case, change.today, errors, "approve")
    elif not note:
        errors["note"] = _("Write why the extension is not approved.")
    if errors:
        raise InvalidInput(errors)
    extension.status = Extension.Status.APPROVED if approve else Extension.Status.REFUSED
    extension.approver = actor
    extension.decided_at = change.at
    extension.decision_note = note
    extension.save(update_fields=["status", "approver", "decided_at", "decision_note"])
    if approve:
        _extend(change, extension)
    else:
        change.event(K.EXTENSION_REFUSED, reason=note, data={"days": extension.days})
    return finish(change, request=request)


@transaction.atomic
def extend_case(
    *,
    actor,
    case: Case,
    days: int,
    reason: str,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
    origin: Origin | None = None,
    window=None,
    request=None,
) -> Case:
    """An extension approved in a department system and reported through the exchange
    (`origin`): recorded approved, with the same limits and the same legal due date."""
    if origin is None:
        raise NotPermitted(_("Extensions are requested and then approved by an approver."))
    case = lock(case, "extend", expected_version)
    require(actor, case)
    change = Change(case=case, actor=actor, action="extended", at=at, origin=origin, window=window)
    errors: dict = {}
    days = _extension_days(case, days, errors)
    if not (reason or "").strip():
        errors["reason"] = _("Write the reason for the extension.")
    _before_legal_due(case, change.today, errors, "days")
    if errors:
        raise InvalidInput(errors)
    extension = Extension.objects.create(
        case=case,
        days=days,
        reason=reason.strip(),
        status=Extension.Status.APPROVED,
        at=change.at,
        decided_at=change.at,
    )
    _extend(change, extension)
    return finish(change, request=request)


@transaction.atomic
def suspend_case(
    *,
    actor,
    case: Case,
    kind: str,
    reason: str,
    max_days: int | None,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
    origin: Origin | None = None,
    window=None,
    request=None,
) -> Case:
    """B-type special procedure (hearing, expert review, testing…, or waiting for the
    materials to follow after 容缺受理): the clock stops until the case is resumed."""
    case = lock(case, "suspend", expected_version)
    require(actor, case)
    errors: dict = {}
    if kind not in Suspension.Kind.values:
        errors["kind"] = _("Choose the kind of special procedure.")
    if not (reason or "").strip():
        errors["reason"] = _("Write the reason for the suspension.")
    try:
        max_days = int(max_days)
    except (TypeError, ValueError):
        max_days = 0
    if max_days < 1:
        # Every suspension states how long it may last, so that e-supervision can watch it.
        errors["max_days"] = _("Enter the allowed length in working days (at least 1).")
    if errors:
        raise InvalidInput(errors)
    change = Change(case=case, actor=actor, action="suspended", at=at, origin=origin, window=window)
    Suspension.objects.create(
        case=case,
        kind=kind,
        reason=reason.strip(),
        max_days=max_days,
        started_on=change.today,
        started_by=actor if getattr(actor, "pk", None) else None,
    )
    case.status = S.SUSPENDED
    case.suspended_since = change.today
    change.event(
        K.SUSPENDED,
        from_status=S.ACCEPTED,
        to_status=S.SUSPENDED,
        reason=reason.strip(),
        data={"kind": kind, "max_days": max_days},
    )
    return finish(change, request=request)


def _close_suspension(change: Change) -> int:
    """End the open suspension today; move the due dates (and the current step's) by the
    working days it lasted. Returns those days."""
    case = change.case
    suspension = case.suspensions.filter(resumed_on=None).order_by("-started_on", "-id").first()
    days = 0
    if suspension is not None:
        result = clock.calendar().working_days_between(suspension.started_on, change.today)
        days = result.value
        suspension.resumed_on = change.today
        suspension.days_added = days
        suspension.save(update_fields=["resumed_on", "days_added"])
    case.suspended_since = None
    clock.recompute(case)
    _move_step_due(case, days)
    change.suspension = suspension
    return days


@transaction.atomic
def resume_case(
    *,
    actor,
    case: Case,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
    origin: Origin | None = None,
    window=None,
    request=None,
) -> Case:
    """Resume a suspended case: the working days d with S < d <= R move both due dates."""
    case = lock(case, "resume", expected_version)
    require(actor, case)
    change = Change(case=case, actor=actor, action="resumed", at=at, origin=origin, window=window)
    days = _close_suspension(change)
    case.status = S.ACCEPTED
    suspension = change.suspension
    change.event(
        K.RESUMED,
        from_status=S.SUSPENDED,
        to_status=S.ACCEPTED,
        data={
            "kind": suspension.kind if suspension else None,
            "days_added": days,
            "promised_due_date": case.promised_due_date,
            "legal_due_date": case.legal_due_date,
            "provisional": case.due_provisional,
        },
    )
    return finish(change, request=request)


def _parse_fee(fee_charged, errors: dict) -> Decimal | None:
    if fee_charged in (None, ""):
        return None
    try:
        fee = Decimal(str(fee_charged)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        errors["fee_charged"] = _("Enter the fee as an amount in yuan.")
        return None
    if fee < 0:
        errors["fee_charged"] = _("A fee cannot be negative.")
    return fee


def conclude_into(
    change: Change,
    *,
    result: str,
    reason: str = "",
    remedies: str = "",
    certificate_number: str = "",
    certificate_valid_until: dt.date | None = None,
    fee_charged=None,
    fee_conditions=None,
) -> None:
    """Conclude the locked case of ``change`` (shared by conclude_case and
    handle_immediately). With a fee charged, every fee line of the case's item version is
    recorded with the conditions that apply (``fee_conditions``, see `cases.fees`).
    Raises InvalidInput; changes nothing then."""
    case = change.case
    errors: dict = {}
    reason = (reason or "").strip()
    certificate_number = (certificate_number or "").strip()
    if result not in Case.Result.values:
        raise InvalidInput({"result": _("Choose a result.")})
    if case.status not in RESULT_FROM[result]:
        raise TransitionNotAllowed(
            fmt(
                _("A case that is “%(status)s” cannot be concluded as “%(result)s”."),
                status=case.get_status_display(),
                result=Case.Result(result).label,
            )
        )
    last = None
    if (
        result in (Case.Result.GRANTED, Case.Result.REFUSED)
        and case.item_version.frozen_parts().steps
    ):
        if case.current_step_id is not None:
            raise TransitionNotAllowed(
                _(
                    "The steps are not finished: the case can be concluded once the last step is decided."
                )
            )
        last = case.steps.exclude(decision="").order_by("-finished_at", "-id").first()
    if result == Case.Result.GRANTED:
        if last is not None and last.decision == D.REJECT:
            errors["result"] = _(
                "The deciding step rejected the application: it cannot be granted."
            )
        if needs_certificate(case.item_version) and not certificate_number:
            errors["certificate_number"] = _("A granted licence needs its certificate number.")
        if case.materials.filter(to_follow=True).exists():
            errors["result"] = _("Materials promised under 容缺受理 have not been handed in yet.")
    elif result == Case.Result.REFUSED:
        if last is not None and last.decision != D.REJECT:
            errors["result"] = _(
                "The deciding step did not reject the application: it cannot be refused."
            )
        if not reason:
            errors["reason"] = _("A refusal needs its reasons, in writing.")
    elif result == Case.Result.VOID and not reason:
        errors["reason"] = _("Write why the case is void.")
    if certificate_valid_until is not None and certificate_valid_until < change.today:
        errors["certificate_valid_until"] = _("The certificate cannot expire before it is issued.")
    fee = _parse_fee(fee_charged, errors)
    if errors:
        raise InvalidInput(errors)
    fee_lines = None
    if fee is not None:
        fee_lines = fees.price_lines(case.item_version.fees.all(), fee_conditions)
    elif fee_conditions:
        raise fees.FeeConditionRefused(
            {"fee_charged": _("Enter the fee charged with the conditions that apply to it.")}
        )

    from_status = case.status
    if from_status == S.SUSPENDED:
        _close_suspension(change)
    case.status = RESULT_STATUS[result]
    case.result = result
    case.result_reason = reason
    case.remedies = (remedies or "").strip() or (
        default_remedies() if result == Case.Result.REFUSED else ""
    )
    case.certificate_number = certificate_number if result == Case.Result.GRANTED else ""
    case.certificate_valid_until = (
        certificate_valid_until if result == Case.Result.GRANTED else None
    )
    case.concluded_at = change.at
    case.fee_charged = fee
    if case.status == S.CONCLUDED:
        hand_back_to_window(case)  # the window delivers the result
    else:
        case.current_step = None
        case.current_assignee = None
    data = {"result": result}
    judge(case, change.today)
    if case.outcome_promised:
        case.minutes_used = (
            clock.minutes_between(case.accepted_at, change.at) if case.is_immediate else None
        )
        data.update(
            outcome_promised=case.outcome_promised,
            outcome_legal=case.outcome_legal,
            working_days_used=case.working_days_used,
            minutes_used=case.minutes_used,
        )
    change.event(
        K.CONCLUDED, from_status=from_status, to_status=case.status, reason=reason, data=data
    )
    if fee_lines is not None:
        case.fee_lines.all().delete()
        for line in fee_lines:
            line.case = case
        CaseFeeLine.objects.bulk_create(fee_lines)
        change.event(
            K.FEE_CHARGED,
            data={
                "charged": fee,
                "standard": fees.expected_total(fee_lines),
                "lines": [fees.line_data(line) for line in fee_lines],
            },
        )


@transaction.atomic
def conclude_case(
    *,
    actor,
    case: Case,
    result: str,
    reason: str = "",
    certificate_number: str = "",
    certificate_valid_until: dt.date | None = None,
    fee_charged: Decimal | None = None,
    fee_conditions: list[dict] | None = None,
    remedies: str = "",
    expected_version: int | None = None,
    at: dt.datetime | None = None,
    origin: Origin | None = None,
    window=None,
    request=None,
) -> Case:
    """Conclude (办结) with a result: granted (certificate number, validity), refused
    (reasons; the applicant's remedies are added), withdrawn, forwarded or void. The
    outcome is judged against the promised and the legal due date."""
    case = lock(case, "conclude", expected_version)
    require(actor, case)
    change = Change(case=case, actor=actor, action="concluded", at=at, origin=origin, window=window)
    conclude_into(
        change,
        result=result,
        reason=reason,
        remedies=remedies,
        certificate_number=certificate_number,
        certificate_valid_until=certificate_valid_until,
        fee_charged=fee_charged,
        fee_conditions=fee_conditions,
    )
    return finish(change, request=request)


@transaction.atomic
def deliver_case(
    *,
    actor,
    case: Case,
    method: str,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
    origin: Origin | None = None,
    window=None,
    request=None,
) -> Case:
    """Deliver the result (送达): how, and when (the law allows 10 days after the decision)."""
    case = lock(case, "deliver", expected_version)
    require(actor, case)
    if method not in Case.DeliveryMethod.values:
        raise InvalidInput({"method": _("Choose how the result is delivered.")})
    change = Change(case=case, actor=actor, action="delivered", at=at, origin=origin, window=window)
    case.status = S.DELIVERED
    case.delivered_at = change.at
    case.delivery_method = method
    case.current_assignee = None
    decided = clock.local_date(case.concluded_at)
    after = clock.calendar().working_days_between(decided, change.today).value
    change.event(
        K.DELIVERED,
        from_status=S.CONCLUDED,
        to_status=S.DELIVERED,
        data={"method": method, "working_days_after_decision": after},
    )
    return finish(change, request=request)


#: Kept with the dates of a case counted again after a calendar year was entered.
RECOMPUTED_REASON = _(
    "The official working-day calendar of a year these dates fall in was entered: the dates "
    "and the outcome, counted provisionally before, are counted again."
)


def _clock_values(case: Case) -> dict:
    return {
        "promised_due_date": case.promised_due_date,
        "legal_due_date": case.legal_due_date,
        "due_provisional": case.due_provisional,
        "outcome_promised": case.outcome_promised,
        "outcome_legal": case.outcome_legal,
        "working_days_used": case.working_days_used,
    }


def judge(case: Case, done: dt.date, cal=None) -> None:
    """The outcome of a decision on ``done`` against both due dates, and the working days
    it took (suspensions left out). Only a decision (granted or refused) has one."""
    if case.accepted_on is None or case.result not in (Case.Result.GRANTED, Case.Result.REFUSED):
        return
    case.outcome_promised = clock.outcome(done, case.promised_due_date)
    case.outcome_legal = clock.outcome(done, case.legal_due_date)
    case.working_days_used, _provisional = clock.working_days_used(
        case.accepted_on, done, case.suspended_days, cal
    )


@transaction.atomic
def recompute_clock(*, case: Case, cal=None, request=None) -> Case | None:
    """Count the dates of a case again, and the outcome of a concluded one, after the
    calendar changed (a year entered). Writes only when something changed: then the
    case gets a new version and an event naming the old and new values and why."""
    case = lock(case, "recompute_clock", None)
    change = Change(case=case, actor=None, action="clock_recomputed")
    before = _clock_values(case)
    clock.recompute(case, cal)
    if case.concluded_at is not None:
        judge(case, clock.local_date(case.concluded_at), cal)
    after = _clock_values(case)
    if after == before:
        return None
    change.event(
        K.CLOCK_RECOMPUTED,
        reason=official(RECOMPUTED_REASON),
        data={
            "before": {k: v for k, v in before.items() if after[k] != v},
            "after": {k: v for k, v in after.items() if before[k] != v},
        },
    )
    return finish(change, request=request, note="calendar data entered")
