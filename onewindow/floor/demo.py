"""The demo's hall floor: the queue lines of every hall, and a year of tickets consistent
with the simulated cases (`load_demo`).

Lines: in every hall, one line per department with windows there (A, B, C … in the order
of the windows), covering the department's items published in the hall and called by its
windows.

Tickets (`load_demo_tickets`): each case received at a window before today gets the
ticket its visitor took: in the line covering the case's item (the window's own line when
several do), issued a few minutes before the case was received (longer at the morning and
afternoon peaks, which the simulated receipts already show), called by the clerk and at
the window that received the case, a minute or two before the receipt, and served until
the case's acceptance — for an immediate item its conclusion; a refusal ends the service
too, and a case accepted on a later day (after a correction) leaves after a few minutes.
Around them: visitors who never came (called the line's number of times, then marked
no-shows), visitors who took a ticket of the wrong line (called there, transferred to the
right one, keeping their place), green-channel tickets for applicants of 65 and more and
a few from the guide desk, a call repeated now and then, and each window's session of
the day (sign-in before its first call, sign-out after its last ticket). Every row carries
its past time, and a `QueueEvent` for each step, as the services write them.

History, like the simulated cases: written with bulk_create in batches, no audit rows, no
signals. Each hall and day is drawn from its own seeded generator and skipped when it has
tickets already, so a second run adds nothing and a later simulated month gets its share.
Today is left to the live floor.
"""

from __future__ import annotations

import datetime as dt
import random
import string
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from onewindow.cases.models import Case
from onewindow.catalogue.models import ServiceItem
from onewindow.halls.models import Hall, Window
from onewindow.lib import idnumbers

from .models import QueueCategory, QueueEvent, Ticket, WindowSession

BATCH = 5000  # tickets per transaction
EVENT_BATCH = 5000  # events per executemany
EVENT_COLUMNS = ("ticket", "kind", "at", "hall", "category", "window", "clerk", "reason", "data")
NO_SHOW_SHARE = 0.05  # no-shows per served ticket
TRANSFER_SHARE = 0.03  # served tickets first taken in a wrong line
RECALL_SHARE = 0.08  # served tickets called twice before the visitor came
GUIDE_DESK_GREEN = 0.004  # green-channel tickets issued by the guide desk (disability)
ID_AT_KIOSK = 0.45  # visitors who type their ID number at the kiosk
GREEN_AGE = 65

Kind = QueueEvent.Kind
Status = Ticket.Status


def load_demo_floor(stdout=None, *, now: dt.datetime | None = None) -> int:
    made = 0
    for hall in Hall.objects.active():
        departments = []
        for window in (
            Window.objects.active().filter(hall=hall, department__isnull=False).order_by("number")
        ):
            if window.department not in departments:
                departments.append(window.department)
        for letter, department in zip(string.ascii_uppercase, departments, strict=False):
            line, created = QueueCategory.objects.update_or_create(
                hall=hall,
                letter=letter,
                defaults={
                    "name": department.name.removeprefix("市").removeprefix("张家港市")[:60],
                    "name_en": department.name_en[:100],
                    "sort_order": ord(letter),
                },
            )
            line.windows.set(Window.objects.active().filter(hall=hall, department=department))
            line.items.set(
                ServiceItem.objects.filter(
                    department=department, published_version__halls=hall
                ).distinct()
            )
            made += created
    if stdout is not None:
        stdout.write(
            f"floor: {QueueCategory.objects.count()} queue lines ({made} new) in "
            f"{QueueCategory.objects.values('hall').distinct().count()} halls"
        )
    load_demo_tickets(stdout=stdout, now=now)
    return made


# ------------------------------------------------------------------------ tickets


@dataclass
class _Line:
    pk: int
    letter: str
    windows: frozenset
    calls: int  # calls before a no-show


@dataclass
class _Lines:
    """A hall's lines by item and by window."""

    by_item: dict = field(default_factory=lambda: defaultdict(list))
    by_window: dict = field(default_factory=dict)
    all: list = field(default_factory=list)

    def for_case(self, item_id: int, window_id: int) -> _Line | None:
        covering = self.by_item.get(item_id)
        if covering:
            return next((x for x in covering if window_id in x.windows), covering[0])
        return self.by_window.get(window_id)


def _hall_lines() -> dict[int, _Lines]:
    halls: dict[int, _Lines] = defaultdict(_Lines)
    windows = defaultdict(set)
    for line_id, window_id in QueueCategory.windows.through.objects.values_list(
        "queuecategory_id", "window_id"
    ):
        windows[line_id].add(window_id)
    items = defaultdict(list)
    for line_id, item_id in QueueCategory.items.through.objects.values_list(
        "queuecategory_id", "serviceitem_id"
    ):
        items[line_id].append(item_id)
    for pk, hall_id, letter, calls in (
        QueueCategory.objects.active()
        .order_by("hall_id", "sort_order", "letter")
        .values_list("pk", "hall_id", "letter", "no_show_after_calls")
    ):
        line = _Line(pk, letter, frozenset(windows[pk]), max(calls, 1))
        lines = halls[hall_id]
        lines.all.append(line)
        for item_id in items[pk]:
            lines.by_item[item_id].append(line)
        for window_id in line.windows:
            lines.by_window.setdefault(window_id, line)
    return halls


@dataclass
class _Visit:
    """One ticket as it will be written, with the steps it went through."""

    line: _Line
    letter: str  # of the line it was issued in
    issued: dt.datetime
    window_id: int
    clerk_id: int
    status: str
    called: dt.datetime  # the last call
    first_called: dt.datetime
    calls: int = 1
    started: dt.datetime | None = None
    done: dt.datetime | None = None
    case_id: int | None = None
    id_number: str = ""
    priority: int = Ticket.Priority.NORMAL
    events: list = field(default_factory=list)  # (kind, at, line, window, clerk, data)


def _elderly(id_number: str, day: dt.date) -> bool:
    try:
        born = idnumbers.birth_date_from_resident_id(id_number)
    except (ValueError, TypeError):
        return False
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day)) >= GREEN_AGE


def _minutes(m: float) -> dt.timedelta:
    return dt.timedelta(seconds=round(m * 60))


def _served(
    rng: random.Random, row, line: _Line, day: dt.date, lines: _Lines, open_windows
) -> _Visit:
    (case_id, _hall, window_id, clerk_id, _item, immediate, received, accepted, concluded,
     refused, kind, id_number) = row  # fmt: skip
    local = timezone.localtime(received)
    peak = 9 <= local.hour < 11 or 14 <= local.hour < 16
    priority = Ticket.Priority.NORMAL
    shown_id = ""
    if kind == Case.ApplicantKind.PERSON and len(id_number) == 18:
        if _elderly(id_number, day):
            priority, shown_id = Ticket.Priority.GREEN, id_number
        elif rng.random() < ID_AT_KIOSK:
            shown_id = id_number
    if priority == Ticket.Priority.NORMAL and rng.random() < GUIDE_DESK_GREEN:
        priority = Ticket.Priority.GREEN
    if priority == Ticket.Priority.GREEN:
        wait = 1 + rng.random() * 4
    else:
        wait = 2 + rng.expovariate(1 / (14 if peak else 6))
    called = received - dt.timedelta(seconds=60 + int(rng.random() * 120))
    issued = called - _minutes(min(wait, 75))
    first_called = called
    visit = _Visit(line, line.letter, issued, window_id, clerk_id, Status.DONE, called, called,
                   case_id=case_id, id_number=shown_id, priority=priority)  # fmt: skip
    events = visit.events
    events.append((Kind.ISSUED, issued, line, None, None, {}))
    # A visitor in the wrong line: called there first, transferred here keeping the place.
    others = [x for x in lines.all if x is not line and x.windows & open_windows]
    if others and called - issued > dt.timedelta(minutes=6) and rng.random() < TRANSFER_SHARE:
        wrong = rng.choice(others)
        visit.letter = wrong.letter
        events[0] = (Kind.ISSUED, issued, wrong, None, None, {})
        first_called = issued + (called - issued) * 0.4
        at_window = rng.choice(sorted(wrong.windows & open_windows))
        events.append((Kind.CALLED, first_called, wrong, at_window, None, {}))
        events.append((Kind.TRANSFERRED, first_called + _minutes(1 + rng.random()), line,
                       at_window, None, {"to_category": line.letter, "to_window": None}))  # fmt: skip
        visit.first_called = first_called
    if rng.random() < RECALL_SHARE:
        events.append((Kind.CALLED, called, line, window_id, clerk_id, {}))
        called = called + dt.timedelta(seconds=40)
        visit.called, visit.calls = called, 2
        events.append((Kind.RECALLED, called, line, window_id, clerk_id, {"calls": 2}))
    else:
        events.append((Kind.CALLED, called, line, window_id, clerk_id, {}))
    started = min(called + dt.timedelta(seconds=20 + int(rng.random() * 30)), received)
    done = None
    for end in ((concluded if immediate else None), accepted, refused):
        if end is not None and end > received and timezone.localdate(end) == day:
            done = end
            break
    if done is None:
        done = received + _minutes(4 + rng.random() * 12)
    visit.started, visit.done = started, done
    events.append((Kind.STARTED, started, line, window_id, clerk_id, {}))
    events.append((Kind.DONE, done, line, window_id, clerk_id, {}))
    return visit


def _no_show(rng: random.Random, before: _Visit) -> _Visit:
    """A visitor of the same line who left before being called: the window called the
    number the line's times, a minute apart, just before its next visitor."""
    line = before.line
    calls = line.calls
    first = before.called - _minutes(calls + 1 + rng.random())
    issued = first - _minutes(2 + rng.random() * 10)
    window, clerk = before.window_id, before.clerk_id
    visit = _Visit(line, line.letter, issued, window, clerk, Status.NO_SHOW,
                   first + _minutes(calls - 1), first, calls=calls)  # fmt: skip
    events = visit.events
    events.append((Kind.ISSUED, issued, line, None, None, {}))
    events.append((Kind.CALLED, first, line, window, clerk, {}))
    for n in range(2, calls + 1):
        events.append((Kind.RECALLED, first + _minutes(n - 1), line, window, clerk, {"calls": n}))
    events.append((Kind.NO_SHOW, first + _minutes(calls - 0.5), line, window, clerk,
                   {"calls": calls}))  # fmt: skip
    return visit


def _hall_day(hall_id: int, day: dt.date, rows: list, lines: _Lines):
    """The tickets, events and window sessions of one hall on one day."""
    rng = random.Random(hall_id * 1_000_003 + day.toordinal())
    visits = []
    open_windows = frozenset(row[2] for row in rows)
    for row in rows:
        line = lines.for_case(row[4], row[2])
        if line is not None:
            visits.append(_served(rng, row, line, day, lines, open_windows))
    served = list(visits)
    for visit in served:
        if rng.random() < NO_SHOW_SHARE:
            visits.append(_no_show(rng, visit))
    if not visits:
        return [], [], []
    # Numbers: per line of issue, in the order of issue.
    visits.sort(key=lambda v: v.issued)
    seqs = defaultdict(int)
    tickets = []
    for visit in visits:
        seqs[visit.letter] += 1
        seq = seqs[visit.letter]
        tickets.append(
            Ticket(
                hall_id=hall_id, category_id=visit.line.pk, day=day, letter=visit.letter, seq=seq,
                number=f"{visit.letter}{seq:03d}", issued_at=visit.issued, queued_at=visit.issued,
                id_number=visit.id_number, priority=visit.priority, status=visit.status,
                called_at=visit.called, first_called_at=visit.first_called,
                started_at=visit.started, done_at=visit.done, window_id=visit.window_id,
                clerk_id=visit.clerk_id, calls=visit.calls, case_id=visit.case_id,
            )
        )  # fmt: skip
    # A transfer's first call was at a window of the wrong line: whoever received cases
    # there that day.
    clerk_at = {visit.window_id: visit.clerk_id for visit in served}
    pending = []
    spans: dict[tuple, list] = {}  # (window, clerk) -> [first event, last event]
    for visit, ticket in zip(visits, tickets, strict=True):
        for kind, at, line, window_id, clerk_id, data in visit.events:
            if clerk_id is None and window_id is not None:
                clerk_id = clerk_at.get(window_id)
            pending.append((ticket, kind, at, hall_id, line.pk, window_id, clerk_id, data))  # fmt: skip
            if window_id is not None and clerk_id is not None:
                span = spans.setdefault((window_id, clerk_id), [at, at])
                span[0], span[1] = min(span[0], at), max(span[1], at)
    # Sessions: each clerk at each window from before the first call to after the last.
    sessions, session_events = [], []
    for (window_id, clerk_id), (first, last) in sorted(spans.items()):
        start = first - _minutes(3 + rng.random() * 15)
        end = last + _minutes(2 + rng.random() * 10)
        sessions.append(WindowSession(hall_id=hall_id, window_id=window_id, clerk_id=clerk_id,
                                      started_at=start, ended_at=end))  # fmt: skip
        session_events.append((None, Kind.SIGNED_IN, start, hall_id, None, window_id, clerk_id, {}))  # fmt: skip
        session_events.append((None, Kind.SIGNED_OUT, end, hall_id, None, window_id, clerk_id, {}))  # fmt: skip
    return tickets, pending, (sessions, session_events)


def _write(tickets, pending, sessions, session_events) -> None:
    """Tickets and sessions with bulk_create (the events need the tickets' ids); the
    events, six or so a ticket, with executemany through Django's connection, each value
    adapted by its field for the engine (building an object per event for bulk_create
    would take most of the demo's time)."""
    fields = [QueueEvent._meta.get_field(name) for name in EVENT_COLUMNS]
    at_field, data_field = fields[2], fields[-1]
    empty = data_field.get_db_prep_value({}, connection)
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        connection.ops.quote_name(QueueEvent._meta.db_table),
        ", ".join(connection.ops.quote_name(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with transaction.atomic():
        Ticket.objects.bulk_create(tickets, batch_size=1000)
        WindowSession.objects.bulk_create(sessions, batch_size=2000)
        rows = [
            (
                ticket.pk if ticket is not None else None, str(kind),
                at_field.get_db_prep_value(at, connection), hall_id, line_id, window_id,
                clerk_id, "", data_field.get_db_prep_value(data, connection) if data else empty,
            )
            for ticket, kind, at, hall_id, line_id, window_id, clerk_id, data in pending
            + session_events
        ]  # fmt: skip
        with connection.cursor() as cursor:
            for start in range(0, len(rows), EVENT_BATCH):
                cursor.executemany(sql, rows[start : start + EVENT_BATCH])


def load_demo_tickets(stdout=None, *, now: dt.datetime | None = None) -> int:
    """A ticket for each case received at a window before today, in the halls and days
    that have no tickets yet, with the day's no-shows, transfers and window sessions.
    Returns the number of tickets added."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    start_of_today = timezone.make_aware(dt.datetime.combine(today, dt.time()))
    lines = _hall_lines()
    done_days = set(Ticket.objects.values_list("hall_id", "day").distinct().order_by())
    cases = (
        Case.objects.filter(
            window__isnull=False,
            received_by__isnull=False,
            received_at__lt=start_of_today,
            hall_id__in=list(lines),
        )
        .order_by("hall_id", "received_at", "pk")
        .values_list(
            "pk", "hall_id", "window_id", "received_by_id", "item_id", "is_immediate",
            "received_at", "accepted_at", "concluded_at", "refused_at", "applicant_kind",
            "applicant_id_number",
        )
    )  # fmt: skip
    added = cases_seen = 0
    buffer = ([], [], [], [])

    def flush():
        nonlocal added, buffer
        if buffer[0]:
            _write(*buffer)
            added += len(buffer[0])
            if stdout is not None:
                stdout.write(
                    f"  floor tickets: {cases_seen:,} window cases read, {added:,} tickets"
                )
        buffer = ([], [], [], [])

    def day_done(key, rows):
        if key is None or key in done_days:
            return
        hall_id, day = key
        tickets, pending, (sessions, session_events) = _hall_day(hall_id, day, rows, lines[hall_id])
        buffer[0].extend(tickets)
        buffer[1].extend(pending)
        buffer[2].extend(sessions)
        buffer[3].extend(session_events)
        if len(buffer[0]) >= BATCH:
            flush()

    key, rows = None, []
    for row in cases.iterator(chunk_size=5000):
        cases_seen += 1
        row_key = (row[1], timezone.localdate(row[6]))
        if row_key != key:
            day_done(key, rows)
            key, rows = row_key, []
        rows.append(row)
    if key is not None:
        day_done(key, rows)
    flush()
    if stdout is not None:
        stdout.write(
            f"Floor: {added:,} tickets added for {cases_seen:,} window cases before today."
        )
    return added
