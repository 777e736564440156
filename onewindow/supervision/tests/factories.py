"""Test data for supervision: items and cases written directly with the ORM.

Cases are made here, not through the case services, so that these tests pin what the
scanner reads (the stored dates and events of a case, docs/DOMAIN.md) and nothing else.
"""

from __future__ import annotations

import itertools
import uuid
from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone

from onewindow.cases.models import (
    Case,
    CaseEvent,
    CaseStep,
    CorrectionNotice,
    Extension,
    Suspension,
)
from onewindow.catalogue.models import Fee, ItemVersion, ServiceItem, Step
from onewindow.supervision.models import Alert, AlertEvent, Rule

_n = itertools.count(1)
# Unique across processes too (a script may add to a database a test run filled before).
_RUN = uuid.uuid4().hex[:6].upper()


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """An aware datetime on a local (Asia/Shanghai) day."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def make_item(
    department,
    *,
    halls=(),
    legal: int = 20,
    promised: int = 10,
    fees: list[tuple[str | None, bool]] = (),
    name: str = "机动车登记",
) -> ItemVersion:
    """A published item version with two steps and the given fees ((amount, waivable) pairs)."""
    n = next(_n)
    item = ServiceItem.objects.create(
        implementation_code=f"T-{_RUN}-{n:05d}", catalogue_code=f"{n:012d}", department=department
    )
    version = ItemVersion.objects.create(
        item=item,
        number=1,
        status=ItemVersion.Status.PUBLISHED,
        name=name,
        item_type="01",
        handling=ItemVersion.Handling.PROMISED,
        legal_limit_days=legal,
        promised_limit_days=promised,
        legal_basis="《中华人民共和国行政许可法》",
        published_at=timezone.now(),
    )
    version.halls.set(halls)
    Step.objects.create(
        version=version, position=1, name="承办", role=Step.Role.HANDLER, limit_days=3
    )
    Step.objects.create(
        version=version, position=2, name="审批", role=Step.Role.APPROVER, limit_days=2
    )
    for i, (amount, waivable) in enumerate(fees):
        Fee.objects.create(
            version=version,
            position=i,
            name=f"工本费{i + 1}",
            amount=None if amount is None else Decimal(amount),
            standard="按件收取",
            basis="苏价费〔2020〕1号",
            waivable=waivable,
        )
    item.published_version = version
    item.save(update_fields=["published_version"])
    return version


def make_case(
    personas,
    version: ItemVersion,
    *,
    hall=None,
    department=None,
    status: str = Case.Status.ACCEPTED,
    received_on: date | None = None,
    accepted_on: date | None = None,
    promised_due: date | None = None,
    legal_due: date | None = None,
    assignee=None,
    received_by=None,
    **fields,
) -> Case:
    hall = hall or personas.hall
    received_on = received_on or accepted_on or timezone.localdate()
    accepted_at = fields.pop("accepted_at", "auto")
    if accepted_at == "auto":
        was_accepted = status in Case.OPEN_STATUSES or status in (
            Case.Status.CONCLUDED,
            Case.Status.DELIVERED,
        )
        if was_accepted:
            accepted_on = accepted_on or received_on
        accepted_at = at(accepted_on, 9, 30) if accepted_on else None
    elif accepted_at is None:
        accepted_on = None
    case = Case.objects.create(
        number=f"{hall.code}{_RUN}{next(_n):06d}",
        hall=hall,
        department=department or personas.department,
        item=version.item,
        item_version=version,
        applicant_kind=Case.ApplicantKind.PERSON,
        applicant_name="张三丰",
        applicant_id_number="11010519491231002X",
        contact_phone="13800138000",
        status=status,
        received_at=at(received_on, 9),
        received_by=received_by or personas.clerk,
        accepted_at=accepted_at,
        accepted_on=accepted_on,
        legal_limit_days=version.legal_limit_days,
        promised_limit_days=version.promised_limit_days,
        promised_due_date=promised_due,
        legal_due_date=legal_due,
        current_assignee=assignee,
        **fields,
    )
    make_event(case, CaseEvent.Kind.RECEIVED, actor=case.received_by, at_=case.received_at)
    return case


def make_event(case: Case, kind: str, *, actor=None, at_=None, **fields) -> CaseEvent:
    seq = (case.events.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    return CaseEvent.objects.create(
        case=case,
        seq=seq,
        kind=kind,
        actor=actor,
        hall=case.hall,
        at=at_ or timezone.now(),
        **fields,
    )


def make_step(
    case: Case, *, position: int = 1, assignee=None, due_date: date | None = None, current=True
) -> CaseStep:
    step = CaseStep.objects.create(
        case=case,
        position=position,
        name="承办" if position == 1 else "审批",
        role="handler" if position == 1 else "approver",
        assignee=assignee,
        due_date=due_date,
    )
    if current:
        case.current_step = step
        case.current_assignee = assignee
        case.save(update_fields=["current_step", "current_assignee", "updated_at"])
    return step


def make_correction(
    case: Case, *, issued_on: date, issued_by=None, round: int = 1, supplied_on=None
) -> CorrectionNotice:
    return CorrectionNotice.objects.create(
        case=case,
        round=round,
        items=["身份证复印件"],
        issued_at=at(issued_on, 9, 30),
        issued_by=issued_by,
        supplied_at=at(supplied_on, 10) if supplied_on else None,
    )


def make_suspension(
    case: Case, *, started_on: date, max_days: int | None, resumed_on=None, started_by=None
) -> Suspension:
    return Suspension.objects.create(
        case=case,
        kind=Suspension.Kind.EXPERT_REVIEW,
        reason="组织专家评审",
        max_days=max_days,
        started_on=started_on,
        resumed_on=resumed_on,
        started_by=started_by,
    )


def make_extension(case: Case, *, days: int = 10, requested_by=None, approver=None) -> Extension:
    """An extension that took effect (as recorded, approved or not)."""
    return Extension.objects.create(
        case=case,
        days=days,
        reason="情况复杂",
        requested_by=requested_by,
        approver=approver,
        status=Extension.Status.APPROVED,
    )


def rule(code: str) -> Rule:
    return Rule.objects.get(code=code)


def only_rules(*codes: str) -> None:
    """Disable every rule but these (so a test sees only the alerts it is about)."""
    Rule.objects.exclude(code__in=codes).update(enabled=False)
    Rule.objects.filter(code__in=codes).update(enabled=True)


def make_alert(
    personas,
    case: Case | None = None,
    *,
    code: str = "case_overdue",
    responsible=None,
    status=Alert.Status.RAISED,
    **fields,
) -> Alert:
    """An alert written directly (for page and API tests that are not about the scanner)."""
    if case is None:
        case = make_case(personas, make_item(personas.department, halls=[personas.hall]))
    r = rule(code)
    alert = Alert.objects.create(
        rule=r,
        level=r.level,
        case=case,
        hall=case.hall,
        department=case.department,
        responsible=responsible if responsible is not None else personas.handler,
        status=status,
        due_date=case.promised_due_date,
        detail={"due_date": "2026-09-30", "days_overdue": 2},
        breach_key=f"test:{next(_n)}",
        **fields,
    )
    AlertEvent.objects.create(
        alert=alert, kind=AlertEvent.Kind.RAISED, to_status=Alert.Status.RAISED
    )
    return alert
