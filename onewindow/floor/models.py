"""The hall floor (统一窗口运作): queue categories, tickets, window sessions and the queue's
append-only events.

A visitor takes a `Ticket` of a `QueueCategory` at the hall's kiosk; a clerk signed in at
a window (`WindowSession`) calls the next one. Every step is a `QueueEvent` row, from which
waiting time (first call − issue), service time (done − start) and the windows' busy share
are computed; an appointment checked in at the kiosk becomes a ticket of priority
*appointment* due at its slot.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from onewindow.core.scoping import HallScopedQuerySet
from onewindow.lib import idnumbers


class QueueCategoryQuerySet(HallScopedQuerySet):
    def active(self):
        return self.filter(is_active=True)

    def served_by(self, window):
        """The categories a window calls: those naming it, and those naming no window
        (served by every window of the hall)."""
        return self.filter(hall_id=window.hall_id).filter(
            Q(windows=window) | Q(windows__isnull=True)
        )


class QueueCategory(models.Model):
    """A line of the hall's queue (A 户籍, B 车驾管 …): its letter begins every ticket
    number, it covers catalogue items and is served by some windows (all when none)."""

    hall = models.ForeignKey(
        "halls.Hall", verbose_name=_("hall"), on_delete=models.PROTECT, related_name="queues"
    )
    letter = models.CharField(
        _("letter"),
        max_length=1,
        validators=[RegexValidator(r"^[A-Z]$", _("One capital letter, A to Z."))],
    )
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    items = models.ManyToManyField(
        "catalogue.ServiceItem", verbose_name=_("items"), blank=True, related_name="queues"
    )
    windows = models.ManyToManyField(
        "halls.Window",
        verbose_name=_("windows"),
        blank=True,
        related_name="queues",
        help_text=_("The windows that call this line; none means every window of the hall."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    daily_limit_per_id = models.PositiveSmallIntegerField(
        _("tickets a day per ID number"),
        default=3,
        help_text=_("0: no limit. Tickets taken without an ID number are not limited."),
    )
    no_show_after_calls = models.PositiveSmallIntegerField(_("calls before a no-show"), default=3)
    default_service_minutes = models.PositiveSmallIntegerField(
        _("service minutes (default)"),
        default=10,
        help_text=_("Used for the estimated wait until there are enough served tickets."),
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)
    slot_minutes = models.PositiveSmallIntegerField(
        _("appointment slot (minutes)"),
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
        help_text=_("Appointment slots follow one another from the hall's opening time."),
    )
    slot_capacity = models.PositiveSmallIntegerField(
        _("appointments per slot"),
        default=2,
        help_text=_("0: this line takes no appointments."),
    )
    book_days_ahead = models.PositiveSmallIntegerField(
        _("days bookable ahead"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )

    objects = QueueCategoryQuerySet.as_manager()

    class Meta:
        ordering = ["hall", "sort_order", "letter"]
        verbose_name = _("queue category")
        verbose_name_plural = _("queue categories")
        constraints = [
            models.UniqueConstraint(fields=["hall", "letter"], name="queue_letter_unique_per_hall")
        ]
        permissions = [("serve_queue", _("Can call tickets at a window"))]

    def __str__(self) -> str:
        return f"{self.letter} {self.name}"

    @property
    def takes_appointments(self) -> bool:
        return self.is_active and self.slot_capacity > 0

    @property
    def local_name(self) -> str:
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name


def new_token() -> str:
    return secrets.token_urlsafe(9)


class TicketQuerySet(HallScopedQuerySet):
    def waiting(self):
        return self.filter(status__in=Ticket.WAITING)


class Ticket(models.Model):
    """A numbered ticket (排队号): one visitor's place in a line of the hall for one day.

    ``queued_at`` orders the line: the issue time, kept through a transfer; a no-show
    that rejoins goes to the end. ``token`` addresses the public status page (the QR)."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        CALLED = "called", _("Called")
        SERVING = "serving", _("Being served")
        DONE = "done", _("Done")
        NO_SHOW = "no_show", _("Did not come")
        TRANSFERRED = "transferred", _("Transferred, waiting")

    class Priority(models.IntegerChoices):
        NORMAL = 0, _("Normal")
        GREEN = 1, _("Green channel")
        APPOINTMENT = 2, _("Appointment")

    WAITING = (Status.WAITING, Status.TRANSFERRED)
    AT_WINDOW = (Status.CALLED, Status.SERVING)

    token = models.CharField(max_length=16, unique=True, default=new_token, editable=False)
    hall = models.ForeignKey("halls.Hall", on_delete=models.PROTECT, related_name="tickets")
    category = models.ForeignKey(QueueCategory, on_delete=models.PROTECT, related_name="tickets")
    day = models.DateField(_("day"))
    letter = models.CharField(max_length=1)  # the category's letter at issue
    seq = models.PositiveIntegerField()
    number = models.CharField(_("ticket number"), max_length=8)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    queued_at = models.DateTimeField(default=timezone.now)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    due_at = models.DateTimeField(_("appointment time"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.WAITING
    )
    called_at = models.DateTimeField(_("called"), null=True, blank=True)
    first_called_at = models.DateTimeField(_("first called"), null=True, blank=True)
    started_at = models.DateTimeField(_("service started"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    window = models.ForeignKey(
        "halls.Window", null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    target_window = models.ForeignKey(
        "halls.Window", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    calls = models.PositiveSmallIntegerField(default=0)
    rejoined = models.BooleanField(default=False)
    intake_key = models.CharField(max_length=64, null=True, blank=True)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["queued_at", "pk"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        constraints = [
            models.UniqueConstraint(
                fields=["hall", "day", "letter", "seq"], name="ticket_seq_unique_per_line_day"
            ),
        ]
        indexes = [
            # The waiting counts per line.
            models.Index(
                fields=["hall", "day", "status", "category", "queued_at"], name="ticket_call_next"
            ),
            # Calling next (services.call_stages): the waiting tickets with a priority
            # (only those: a hall without any finds none at once instead of reading
            # past every other waiting ticket), in call order; and the head of all the
            # hall's waiting tickets in queue order.
            models.Index(
                fields=["hall", "day", "-priority", "queued_at", "id"],
                condition=models.Q(status__in=("waiting", "transferred"), priority__gt=0),
                name="ticket_waiting_priority",
            ),
            models.Index(
                fields=["hall", "day", "queued_at", "id"],
                condition=models.Q(status__in=("waiting", "transferred")),
                name="ticket_waiting_queue",
            ),
            # The daily limit per ID number.
            models.Index(fields=["hall", "day", "id_number"], name="ticket_daily_id"),
            # The window's ticket at the counter.
            models.Index(fields=["window", "status"], name="ticket_at_window"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def masked_id_number(self) -> str:
        return idnumbers.mask_resident_id(self.id_number) if self.id_number else ""

    @property
    def is_waiting(self) -> bool:
        return self.status in self.WAITING


class WindowSessionQuerySet(HallScopedQuerySet):
    def open(self):
        return self.filter(ended_at__isnull=True)


class WindowSession(models.Model):
    """A clerk signed in at a window, from sign-in to sign-out: the window a clerk calls
    for. One open session per window and one per clerk (the database enforces both)."""

    hall = models.ForeignKey("halls.Hall", on_delete=models.PROTECT, related_name="+")
    window = models.ForeignKey(
        "halls.Window", on_delete=models.PROTECT, related_name="floor_sessions"
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="window_sessions"
    )
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    pause_reason = models.CharField(max_length=200, blank=True)

    objects = WindowSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["window"],
                condition=Q(ended_at__isnull=True),
                name="one_open_session_per_window",
            ),
            models.UniqueConstraint(
                fields=["clerk"],
                condition=Q(ended_at__isnull=True),
                name="one_open_session_per_clerk",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.window} · {self.clerk}"

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None


class QueueEvent(models.Model):
    """Append-only history of the floor: each issue, call, recall, start, done, no-show,
    rejoin and transfer of a ticket, and each sign-in, pause, resume and sign-out at a
    window. The statistics read these rows."""

    class Kind(models.TextChoices):
        ISSUED = "issued", _("Ticket issued")
        CALLED = "called", _("Called")
        RECALLED = "recalled", _("Called again")
        STARTED = "started", _("Service started")
        DONE = "done", _("Done")
        NO_SHOW = "no_show", _("Did not come")
        REJOINED = "rejoined", _("Rejoined the line")
        TRANSFERRED = "transferred", _("Transferred")
        SIGNED_IN = "signed_in", _("Signed in at the window")
        PAUSED = "paused", _("Paused")
        RESUMED = "resumed", _("Resumed")
        SIGNED_OUT = "signed_out", _("Signed out of the window")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    hall = models.ForeignKey("halls.Hall", on_delete=models.PROTECT, related_name="+")
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    category = models.ForeignKey(
        QueueCategory, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    window = models.ForeignKey(
        "halls.Window", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [
            # The display screen's latest calls, and the statistics by hall and time.
            models.Index(fields=["hall", "kind", "at"], name="queue_event_hall_kind_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


# ---------------------------------------------------------------- appointments


class AppointmentSlot(models.Model):
    """One bookable time of a line (9:00–9:30 …): the row whose ``booked`` count is raised
    by a conditional UPDATE (``booked < capacity``), so two bookings for the last place
    cannot both win. Made when the first appointment of the slot is booked."""

    hall = models.ForeignKey("halls.Hall", on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(QueueCategory, on_delete=models.PROTECT, related_name="slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    booked = models.PositiveSmallIntegerField(default=0)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["category", "starts_at"], name="slot_unique_per_line")
        ]

    def __str__(self) -> str:
        return f"{self.category.letter} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"


class AppointmentQuerySet(HallScopedQuerySet):
    def active(self):
        return self.filter(status__in=Appointment.ACTIVE)


class Appointment(models.Model):
    """A citizen's booked slot (预约): confirmed with a ``number`` (eight digits, typed
    at the kiosk or scanned from the confirmation's QR) and a ``code`` to look it up or
    cancel it. Checked in at the kiosk it becomes a ticket of priority *appointment*
    due at the slot's start; not checked in before the slot ends, it is a no-show."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CANCELLED = "cancelled", _("Cancelled")
        CHECKED_IN = "checked_in", _("Checked in")
        NO_SHOW = "no_show", _("Did not come")

    ACTIVE = (Status.BOOKED, Status.CHECKED_IN)

    number = models.CharField(_("appointment number"), max_length=8, unique=True)
    code = models.CharField(_("query code"), max_length=6)
    token = models.CharField(max_length=16, unique=True, default=new_token, editable=False)
    hall = models.ForeignKey("halls.Hall", on_delete=models.PROTECT, related_name="appointments")
    category = models.ForeignKey(
        QueueCategory, on_delete=models.PROTECT, related_name="appointments"
    )
    item = models.ForeignKey(
        "catalogue.ServiceItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    slot = models.ForeignKey(AppointmentSlot, on_delete=models.PROTECT, related_name="appointments")
    day = models.DateField(_("day"))
    starts_at = models.DateTimeField(_("slot starts"))
    ends_at = models.DateTimeField(_("slot ends"))
    name = models.CharField(_("name"), max_length=50)
    id_number = models.CharField(_("ID number"), max_length=18)
    phone = models.CharField(_("phone"), max_length=30)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.BOOKED
    )
    booked_at = models.DateTimeField(_("booked"), default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    no_show_at = models.DateTimeField(null=True, blank=True)
    ticket = models.OneToOneField(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="appointment"
    )

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        constraints = [
            # One live appointment per ID number, line and day: the booking limit, which
            # the database keeps even when two bookings race.
            models.UniqueConstraint(
                fields=["category", "day", "id_number"],
                condition=Q(status__in=["booked", "checked_in"]),
                name="one_appointment_per_id_line_day",
            ),
        ]
        indexes = [
            # The no-show limit: an ID number's recent no-shows.
            models.Index(fields=["id_number", "status", "starts_at"], name="appointment_id_status"),
            # The no-show job: booked appointments whose slot is over.
            models.Index(fields=["status", "ends_at"], name="appointment_status_end"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def masked_id_number(self) -> str:
        return idnumbers.mask_resident_id(self.id_number)


class KioskDevice(models.Model):
    """A ticket kiosk of a hall, paired by the hall manager's link: the kiosk keeps its
    ``key`` in a signed cookie and issues tickets only while the device is not revoked.
    The rate limit counts per device."""

    hall = models.ForeignKey("halls.Hall", on_delete=models.PROTECT, related_name="kiosks")
    name = models.CharField(_("name"), max_length=60)
    key = models.CharField(max_length=64, unique=True, default=secrets.token_hex, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    paired_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        ordering = ["hall", "name", "pk"]
        verbose_name = _("kiosk")
        verbose_name_plural = _("kiosks")

    def __str__(self) -> str:
        return f"{self.hall.code} · {self.name}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
