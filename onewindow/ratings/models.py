"""Ratings (好差评): one five-level rating per service act, never edited or deleted.

A service act is a case event that served someone at a window or by post: an immediate
service, an acceptance, a conclusion or a delivery (later also a queue ticket). The act
is the unit rated, so the event is unique here: a second rating of it is refused by the
database as well as by the service. A missing rating stays missing; nothing fills it in.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from onewindow.core.scoping import HallScopedQuerySet


class Level(models.IntegerChoices):
    VERY_SATISFIED = 5, pgettext_lazy("rating", "Very satisfied")
    SATISFIED = 4, pgettext_lazy("rating", "Satisfied")
    BASICALLY_SATISFIED = 3, pgettext_lazy("rating", "Basically satisfied")
    DISSATISFIED = 2, pgettext_lazy("rating", "Dissatisfied")
    VERY_DISSATISFIED = 1, pgettext_lazy("rating", "Very dissatisfied")


# 不满意 and 非常不满意 are bad ratings: they ask for reasons and open a follow-up.
BAD_LEVELS = frozenset({Level.DISSATISFIED, Level.VERY_DISSATISFIED})


class Channel(models.TextChoices):
    WINDOW = "window", _("Window evaluator")
    STATUS_PAGE = "status", _("Status page")
    QR = "qr", _("QR code on a notice")


class RatingQuerySet(HallScopedQuerySet):
    def bad(self):
        return self.filter(level__in=BAD_LEVELS)


class Rating(models.Model):
    """The rating of one service act: who served (staff, window, hall) is copied from the
    act's event so that statistics need no join through the case."""

    event = models.OneToOneField(
        "cases.CaseEvent",
        verbose_name=_("service act"),
        on_delete=models.PROTECT,
        related_name="rating",
        null=True,
        blank=True,
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="ratings",
        null=True,
        blank=True,
    )
    act = models.CharField(_("act"), max_length=24)  # the event's kind (accepted, concluded…)
    act_at = models.DateTimeField(_("served at"))
    hall = models.ForeignKey(
        "halls.Hall", verbose_name=_("hall"), on_delete=models.PROTECT, related_name="+"
    )
    window = models.ForeignKey(
        "halls.Window",
        verbose_name=_("window"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        related_name="ratings_received",
        null=True,
        blank=True,
    )
    # The queue ticket (floor) the case was started from, when it came from one: copied
    # from the case when the rating is recorded, so a rating links the visit to the act.
    ticket = models.ForeignKey(
        "floor.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.PROTECT,
        related_name="ratings",
        null=True,
        blank=True,
    )
    level = models.PositiveSmallIntegerField(_("rating"), choices=Level.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    # Codes of the reasons picked from the list (ratings.reasons.REASONS); bad ratings only.
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), default=timezone.now)

    objects = RatingQuerySet.as_manager()

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-rated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=5), name="rating_level_1_to_5"
            ),
        ]
        indexes = [
            models.Index(fields=["hall", "rated_at"], name="rating_hall_rated"),
            models.Index(fields=["staff", "rated_at"], name="rating_staff_rated"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} ({self.act})"

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_LEVELS

    @property
    def reason_labels(self) -> list[str]:
        from .reasons import label

        return [label(code) for code in self.reasons]


class StaffCard(models.Model):
    """What the window tablet shows of the staff member who served: the photo and the
    staff number (工号) the citizen rates. Kept here rather than on the account, so that
    a hall's front-desk details do not change the accounts model. Without a photo the
    tablet shows the name's first character."""

    staff = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="staff_card",
    )
    number = models.CharField(_("staff number"), max_length=20, blank=True)
    photo = models.FileField(_("photo"), upload_to="staff/", blank=True)

    class Meta:
        verbose_name = _("staff card")
        verbose_name_plural = _("staff cards")

    def __str__(self) -> str:
        return f"{self.staff} {self.number}".strip()


class RatingRequest(models.Model):
    """A clerk's "please rate" (请评价): puts an act again on its window's tablet, for the
    moments after a rating was skipped or timed out. The act's own window only."""

    event = models.ForeignKey(
        "cases.CaseEvent", on_delete=models.CASCADE, related_name="+", verbose_name=_("service act")
    )
    window = models.ForeignKey(
        "halls.Window", on_delete=models.CASCADE, related_name="+", verbose_name=_("window")
    )
    at = models.DateTimeField(_("asked at"), default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        verbose_name = _("rating request")
        verbose_name_plural = _("rating requests")
        indexes = [models.Index(fields=["window", "at"], name="rating_request_window_at")]
