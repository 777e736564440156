"""Training (培训): sessions with their hours, trainer and exam, who attended and how they
did, and the centre's rule of who is qualified to serve at a window (上岗资格).

A session belongs to the halls whose staff it trains (one or several). Each attendee has
one row with a result: attended (no exam), passed, failed or absent, and an optional
score. Hours count for everyone present. The qualification rule is data the centre
changes (a new row from a date), never a constant in code; `services.is_qualified`
applies the rule in force on the day.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.scoping import HallScopedQuerySet


class QualificationRuleQuerySet(models.QuerySet):
    def in_force(self, day: dt.date):
        """The rule that applies on ``day``: the latest that took effect by then."""
        return self.filter(valid_from__lte=day).order_by("-valid_from", "-pk").first()


class QualificationRule(models.Model):
    """Who may serve at a window (上岗资格), from ``valid_from`` on.

    A window staff member is qualified on a day when they passed the exam of a qualifying
    course (岗前培训考试) within the last ``exam_valid_years`` years (0: a pass never
    expires), and were trained at least ``min_hours`` hours (学时) in the previous calendar
    year or already in the current one. Staff whose first qualifying pass falls in the
    current or previous year are not held to a year they did not serve in full.
    A rule is never edited: the centre adds a new one from a date, so that a past day is
    still judged by the rule of that day.
    """

    valid_from = models.DateField(_("in force from"), unique=True)
    exam_required = models.BooleanField(_("qualifying exam required"), default=True)
    exam_valid_years = models.PositiveSmallIntegerField(
        _("a pass is valid for (years)"),
        default=3,
        validators=[MaxValueValidator(20)],
        help_text=_("0: a pass never expires."),
    )
    min_hours = models.DecimalField(
        _("training hours required per year"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("24"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("500"))],
        help_text=_("0: no minimum."),
    )
    note = models.CharField(_("basis"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("set at"), auto_now_add=True)

    objects = QualificationRuleQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("qualification rule")
        verbose_name_plural = _("qualification rules")
        permissions = [("manage_rule", _("Can change the qualification rule"))]

    def __str__(self) -> str:
        return f"{self.valid_from:%Y-%m-%d}"


# The rule when the centre has set none: a qualifying pass valid three years and 24 hours
# of training a year (docs/DOMAIN.md, "Training").
DEFAULT_RULE = QualificationRule(
    valid_from=dt.date(2000, 1, 1), exam_required=True, exam_valid_years=3, min_hours=Decimal("24")
)


class SessionQuerySet(HallScopedQuerySet):
    hall_lookup = "halls"
    hall_lookup_is_many = True

    def of_year(self, year: int):
        return self.filter(date__year=year)


class TrainingSession(models.Model):
    """One training session (培训): a day, its hours (学时), trainer and topic, the halls
    whose staff it trains; ``has_exam`` when it ends with an exam, ``qualifying`` when
    passing that exam qualifies for window work (岗前培训)."""

    date = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("80"))],
    )
    topic = models.CharField(_("topic or course"), max_length=200)
    trainer = models.CharField(_("trainer"), max_length=100)
    place = models.CharField(_("place"), max_length=200, blank=True)
    has_exam = models.BooleanField(_("ends with an exam"), default=False)
    qualifying = models.BooleanField(
        _("qualifying exam"),
        default=False,
        help_text=_("Passing its exam qualifies for window work (pre-service training)."),
    )
    pass_mark = models.DecimalField(
        _("pass mark"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    halls = models.ManyToManyField(
        "halls.Hall", verbose_name=_("halls"), related_name="training_sessions", blank=True
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("attendees"),
        through="Attendance",
        related_name="training_sessions",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        permissions = [
            ("view_training", _("Can see training records")),
            ("manage_training", _("Can record training sessions and results")),
        ]
        indexes = [models.Index(fields=["date"], name="training_session_date")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.topic}"

    def clean(self):
        if self.qualifying and not self.has_exam:
            raise ValidationError({"qualifying": _("A qualifying session must end with an exam.")})
        if self.pass_mark is not None and not self.has_exam:
            raise ValidationError({"pass_mark": _("Only a session with an exam has a pass mark.")})


class Attendance(models.Model):
    """One staff member at one session, and how they did."""

    class Result(models.TextChoices):
        ATTENDED = "attended", _("Attended")
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed")
        ABSENT = "absent", _("Absent")

    session = models.ForeignKey(
        TrainingSession,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="attendance",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        related_name="training_attendance",
    )
    result = models.CharField(
        _("result"), max_length=10, choices=Result.choices, default=Result.ATTENDED
    )
    score = models.DecimalField(
        _("score"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        ordering = ["session", "user__username"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="training_attendance_once")
        ]
        indexes = [models.Index(fields=["user", "result"], name="training_att_user_result")]

    def __str__(self) -> str:
        return f"{self.session} {self.user}"

    @property
    def present(self) -> bool:
        return self.result != self.Result.ABSENT
