"""Request and answer schemas of the cases API (onewindow/cases/api.py).

The body of each case action (actions.ACTIONS) is a `VersionIn`: its fields are named
after the keyword arguments of the action's service, and `arguments()` gives them as the
service takes them (the few that the API spells otherwise are converted there)."""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.utils.translation import gettext as _
from ninja import Field, Schema

from onewindow.core.api_errors import DB_INT_MAX, ErrorOut, Id

from . import services
from .models import Case

ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,  # the request does not match the schema: see onewindow/core/api_errors.py
}
# Operations with a body also refuse one too large (413) or not sent as JSON (415).
BODY_ERRORS = {**ERRORS, 413: ErrorOut, 415: ErrorOut}
# A window number, a step position, a number of working days (small integer columns).
SMALL_MAX = 32767


class CaseSummaryOut(Schema):
    number: str
    status: str
    status_label: str
    source: str
    hall: str
    item: str
    item_name: str
    is_immediate: bool
    applicant_kind: str
    applicant_name: str
    applicant_id_number: str
    contact_phone: str
    numbers_masked: bool
    received_at: dt.datetime
    accepted_on: dt.date | None
    promised_due_date: dt.date | None
    legal_due_date: dt.date | None
    due_provisional: bool
    days_left: int | None
    overdue: bool
    current_step: str | None
    waiting_for: str | None
    result: str
    version: int


class StepOut(Schema):
    position: int
    name: str
    role: str
    assignee: str | None
    started_at: dt.datetime
    due_date: dt.date | None
    finished_at: dt.datetime | None
    decision: str
    opinion: str


class EventOut(Schema):
    seq: int
    kind: str
    kind_label: str
    at: dt.datetime
    actor: str | None
    from_status: str
    to_status: str
    step_position: int | None
    reason: str
    data: dict[str, Any]


class MaterialOut(Schema):
    material_id: int | None
    name: str
    required: bool
    provided: bool
    to_follow: bool


class CaseStateOut(CaseSummaryOut):
    """Everything on the case row: the answer to intake and to every action."""

    query_code: str | None
    window: int | None
    contact_name: str
    accepted_at: dt.datetime | None
    concluded_at: dt.datetime | None
    delivered_at: dt.datetime | None
    legal_limit_days: int
    promised_limit_days: int
    extension_days: int
    suspended_days: int
    suspended_since: dt.date | None
    gaps_due_date: dt.date | None
    refusal_reason: str
    result_reason: str
    remedies: str
    certificate_number: str
    certificate_valid_until: dt.date | None
    outcome_promised: str
    outcome_legal: str
    working_days_used: int | None
    minutes_used: int | None
    fee_charged: Decimal | None
    delivery_method: str


class CaseDetailOut(CaseStateOut):
    """The whole record, with the checklist, the steps and the events."""

    department: str
    materials: list[MaterialOut]
    steps: list[StepOut]
    events: list[EventOut]


class CasePageOut(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    results: list[CaseSummaryOut]


class CaseIn(Schema):
    hall: str = Field(..., description="hall code, e.g. CG")
    item: str = Field(
        ..., description="implementation code of a published item handled in the hall"
    )
    applicant_kind: Literal["person", "organisation"]
    applicant_name: str
    applicant_id_number: str = Field(
        ..., description="resident ID (person) or unified social credit code"
    )
    contact_phone: str
    contact_name: str = ""
    window: int | None = Field(None, ge=1, le=SMALL_MAX, description="window number in the hall")
    provided_material_ids: list[Id] = Field(
        default_factory=list, description="materials of the checklist handed in"
    )
    intake_key: str | None = Field(
        None,
        max_length=64,
        description="optional, unique per intake: sending the same intake again returns the case it created (200)",
    )


class VersionIn(Schema):
    version: int = Field(
        ...,
        ge=1,
        le=DB_INT_MAX,
        description="the case version the request was made from (optimistic locking)",
    )

    def variant(self) -> str | None:
        """The action of the table this body asks for, when its path serves several
        (accept, and accept with gaps); None for a path of one action."""
        return None

    def arguments(self) -> dict:
        """The body keyed by the service's keyword arguments (and ``version``)."""
        return dict(self)


def active_user(username: str, field: str):
    """The active staff member with this username (the API names people by username)."""
    from onewindow.accounts.models import User

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise services.InvalidInput(
            {field: _("There is no active staff member with this username.")}
        )
    return user


class GapsIn(Schema):
    missing_material_ids: list[Id]
    due_date: dt.date
    promise: str


class AcceptIn(VersionIn):
    gaps: GapsIn | None = Field(
        None, description="accept with gaps (容缺受理): materials to follow later"
    )

    def variant(self) -> str | None:
        return "gaps" if self.gaps is not None else "accept"

    def arguments(self) -> dict:
        if self.gaps is None:
            return {"version": self.version}
        return {
            "version": self.version,
            "missing_material_ids": self.gaps.missing_material_ids,
            "gaps_due_date": self.gaps.due_date,
            "promise": self.gaps.promise,
        }


class RefuseIn(VersionIn):
    reason: str


class CorrectionIn(VersionIn):
    items: list[Id | str | dict[str, Any]] = Field(
        ...,
        description="material ids of the checklist, lines of text, or {material_id, name, note, derived_from}",
    )


class SupplyIn(VersionIn):
    provided_material_ids: list[Id] = Field(default_factory=list)


class ExtendIn(VersionIn):
    """Ask for an extension; it moves the dates once an approver approves it."""

    days: int = Field(..., ge=0, le=SMALL_MAX)
    reason: str


class ExtensionDecisionIn(VersionIn):
    approve: bool
    note: str = ""


class SuspendIn(VersionIn):
    kind: str
    reason: str
    max_days: int = Field(..., ge=0, le=SMALL_MAX, description="allowed length in working days")


class AssignIn(VersionIn):
    assignee: str = Field(..., description="username")

    def arguments(self) -> dict:
        return {**dict(self), "assignee": active_user(self.assignee, "assignee")}


class DecisionIn(VersionIn):
    decision: Literal["pass", "approve", "reject", "send_back"]
    opinion: str = ""
    send_back_to: int | None = Field(None, ge=0, le=SMALL_MAX)


class FeeConditionIn(Schema):
    """The conditions of one published fee line that apply to this case (cases.fees)."""

    fee: Id = Field(
        ..., description="id of a fee line of the case's item version (GET /items/{code})"
    )
    waived: bool = False
    reduced: bool = False
    extra_copies: int = Field(0, ge=0, le=999, description="copies beyond the first")


class ChargeIn(VersionIn):
    """A body that may charge a fee, with the published conditions that apply."""

    fee_charged: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    fee_conditions: list[FeeConditionIn] = Field(
        default_factory=list,
        description="fee lines waived, reduced or charged for extra copies; the others as published",
    )

    def arguments(self) -> dict:
        return {**dict(self), "fee_conditions": [c.model_dump() for c in self.fee_conditions]}


class ConcludeIn(ChargeIn):
    result: str
    reason: str = ""
    remedies: str = ""
    certificate_number: str = ""
    certificate_valid_until: dt.date | None = None


class DeliverIn(VersionIn):
    method: str


class ImmediateIn(ChargeIn):
    certificate_number: str = ""


# The status codes a list may be filtered by (an unknown one is a 422, not an empty list).
StatusCode = Literal[tuple(Case.Status.values)]


class CaseFilters(Schema):
    hall: str | None = None
    status: list[StatusCode] | None = None
    item: str | None = None
    received_since: dt.date | None = None
    received_until: dt.date | None = None
    overdue: bool | None = None
    waiting_for_me: bool | None = None
    page: int = Field(1, ge=1, le=DB_INT_MAX)
    page_size: int = Field(50, ge=1, le=100)


class ExchangeCaseIn(Schema):
    hall: str
    external_number: str
    item: str | None = None
    applicant_kind: str | None = None
    applicant_name: str | None = None
    applicant_id_number: str | None = None
    contact_phone: str | None = None
    contact_name: str | None = None


class ExchangeEventIn(Schema):
    idempotency_key: str
    case: ExchangeCaseIn
    seq: int = Field(..., ge=1, le=DB_INT_MAX)
    kind: str
    at: dt.datetime
    actor_name: str = ""
    data: dict[str, Any] = Field(default_factory=dict)


class ExchangeCaseRefOut(Schema):
    number: str
    hall: str | None
    external_number: str | None


class ExchangeEventOut(Schema):
    idempotency_key: str
    case: ExchangeCaseRefOut
    seq: int | None
    kind: str
    at: str
    status: str | None
