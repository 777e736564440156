"""What every case service shares: the transitions table, locking and the optimistic
version, permissions, events, the audit row and the after-commit signal."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.audit.services import prepare as prepare_record
from onewindow.core import rawsql
from onewindow.lib import plainjson

from .. import clock
from ..models import Case, CaseEvent, CaseStep
from ..signals import case_changed
from .errors import NotPermitted, StaleCase, TransitionNotAllowed, fmt

S = Case.Status

# The life cycle (DOMAIN.md): action -> (statuses it may start from, status it leads to;
# None keeps the status). The services check every action against this one table.
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
    "extend": (frozenset({S.ACCEPTED, S.SUSPENDED}), None),
    "suspend": (frozenset({S.ACCEPTED}), S.SUSPENDED),
    "resume": (frozenset({S.SUSPENDED}), S.ACCEPTED),
    # The status a conclusion leads to depends on the result (RESULT_STATUS below).
    "conclude": (frozenset({S.RECEIVED, S.CORRECTION, S.ACCEPTED, S.SUSPENDED}), None),
    "deliver": (frozenset({S.CONCLUDED}), S.DELIVERED),
    "attach": (frozenset({S.RECEIVED, S.CORRECTION, S.ACCEPTED, S.SUSPENDED, S.CONCLUDED}), None),
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
    "extend": _("extend"),
    "suspend": _("suspend"),
    "resume": _("resume"),
    "conclude": _("conclude"),
    "deliver": _("deliver"),
    "attach": _("attach a scan"),
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
    department.

    One hand-written query: the choice is made at every acceptance and every step, and
    the ORM spent more time composing it (a correlated count) than SQLite running it on
    the assignee index. The user comes back with the fields a step needs; the rest load
    on demand.
    """
    from django.contrib.auth.models import Group

    from onewindow.accounts.models import User

    statuses = [str(s) for s in Case.OPEN_STATUSES]
    marks = ", ".join(["%s"] * len(statuses))
    wanted = {"id", "username", "full_name", "is_active", "department_id"}
    # In the model's field order, which is what Model.from_db expects.
    fields = [f.attname for f in User._meta.concrete_fields if f.attname in wanted]
    sql = f"""
        SELECT {", ".join(f"u.{name}" for name in fields)}
        FROM {User._meta.db_table} u
        JOIN {User.halls.through._meta.db_table} uh ON uh.user_id = u.id AND uh.hall_id = %s
        JOIN {User.groups.through._meta.db_table} ug ON ug.user_id = u.id
        JOIN {Group._meta.db_table} g ON g.id = ug.group_id AND g.name = %s
        WHERE u.is_active AND u.department_id = %s
        ORDER BY (
            SELECT count(*) FROM {Case._meta.db_table} c
            WHERE c.current_assignee_id = u.id AND c.status IN ({marks})
        ), u.username
        LIMIT 1"""
    with rawsql.cursor() as cursor:
        cursor.execute(sql, [case.hall_id, role, case.department_id, *statuses])
        row = cursor.fetchone()
    if row is None:
        return None
    return User.from_db(connection.alias, fields, row)


# ----------------------------------------------------------- the write path


def now() -> dt.datetime:
    return timezone.now()


# What the services read of a locked case besides its row.
_LOCK_RELATED = ("hall", "window", "item", "item_version", "current_step", "received_by")


def lock(case: Case, action: str | tuple[str, ...], expected_version: int | None) -> Case:
    """Lock the case row, check the optimistic version, then the transitions table
    (``action`` may name several actions when the status decides which one it is).

    The version is checked first: a double submit is reported as such, not as a
    transition that became impossible because the first submit went through.
    """
    # One hand-written query (the ORM's select_related composed for longer than the
    # database took to run it); the row locked on PostgreSQL, SQLite's write transaction
    # being exclusive already.
    suffix = " FOR UPDATE OF t" if connection.features.has_select_for_update_of else ""
    return _checked(case, action, expected_version, suffix)


def read_for_change(
    case: Case, action: str | tuple[str, ...], expected_version: int | None
) -> Case:
    """`lock` without the lock, for a service that reads and computes before it opens its
    transaction: `finish` then writes the case only where its version is still the one
    read here, and reports a stale case otherwise (every change bumps the version, so an
    unchanged version means that everything read since is still true). The write
    transaction holds SQLite's single write lock only for the writes; on PostgreSQL the
    guarded UPDATE waits for a concurrent writer and then finds the new version."""
    case = _checked(case, action, expected_version, "", reread=not getattr(case, "_whole", False))
    case._optimistic = True
    return case


def case_by_number(number: str) -> Case | None:
    """The case with this number, with what the services read of it (`read_for_change`
    takes it as read: one read per request instead of two). The caller checks that the
    user may see it."""
    case = _read("t.number = %s", [number])
    if case is not None:
        case._whole = True
    return case


def _read(where: str, params: list, suffix: str = "") -> Case | None:
    """The case (``where`` over the table ``t``) with `_LOCK_RELATED`, and its row as read
    (what `_save_changes` compares with)."""
    case = rawsql.first_related(Case, _LOCK_RELATED, where, params, suffix)
    if case is not None:
        case._as_locked = _row_values(case)
    return case


def _checked(case, action, expected_version, suffix: str, reread: bool = True) -> Case:
    locked = _read("t.id = %s", [case.pk], suffix) if reread else case
    if locked is None:
        raise Http404("no such case")
    if expected_version is not None and int(expected_version) != locked.version:
        raise StaleCase(current_version=locked.version)
    actions = (action,) if isinstance(action, str) else action
    if not any(locked.status in TRANSITIONS[a][0] for a in actions):
        raise not_allowed(actions[0], locked)
    return locked


@dataclass
class Change:
    """What one service call does to a locked case: events to append, audit note."""

    case: Case
    actor: object
    action: str
    at: dt.datetime = field(default_factory=now)
    before: dict | None = field(default_factory=dict)
    events: list[CaseEvent] = field(default_factory=list)
    # New rows (steps) written by `finish`, before the case that refers to them.
    rows: list = field(default_factory=list)

    def __post_init__(self):
        self.before = snapshot(self.case)

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
            rawsql.new(
                CaseEvent,
                case=self.case,
                kind=kind,
                at=at or self.at,
                actor=self.actor if getattr(self.actor, "pk", None) else None,
                hall_id=self.case.hall_id,
                window_id=self.case.window_id,
                step_position=step_position,
                from_status=from_status,
                to_status=to_status,
                reason=reason or "",
                data=plain(data or {}),
            )
        )


def plain(data: dict) -> dict:
    """Dates and decimals as text, so event data is plain JSON on every database."""
    return plainjson.plain(data)


def snapshot(case: Case) -> dict:
    return {
        "status": case.status,
        "version": case.version,
        "promised_due_date": case.promised_due_date,
        "legal_due_date": case.legal_due_date,
        "due_provisional": case.due_provisional,
        "current_assignee": case.current_assignee_id,
        "result": case.result,
    }


_LAST_SEQ = f"SELECT MAX(seq) FROM {CaseEvent._meta.db_table} WHERE case_id = %s"


def append_events(case: Case, events: list[CaseEvent], *, new_case: bool = False) -> None:
    """Append events with the next sequence numbers of the case (the caller holds the
    case row lock, so the numbers cannot clash; a case created in this transaction has
    no events yet)."""
    if events:
        _prepare_events(events, new_case=new_case).run(case)


class _Events:
    """Events worked out ahead; `run` numbers them after the case's last event."""

    __slots__ = ("events", "insert", "new_case")

    def __init__(self, events: list[CaseEvent], insert: rawsql.Prepared, new_case: bool):
        self.events, self.insert, self.new_case = events, insert, new_case

    def run(self, case: Case) -> None:
        last = 0
        if not self.new_case:
            with rawsql.cursor() as cursor:
                cursor.execute(_LAST_SEQ, [case.pk])
                last = cursor.fetchone()[0] or 0
        for i, event in enumerate(self.events, start=1):
            event.case = case
            event.seq = last + i
        self.insert.run()


def _prepare_events(events: list[CaseEvent], *, new_case: bool) -> _Events:
    return _Events(events, rawsql.prepare_insert(events, returning=False, late=("seq",)), new_case)


_ATTNAMES = tuple(f.attname for f in Case._meta.concrete_fields)


def _row_values(case: Case) -> dict:
    """The column values of a case as they are now (read from the instance's __dict__,
    where the ORM keeps them: every column of a case the services hold is loaded)."""
    values = case.__dict__
    return {name: values[name] for name in _ATTNAMES}


_VERSION = f"SELECT version FROM {Case._meta.db_table} WHERE id = %s"


def _prepare_changes(case: Case, before: dict) -> rawsql.Prepared:
    """The UPDATE of the columns that differ from the row as it was read: a shorter
    UPDATE than the whole 45-column row. A foreign key to a row written first in the
    same transaction (a new step) has no key yet: it is written, and its key taken when
    the UPDATE runs. A case read by `read_for_change` is written only if its version is
    still the one read."""
    # Keys of related rows saved since they were assigned into their columns first (a
    # key still missing is written when the UPDATE runs).
    rawsql.unsaved_keys(case)
    now = case.__dict__
    changed = [name for name, value in before.items() if now[name] != value]
    names = {*changed, "version", "updated_at"} - {"id"}
    if getattr(case, "_optimistic", False):
        return rawsql.prepare_update(case, names, guard="version", guard_value=before["version"])
    return rawsql.prepare_update(case, names)


class _Writes:
    """Everything `finish` writes for one change, worked out before the write
    transaction (`prepare_writes`), so that in it (on SQLite it holds the database's single
    write lock for every other writer) the statements only run (`run`)."""

    __slots__ = ("change", "first", "save_whole", "update", "events", "audit")

    def __init__(self, change, first, save_whole, update, events, audit):
        self.change, self.first, self.save_whole = change, first, save_whole
        self.update, self.events, self.audit = update, events, audit

    def run(self) -> Case:
        case = self.change.case
        for prepared in self.first:
            prepared.run()
        if self.save_whole:
            case.save()
        elif self.update is not None:
            if not self.update.run() and getattr(case, "_optimistic", False):
                with rawsql.cursor() as cursor:
                    cursor.execute(_VERSION, [case.pk])
                    row = cursor.fetchone()
                raise StaleCase(current_version=row[0] if row else None)
            case._as_locked = _row_values(case)
        if self.events is not None:
            self.events.run(case)
        # The audit chain head is a single hot row: lock it last, as briefly as possible.
        self.audit.append()
        kinds = [e.kind for e in self.change.events]
        case_id = case.pk
        transaction.on_commit(lambda: case_changed.send(sender=Case, case_id=case_id, kinds=kinds))
        return case


def prepare_writes(
    change: Change, *, request=None, note: str = "", bump: bool = True, first=()
) -> _Writes:
    """`finish`'s writes worked out: ``first`` (prepared INSERTs of the case itself and
    its checklist, for a new case) and the change's new rows run first."""
    case = change.case
    first = [*first, *(rawsql.prepare_insert([row]) for row in change.rows)]
    save_whole, update = False, None
    if bump:
        case.version += 1
        before = getattr(case, "_as_locked", None)
        if before is None:
            save_whole = True
        else:
            update = _prepare_changes(case, before)
    events = None
    if change.events:
        events = _prepare_events(change.events, new_case=change.before is None)
    audit = prepare_record(
        actor=change.actor,
        action=f"case.{change.action}",
        obj=case,
        hall=case.hall,
        before=change.before,
        after=snapshot(case),
        note=note,
        request=request,
    )
    return _Writes(change, first, save_whole, update, events, audit)


def finish(change: Change, *, request=None, note: str = "", bump: bool = True) -> Case:
    """Write the new rows, save the case with a new version, append the events, write
    the audit row and send `case_changed` once the transaction commits. ``change.before
    is None`` marks a case created in this transaction.

    Inside the service's transaction when it has one (it locked the case); else (the
    case was read by `read_for_change`) worked out first, then written in a transaction
    of its own around the statements alone."""
    writes = prepare_writes(change, request=request, note=note, bump=bump)
    if connection.in_atomic_block:
        return writes.run()
    with transaction.atomic():
        return writes.run()


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
    case_step = rawsql.new(
        CaseStep,
        case=case,
        step=step,
        position=position,
        name=step.name,
        role=step.role,
        assignee=assignee,
        started_at=change.at,
        due_date=step_due_date(case, step.limit_days, change.today),
    )
    change.rows.append(case_step)  # written by finish
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
