"""Joint meetings (联席会议) and their decisions, followed up until the centre verifies them."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.core.scoping import HallScopedQuerySet


class MeetingQuerySet(HallScopedQuerySet):
    # A meeting belongs to the halls that attended it (the owner hall of each decision is
    # added to them), so a hall sees the minutes that concern it.
    hall_lookup = "halls"
    hall_lookup_is_many = True


class Meeting(models.Model):
    """One joint meeting of the centre and the halls: who came, what was on the agenda,
    the minutes; its decisions are followed up one by one (`Decision`)."""

    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    agenda = models.TextField(_("agenda"))
    minutes = models.TextField(_("minutes"), blank=True)
    halls = models.ManyToManyField(
        "halls.Hall", verbose_name=_("halls attending"), related_name="meetings"
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("people attending"),
        related_name="meetings_attended",
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("joint meeting")
        verbose_name_plural = _("joint meetings")
        permissions = [
            ("view_meetings", _("Can read joint meetings and their decisions")),
            ("manage_meetings", _("Can record meetings and decisions and verify them")),
            ("report_progress", _("Can report progress on the decisions of one's hall")),
        ]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.title}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("meetings:detail", args=[self.pk])


class DecisionQuerySet(HallScopedQuerySet):
    hall_lookup = "owner_hall"

    def overdue(self, today: dt.date | None = None):
        """Open decisions whose due date has passed (computed, never stored: a date moves
        on without anybody writing)."""
        today = today or timezone.localdate()
        return self.filter(status=Decision.Status.OPEN, due_on__lt=today)

    def late(self, today: dt.date | None = None):
        """Decisions that missed their due date: still open after it, or reported done
        after it (what the yearly assessment deducts for)."""
        today = today or timezone.localdate()
        return self.filter(
            Q(status=Decision.Status.OPEN, due_on__lt=today)
            | Q(status=Decision.Status.DONE, done_at__date__gt=models.F("due_on"))
        )


class Decision(models.Model):
    """A decision of a meeting: what is to be done, by which hall, by when.

    Stored statuses are open, done and cancelled; "overdue" is an open decision past its
    due date, computed against today. The owner hall's manager reports progress and
    reports it done; the centre then verifies it (or returns it, open again) or cancels
    it. `version` grows with every change, so a form filled in on an old state is refused.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="decisions"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("decision"))
    owner_hall = models.ForeignKey(
        "halls.Hall",
        verbose_name=_("owner hall"),
        on_delete=models.PROTECT,
        related_name="meeting_decisions",
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    done_at = models.DateTimeField(_("reported done"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    version = models.PositiveIntegerField(default=1)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "number"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="decision_number_once")
        ]
        indexes = [models.Index(fields=["owner_hall", "status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.meeting.held_on:%Y-%m-%d} #{self.number}"

    @property
    def hall(self):
        return self.owner_hall

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.status == self.Status.OPEN and self.due_on < (today or timezone.localdate())

    @property
    def shown_status(self) -> str:
        """The status a person reads: overdue for an open decision past its date, and
        done waits for the centre's verification."""
        if self.is_overdue():
            return "overdue"
        if self.status == self.Status.DONE and self.verified_at is None:
            return "awaiting"
        return self.status

    @property
    def shown_status_label(self) -> str:
        return {
            "overdue": _("Overdue"),
            "awaiting": _("Done, awaiting verification"),
            "open": _("Open"),
            "done": _("Done and verified"),
            "cancelled": _("Cancelled"),
        }[self.shown_status]


class DecisionNote(models.Model):
    """One step of a decision's follow-up, never edited: progress, done, verified,
    returned, cancelled (the decision's event table)."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", _("Progress")
        DONE = "done", _("Reported done")
        VERIFIED = "verified", _("Verified")
        RETURNED = "returned", _("Returned")
        CANCELLED = "cancelled", _("Cancelled")

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    text = models.TextField(_("note"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.decision} {self.kind}"
