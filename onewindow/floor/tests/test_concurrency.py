"""Windows calling at once on PostgreSQL: each ticket goes to one window only."""

import threading

import pytest
from django.db import connection, connections

from onewindow.accounts.roles import Role
from onewindow.factories import make_user, make_window
from onewindow.floor import services
from onewindow.floor.models import QueueEvent, Ticket

from .factories import make_line

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL row locks (SKIP LOCKED)"
)


def _run_together(n, work):
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_windows_calling_at_once_never_get_the_same_ticket(personas):
    n = 6
    line = make_line(personas.hall, "A")
    windows = [make_window(personas.hall, i + 1, personas.department) for i in range(n)]
    clerks = [
        make_user(f"w{i}", halls=[personas.hall], roles=[Role.WINDOW_CLERK]) for i in range(n)
    ]
    for clerk, window in zip(clerks, windows, strict=True):
        services.sign_in(actor=clerk, window=window)
    for _ in range(n * 3 - 2):  # fewer tickets than calls: some windows find nobody
        services.issue_ticket(hall=personas.hall, category=line)

    def work(i):
        got = []
        for _round in range(3):
            ticket = services.call_next(actor=clerks[i], window=windows[i])
            if ticket is not None:
                got.append(ticket.pk)
                services.finish(actor=clerks[i], window=windows[i])
        return got

    results = _run_together(n, work)
    assert not [r for r in results if isinstance(r, Exception)], results
    called = [pk for got in results for pk in got]
    assert len(called) == len(set(called)) == n * 3 - 2
    assert Ticket.objects.filter(status="done").count() == n * 3 - 2
    assert QueueEvent.objects.filter(kind="called").count() == n * 3 - 2


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_tickets_issued_at_once_get_distinct_numbers(personas):
    line = make_line(personas.hall, "A")
    results = _run_together(
        8, lambda i: services.issue_ticket(hall=personas.hall, category=line).number
    )
    assert sorted(results) == [f"A{i:03d}" for i in range(1, 9)], results
