"""The floor API (mounted at /api/v1/floor): issue and read tickets, call at the caller's
signed-in window (next, recall, no-show, transfer, done), and the people waiting per line.

Thin endpoints over `services`; a refusal is the API's one error format (400 bad input,
403 not permitted, 404 unknown or another hall's, 409 a state that does not allow it:
not signed in at that window, the daily limit, a closed line). ID numbers are masked.
"""

from __future__ import annotations

import datetime as dt
from functools import wraps
from typing import Literal

from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from onewindow.cases.api import api_language
from onewindow.core.api_errors import ErrorOut, PathKey
from onewindow.halls.models import Hall, Window

from . import appointments, services
from .errors import FloorError, InvalidInput, NotPermitted
from .models import Appointment, QueueCategory, Ticket

router = Router()

ERRORS = {s: ErrorOut for s in (400, 401, 403, 404, 409, 422)}
BODY_ERRORS = {**ERRORS, 413: ErrorOut, 415: ErrorOut}
PRIORITIES = {"normal": Ticket.Priority.NORMAL, "green": Ticket.Priority.GREEN,
              "appointment": Ticket.Priority.APPOINTMENT}  # fmt: skip
PRIORITY_NAMES = {v: k for k, v in PRIORITIES.items()}
HallCode = Field(min_length=1, max_length=6, pattern="^[A-Za-z0-9]+$")
WindowNumber = Field(None, ge=1, le=32767)


class TicketOut(Schema):
    token: str
    number: str
    hall: str
    category: str
    category_name: str
    status: str
    status_label: str
    priority: str
    issued_at: dt.datetime
    due_at: dt.datetime | None
    called_at: dt.datetime | None
    first_called_at: dt.datetime | None
    started_at: dt.datetime | None
    done_at: dt.datetime | None
    window: int | None
    calls: int
    rejoined: bool
    id_number: str
    case: str | None
    people_ahead: int
    estimated_minutes: int


class CallOut(Schema):
    ticket: TicketOut | None


class WaitingOut(Schema):
    category: str
    name: str
    name_en: str
    waiting: int


class TicketIn(Schema):
    hall: str = HallCode
    category: str = Field(min_length=1, max_length=1, description="The line's letter")
    id_number: str = Field("", max_length=18, pattern="^[0-9Xx]*$")
    priority: Literal["normal", "green", "appointment"] = "normal"
    due_at: dt.datetime | None = None


class WindowIn(Schema):
    window: int | None = WindowNumber


class TransferIn(WindowIn):
    category: str | None = Field(None, pattern="^[A-Z]$")
    to_window: int | None = WindowNumber
    reason: str = Field("", max_length=200, pattern="^[^\\x00]*$")


class TicketFilters(Schema):
    hall: str = HallCode
    status: Literal[tuple(Ticket.Status.values)] | None = None  # type: ignore[valid-type]


def answers(view):
    """Answer in the client's language; the services' refusals in the one error format."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        with translation.override(api_language(request)):
            try:
                result = view(request, *args, **kwargs)
            except Http404:
                result = 404, {"code": "not_found", "message": _("There is no such ticket, "
                               "hall or window, or it is not one of your halls."), "errors": {}}  # fmt: skip
            except FloorError as exc:
                errors = exc.errors if isinstance(exc, InvalidInput) else {}
                result = exc.status, {"code": exc.code, "message": exc.message, "errors": errors}
        return Status(*result) if isinstance(result, tuple) else result

    return wrapper


def ticket_out(ticket: Ticket) -> dict:
    where = services.position(ticket)
    return {
        "token": ticket.token,
        "number": ticket.number,
        "hall": ticket.hall.code,
        "category": ticket.category.letter,
        "category_name": ticket.category.local_name,
        "status": ticket.status,
        "status_label": str(ticket.get_status_display()),
        "priority": PRIORITY_NAMES[ticket.priority],
        "issued_at": ticket.issued_at,
        "due_at": ticket.due_at,
        "called_at": ticket.called_at,
        "first_called_at": ticket.first_called_at,
        "started_at": ticket.started_at,
        "done_at": ticket.done_at,
        "window": ticket.window.number if ticket.window_id else None,
        "calls": ticket.calls,
        "rejoined": ticket.rejoined,
        "id_number": ticket.masked_id_number,
        "case": ticket.case.number if ticket.case_id else None,
        "people_ahead": where.ahead,
        "estimated_minutes": where.minutes,
    }


def _serving_hall(user, code: str) -> Hall:
    hall = Hall.objects.visible_to(user).filter(code=code.upper()).first()
    if hall is None:
        raise Http404("no such hall")
    if not services.may_serve(user, hall.pk):
        raise NotPermitted()
    return hall


def _window(user, number: int | None) -> int | None:
    """The number of the window the client names (None: the session's own window); the
    service checks it is the window of the caller's session. Only clerks who serve
    windows get this far."""
    if not user.has_perm(services.SERVE):
        raise NotPermitted()
    return number


def _reload(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_related("hall", "category", "window", "case").get(pk=ticket.pk)


@router.post("/tickets", response={201: TicketOut, **BODY_ERRORS})
@answers
def issue_ticket(request, payload: TicketIn):
    """Issue a ticket (a kiosk or a guide desk): `priority` green for the green channel
    (elderly, disabled), appointment with its `due_at`."""
    hall = _serving_hall(request.user, payload.hall)
    line = QueueCategory.objects.filter(hall=hall, letter=payload.category.upper()).first()
    if line is None:
        raise InvalidInput({"category": _("This line is not one of the hall's.")})
    ticket = services.issue_ticket(
        hall=hall,
        category=line,
        id_number=payload.id_number,
        priority=PRIORITIES[payload.priority],
        due_at=payload.due_at,
        actor=request.user,
    )
    return 201, ticket_out(_reload(ticket))


@router.get("/tickets", response={200: list[TicketOut], **ERRORS})
@answers
def list_tickets(request, filters: Query[TicketFilters]):
    """Today's tickets of a hall, in queue order (at most 500)."""
    hall = _serving_hall(request.user, filters.hall)
    tickets = Ticket.objects.filter(hall=hall, day=timezone.localdate()).select_related(
        "hall", "category", "window", "case"
    )
    if filters.status:
        tickets = tickets.filter(status=filters.status)
    return [ticket_out(t) for t in tickets[:500]]


@router.get("/tickets/{token}", response={200: TicketOut, **ERRORS})
@answers
def get_ticket(request, token: PathKey):
    ticket = (
        Ticket.objects.visible_to(request.user)
        .select_related("hall", "category", "window", "case")
        .filter(token=token)
        .first()
    )
    if ticket is None:
        raise Http404("no such ticket")
    if not services.may_serve(request.user, ticket.hall_id):
        raise NotPermitted()
    return ticket_out(ticket)


@router.get("/halls/{hall_code}/waiting", response={200: list[WaitingOut], **ERRORS}, auth=None)
@answers
def waiting(request, hall_code: PathKey):
    """People waiting per open line of a hall now (public: the hall's screen shows it)."""
    hall = Hall.objects.active().filter(code=hall_code.upper()).first()
    if hall is None:
        raise Http404("no such hall")
    return [
        {"category": line["letter"], "name": line["name"], "name_en": line["name_en"],
         "waiting": line["waiting"]}
        for line in services.waiting_counts(hall)
    ]  # fmt: skip


def _window_call(path: str, service, doc: str):
    @router.post(path, response={200: CallOut, **BODY_ERRORS}, summary=doc)
    @answers
    def endpoint(request, payload: WindowIn):
        # The services answer with the ticket's hall, line, window and case read with it.
        ticket = service(actor=request.user, window=_window(request.user, payload.window))
        return {"ticket": ticket_out(ticket) if ticket else None}

    endpoint.__name__ = "window_" + path.strip("/").replace("-", "_").replace("/", "_")
    return endpoint


call_next = _window_call("/window/call-next", services.call_next,
                         "Call the next ticket to the caller's window (ticket null: nobody waits)")  # fmt: skip
recall = _window_call("/window/recall", services.recall, "Call the ticket at the window again")
no_show = _window_call(
    "/window/no-show", services.mark_no_show, "Mark the ticket at the window as not come"
)
done = _window_call("/window/done", services.finish, "The ticket at the window is done")


@router.post("/window/transfer", response={200: CallOut, **BODY_ERRORS})
@answers
def transfer(request, payload: TransferIn):
    """Transfer the ticket at the caller's window to another line or window; it keeps its
    issue time."""
    window = _window(request.user, payload.window)
    session = services.open_session(request.user)
    hall_id = session.hall_id if session else 0
    line = None
    if payload.category:
        line = QueueCategory.objects.filter(hall_id=hall_id, letter=payload.category).first()
        if line is None:
            raise InvalidInput({"category": _("This line is not one of the hall's.")})
    to_window = None
    if payload.to_window is not None:
        to_window = Window.objects.filter(hall_id=hall_id, number=payload.to_window).first()
        if to_window is None:
            raise InvalidInput({"to_window": _("Choose an open window of the hall.")})
    ticket = services.transfer(
        actor=request.user,
        window=window,
        category=line,
        to_window=to_window,
        reason=payload.reason,
        request=request,
    )
    return {"ticket": ticket_out(_reload(ticket))}


# ------------------------------------------------------------------ appointments


class SlotOut(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    free: int


class SlotFilters(Schema):
    hall: str = HallCode
    category: str = Field(pattern="^[A-Z]$", description="The line's letter")
    day: dt.date


class AppointmentIn(Schema):
    hall: str = HallCode
    category: str = Field(pattern="^[A-Z]$", description="The line's letter")
    item: str | None = Field(None, max_length=40, description="The item's implementation code")
    starts_at: dt.datetime
    name: str = Field(max_length=50, pattern="^[^\\x00]*$")
    id_number: str = Field(max_length=18, pattern="^[0-9Xx]*$")
    phone: str = Field(max_length=30, pattern="^[^\\x00]*$")


class AppointmentOut(Schema):
    token: str
    number: str
    code: str
    hall: str
    category: str
    item: str | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str
    status_label: str
    name: str
    id_number: str
    ticket: str | None


class CheckInIn(Schema):
    hall: str = HallCode
    number: str = Field(min_length=1, max_length=20, description="The appointment number")


def appointment_out(a) -> dict:
    return {
        "token": a.token,
        "number": a.number,
        "code": a.code,
        "hall": a.hall.code,
        "category": a.category.letter,
        "item": a.item.implementation_code if a.item_id else None,
        "starts_at": a.starts_at,
        "ends_at": a.ends_at,
        "status": a.status,
        "status_label": str(a.get_status_display()),
        "name": a.name,
        "id_number": a.masked_id_number,
        "ticket": a.ticket.number if a.ticket_id else None,
    }


def _bookable_line(hall_code: str, letter: str) -> QueueCategory:
    line = (
        appointments.bookable_lines()
        .filter(hall__code=hall_code.upper(), letter=letter.upper())
        .first()
    )
    if line is None:
        raise InvalidInput({"category": _("This line takes no appointments.")})
    return line


@router.get("/appointments/slots", response={200: list[SlotOut], **ERRORS}, auth=None)
@answers
def appointment_slots(request, filters: Query[SlotFilters]):
    """The slots of a line on a day with their free places (public). A closed day is an
    empty list; a year the legal calendar has no data for is 400 `no_calendar`."""
    line = _bookable_line(filters.hall, filters.category)
    return [
        {"starts_at": s.starts_at, "ends_at": s.ends_at, "capacity": s.capacity, "free": s.free}
        for s in appointments.slots_on(line, filters.day)
    ]


@router.post("/appointments", response={201: AppointmentOut, **BODY_ERRORS}, auth=None)
@answers
def book_appointment(request, payload: AppointmentIn):
    """Book a slot (public, as the portal's page): 409 `slot_full`, 409 `booking_limit`,
    400 for a past slot, a closed day or bad personal data."""
    line = _bookable_line(payload.hall, payload.category)
    item = None
    if payload.item:
        item = line.items.filter(implementation_code=payload.item).first()
        if item is None:
            raise InvalidInput({"item": _("This line does not handle the item: choose another.")})
    appointment = appointments.book(
        category=line,
        item=item,
        starts_at=payload.starts_at,
        name=payload.name,
        id_number=payload.id_number,
        phone=payload.phone,
    )
    return 201, appointment_out(appointment)


@router.post("/appointments/check-in", response={200: TicketOut, **BODY_ERRORS})
@answers
def check_in(request, payload: CheckInIn):
    """Check an appointment in at the guide desk (a clerk of the hall): its priority
    ticket. 409 `already_checked_in`, 409 `not_now` (too early, too late, cancelled),
    400 `unknown_appointment`."""
    hall = _serving_hall(request.user, payload.hall)
    ticket = appointments.check_in(hall=hall, number=payload.number)
    return ticket_out(_reload(ticket))


def _appointment_by_token(token: str):
    found = (
        Appointment.objects.select_related("hall", "category", "item", "ticket")
        .filter(token=token)
        .first()
    )
    if found is None:
        raise Http404("no such appointment")
    return found


@router.get("/appointments/{token}", response={200: AppointmentOut, **ERRORS}, auth=None)
@answers
def get_appointment(request, token: PathKey):
    """One appointment by its secret token (the confirmation's link)."""
    return appointment_out(_appointment_by_token(token))


@router.post("/appointments/{token}/cancel", response={200: AppointmentOut, **ERRORS}, auth=None)
@answers
def cancel_appointment(request, token: PathKey):
    """Cancel before the slot starts (409 `not_now` after, or when not booked)."""
    found = appointments.cancel(appointment=_appointment_by_token(token))
    return appointment_out(_appointment_by_token(found.token))
