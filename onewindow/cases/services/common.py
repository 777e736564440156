"""What every case service shares: the transitions table, locking and the optimistic
version, permissions, events, the audit row and the after-commit signal."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import record
from onewindow.core import plainjson

from .. import clock, tally
from ..models import Case, CaseEvent, CaseStep
from ..signals import case_changed
from .errors import NotPermitted, StaleCase, TransitionNotAllowed, fmt

S = Case.Status

# The life cycle (docs/apps/cases.md, "Life cycle"): action -> (statuses it may start from,
# status it leads to; None keeps the status). The services check every action against this
# one table.
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "accept": (frozenset({S.RECEIVED}), S.ACCEPTED),
    "accept_with_gaps": (frozenset({S.RECEIVED}), S.ACCEPTED),
    "refuse": (frozenset({S.RECEIVED, S.CORRECTION}), S.REFUSED),
    "issue_correction": (frozenset({S.RECEIVED}), S.CORRECTION),
    "supply_correction": (frozenset({S.CORRECTION}), S.RECEIVED),
    "supply_gaps": (frozenset({S.ACCEPTED, S.SUSPENDED}), None),
    "handle_immediately": (frozenset({S.RECEIVED}), S.CONCLUDED),
    "assign_step": (frozenset({S.ACCEPTED, S.SUSPENDED}), None),
    "decide_step": (frozenset({S.ACCEPTED}), None),
    "request_extension": (frozenset({S.ACCEPTED, S.SUSPENDED}), None),
    "decide_extension": (frozenset({S.ACCEPTED, S.SUSPENDED}), None),
    # An extension approved in a department system, reported through the exchange.
    "extend": (frozenset({S.ACCEPTED, S.SUSPENDED}), None),
    "suspend": (frozenset({S.ACCEPTED}), S.SUSPENDED),
    "resume": (frozenset({S.SUSPENDED}), S.ACCEPTED),
    # The status a conclusion leads to depends on the result (RESULT_STATUS below).
    "conclude": (frozenset({S.RECEIVED, S.CORRECTION, S.ACCEPTED, S.SUSPENDED}), None),
    "deliver": (frozenset({S.CONCLUDED}), S.DELIVERED),
    "attach": (frozenset({S.RECEIVED, S.CORRECTION, S.ACCEPTED, S.SUSPENDED, S.CONCLUDED}), None),
    # Dates counted on a year without official calendar data, counted again once it is
    # entered: open and closed cases alike.
    "recompute_clock": (
        frozenset({S.ACCEPTED, S.SUSPENDED, S.CONCLUDED, S.DELIVERED, S.WITHDRAWN, S.VOID}),
        None,
    ),
}

R = Case.Result
# Which results may end a case in which status, and the status they lead to. A licence
# can only be granted or refused (不予许可) once the case was accepted and decided;
# withdrawal and voiding end a case at any stage before conclusion.
RESULT_FROM: dict[str, frozenset[str]] = {
    R.GRANTED: frozenset({S.ACCEPTED}),
    R.REFUSED: frozenset({S.ACCEPTED}),
    R.FORWARDED: frozenset({S.ACCEPTED, S.SUSPENDED}),
    R.WITHDRAWN: frozenset({S.RECEIVED, S.CORRECTION, S.ACCEPTED, S.SUSPENDED}),
    R.VOID: frozenset({S.RECEIVED, S.CORRECTION, S.ACCEPTED, S.SUSPENDED}),
}
RESULT_STATUS: dict[str, str] = {
    R.GRANTED: S.CONCLUDED,
    R.REFUSED: S.CONCLUDED,
    R.FORWARDED: S.CONCLUDED,
    R.WITHDRAWN: S.WITHDRAWN,
    R.VOID: S.VOID,
}

ACTION_LABELS = {
    "accept": _("accept"),
    "accept_with_gaps": _("accept with materials to follow"),
    "refuse": _("refuse"),
    "issue_correction": _("issue a correction notice"),
    "supply_correction": _("record the missing materials"),
    "supply_gaps": _("record the materials to follow"),
    "handle_immediately": _("handle at once"),
    "assign_step": _("assign the step"),
    "decide_step": _("decide the step"),
    "request_extension": _("ask for an extension"),
    "decide_extension": _("decide on the extension"),
    "extend": _("extend"),
    "suspend": _("suspend"),
    "resume": _("resume"),
    "conclude": _("conclude"),
    "deliver": _("deliver"),
    "attach": _("attach a scan"),
    "recompute_clock": _("recompute the dates"),
}


def allowed_actions(case: Case) -> set[str]:
    """Actions the transitions table allows for the case now (not checking the user)."""
    return {name for name, (sources, _to) in TRANSITIONS.items() if case.status in sources}


def not_allowed(action: str, case: Case) -> TransitionNotAllowed:
    return TransitionNotAllowed(
        fmt(
            _("You cannot %(action)s a case that is “%(status)s”."),
            action=ACTION_LABELS.get(action, action),
            status=case.get_status_display(),
        )
    )


# ---------------------------------------------------------------- lookups


def visible_cases(user):
    """Cases the user may see (their halls; every hall for the centre and supervision)."""
    return Case.objects.visible_to(user)


def reveal_numbers(*, actor, case: Case, channel: str, request=None) -> dict[str, str]:
    """The applicant's full ID number and phone, for one of the case's handlers
    (`Case.is_handled_by`); everybody else gets `NotPermitted`. Each view is an audit row
    `case.numbers_viewed` (the channel, ``page`` or ``api``, as its note), so the log says
    who saw whose number when. The numbers themselves are not written to the log."""
    if not case.is_handled_by(actor):
        raise NotPermitted(_("Only the case's handlers may see the applicant's full numbers."))
    with transaction.atomic():
        record(
            actor=actor,
            action="case.numbers_viewed",
            obj=case,
            hall=case.hall,
            note=channel,
            request=request,
        )
    return {"applicant_id_number": case.applicant_id_number, "contact_phone": case.contact_phone}


def get_case_for(user, number: str) -> Case:
    """The case with this number if the user may see it; 404 otherwise (another hall's
    case looks exactly like a case that does not exist)."""
    try:
        return (
            visible_cases(user)
            .select_related(
                "hall",
                "window",
                "department",
                "item",
                "item_version",
                "current_step",
                "current_assignee",
                "received_by",
            )
            .get(number=number)
        )
    except Case.DoesNotExist:
        raise Http404("no such case") from None


# ------------------------------------------------------------ permissions


def in_hall(user, hall_id: int) -> bool:
    return user.sees_all_halls or hall_id in user.hall_id_set


def require(actor, case: Case, perm: str = "cases.handle_cases") -> None:
    """The actor holds ``perm`` and works in the case's hall (``None`` is the system:
    department-system exchange and the simulation)."""
    if actor is None:
        return
    if not actor.is_active or not actor.has_perm(perm) or not in_hall(actor, case.hall_id):
        raise NotPermitted()


def eligible_for_step(user, case: Case, role: str) -> bool:
    """A person may take a step when they hold its role, in the case's hall and in the
    item's department (the department that is legally responsible for the decision)."""
    return (
        user is not None
        and user.is_active
        and user.has_role(role)
        and case.hall_id in user.hall_id_set
        and user.department_id == case.department_id
    )


def pick_assignee(case: Case, role: str):
    """The least-loaded eligible person for a step (fewest open cases waiting for them,
    then by user name), or None when the hall has nobody with that role in the
    department."""
    from onewindow.accounts.models import User

    load = (
        Case.objects.filter(current_assignee=OuterRef("pk"), status__in=Case.OPEN_STATUSES)
        .order_by()
        .values("current_assignee")
        .annotate(n=Count("*"))
        .values("n")
    )
    return (
        User.objects.filter(
            is_active=True,
            department_id=case.department_id,
            halls=case.hall_id,
            groups__name=role,
        )
        .annotate(load=Coalesce(Subquery(load), 0))
        .order_by("load", "username")
        .first()
    )


# ----------------------------------------------------------- the write path


def now() -> dt.datetime:
    return timezone.now()


# What the services read of a locked case besides its row.
_LOCK_RELATED = ("hall", "window", "item", "item_version", "current_step", "received_by")
_COLUMNS = tuple(f.attname for f in Case._meta.concrete_fields)


def lock(case: Case, action: str | tuple[str, ...], expected_version: int | None) -> Case:
    """Lock the case row until the transaction ends, then check the optimistic version
    and the transitions table (``action`` may name several actions when the status
    decides which one it is).

    PostgreSQL locks the row (``SELECT … FOR UPDATE OF`` the case alone: the joined rows
    stay free); on SQLite the IMMEDIATE transaction already holds the database's single
    write lock. The version is checked first: a double submit is reported as such, not
    as a transition that became impossible because the first submit went through.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("lock() runs inside the service's transaction")
    try:
        locked = (
            Case.objects.select_for_update(of=("self",))
            .select_related(*_LOCK_RELATED)
            .get(pk=case.pk)
        )
    except Case.DoesNotExist:
        raise Http404("no such case") from None
    if expected_version is not None and int(expected_version) != locked.version:
        raise StaleCase(current_version=locked.version)
    actions = (action,) if isinstance(action, str) else action
    if not any(locked.status in TRANSITIONS[a][0] for a in actions):
        raise not_allowed(actions[0], locked)
    return locked


def columns(case: Case) -> dict:
    """The case's column values, to tell afterwards which ones a service changed."""
    return {name: getattr(case, name) for name in _COLUMNS}


@dataclass(frozen=True)
class Origin:
    """An act done in another system and recorded here (the department-system exchange):
    its idempotency key, the bookkeeping kept with the act's event (hall code, external
    number and sequence, who did it there) and the name of that person for the audit
    note. The services check and write such an act exactly as one done at a window."""

    key: str
    data: dict
    actor_name: str = ""


@dataclass
class Change:
    """What one service call does to a locked case: the events to append, and the case's
    columns as they were (`finish` writes those that changed)."""

    case: Case
    actor: object
    action: str
    at: dt.datetime | None = None
    origin: Origin | None = None
    # The window where the act happened (None: not at a window); its hall is the acting
    # hall. Events record it, so that per-window figures count the acts done there.
    window: object = None
    before: dict | None = field(default_factory=dict)
    events: list[CaseEvent] = field(default_factory=list)

    def __post_init__(self):
        self.at = self.at or now()
        self.before = snapshot(self.case)
        self.row = columns(self.case)

    @property
    def today(self) -> dt.date:
        return clock.local_date(self.at)

    def event(
        self,
        kind: str,
        *,
        from_status="",
        to_status="",
        reason="",
        data=None,
        step_position=None,
        at=None,
    ):
        self.events.append(
            CaseEvent(
                case=self.case,
                kind=kind,
                at=at or self.at,
                actor=self.actor if getattr(self.actor, "pk", None) else None,
                hall_id=self.window.hall_id if self.window else self.case.hall_id,
                window_id=self.window.pk if self.window else None,
                step_position=step_position,
                from_status=from_status,
                to_status=to_status,
                reason=reason or "",
                data=plain(data or {}),
            )
        )


def official(text) -> str:
    """A fixed text as kept with the case: in Chinese, the official language."""
    with translation.override("zh-hans"):
        return str(text)


def plain(data: dict) -> dict:
    """Dates and decimals as text, so event data is plain JSON on every database."""
    return plainjson.plain(data)


def snapshot(case: Case) -> dict:
    """What the audit row shows of a case before and after a change."""
    return {
        "status": case.status,
        "version": case.version,
        "promised_due_date": case.promised_due_date,
        "legal_due_date": case.legal_due_date,
        "due_provisional": case.due_provisional,
        "current_assignee": case.current_assignee_id,
        "result": case.result,
    }


def append_events(case: Case, events: list[CaseEvent], *, new_case: bool = False) -> None:
    """Append events with the next sequence numbers of the case, in one INSERT. The
    caller holds the case row lock, so the numbers cannot clash; a case created in the
    same transaction has none yet."""
    if not events:
        return
    last = 0 if new_case else case.events.aggregate(last=Max("seq"))["last"] or 0
    for i, event in enumerate(events, start=1):
        event.case = case
        event.seq = last + i
    CaseEvent.objects.bulk_create(events)
    tally.add(case, events)


def finish(change: Change, *, request=None, note: str = "", bump: bool = True) -> Case:
    """Write what ``change`` did, inside the service's transaction: the case's changed
    columns with a new version (``bump``), the events and the audit row;
    `case_changed` is sent once the transaction commits. ``change.before is None`` marks
    a case created by this change (saved whole)."""
    case = change.case
    new_case = change.before is None  # saved by the service that created it
    if not new_case and bump:
        case.version += 1
        changed = [
            f.name
            for f in Case._meta.concrete_fields
            if getattr(case, f.attname) != change.row[f.attname]
        ]
        case.save(update_fields={*changed, "version", "updated_at"})
    action = f"case.{change.action}"
    origin = change.origin
    if origin is not None:
        action = f"case.exchange_{change.action}"
        note = note or origin.actor_name
        if change.events:
            main = change.events[0]
            main.external_key = origin.key
            main.data = plain({**main.data, **origin.data, "status_after": case.status})
    append_events(case, change.events, new_case=new_case)
    record(
        actor=change.actor,
        action=action,
        obj=case,
        hall=case.hall,
        before=None if new_case else change.before,
        after=snapshot(case),
        note=note,
        request=request,
    )
    kinds = [e.kind for e in change.events]
    case_id = case.pk
    transaction.on_commit(lambda: case_changed.send(sender=Case, case_id=case_id, kinds=kinds))
    return case


def start_step(change: Change, position: int, *, assignee=None) -> CaseStep | None:
    """Open the step at ``position`` (1-based in the item version's order) and assign it
    to ``assignee`` or to the least-loaded eligible person."""
    case = change.case
    steps = case.item_version.frozen_parts().steps
    if not 1 <= position <= len(steps):
        return None
    step = steps[position - 1]
    if assignee is None or not eligible_for_step(assignee, case, step.role):
        assignee = pick_assignee(case, step.role)
    case_step = CaseStep(
        case=case,
        step=step,
        position=position,
        name=step.name,
        role=step.role,
        assignee=assignee,
        started_at=change.at,
        due_date=step_due_date(case, step.limit_days, change.today),
    )
    case_step.save()
    case.current_step = case_step
    case.current_assignee = assignee
    change.event(
        CaseEvent.Kind.STEP_ASSIGNED,
        step_position=position,
        data={
            "step": step.name,
            "role": step.role,
            "assignee": assignee.username if assignee else None,
            "assignee_id": assignee.pk if assignee else None,
            "assignee_name": str(assignee) if assignee else None,
            "auto": True,
        },
    )
    return case_step


def step_due_date(case: Case, limit_days: int, started_on: dt.date) -> dt.date | None:
    """A step's own limit from the day it starts; without one, the case's promised date."""
    if limit_days:
        return clock.add_working_days(started_on, limit_days).value
    return case.promised_due_date


def hand_back_to_window(case: Case) -> None:
    """Every step decided: the case waits for the window (the clerk who received it)
    to conclude and deliver it."""
    case.current_step = None
    clerk = case.received_by
    case.current_assignee = clerk if clerk is not None and clerk.is_active else None
