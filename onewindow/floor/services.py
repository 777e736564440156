"""Every change on the hall floor: one verb-named function each, one transaction, the
rows it changes locked, a `QueueEvent` appended.

Calling next is the contended write: every window of a hall asks for the head of the same
lines at once. `call_next` takes the head with ``SELECT … FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so two windows calling together lock two different tickets and neither waits
for the other; a ticket another window has just taken is locked (skipped) or no longer
waiting (rechecked by PostgreSQL after the lock), never handed out twice. On SQLite the
IMMEDIATE transaction holds the database's one write lock and serialises the calls.

The staff decisions that touch a visitor (sign-in and sign-out at a window, pauses,
no-shows, transfers) are audited; the high-volume steps (issue, call, recall, start,
done) are recorded in `QueueEvent` only, so that calling does not queue on the audit
chain's head.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import record
from onewindow.core.validators import validate_resident_id
from onewindow.halls.models import Hall, Window
from onewindow.lib import idnumbers
from onewindow.training.services import NotQualified, ensure_qualified

from .errors import DailyLimit, InvalidInput, NotNow, NotPermitted, NotSignedIn, WindowTaken, fmt
from .models import QueueCategory, QueueEvent, Ticket, WindowSession

SERVE = "floor.serve_queue"
# Visitors of this age or older are called through the green channel (老年人优先).
GREEN_AGE = 65
# The estimated wait averages the service times of this many recent tickets of the line.
RECENT_SERVED = 20
RECENT_DAYS = 14


# ------------------------------------------------------------------------ helpers


def hall_version_key(hall_id: int) -> str:
    return f"floor:hall:{hall_id}:version"


def hall_version(hall_id: int) -> str:
    """A value that changes after every committed change of the hall's queue: the key
    under which the display screen's fragment is cached."""
    return cache.get_or_set(hall_version_key(hall_id), lambda: uuid.uuid4().hex, None)


def _changed(hall_id: int) -> None:
    transaction.on_commit(lambda: cache.set(hall_version_key(hall_id), uuid.uuid4().hex, None))


def _event(kind, **kwargs):
    event = _new_event(kind, **kwargs)
    event.save(force_insert=True)
    return event


def _new_event(kind, *, ticket=None, hall_id=None, window=None, clerk=None, reason="", at=None,
               **data) -> QueueEvent:  # fmt: skip
    return QueueEvent(
        kind=kind,
        at=at or timezone.now(),
        hall_id=hall_id or ticket.hall_id,
        ticket=ticket,
        category_id=ticket.category_id if ticket is not None else None,
        window=window,
        clerk=clerk,
        reason=reason[:200],
        data=data,
    )


def may_serve(user, hall_id: int) -> bool:
    """A clerk of the hall who may call tickets (working at a window needs membership of
    the hall itself, not only the right to see it)."""
    return (
        user is not None and user.is_active and user.has_perm(SERVE) and hall_id in user.hall_id_set
    )


def open_session(user) -> WindowSession | None:
    """The clerk's open session (at most one), with its window and hall."""
    return WindowSession.objects.open().select_related("window", "hall").filter(clerk=user).first()


def _locked_session(
    actor, window: Window | int | None, occupied: bool = False, **annotations
) -> WindowSession:
    """The actor's open session, locked; ``window`` (when given: a window, or the number
    of one in the session's hall) must be its window. With ``occupied`` the session
    tells whether a ticket is called to or served at its window (read in the same query;
    the lock keeps it so); other ``annotations`` are read in the same query too."""
    if isinstance(window, Window) and not may_serve(actor, window.hall_id):
        raise NotPermitted()
    sessions = (
        # The session's row only: locking the joined hall would queue every window of
        # the hall behind each other.
        WindowSession.objects.select_for_update(of=("self",))
        .filter(clerk=actor, ended_at__isnull=True)
        .select_related("window", "hall")
    )
    if occupied:
        at_window = Ticket.objects.filter(
            window_id=OuterRef("window_id"), status__in=Ticket.AT_WINDOW
        )
        annotations["occupied"] = Exists(at_window)
    if annotations:
        sessions = sessions.annotate(**annotations)
    session = sessions.first()
    if session is None or not _is_window(session, window):
        raise NotSignedIn()
    if not may_serve(actor, session.hall_id):
        raise NotPermitted()
    return session


def _is_window(session: WindowSession, window: Window | int | None) -> bool:
    if window is None:
        return True
    if isinstance(window, Window):
        return session.window_id == window.pk
    return session.window.number == window


def _require_current(session: WindowSession) -> Ticket:
    """The ticket at the window, locked, with its line (an answer shows it); the hall
    and window are the session's."""
    ticket = (
        Ticket.objects.select_related("category")
        .select_for_update(of=("self",))
        .filter(window_id=session.window_id, status__in=Ticket.AT_WINDOW)
        .first()
    )
    if ticket is None:
        raise NotNow(_("No ticket is at this window: call the next one first."))
    ticket.hall, ticket.window = session.hall, session.window
    return ticket


def current_ticket(window) -> Ticket | None:
    """The ticket called to or served at the window (no lock: for pages)."""
    return (
        Ticket.objects.select_related("category", "case")
        .filter(window=window, status__in=Ticket.AT_WINDOW)
        .first()
    )


# ---------------------------------------------------------------------- tickets


def normalise_id_number(value: str) -> str:
    """A resident ID number as stored, or an InvalidInput naming what is wrong."""
    value = (value or "").strip().upper()
    if not value:
        return ""
    try:
        return validate_resident_id(value)
    except ValidationError as exc:
        raise InvalidInput({"id_number": exc.messages[0]}) from None


def is_elderly(id_number: str, today: dt.date) -> bool:
    if not id_number:
        return False
    born = idnumbers.birth_date_from_resident_id(id_number)
    return (
        today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    ) >= GREEN_AGE


def issue_ticket(
    *,
    hall: Hall,
    category: QueueCategory,
    id_number: str = "",
    priority: int = Ticket.Priority.NORMAL,
    due_at: dt.datetime | None = None,
    actor=None,
    at: dt.datetime | None = None,
) -> Ticket:
    """Give a visitor the next ticket of a line (A001, A002 … per hall, line and day).

    An ID number is optional; with one, the line's daily limit per number applies, and a
    visitor of 65 or more is called through the green channel."""
    moment = at or timezone.now()
    day = timezone.localdate(moment)
    id_number = normalise_id_number(id_number)
    if priority not in Ticket.Priority.values:
        raise InvalidInput({"priority": _("Unknown priority.")})
    if category.hall_id != hall.pk:
        raise InvalidInput({"category": _("This line is not one of the hall's.")})
    if priority == Ticket.Priority.NORMAL and is_elderly(id_number, day):
        priority = Ticket.Priority.GREEN
    with transaction.atomic():
        # The line's row is the lock that numbers its tickets one after the other.
        line = QueueCategory.objects.select_for_update().filter(pk=category.pk).first()
        if line is None or not line.is_active:
            raise InvalidInput({"category": _("This line is closed today: choose another.")})
        # An appointment's ticket is not counted against the daily limit: it was booked.
        if id_number and line.daily_limit_per_id and priority != Ticket.Priority.APPOINTMENT:
            taken = Ticket.objects.filter(
                hall=hall, day=day, letter=line.letter, id_number=id_number
            ).count()
            if taken >= line.daily_limit_per_id:
                raise DailyLimit(
                    fmt(
                        _(
                            "This ID number has already taken %(n)s tickets of this line today, "
                            "the most allowed."
                        ),
                        n=line.daily_limit_per_id,
                    )
                )
        last = Ticket.objects.filter(hall=hall, day=day, letter=line.letter).aggregate(
            last=Max("seq")
        )["last"]
        seq = (last or 0) + 1
        ticket = Ticket.objects.create(
            hall=hall,
            category=line,
            day=day,
            letter=line.letter,
            seq=seq,
            number=f"{line.letter}{seq:03d}",
            issued_at=moment,
            queued_at=moment,
            id_number=id_number,
            priority=priority,
            due_at=due_at,
        )
        _event(QueueEvent.Kind.ISSUED, ticket=ticket, clerk=_person(actor), at=moment)
        _changed(hall.pk)
    return ticket


def _person(actor):
    return actor if getattr(actor, "pk", None) else None


@dataclass
class Position:
    ahead: int
    minutes: int
    windows: int


def average_service_minutes(category: QueueCategory, now: dt.datetime | None = None) -> float:
    """The mean service time (done − start) of the line's recent tickets, or the line's
    default while it has served fewer than five."""
    now = now or timezone.now()
    rows = list(
        Ticket.objects.filter(
            category=category,
            status=Ticket.Status.DONE,
            started_at__isnull=False,
            done_at__gte=now - dt.timedelta(days=RECENT_DAYS),
        )
        .order_by("-done_at")
        .values_list("started_at", "done_at")[:RECENT_SERVED]
    )
    if len(rows) < 5:
        return float(category.default_service_minutes)
    return sum((done - start).total_seconds() for start, done in rows) / len(rows) / 60


def serving_windows(category: QueueCategory) -> int:
    """Windows open now (signed in, not paused) that call this line."""
    windows = WindowSession.objects.open().filter(hall_id=category.hall_id, paused_at__isnull=True)
    named = list(category.windows.values_list("pk", flat=True))
    if named:
        windows = windows.filter(window_id__in=named)
    return windows.count()


def position(ticket: Ticket) -> Position:
    """People ahead of a waiting ticket in its line, and the estimated wait in minutes:
    people ahead × mean service time ÷ open windows of the line (at least one)."""
    if not ticket.is_waiting:
        return Position(0, 0, 0)
    ahead = (
        Ticket.objects.waiting()
        .filter(hall_id=ticket.hall_id, day=ticket.day, category_id=ticket.category_id)
        .filter(
            Q(priority__gt=ticket.priority)
            | Q(priority=ticket.priority, queued_at__lt=ticket.queued_at)
            | Q(priority=ticket.priority, queued_at=ticket.queued_at, pk__lt=ticket.pk)
        )
        .count()
    )
    windows = serving_windows(ticket.category)
    minutes = round(ahead * average_service_minutes(ticket.category) / max(windows, 1))
    return Position(ahead, minutes, windows)


def waiting_counts(hall: Hall, day: dt.date | None = None) -> list[dict]:
    """Per active line of the hall: letter, names and the number of tickets waiting."""
    from django.db.models import Count

    day = day or timezone.localdate()
    lines = (
        QueueCategory.objects.filter(hall=hall, is_active=True)
        .annotate(
            waiting=Count("tickets", filter=Q(tickets__day=day, tickets__status__in=Ticket.WAITING))
        )
        .order_by("sort_order", "letter")
    )
    return [
        {"category": c, "letter": c.letter, "name": c.name, "name_en": c.name_en,
         "waiting": c.waiting}
        for c in lines
    ]  # fmt: skip


# ---------------------------------------------------------------------- windows


def sign_in(*, actor, window: Window, request=None) -> WindowSession:
    """Sign a clerk in at a window of their hall: the window is then theirs until they
    sign out. Another clerk's window, or a second window of the same clerk, is refused."""
    if not window.is_active:
        raise InvalidInput({"window": _("This window is closed.")})
    if not may_serve(actor, window.hall_id):
        raise NotPermitted()
    try:  # only staff qualified by their training serve at a window (training app)
        ensure_qualified(actor)
    except NotQualified as exc:
        raise NotPermitted(exc.message, code="not_qualified") from None
    with transaction.atomic():
        taken = WindowSession.objects.open().filter(window=window).select_related("clerk").first()
        if taken is not None and taken.clerk_id != actor.pk:
            raise WindowTaken(
                fmt(
                    _("Window %(number)s is taken: %(name)s is signed in there."),
                    number=window.number,
                    name=str(taken.clerk),
                )  # fmt: skip
            )
        mine = WindowSession.objects.open().filter(clerk=actor).select_related("window").first()
        if mine is not None:
            if mine.window_id == window.pk:
                return mine
            raise WindowTaken(
                fmt(
                    _("You are signed in at window %(number)s: sign out there first."),
                    number=mine.window.number,
                )  # fmt: skip
            )
        try:
            with transaction.atomic():
                session = WindowSession.objects.create(
                    hall_id=window.hall_id, window=window, clerk=actor
                )
        except IntegrityError:
            # Someone signed in at the same moment (the partial unique indexes decide).
            raise WindowTaken(_("The window was taken a moment ago: choose another.")) from None
        _event(QueueEvent.Kind.SIGNED_IN, hall_id=window.hall_id, window=window, clerk=actor)
        record(actor=actor, action="window.signed_in", obj=session, hall=window.hall,
               after={"window": window.number}, request=request)  # fmt: skip
        _changed(window.hall_id)
    return session


def sign_out(*, actor, window: Window | None = None, request=None) -> WindowSession:
    with transaction.atomic():
        session = _locked_session(actor, window, occupied=True)
        if session.occupied:
            raise NotNow(_("A ticket is still at the window: finish it, or transfer it, first."))
        session.ended_at = timezone.now()
        session.paused_at = None
        session.save(update_fields=["ended_at", "paused_at"])
        _event(QueueEvent.Kind.SIGNED_OUT, hall_id=session.hall_id, window=session.window,
               clerk=actor)  # fmt: skip
        record(actor=actor, action="window.signed_out", obj=session, hall=session.hall,
               after={"window": session.window.number}, request=request)  # fmt: skip
        _changed(session.hall_id)
    return session


def pause(*, actor, window: Window | None = None, reason: str, request=None) -> WindowSession:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({"reason": _("Say why the window pauses.")})
    if len(reason) > 200:
        raise InvalidInput({"reason": _("The reason is too long (at most 200 characters).")})
    with transaction.atomic():
        session = _locked_session(actor, window, occupied=True)
        if session.is_paused:
            raise NotNow(_("The window is already paused."))
        if session.occupied:
            raise NotNow(_("A ticket is still at the window: finish it, or transfer it, first."))
        session.paused_at = timezone.now()
        session.pause_reason = reason
        session.save(update_fields=["paused_at", "pause_reason"])
        _event(QueueEvent.Kind.PAUSED, hall_id=session.hall_id, window=session.window,
               clerk=actor, reason=reason)  # fmt: skip
        record(actor=actor, action="window.paused", obj=session, hall=session.hall,
               after={"window": session.window.number, "reason": reason}, request=request)  # fmt: skip
        _changed(session.hall_id)
    return session


def resume(*, actor, window: Window | None = None, request=None) -> WindowSession:
    with transaction.atomic():
        session = _locked_session(actor, window)
        if not session.is_paused:
            raise NotNow(_("The window is not paused."))
        paused_for = (timezone.now() - session.paused_at).total_seconds()
        session.paused_at = None
        session.save(update_fields=["paused_at"])
        _event(QueueEvent.Kind.RESUMED, hall_id=session.hall_id, window=session.window,
               clerk=actor, reason=session.pause_reason, seconds=round(paused_for))  # fmt: skip
        record(actor=actor, action="window.resumed", obj=session, hall=session.hall,
               after={"window": session.window.number}, request=request)  # fmt: skip
        _changed(session.hall_id)
    return session


# ------------------------------------------------------------------------ calls


def call_stages(now: dt.datetime) -> tuple[tuple[Q, tuple], tuple[Q, tuple]]:
    """The call order as two (filter, order) stages tried in turn: first the few with
    priority — appointments due now, then the green channel, each in queue order — then
    everyone in queue order (an appointment checked in before its time waits in the line
    as anyone else). The first stage reads the priority tickets through
    `ticket_waiting_priority`, the second the head of `ticket_waiting_queue`, instead of
    ranking every ticket waiting in the hall. (``priority > 0`` is said in so many words:
    it is the partial index's condition, which PostgreSQL matches against the query.)"""
    priority = Q(priority__gt=Ticket.Priority.NORMAL) & (
        Q(priority=Ticket.Priority.APPOINTMENT, due_at__lte=now) | Q(priority=Ticket.Priority.GREEN)
    )
    return (priority, ("-priority", "queued_at", "pk")), (Q(), ("queued_at", "pk"))


def call_next(*, actor, window: Window | int | None = None) -> Ticket | None:
    """Call the next visitor to the clerk's window: None when nobody waits.

    The window calls the lines that name it (or name no window) and the tickets
    transferred to it by name."""
    now = timezone.now()
    today = timezone.localdate(now)
    stages = call_stages(now)
    # Whether any ticket of the hall waits with a priority, asked with the session: in
    # most calls none does, and the first stage's query is then not sent at all.
    with_priority = Ticket.objects.filter(
        hall_id=OuterRef("hall_id"), day=today, status__in=Ticket.WAITING
    ).filter(stages[0][0])
    with transaction.atomic():
        session = _locked_session(
            actor, window, occupied=True, priority_waiting=Exists(with_priority)
        )
        if session.is_paused:
            raise NotNow(_("The window is paused: resume before calling."))
        if session.occupied:
            raise NotNow(
                _(
                    "A ticket is still at the window: finish it, mark a no-show or transfer it "
                    "before calling the next."
                )
            )
        lines = QueueCategory.objects.active().served_by(session.window).values("pk")
        candidates = (
            Ticket.objects.filter(
                hall_id=session.hall_id,
                day=today,
                status__in=Ticket.WAITING,
            )
            .filter(
                Q(category_id__in=lines, target_window__isnull=True)
                | Q(target_window_id=session.window_id)
            )
            # Only the line is joined (the candidates are joined before they are sorted);
            # the hall and window are the session's.
            .select_related("category")
            .select_for_update(skip_locked=True, of=("self",))
        )
        for stage, order in stages if session.priority_waiting else stages[1:]:
            ticket = candidates.filter(stage).order_by(*order).first()
            if ticket is not None:
                break
        else:
            return None
        ticket.status = Ticket.Status.CALLED
        ticket.hall = session.hall
        ticket.window = session.window
        ticket.clerk = actor
        ticket.called_at = now
        ticket.first_called_at = ticket.first_called_at or now
        ticket.calls = 1
        ticket.save(
            update_fields=["status", "window", "clerk", "called_at", "first_called_at", "calls"]
        )
        _event(QueueEvent.Kind.CALLED, ticket=ticket, window=session.window, clerk=actor, at=now)
        _changed(session.hall_id)
    return ticket


def recall(*, actor, window: Window | int | None = None) -> Ticket:
    """Call the ticket at the window once more."""
    now = timezone.now()
    with transaction.atomic():
        session = _locked_session(actor, window)
        ticket = _require_current(session)
        if ticket.status != Ticket.Status.CALLED:
            raise NotNow(_("The visitor is already being served."))
        ticket.calls += 1
        ticket.called_at = now
        ticket.save(update_fields=["calls", "called_at"])
        _event(QueueEvent.Kind.RECALLED, ticket=ticket, window=session.window, clerk=actor,
               at=now, calls=ticket.calls)  # fmt: skip
        _changed(session.hall_id)
    return ticket


def start_service(*, actor, window: Window | None = None) -> Ticket:
    """The visitor came to the window: service starts (its time runs from here)."""
    with transaction.atomic():
        session = _locked_session(actor, window)
        ticket = _require_current(session)
        if ticket.status == Ticket.Status.CALLED:
            _start(ticket, session, actor)
            _changed(session.hall_id)
    return ticket


def _start(ticket: Ticket, session: WindowSession, actor) -> None:
    ticket.status = Ticket.Status.SERVING
    ticket.started_at = timezone.now()
    ticket.save(update_fields=["status", "started_at"])
    _event(QueueEvent.Kind.STARTED, ticket=ticket, window=session.window, clerk=actor)


def finish(*, actor, window: Window | int | None = None) -> Ticket:
    """Service is over: the ticket is done and the window free for the next."""
    with transaction.atomic():
        session = _locked_session(actor, window)
        ticket = _require_current(session)
        now = timezone.now()
        fields, events = ["status", "done_at"], []
        if ticket.status == Ticket.Status.CALLED:  # done without "visitor is here": started now
            ticket.started_at = now
            fields.append("started_at")
            events.append(_new_event(QueueEvent.Kind.STARTED, ticket=ticket,
                                     window=session.window, clerk=actor, at=now))  # fmt: skip
        ticket.status = Ticket.Status.DONE
        ticket.done_at = now
        ticket.save(update_fields=fields)
        events.append(
            _new_event(
                QueueEvent.Kind.DONE, ticket=ticket, window=session.window, clerk=actor, at=now
            )  # fmt: skip
        )
        QueueEvent.objects.bulk_create(events)
        _changed(session.hall_id)
    return ticket


def mark_no_show(*, actor, window: Window | int | None = None, request=None) -> Ticket:
    """The visitor did not come after the line's number of calls."""
    with transaction.atomic():
        session = _locked_session(actor, window)
        ticket = _require_current(session)
        if ticket.status != Ticket.Status.CALLED:
            raise NotNow(_("The visitor is being served: they came."))
        needed = ticket.category.no_show_after_calls
        if ticket.calls < needed:
            raise NotNow(
                fmt(
                    _("Call %(needed)s times before marking a no-show (called %(calls)s so far)."),
                    needed=needed,
                    calls=ticket.calls,
                )  # fmt: skip
            )
        ticket.status = Ticket.Status.NO_SHOW
        ticket.save(update_fields=["status"])
        _event(QueueEvent.Kind.NO_SHOW, ticket=ticket, window=session.window, clerk=actor,
               calls=ticket.calls)  # fmt: skip
        record(actor=actor, action="ticket.no_show", obj=ticket, hall=session.hall,
               after={"number": ticket.number, "calls": ticket.calls}, request=request)  # fmt: skip
        _changed(session.hall_id)
    return ticket


def find_ticket(hall: Hall, number: str, day: dt.date | None = None) -> Ticket | None:
    return (
        Ticket.objects.filter(hall=hall, day=day or timezone.localdate(), number=number.upper())
        .order_by("-pk")
        .first()
    )


def rejoin(*, actor, hall: Hall, number: str, request=None) -> Ticket:
    """A visitor marked as a no-show came back: the ticket joins the end of its line,
    once."""
    if not may_serve(actor, hall.pk):
        raise NotPermitted()
    with transaction.atomic():
        found = find_ticket(hall, (number or "").strip())
        ticket = Ticket.objects.select_for_update().filter(pk=found.pk).first() if found else None
        if ticket is None:
            raise InvalidInput({"number": _("There is no ticket with this number today.")})
        if ticket.status != Ticket.Status.NO_SHOW:
            raise NotNow(_("Only a ticket marked as a no-show can rejoin the line."))
        if ticket.rejoined:
            raise NotNow(_("This ticket has already rejoined the line once: take a new ticket."))
        ticket.status = Ticket.Status.WAITING
        ticket.rejoined = True
        ticket.queued_at = timezone.now()
        ticket.window = None
        ticket.calls = 0
        ticket.save(update_fields=["status", "rejoined", "queued_at", "window", "calls"])
        _event(QueueEvent.Kind.REJOINED, ticket=ticket, clerk=actor)
        record(actor=actor, action="ticket.rejoined", obj=ticket, hall=hall,
               after={"number": ticket.number}, request=request)  # fmt: skip
        _changed(hall.pk)
    return ticket


def transfer(
    *,
    actor,
    window: Window | int | None = None,
    category: QueueCategory | None = None,
    to_window: Window | None = None,
    reason: str = "",
    request=None,
) -> Ticket:
    """Send the ticket at the window to another line or to a named window. It keeps its
    place in time (its issue time), so the visitor does not queue again from the end."""
    reason = (reason or "").strip()[:200]
    with transaction.atomic():
        session = _locked_session(actor, window)
        errors = {}
        if category is None and to_window is None:
            errors["category"] = _("Choose the line or the window to transfer to.")
        if category is not None:
            line = QueueCategory.objects.filter(pk=category.pk).first()
            if line is None or line.hall_id != session.hall_id:
                errors["category"] = _("This line is not one of the hall's.")
            elif not line.is_active:
                errors["category"] = fmt(
                    _("The line %(line)s is closed: transfer to an open line."), line=str(line)
                )
        if to_window is not None:
            if to_window.hall_id != session.hall_id or not to_window.is_active:
                errors["window"] = _("Choose an open window of the hall.")
            elif to_window.pk == session.window_id:
                errors["window"] = _("The ticket is already at this window.")
        if errors:
            raise InvalidInput(errors)
        ticket = _require_current(session)
        before = {"category": ticket.category.letter, "window": session.window.number}
        ticket.status = Ticket.Status.TRANSFERRED
        if category is not None:
            ticket.category = category
        ticket.target_window = to_window
        ticket.queued_at = ticket.issued_at
        ticket.window = None
        ticket.calls = 0
        ticket.save(
            update_fields=["status", "category", "target_window", "queued_at", "window", "calls"]
        )
        after = {"category": ticket.category.letter,
                 "window": to_window.number if to_window else None}  # fmt: skip
        _event(QueueEvent.Kind.TRANSFERRED, ticket=ticket, window=session.window, clerk=actor,
               reason=reason, to_category=ticket.category.letter,
               to_window=to_window.number if to_window else None)  # fmt: skip
        record(actor=actor, action="ticket.transferred", obj=ticket, hall=session.hall,
               before=before, after=after, note=reason, request=request)  # fmt: skip
        _changed(session.hall_id)
    return ticket


# ------------------------------------------------------------------------ cases


def prepare_case(*, actor, window: Window | None = None) -> Ticket:
    """Begin a case from the ticket at the window: service starts and the ticket gets the
    intake key the case will carry, by which `link_case` finds it once the case is
    received."""
    with transaction.atomic():
        session = _locked_session(actor, window)
        ticket = _require_current(session)
        if ticket.status == Ticket.Status.CALLED:
            _start(ticket, session, actor)
        if ticket.case_id is None:
            ticket.intake_key = uuid.uuid4().hex
            ticket.save(update_fields=["intake_key"])
        _changed(session.hall_id)
    return ticket


def link_case(case) -> Ticket | None:
    """Link a newly received case to the ticket whose intake key it carries."""
    if not case.intake_key:
        return None
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update()
            .filter(hall_id=case.hall_id, intake_key=case.intake_key, case__isnull=True)
            .first()
        )
        if ticket is None:
            return None
        ticket.case = case
        ticket.save(update_fields=["case"])
    return ticket
