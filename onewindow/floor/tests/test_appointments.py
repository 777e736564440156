"""Appointments: slots from the opening hours and the legal calendar, booking and its
refusals, cancelling, the check-in that makes a priority ticket called first, no-shows
and the no-show limit."""

import datetime as dt

import pytest
import time_machine

from onewindow.cases.tests.factories import at, make_item, resident_id
from onewindow.floor import appointments, services
from onewindow.floor.errors import AlreadyCheckedIn, BookingLimit, InvalidInput, NotNow, SlotFull
from onewindow.floor.models import Appointment, AppointmentSlot, Ticket

from .factories import open_hours

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


@pytest.fixture
def line(personas, floor):
    """Line A of CG: appointments of 30 minutes, one place each; CG opens Monday to
    Friday 9:00–12:00."""
    open_hours(personas.hall)
    a = floor["A"]
    a.slot_capacity = 1
    a.save()
    return a


def book(line, when, id_number=None, **fields):
    return appointments.book(
        category=line,
        starts_at=when,
        name=fields.pop("name", "张三"),
        id_number=id_number or resident_id(),
        phone=fields.pop("phone", PHONE),
        **fields,
    )


def test_it_cuts_the_opening_hours_into_slots_on_open_days_only(line, monday):
    tuesday = appointments.slots_on(line, dt.date(2026, 3, 3))
    assert [s.starts_at for s in tuesday] == [at("2026-03-03", 9 + m // 60, m % 60)
                                             for m in range(0, 180, 30)]  # fmt: skip
    assert all(s.capacity == 1 and s.free == 1 for s in tuesday)
    assert appointments.slots_on(line, dt.date(2026, 3, 7)) == []  # a Saturday: no hours
    assert appointments.slots_on(line, dt.date(2026, 10, 1)) == []  # National Day
    # a swapped working Saturday (调休) opens with the Monday hours
    assert len(appointments.slots_on(line, dt.date(2026, 10, 10))) == 6
    with pytest.raises(InvalidInput) as exc:
        appointments.slots_on(line, dt.date(2027, 3, 2))
    assert exc.value.code == "no_calendar" and "2027" in exc.value.message
    days = appointments.bookable_days(line)
    assert dt.date(2026, 3, 7) not in days and dt.date(2026, 3, 3) in days


def test_it_books_a_slot_and_cancelling_frees_the_place(line, monday):
    appointment = book(line, at("2026-03-03", 9, 30), name=" 张  三 ")
    assert appointment.number.isdigit() and len(appointment.number) == 8
    assert appointment.code.isdigit() and len(appointment.code) == 6
    assert appointment.name == "张 三" and appointment.status == "booked"
    assert appointment.day == dt.date(2026, 3, 3)
    slot = AppointmentSlot.objects.get()
    assert slot.booked == 1 and slot.ends_at == at("2026-03-03", 10, 0)
    assert appointments.slots_on(line, dt.date(2026, 3, 3))[1].free == 0
    assert appointments.find(appointment.number, appointment.code) == appointment
    assert appointments.find(appointment.number, "000000" if appointment.code != "000000"
                             else "111111") is None  # fmt: skip
    appointments.cancel(appointment=appointment)
    appointment.refresh_from_db()
    assert appointment.status == "cancelled" and appointment.cancelled_at is not None
    assert AppointmentSlot.objects.get().booked == 0
    with pytest.raises(NotNow):
        appointments.cancel(appointment=appointment)
    book(line, at("2026-03-03", 9, 30))  # the place is free again


def test_it_refuses_bad_bookings_and_changes_nothing(line, monday):
    book(line, at("2026-03-03", 9, 0))
    number = resident_id()
    cases = [
        (SlotFull, dict(when=at("2026-03-03", 9, 0))),  # the one place is taken
        (InvalidInput, dict(when=at("2026-03-02", 9, 30))),  # past
        (InvalidInput, dict(when=at("2026-03-07", 9, 0))),  # a Saturday: closed
        (InvalidInput, dict(when=at("2026-03-03", 9, 10))),  # not a slot's start
        (InvalidInput, dict(when=at("2026-03-30", 9, 0))),  # beyond 14 days
        (InvalidInput, dict(when=at("2026-03-03", 10, 0), id_number="32058219900307")),
        (InvalidInput, dict(when=at("2026-03-03", 10, 0), phone="12")),
        (InvalidInput, dict(when=at("2026-03-03", 10, 0), name="  ")),
    ]
    for error, kw in cases:
        with pytest.raises(error):
            book(line, kw.pop("when"), **kw)
    assert Appointment.objects.count() == 1 and AppointmentSlot.objects.get().booked == 1
    book(line, at("2026-03-03", 10, 0), id_number=number)
    with pytest.raises(BookingLimit) as exc:  # the same number, line and day
        book(line, at("2026-03-03", 11, 0), id_number=number)
    assert exc.value.status == 409
    assert Appointment.objects.count() == 2
    assert AppointmentSlot.objects.filter(starts_at=at("2026-03-03", 11, 0)).count() == 0
    line.slot_capacity = 0
    line.save()
    with pytest.raises(InvalidInput):
        book(line, at("2026-03-04", 9, 0))


def test_a_check_in_becomes_a_priority_ticket_called_first(personas, line, monday):
    appointment = book(line, at("2026-03-02", 11, 0))
    with pytest.raises(NotNow) as exc:  # check-in opens an hour before: at 10:00
        appointments.check_in(hall=personas.hall, number=appointment.number,
                              now=at("2026-03-02", 9, 59))  # fmt: skip
    assert "10:00" in exc.value.message
    early = services.issue_ticket(hall=personas.hall, category=line, at=at("2026-03-02", 9, 0))
    green = services.issue_ticket(hall=personas.hall, category=line,
                                  priority=Ticket.Priority.GREEN, at=at("2026-03-02", 9, 1))  # fmt: skip
    with time_machine.travel(at("2026-03-02", 10, 30), tick=False):
        ticket = appointments.check_in(hall=personas.hall, number=appointment.number)
        assert ticket.priority == Ticket.Priority.APPOINTMENT
        assert (
            ticket.due_at == at("2026-03-02", 11, 0) and ticket.id_number == appointment.id_number
        )
        appointment.refresh_from_db()
        assert appointment.status == "checked_in" and appointment.ticket == ticket
        with pytest.raises(AlreadyCheckedIn) as exc:
            appointments.check_in(hall=personas.hall, number=appointment.number)
        assert ticket.number in exc.value.message and exc.value.status == 409
        assert Ticket.objects.count() == 3
        services.sign_in(actor=personas.clerk, window=personas.window)
        # before its time, the appointment waits as anyone else: green channel first
        assert services.call_next(actor=personas.clerk) == green
        services.finish(actor=personas.clerk)
    with time_machine.travel(at("2026-03-02", 11, 0), tick=False):
        assert services.call_next(actor=personas.clerk) == ticket  # due now: before `early`
        services.finish(actor=personas.clerk)
        assert services.call_next(actor=personas.clerk) == early


def test_a_check_in_is_refused_when_unknown_cancelled_or_late(personas, line, monday):
    with pytest.raises(InvalidInput) as exc:
        appointments.check_in(hall=personas.hall, number="12345678")
    assert exc.value.code == "unknown_appointment"
    with pytest.raises(InvalidInput):
        appointments.check_in(hall=personas.hall, number="abc")
    late = book(line, at("2026-03-02", 10, 30))
    cancelled = book(line, at("2026-03-02", 11, 0))
    appointments.cancel(appointment=cancelled)
    with pytest.raises(NotNow):
        appointments.check_in(hall=personas.hall, number=cancelled.number)
    with pytest.raises(NotNow) as exc:
        appointments.check_in(hall=personas.hall, number=late.number, now=at("2026-03-02", 11))
    assert "11:00" in exc.value.message
    with pytest.raises(InvalidInput):  # another hall's kiosk does not know it
        appointments.check_in(hall=personas.other_hall, number=late.number)
    assert Ticket.objects.count() == 0


def test_no_shows_are_recorded_and_three_in_90_days_bar_booking_for_30(line, monday):
    number = resident_id()
    days = ["2026-03-03", "2026-03-04", "2026-03-05"]
    for day in days:
        book(line, at(day, 9, 0), id_number=number)
    assert appointments.record_no_shows(at("2026-03-05", 9, 29)) == 2
    assert appointments.record_no_shows(at("2026-03-05", 9, 30)) == 1
    assert Appointment.objects.filter(status="no_show").count() == 3
    with time_machine.travel(at("2026-03-06", 8), tick=False):
        with pytest.raises(BookingLimit) as exc:
            book(line, at("2026-03-09", 9, 0), id_number=number)
        assert "2026-04-04" in exc.value.message
        book(line, at("2026-03-09", 9, 0))  # another number books
    assert appointments.barred_until(number, at("2026-04-04", 9, 1)) is None


def test_the_worker_job_marks_no_shows(line, monday):
    from onewindow.floor.jobs import record_appointment_no_shows

    appointment = book(line, at("2026-03-02", 11, 0))
    record_appointment_no_shows()
    assert Appointment.objects.get().status == "booked"
    with time_machine.travel(at("2026-03-02", 11, 30), tick=False):
        record_appointment_no_shows()
    appointment.refresh_from_db()
    assert appointment.status == "no_show" and appointment.no_show_at == at("2026-03-02", 11, 30)


def test_an_item_must_be_one_of_the_lines(personas, line, monday):
    item = make_item(personas.department, [personas.hall], name="机动车转移登记")
    other = make_item(personas.department, [personas.hall], name="驾驶证换证")
    line.items.set([item])
    assert book(line, at("2026-03-03", 9), item=item).item == item
    with pytest.raises(InvalidInput):
        book(line, at("2026-03-03", 10), item=other)


def test_an_appointment_ticket_is_not_held_to_the_daily_limit(personas, line, monday):
    line.daily_limit_per_id = 1
    line.save()
    number = resident_id()
    services.issue_ticket(hall=personas.hall, category=line, id_number=number)
    appointment = book(line, at("2026-03-02", 10, 30), id_number=number)
    ticket = appointments.check_in(hall=personas.hall, number=appointment.number)
    assert ticket.priority == Ticket.Priority.APPOINTMENT
    assert Ticket.objects.filter(id_number=number).count() == 2
