"""Appointments (预约): the slots of a line, booking, cancelling, the check-in at the
kiosk that turns an appointment into a priority ticket, and the no-shows.

Slots come from the hall's opening hours (`halls.OpeningHours`) cut into the line's
``slot_minutes``, each with the line's ``slot_capacity`` places, on the days the hall is
open: the legal calendar's year must be published (a year without data is refused, never
guessed), an official holiday is closed, a swapped working day (调休) on a weekend opens
with the hall's Monday hours.

The last place of a slot is taken by a conditional UPDATE (``booked < capacity``): the
database answers one booking with one row changed and the other with none, so two
bookings for the last place cannot both win. The booking limit (one live appointment per
ID number, line and day) is a partial unique index for the same reason.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from onewindow.cases.services import normalise_phone
from onewindow.halls.models import Hall, OpeningHours
from onewindow.workdays.models import CalendarDay
from onewindow.workdays.services import get_calendar

from . import services
from .errors import AlreadyCheckedIn, BookingLimit, InvalidInput, NotNow, SlotFull, fmt
from .models import Appointment, AppointmentSlot, QueueCategory, Ticket

#: Check-in at the kiosk opens this long before the slot starts …
CHECK_IN_EARLY = dt.timedelta(minutes=60)
#: … and closes when the slot ends; an appointment not checked in by then is a no-show.
#: No-show limit: this many no-shows within NO_SHOW_WINDOW bar booking for NO_SHOW_BAR
#: after the last of them.
NO_SHOWS_LIMIT = 3
NO_SHOW_WINDOW = dt.timedelta(days=90)
NO_SHOW_BAR = dt.timedelta(days=30)


@dataclass(frozen=True)
class Slot:
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    booked: int

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0)

    @property
    def key(self) -> str:
        """The slot as a form value (local start time)."""
        return timezone.localtime(self.starts_at).strftime("%Y-%m-%dT%H:%M")


def _local(moment: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "Y-m-d H:i")


def opening_hours_on(hall: Hall, day: dt.date) -> list[tuple[dt.time, dt.time]]:
    """The hall's opening hours on ``day`` (empty: closed). Refuses a day whose year the
    legal calendar has no data for."""
    calendar = get_calendar()
    if not calendar.covers(day.year):
        raise InvalidInput(
            {"day": fmt(_("The holiday arrangement for %(year)s is not published yet: "
                          "appointments for that year open once it is."), year=day.year)},
            code="no_calendar",
        )  # fmt: skip
    kind = CalendarDay.objects.filter(day=day).values_list("kind", flat=True).first()
    if kind == CalendarDay.Kind.HOLIDAY:
        return []
    weekday = day.weekday()
    if kind == CalendarDay.Kind.WORKDAY and weekday >= 5:
        weekday = 0  # a swapped working day: the hall keeps its weekday (Monday) hours
    return list(
        OpeningHours.objects.filter(hall=hall, weekday=weekday)
        .order_by("opens")
        .values_list("opens", "closes")
    )


def slots_on(category: QueueCategory, day: dt.date) -> list[Slot]:
    """Every slot of the line on ``day`` with its booked places (empty: the hall is
    closed that day or the line takes no appointments)."""
    if not category.takes_appointments:
        return []
    length = dt.timedelta(minutes=category.slot_minutes)
    starts = []
    for opens, closes in opening_hours_on(category.hall, day):
        moment = timezone.make_aware(dt.datetime.combine(day, opens))
        end = timezone.make_aware(dt.datetime.combine(day, closes))
        while moment + length <= end:
            starts.append(moment)
            moment += length
    booked = dict(
        AppointmentSlot.objects.filter(category=category, starts_at__in=starts).values_list(
            "starts_at", "booked"
        )
    )
    return [Slot(s, s + length, category.slot_capacity, booked.get(s, 0)) for s in starts]


def bookable_days(category: QueueCategory, today: dt.date | None = None) -> list[dt.date]:
    """The days from tomorrow on, within the line's horizon, whose year the calendar
    covers and on which the hall opens."""
    today = today or timezone.localdate()
    calendar = get_calendar()
    days = []
    for n in range(0, category.book_days_ahead + 1):
        day = today + dt.timedelta(days=n)
        if calendar.covers(day.year) and opening_hours_on(category.hall, day):
            days.append(day)
    return days


def bookable_lines(hall: Hall | None = None):
    lines = QueueCategory.objects.active().filter(slot_capacity__gt=0, hall__is_active=True)
    if hall is not None:
        lines = lines.filter(hall=hall)
    return lines.select_related("hall")


def barred_until(id_number: str, now: dt.datetime) -> dt.datetime | None:
    """When an ID number may book again after too many no-shows: three no-shows within
    90 days bar booking for 30 days after the third. None: not barred."""
    times = list(
        Appointment.objects.filter(
            id_number=id_number,
            status=Appointment.Status.NO_SHOW,
            starts_at__gte=now - NO_SHOW_WINDOW - NO_SHOW_BAR,
        )
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
    )
    until = None
    for i in range(NO_SHOWS_LIMIT - 1, len(times)):
        if times[i] - times[i - NO_SHOWS_LIMIT + 1] <= NO_SHOW_WINDOW:
            until = times[i] + NO_SHOW_BAR
    return until if until is not None and until > now else None


def _new_number() -> str:
    while True:
        number = f"{secrets.randbelow(90_000_000) + 10_000_000}"
        if not Appointment.objects.filter(number=number).exists():
            return number


def _clean_person(name: str, id_number: str, phone: str) -> tuple[str, str, str]:
    errors = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = _("Enter your name.")
    elif len(name) > 50:
        errors["name"] = _("The name is too long (at most 50 characters).")
    try:
        id_number = services.normalise_id_number(id_number)
        if not id_number:
            errors["id_number"] = _("Enter your ID number.")
    except InvalidInput as exc:
        errors.update(exc.errors)
    clean_phone = normalise_phone(phone or "")
    if clean_phone is None:
        errors["phone"] = _("Enter a mobile or landline number.")
    if errors:
        raise InvalidInput(errors)
    return name, id_number, clean_phone


def book(
    *,
    category: QueueCategory,
    starts_at: dt.datetime,
    name: str,
    id_number: str,
    phone: str,
    item=None,
    now: dt.datetime | None = None,
) -> Appointment:
    """Book a place in a slot of a line. Refuses, changing nothing: a past or unknown
    slot, a closed day, a full slot, an ID number with a live appointment of the line that
    day or barred after no-shows."""
    now = now or timezone.now()
    name, id_number, phone = _clean_person(name, id_number, phone)
    if not category.takes_appointments:
        raise InvalidInput({"category": _("This line takes no appointments.")})
    if item is not None and not category.items.filter(pk=item.pk).exists():
        raise InvalidInput({"item": _("This line does not handle the item: choose another.")})
    if starts_at <= now:
        raise InvalidInput({"slot": _("This time has passed: choose a later one.")})
    day = timezone.localdate(starts_at)
    if day > timezone.localdate(now) + dt.timedelta(days=category.book_days_ahead):
        raise InvalidInput(
            {"slot": fmt(_("Appointments open %(n)s days ahead: choose an earlier day."),
                         n=category.book_days_ahead)}
        )  # fmt: skip
    slots = slots_on(category, day)
    if not slots:
        raise InvalidInput(
            {"day": fmt(_("The hall is closed on %(day)s: choose another day."),
                        day=formats.date_format(day, "Y-m-d"))}
        )  # fmt: skip
    slot = next((s for s in slots if s.starts_at == starts_at), None)
    if slot is None:
        raise InvalidInput({"slot": _("There is no such time: choose one of the list.")})
    until = barred_until(id_number, now)
    if until is not None:
        raise BookingLimit(
            fmt(_("This ID number missed %(n)s appointments within 90 days: it can book "
                  "again from %(day)s."), n=NO_SHOWS_LIMIT,
                day=formats.date_format(timezone.localdate(until), "Y-m-d"))
        )  # fmt: skip
    limit = BookingLimit(
        _("This ID number already has an appointment of this line that day: cancel it first.")
    )
    if (
        Appointment.objects.active()
        .filter(category=category, day=day, id_number=id_number)
        .exists()
    ):
        raise limit
    try:
        with transaction.atomic():
            row, _created = AppointmentSlot.objects.get_or_create(
                category=category,
                starts_at=slot.starts_at,
                defaults={"hall_id": category.hall_id, "ends_at": slot.ends_at},
            )
            # The place is taken by the database: of two bookings for the last place one
            # updates the row, the other finds it full.
            took = AppointmentSlot.objects.filter(
                pk=row.pk, booked__lt=category.slot_capacity
            ).update(booked=F("booked") + 1)
            if not took:
                raise SlotFull()
            appointment = Appointment.objects.create(
                number=_new_number(),
                code=f"{secrets.randbelow(1_000_000):06d}",
                hall_id=category.hall_id,
                category=category,
                item=item,
                slot=row,
                day=day,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                name=name,
                id_number=id_number,
                phone=phone,
                booked_at=now,
            )
    except IntegrityError:
        # The same ID number booked the line that day a moment ago (the partial unique
        # index decides; the slot's place taken above was rolled back with it).
        raise limit from None
    return appointment


def find(number: str, code: str) -> Appointment | None:
    """The appointment with this number and query code, or None."""
    number, code = (number or "").strip(), (code or "").strip()
    if not number.isdigit() or not code.isdigit():
        return None
    appointment = Appointment.objects.filter(number=number).first()
    if appointment is None or not secrets.compare_digest(appointment.code, code):
        return None
    return appointment


def cancel(*, appointment: Appointment, now: dt.datetime | None = None) -> Appointment:
    """Cancel a booked appointment before its slot starts: its place is free again."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if locked.status != Appointment.Status.BOOKED:
            raise NotNow(
                fmt(_("This appointment cannot be cancelled: it is %(status)s."),
                    status=locked.get_status_display())
            )  # fmt: skip
        if locked.starts_at <= now:
            raise NotNow(_("The appointment's time has begun: it can no longer be cancelled."))
        locked.status = Appointment.Status.CANCELLED
        locked.cancelled_at = now
        locked.save(update_fields=["status", "cancelled_at"])
        AppointmentSlot.objects.filter(pk=locked.slot_id, booked__gt=0).update(
            booked=F("booked") - 1
        )
    return locked


def check_in(*, hall: Hall, number: str, now: dt.datetime | None = None) -> Ticket:
    """The visitor arrived with an appointment (its number typed at the kiosk or
    scanned): it becomes a ticket of priority *appointment*, due at the slot's start, so
    `services.call_next` calls it before anyone else once its time has come.

    Check-in opens an hour before the slot and closes when the slot ends; a second
    check-in is refused with the ticket already given."""
    now = now or timezone.now()
    number = "".join((number or "").split())
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update().filter(hall=hall, number=number).first()
            if number.isdigit()
            else None
        )
        if appointment is None:
            raise InvalidInput(
                {"number": _("There is no appointment with this number in this hall.")},
                code="unknown_appointment",
            )
        status = appointment.status
        if status == Appointment.Status.CHECKED_IN:
            ticket = appointment.ticket
            raise AlreadyCheckedIn(
                fmt(_("This appointment was checked in at %(time)s: your ticket is %(ticket)s."),
                    time=_local(appointment.checked_in_at),
                    ticket=ticket.number if ticket else "—")
            )  # fmt: skip
        if status == Appointment.Status.CANCELLED:
            raise NotNow(_("This appointment was cancelled: take an ordinary ticket."))
        if status == Appointment.Status.NO_SHOW or now >= appointment.ends_at:
            raise NotNow(
                fmt(_("Your appointment ended at %(time)s: please take an ordinary ticket."),
                    time=_local(appointment.ends_at))
            )  # fmt: skip
        if now < appointment.starts_at - CHECK_IN_EARLY:
            raise NotNow(
                fmt(_("Too early: check-in for your appointment at %(slot)s opens at "
                      "%(time)s."), slot=_local(appointment.starts_at),
                    time=_local(appointment.starts_at - CHECK_IN_EARLY))
            )  # fmt: skip
        ticket = services.issue_ticket(
            hall=hall,
            category=appointment.category,
            id_number=appointment.id_number,
            priority=Ticket.Priority.APPOINTMENT,
            due_at=appointment.starts_at,
            at=now,
        )
        appointment.status = Appointment.Status.CHECKED_IN
        appointment.checked_in_at = now
        appointment.ticket = ticket
        appointment.save(update_fields=["status", "checked_in_at", "ticket"])
    return ticket


def record_no_shows(now: dt.datetime | None = None) -> int:
    """Mark as no-shows the booked appointments whose slot has ended without a check-in
    (the worker runs this every few minutes; the count feeds the no-show limit)."""
    now = now or timezone.now()
    return Appointment.objects.filter(status=Appointment.Status.BOOKED, ends_at__lte=now).update(
        status=Appointment.Status.NO_SHOW, no_show_at=now
    )
