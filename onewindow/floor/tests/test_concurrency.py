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


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_bookings_for_the_last_place_cannot_both_win(personas):
    import time_machine

    from onewindow.cases.tests.factories import at, resident_id
    from onewindow.floor import appointments
    from onewindow.floor.errors import SlotFull
    from onewindow.floor.models import Appointment, AppointmentSlot

    from .factories import open_hours

    open_hours(personas.hall)
    line = make_line(personas.hall, "A", slot_capacity=2)
    slot = at("2026-03-03", 9, 0)
    numbers = [resident_id() for _ in range(6)]
    with time_machine.travel(at("2026-03-02"), tick=False):
        appointments.book(category=line, starts_at=slot, name="先到", id_number=numbers[0],
                          phone="13812345678")  # fmt: skip

        def work(i):
            try:
                return appointments.book(category=line, starts_at=slot, name=f"访客{i}",
                                         id_number=numbers[i + 1], phone="13812345678").number  # fmt: skip
            except SlotFull:
                return "full"

        results = _run_together(5, work)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r == "full" for r in results) == [False, True, True, True, True], results
    assert Appointment.objects.count() == 2
    assert AppointmentSlot.objects.get().booked == 2


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_one_id_number_booking_twice_at_once_gets_one_appointment(personas):
    import time_machine

    from onewindow.cases.tests.factories import at, resident_id
    from onewindow.floor import appointments
    from onewindow.floor.errors import BookingLimit
    from onewindow.floor.models import Appointment, AppointmentSlot

    from .factories import open_hours

    open_hours(personas.hall)
    line = make_line(personas.hall, "A", slot_capacity=5)
    number = resident_id()
    with time_machine.travel(at("2026-03-02"), tick=False):

        def work(i):
            try:
                return appointments.book(category=line, starts_at=at("2026-03-03", 9, 30 * (i % 2)),
                                         name="张三", id_number=number, phone="13812345678").number  # fmt: skip
            except BookingLimit:
                return "limit"

        results = _run_together(4, work)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r == "limit" for r in results) == [False, True, True, True], results
    assert Appointment.objects.count() == 1
    assert sum(AppointmentSlot.objects.values_list("booked", flat=True)) == 1
