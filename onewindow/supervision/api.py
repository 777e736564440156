"""Alerts over the API (mounted at /api/v1/alerts): list, detail, explain / correct / close / uphold.

Scoped like the pages: `visible_to(user)` (another hall's alert is 404), and a person who
may not see the desk only sees the alerts they answer for. Errors: 400 bad input, 403 no
right to act, 404 unknown alert, 409 an alert that is past that step of its life cycle.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from django.http import QueryDict
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from onewindow.core.api_errors import DB_INT_MAX, ErrorOut, Id

from . import services
from .forms import AlertFilterForm
from .models import Alert

router = Router()

MAX_LIMIT = 500


class AlertEventOut(Schema):
    kind: str
    from_status: str
    to_status: str
    actor: str | None
    at: datetime
    note: str

    @staticmethod
    def resolve_actor(obj):
        return obj.actor.username if obj.actor_id else None


class AlertOut(Schema):
    id: int
    rule: str
    rule_name: str
    level: str
    status: str
    case_number: str
    step_position: int | None
    due_date: date | None
    summary: str
    detail: dict
    responsible: str | None
    hall: str
    department: str | None
    raised_at: datetime
    answered_at: datetime | None
    answer_note: str
    decided_at: datetime | None
    decision_note: str

    @staticmethod
    def resolve_rule(obj):
        return obj.rule.code

    @staticmethod
    def resolve_rule_name(obj):
        return str(obj.rule)

    @staticmethod
    def resolve_case_number(obj):
        return obj.case.number

    @staticmethod
    def resolve_responsible(obj):
        return obj.responsible.username if obj.responsible_id else None

    @staticmethod
    def resolve_hall(obj):
        return obj.hall.code

    @staticmethod
    def resolve_department(obj):
        return obj.department.code if obj.department_id else None


class AlertDetailOut(AlertOut):
    events: list[AlertEventOut]

    @staticmethod
    def resolve_events(obj):
        return list(obj.events.select_related("actor"))


class NoteIn(Schema):
    note: str = ""


# What each operation can answer besides 200 (onewindow/core/api_errors.py).
READ_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
ACT_ERRORS = {**READ_ERRORS, 400: ErrorOut, 409: ErrorOut, 413: ErrorOut, 415: ErrorOut}


def _scoped(user):
    qs = Alert.objects.visible_to(user).select_related(
        "rule", "case", "hall", "department", "responsible"
    )
    if not services.can_view_desk(user):
        qs = qs.answerable_by(user)
    return qs


@router.get(
    "",
    response={200: list[AlertOut], 400: ErrorOut, 401: ErrorOut, 422: ErrorOut},
    summary="Alerts, newest first, with filters",
)
def list_alerts(
    request,
    level: str = "",
    hall: str = "",
    status: str = "",
    rule: str = "",
    since: str = "",
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = 100,
    offset: Annotated[int, Field(ge=0, le=DB_INT_MAX)] = 0,
):
    """Filters: level (yellow, red, flag), hall (hall code), status (raised, explained, corrected,
    closed, upheld, or open), rule (rule code), since (YYYY-MM-DD: raised on or after that day).
    Paging: limit (default 100, at most 500) and offset."""
    params = QueryDict(mutable=True)
    for key, value in {
        "level": level,
        "hall": hall,
        "status": status,
        "rule": rule,
        "since": since,
    }.items():
        if value:
            params[key] = value
    form = AlertFilterForm(params, user=request.user)
    if not form.is_valid():
        raise HttpError(400, form.error_text())
    return list(form.filter(_scoped(request.user))[offset : offset + limit])


def _get(request, alert_id: int) -> Alert:
    alert = (
        Alert.objects.visible_to(request.user)
        .select_related("rule", "case", "hall", "department", "responsible")
        .filter(pk=alert_id)
        .first()
    )
    if alert is None:
        raise HttpError(404, _("No such alert."))
    if not services.can_view_alert(request.user, alert):
        raise HttpError(403, _("You may not see this alert."))
    return alert


@router.get(
    "/{alert_id}",
    response={200: AlertDetailOut, **READ_ERRORS},
    summary="One alert with its history",
)
def get_alert(request, alert_id: Id):
    return _get(request, alert_id)


def _act(request, alert_id: int, action: str, payload: NoteIn) -> Alert:
    alert = _get(request, alert_id)
    try:
        return services.ACTIONS[action](
            actor=request.user, alert=alert, note=payload.note, request=request
        )
    except services.AlertActionError as exc:
        raise HttpError(exc.status, exc.message) from None


@router.post(
    "/{alert_id}/explain",
    response={200: AlertDetailOut, **ACT_ERRORS},
    summary="Explain (responsible person or hall manager)",
)
def explain(request, alert_id: Id, payload: NoteIn):
    return _act(request, alert_id, "explain", payload)


@router.post(
    "/{alert_id}/correct",
    response={200: AlertDetailOut, **ACT_ERRORS},
    summary="Report a correction (responsible person or hall manager)",
)
def correct(request, alert_id: Id, payload: NoteIn):
    return _act(request, alert_id, "correct", payload)


@router.post(
    "/{alert_id}/close",
    response={200: AlertDetailOut, **ACT_ERRORS},
    summary="Close (supervision office; note required)",
)
def close(request, alert_id: Id, payload: NoteIn):
    return _act(request, alert_id, "close", payload)


@router.post(
    "/{alert_id}/uphold",
    response={200: AlertDetailOut, **ACT_ERRORS},
    summary="Uphold as a violation (supervision office; note required)",
)
def uphold(request, alert_id: Id, payload: NoteIn):
    return _act(request, alert_id, "uphold", payload)
