"""The cases API (mounted at /api/v1/): window intake, one endpoint per action path of
the case actions table (actions.ACTIONS), lists and details, and the exchange endpoint
for department systems. See docs/apps/cases-api.md.

Every endpoint is thin: look the case up through `visible_to` (another hall's case is a
404, exactly like an unknown number), check the role (403), call one service, answer.
Writes carry the case ``version`` they were made from: a stale one gets 409 and changes
nothing. Errors come as ``{code, message, errors}`` with the message in the language of
``Accept-Language``. Personal numbers are always masked, except in the answer to
``GET /cases/{number}?reveal=true`` asked by one of the case's handlers, which is audited.
"""

import datetime as dt
import json
from functools import wraps

from django.db import IntegrityError
from django.http import Http404, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.responses import NinjaJSONEncoder

from onewindow.catalogue.models import ServiceItem
from onewindow.core.api_errors import PathKey
from onewindow.halls.models import Hall, Window

from . import actions, clock, exchange, services
from .api_schemas import (
    BODY_ERRORS,
    ERRORS,
    CaseDetailOut,
    CaseFilters,
    CaseIn,
    CasePageOut,
    CaseStateOut,
    ExchangeEventIn,
    ExchangeEventOut,
)
from .models import Case, CaseEvent

router = Router()

HANDLE = actions.HANDLE


# ------------------------------------------------------------------------ helpers


def _error(code: str, message, **extra) -> dict:
    return {"code": code, "message": str(message), "errors": {}, **extra}


def api_language(request) -> str:
    """The language of an API answer: the client's Accept-Language when it names one we
    speak (programs ask for what they can show), else the language of the site (Chinese
    first, as the pages: see core.middleware)."""
    if request.META.get("HTTP_ACCEPT_LANGUAGE"):
        return translation.get_language_from_request(request)
    return translation.get_language()


def answers_errors(view):
    """Answer in the client's language, and turn the services' errors into answers: 400
    invalid input, 403 not permitted, 404 unknown (or another hall's), 409 stale version,
    transition not allowed or out of order."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        with translation.override(api_language(request)):
            result = _answer_errors(view, request, *args, **kwargs)
        return Status(*result) if isinstance(result, tuple) else result

    return wrapper


def _answer_errors(view, request, *args, **kwargs):
    try:
        return view(request, *args, **kwargs)
    except Http404:
        return 404, _error("not_found", _("There is no such case, or it is not one of your halls."))
    except exchange.ExchangeConflict as exc:
        return 409, _error(exc.code, exc.message, expected_seq=exc.expected_seq)
    except services.CaseError as exc:
        return actions.error_status(exc), error_body(exc)


def error_body(exc: services.CaseError) -> dict:
    """The answer to a service's refusal (its status: actions.error_status)."""
    body = _error(exc.code, exc.message)
    if isinstance(exc, services.StaleCase):
        body["current_version"] = exc.current_version
    elif isinstance(exc, services.InvalidInput):
        body["errors"] = exc.errors
    return body


def _require_handler(user) -> None:
    if not user.has_perm(HANDLE):
        raise services.NotPermitted()


def _require_reader(user) -> None:
    """The pages' rule for reading cases (actions.may_read_cases): 403 for the others."""
    if not actions.may_read_cases(user):
        raise services.NotPermitted()


def works_in_hall(user, case: Case) -> bool:
    """Staff of the case's hall who handle cases: they see the query code (printed on
    every notice they hand out). Personal numbers are another matter: masked for all,
    shown in full only on an audited request of one of the case's handlers (`revealed`)."""
    return user.has_perm(HANDLE) and case.hall_id in user.hall_id_set


def _local(moment):
    return timezone.localtime(moment) if moment else None


# The labels of the choices (lazy: translated when shown). What get_FOO_display gives,
# without the dictionary of every choice it builds on each call.
STATUS_LABELS = dict(Case.Status.choices)
KIND_LABELS = dict(CaseEvent.Kind.choices)


def summary(case: Case, user, today: dt.date, revealed: dict | None = None) -> dict:
    """`revealed`: the full numbers `services.reveal_numbers` gave (and audited), or None."""
    left = clock.case_days_left(case, today=today)
    version = case.item_version
    return {
        "number": case.number,
        "status": case.status,
        "status_label": str(STATUS_LABELS.get(case.status, case.status)),
        "source": case.source,
        "hall": case.hall.code,
        "item": case.item.implementation_code,
        "item_name": version.name,
        "is_immediate": case.is_immediate,
        "applicant_kind": case.applicant_kind,
        "applicant_name": case.applicant_name,
        "applicant_id_number": revealed["applicant_id_number"]
        if revealed
        else case.masked_id_number,
        "contact_phone": revealed["contact_phone"] if revealed else case.masked_phone,
        "numbers_masked": not revealed,
        "received_at": _local(case.received_at),
        "accepted_on": case.accepted_on,
        "promised_due_date": case.promised_due_date,
        "legal_due_date": case.legal_due_date,
        "due_provisional": case.due_provisional,
        "days_left": left.value if left else None,
        "overdue": bool(left and left.overdue),
        "current_step": case.current_step.name if case.current_step_id else None,
        "waiting_for": case.current_assignee.username if case.current_assignee_id else None,
        "result": case.result,
        "version": case.version,
    }


def state(case: Case, user, revealed: dict | None = None) -> dict:
    """The summary and every field of the case row (no further queries: the relations it
    reads are those the services and the lookups load)."""
    out = summary(case, user, clock.local_date(), revealed)
    out.update(
        query_code=case.query_code if works_in_hall(user, case) else None,
        window=case.window.number if case.window_id else None,
        contact_name=case.contact_name,
        accepted_at=_local(case.accepted_at),
        concluded_at=_local(case.concluded_at),
        delivered_at=_local(case.delivered_at),
        legal_limit_days=case.legal_limit_days,
        promised_limit_days=case.promised_limit_days,
        extension_days=case.extension_days,
        suspended_days=case.suspended_days,
        suspended_since=case.suspended_since,
        gaps_due_date=case.gaps_due_date,
        refusal_reason=case.refusal_reason,
        result_reason=case.result_reason,
        remedies=case.remedies,
        certificate_number=case.certificate_number,
        certificate_valid_until=case.certificate_valid_until,
        outcome_promised=case.outcome_promised,
        outcome_legal=case.outcome_legal,
        working_days_used=case.working_days_used,
        minutes_used=case.minutes_used,
        fee_charged=case.fee_charged,
        delivery_method=case.delivery_method,
    )
    return out


def detail(case: Case, user, revealed: dict | None = None) -> dict:
    out = state(case, user, revealed)
    events = case.events.select_related("actor").order_by("seq")
    out.update(
        department=case.department.name,
        materials=[
            {
                "material_id": m.material_id,
                "name": m.name,
                "required": m.required,
                "provided": m.provided,
                "to_follow": m.to_follow,
            }
            for m in case.materials.all()
        ],
        steps=[
            {
                "position": s.position,
                "name": s.name,
                "role": s.role,
                "assignee": s.assignee.username if s.assignee_id else None,
                "started_at": _local(s.started_at),
                "due_date": s.due_date,
                "finished_at": _local(s.finished_at),
                "decision": s.decision,
                "opinion": s.opinion,
            }
            for s in case.steps.select_related("assignee").order_by("started_at", "id")
        ],
        events=[
            {
                "seq": e.seq,
                "kind": e.kind,
                "kind_label": str(KIND_LABELS.get(e.kind, e.kind)),
                "at": _local(e.at),
                "actor": e.actor.username if e.actor_id else None,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "step_position": e.step_position,
                "reason": e.reason,
                "data": e.data or {},
            }
            for e in events
        ],
    )
    return out


def state_answer(status: int, case: Case, user) -> HttpResponse:
    """The state of a case as the JSON answer, written directly rather than handed to
    ninja: ninja would check it against `CaseStateOut` field by field through its Django
    getters, which cost more than the rest of the answer on the busiest endpoints
    (intake: create, accept). `state` builds exactly that schema's fields with its types;
    test_api pins that this body is the one ninja's validation would give."""
    return HttpResponse(
        json.dumps(state(case, user), cls=NinjaJSONEncoder),
        status=status,
        content_type="application/json; charset=utf-8",
    )


# ---------------------------------------------------------------------- endpoints


@router.get(
    "/cases", response={200: CasePageOut, **ERRORS}, summary="Cases of your halls, newest first"
)
@answers_errors
def list_cases(request, filters: Query[CaseFilters]):
    _require_reader(request.user)
    qs = Case.objects.visible_to(request.user)
    if filters.hall:
        qs = qs.filter(hall__code=filters.hall.upper())
    if filters.status:
        qs = qs.filter(status__in=filters.status)
    if filters.item:
        qs = qs.filter(item__implementation_code=filters.item)
    tz = timezone.get_current_timezone()
    if filters.received_since:
        qs = qs.filter(
            received_at__gte=dt.datetime.combine(filters.received_since, dt.time.min, tzinfo=tz)
        )
    if filters.received_until:
        until = filters.received_until + dt.timedelta(days=1)
        qs = qs.filter(received_at__lt=dt.datetime.combine(until, dt.time.min, tzinfo=tz))
    today = clock.local_date()
    if filters.overdue is True:
        qs = qs.overdue(today)
    elif filters.overdue is False:
        qs = qs.exclude(pk__in=Case.objects.overdue(today).values("pk"))
    if filters.waiting_for_me:
        qs = qs.assigned_to(request.user)
    count = qs.count()
    size = filters.page_size
    pages = max(1, -(-count // size))
    page = min(filters.page, pages)
    rows = qs.select_related(
        "hall", "item", "item_version", "current_step", "current_assignee"
    ).order_by("-received_at", "-id")[(page - 1) * size : page * size]
    return 200, {
        "count": count,
        "page": page,
        "page_size": size,
        "pages": pages,
        "results": [summary(c, request.user, today) for c in rows],
    }


@router.get(
    "/cases/{number}",
    response={200: CaseDetailOut, **ERRORS},
    summary="A case with its steps and events",
)
@answers_errors
def get_case(request, number: PathKey, reveal: bool = False):
    """`reveal=true`: the applicant's full ID number and phone, for the case's handlers
    only (403 for the others), each such answer an audit row `case.numbers_viewed`."""
    _require_reader(request.user)
    case = services.get_case_for(request.user, number)
    revealed = None
    if reveal:
        revealed = services.reveal_numbers(
            actor=request.user, case=case, channel="api", request=request
        )
    return 200, detail(case, request.user, revealed)


@router.post(
    "/cases",
    response={200: CaseStateOut, 201: CaseStateOut, **BODY_ERRORS},
    summary="Receive an application (收件)",
)
@answers_errors
def create_case(request, payload: CaseIn):
    hall, window = _hall_and_window(request.user, payload.hall.upper(), payload.window)
    if hall is None:
        return 404, _error("not_found", _("There is no such hall, or it is not one of your halls."))
    _require_handler(request.user)
    item = _item_with_published_version(payload.item)
    if item is None:
        raise services.InvalidInput({"item": _("No published item has this implementation code.")})
    if payload.window is not None and window is None:
        raise services.InvalidInput({"window": _("This window is not in the hall.")})
    if payload.intake_key:
        earlier = _case_with_intake_key(request, hall, payload.intake_key)
        if earlier is not None:
            return state_answer(200, earlier, request.user)
    try:
        case = services.receive_case(
            actor=request.user,
            hall=hall,
            item=item,
            applicant_kind=payload.applicant_kind,
            applicant_name=payload.applicant_name,
            applicant_id_number=payload.applicant_id_number,
            contact_phone=payload.contact_phone,
            contact_name=payload.contact_name,
            window=window,
            provided_material_ids=payload.provided_material_ids,
            intake_key=payload.intake_key or None,
            request=request,
        )
    except IntegrityError:
        # The same intake sent twice at the same moment: the first one created the case.
        earlier = (
            _case_with_intake_key(request, hall, payload.intake_key) if payload.intake_key else None
        )
        if earlier is None:
            raise
        return state_answer(200, earlier, request.user)
    return state_answer(201, case, request.user)


def _hall_and_window(user, code: str, window_number: int | None):
    """The hall with this code if the user sees it, and its window with this number (one
    query when the window is there, as at the windows; two otherwise)."""
    if window_number is not None:
        window = (
            Window.objects.visible_to(user)
            .select_related("hall")
            .filter(hall__code=code, number=window_number)
            .first()
        )
        if window is not None:
            return window.hall, window
    return Hall.objects.visible_to(user).filter(code=code).first(), None


def _item_with_published_version(code: str) -> ServiceItem | None:
    """The item with this implementation code and its version in force."""
    return (
        ServiceItem.objects.select_related("published_version")
        .filter(implementation_code=code)
        .first()
    )


def _case_with_intake_key(request, hall: Hall, key: str) -> Case | None:
    """The case an earlier request with this intake key created in this hall (a retry
    gets it back). Intake keys are unique per hall: another hall's key is an unused key
    here, so nothing tells the caller that it exists."""
    number = Case.objects.filter(hall=hall, intake_key=key).values_list("number", flat=True).first()
    return None if number is None else services.get_case_for(request.user, number)


def _action_endpoint(path: str, served: list[actions.CaseAction]) -> None:
    """Register POST /cases/{number}/<path> for the actions of the table served there:
    look up (404), permission (403), the body's arguments, the service, the state."""
    schema = served[0].schema
    only = served[0] if len(served) == 1 else None

    # The annotation is evaluated here (no postponed annotations in this module), so
    # ninja sees the body schema of each path.
    @router.post(
        f"/cases/{{number}}/{path}",
        response={200: CaseStateOut, **BODY_ERRORS},
        summary=served[0].api_summary,
        operation_id=f"case_{path.replace('/', '_')}",
    )
    @answers_errors
    def endpoint(request, number: PathKey, payload: schema):
        action = only or actions.ACTIONS[payload.variant()]
        case = actions.case_to_act_on(request.user, number, action, bare=True)
        case = actions.perform(
            action, actor=request.user, case=case, data=payload.arguments(), request=request
        )
        # From the case the service returned (its relations are loaded already); the
        # checklist, steps and events: GET /cases/{number}.
        return state_answer(200, case, request.user)


for _path, _served in actions.api_paths().items():
    _action_endpoint(_path, _served)


@router.post(
    "/exchange/events",
    response={200: ExchangeEventOut, 201: ExchangeEventOut, **BODY_ERRORS},
    summary="An event of a case handled in a department system (idempotent, in order)",
)
@answers_errors
def exchange_event(request, payload: ExchangeEventIn):
    outcome = exchange.record_event(
        actor=request.user,
        idempotency_key=payload.idempotency_key,
        case=payload.case.model_dump(),
        seq=payload.seq,
        kind=payload.kind,
        at=payload.at,
        actor_name=payload.actor_name,
        data=payload.data,
        request=request,
    )
    return outcome.status_code, outcome.body
