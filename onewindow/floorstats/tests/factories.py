"""Tickets with their queue events, written as floor writes them, at chosen moments."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from onewindow.floor.models import QueueEvent, Ticket, WindowSession

_seq = itertools.count(1)
MIN = dt.timedelta(minutes=1)


def make_ticket(line, issued: dt.datetime, *, wait=None, service=None, window=None,
                no_show=False, case=None) -> Ticket:  # fmt: skip
    """A ticket of `line` issued at `issued`; called after `wait` minutes at `window`,
    then served for `service` minutes (done), or marked a no-show; waiting otherwise."""
    seq = next(_seq)
    ticket = Ticket.objects.create(
        hall=line.hall, category=line, day=timezone.localdate(issued), letter=line.letter,
        seq=seq, number=f"{line.letter}{seq:03d}", issued_at=issued, queued_at=issued,
        case=case,
    )  # fmt: skip
    events = [("issued", issued, None)]
    if wait is not None:
        called = issued + wait * MIN
        ticket.first_called_at = ticket.called_at = called
        ticket.window, ticket.calls, ticket.status = window, 1, Ticket.Status.CALLED
        events.append(("called", called, window))
        if no_show:
            ticket.status = Ticket.Status.NO_SHOW
            events.append(("no_show", called + 2 * MIN, window))
        elif service is not None:
            ticket.started_at = called
            ticket.done_at = called + service * MIN
            ticket.status = Ticket.Status.DONE
            events += [("started", called, window), ("done", ticket.done_at, window)]
        ticket.save()
    QueueEvent.objects.bulk_create(
        QueueEvent(kind=kind, at=moment, hall=line.hall, ticket=ticket, category=line,
                   window=w)
        for kind, moment, w in events
    )  # fmt: skip
    return ticket


def make_session(window, clerk, start: dt.datetime, minutes: float, pauses=()):
    """A closed session at `window` of `minutes`, with pauses as (offset, length) in
    minutes, and its sign-in, pause, resume and sign-out events."""
    end = start + minutes * MIN
    session = WindowSession.objects.create(
        hall=window.hall, window=window, clerk=clerk, started_at=start, ended_at=end
    )
    events = [("signed_in", start), ("signed_out", end)]
    for offset, length in pauses:
        events += [("paused", start + offset * MIN), ("resumed", start + (offset + length) * MIN)]
    QueueEvent.objects.bulk_create(
        QueueEvent(kind=kind, at=moment, hall=window.hall, window=window, clerk=clerk)
        for kind, moment in events
    )
    return session
