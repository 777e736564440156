"""E-supervision (电子监察): rules, the alerts (yellow and red cards) they raise, and their history.

Rules are data the supervision office edits (enabled, level, threshold); what each rule
*checks* is code, registered by its `code` in `services/checks.py` (which imports these
models; the app config hands its checks to `Rule.spec`). The scanner
(`services/scan.py`) evaluates the enabled rules over the cases and raises one `Alert` per
breach: the `breach_key` is unique, so a breach seen again by a later scan (or by a second
worker at the same moment) is never raised twice. Each alert then has an owner who answers
for it and a life cycle (raised → explained / corrected → closed or upheld) recorded as
append-only `AlertEvent` rows.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from onewindow.core.scoping import HallScopedQuerySet


class Level(models.TextChoices):
    # A pre-due warning (预警) tells the handler and closes itself once the step or case is
    # done; it needs no written answer. Cards (yellow, red) and flags do.
    WARNING = "warning", pgettext_lazy("alert level", "Warning")
    YELLOW = "yellow", pgettext_lazy("alert level", "Yellow card")
    RED = "red", pgettext_lazy("alert level", "Red card")
    FLAG = "flag", pgettext_lazy("alert level", "Flag")


# Upper bound of any threshold: a year of working days is far beyond any sensible rule.
THRESHOLD_MAX = 365


class Rule(models.Model):
    """One supervision rule. What it checks is code (by `code`); how strict it is, is data."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    threshold = models.PositiveSmallIntegerField(
        _("threshold"),
        null=True,
        blank=True,
        help_text=_("What the number means depends on the rule; empty for rules without one."),
    )
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("supervision rule")
        verbose_name_plural = _("supervision rules")
        permissions = [("manage_rules", _("Can edit supervision rules"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(threshold__isnull=True) | models.Q(threshold__lte=THRESHOLD_MAX),
                name="supervision_rule_threshold_max",
            )
        ]

    def __str__(self) -> str:
        return self.display_name()

    def display_name(self, language: str | None = None) -> str:
        from django.utils.translation import get_language

        language = language or get_language() or ""
        if language.startswith("en") and self.name_en:
            return self.name_en
        return self.name

    @property
    def spec(self):
        """The code that evaluates this rule (from `services/checks.py`, handed to the app
        config when the app is ready), or None for a code this build does not know."""
        return apps.get_app_config("supervision").checks.get(self.code)

    @property
    def has_threshold(self) -> bool:
        spec = self.spec
        return spec is not None and spec.threshold_label is not None

    def clean(self):
        if self.has_threshold:
            if self.threshold is None:
                raise ValidationError({"threshold": _("This rule needs a threshold.")})
            if self.threshold > THRESHOLD_MAX:
                raise ValidationError(
                    {
                        "threshold": _("The threshold can be at most %(max)s.")
                        % {"max": THRESHOLD_MAX}
                    }
                )


class AlertQuerySet(HallScopedQuerySet):
    def open(self):
        """Not yet closed or upheld: still needs an answer or a decision."""
        return self.filter(status__in=Alert.OPEN_STATUSES)

    def awaiting_answer(self):
        """Raised cards and flags: a warning needs no answer (it closes itself)."""
        return self.filter(status=Alert.Status.RAISED).exclude(level=Level.WARNING)

    def warnings(self):
        """Open pre-due warnings."""
        return self.filter(status=Alert.Status.RAISED, level=Level.WARNING)

    def cards(self):
        """Yellow and red cards (flags are counted apart)."""
        return self.filter(level__in=(Level.YELLOW, Level.RED))

    def for_case(self, case):
        return self.filter(case=case)

    def answerable_by(self, user):
        """Alerts this user answers for: as the responsible person, or as the hall's manager."""
        from django.db.models import Q

        from onewindow.accounts.roles import Role

        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        q = Q(responsible=user)
        if user.has_role(Role.HALL_MANAGER) and user.hall_id_set:
            q |= Q(hall_id__in=user.hall_id_set)
        return self.filter(q)


class Alert(models.Model):
    """One breach of one rule by one case (a yellow or red card, or a flag)."""

    class Status(models.TextChoices):
        RAISED = "raised", pgettext_lazy("alert status", "Raised")
        EXPLAINED = "explained", pgettext_lazy("alert status", "Explained")
        CORRECTED = "corrected", pgettext_lazy("alert status", "Corrected")
        CLOSED = "closed", pgettext_lazy("alert status", "Closed")
        UPHELD = "upheld", pgettext_lazy("alert status", "Upheld as violation")

    OPEN_STATUSES = (Status.RAISED, Status.EXPLAINED, Status.CORRECTED)
    ANSWERED_STATUSES = (Status.EXPLAINED, Status.CORRECTED)
    # The life cycle: the responsible person (or the hall manager) answers a raised alert;
    # the supervision office closes it or upholds it as a violation, after an answer or,
    # when nobody answers, without one.
    TRANSITIONS = {
        Status.RAISED: {Status.EXPLAINED, Status.CORRECTED, Status.CLOSED, Status.UPHELD},
        Status.EXPLAINED: {Status.CLOSED, Status.UPHELD},
        Status.CORRECTED: {Status.CLOSED, Status.UPHELD},
        Status.CLOSED: set(),
        Status.UPHELD: set(),
    }

    rule = models.ForeignKey(
        Rule,
        verbose_name=_("rule"),
        on_delete=models.PROTECT,
        related_name="alerts",
        db_index=False,
    )
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="supervision_alerts",
        db_index=False,
    )
    step = models.ForeignKey(
        "cases.CaseStep",
        verbose_name=_("step"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    step_position = models.PositiveSmallIntegerField(_("step"), null=True, blank=True)
    # What the breach is about besides the case: the step, correction notice, suspension
    # or extension row (0 when the case itself); part of the breach key.
    subject_id = models.PositiveBigIntegerField(default=0)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervision_alerts",
        db_index=False,
    )
    hall = models.ForeignKey(
        "halls.Hall",
        verbose_name=_("hall"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    department = models.ForeignKey(
        "halls.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RAISED
    )
    raised_at = models.DateTimeField(_("raised"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    answer_note = models.TextField(_("answer"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    decision_note = models.TextField(_("decision"), blank=True)

    # One alert per breach: rule, case, subject and due date (see services/scan.py). The
    # unique constraint is the second guard after the worker lease: a scan that loses a
    # race inserts nothing (bulk insert that ignores conflicts).
    breach_key = models.CharField(max_length=120, unique=True)
    # Which scan inserted the row, so that the scan can tell its own inserts from rows a
    # concurrent scan inserted first.
    scan_token = models.CharField(max_length=32, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        permissions = [("decide_alerts", _("Can close alerts or uphold them as violations"))]
        indexes = [
            models.Index(fields=["case", "rule"], name="alert_case_rule"),
            models.Index(fields=["status", "hall", "level"], name="alert_status_hall_level"),
            models.Index(fields=["hall", "raised_at"], name="alert_hall_raised"),
            models.Index(fields=["raised_at"], name="alert_raised"),
            models.Index(fields=["responsible", "status"], name="alert_responsible_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.case} {self.rule}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())

    @property
    def summary(self) -> str:
        """The breach in words, in the reader's language (built from `detail`)."""
        spec = self.rule.spec
        if spec is None:
            return ""
        return spec.describe(self.detail or {})


class AlertEvent(models.Model):
    """Append-only history of an alert."""

    class Kind(models.TextChoices):
        RAISED = "raised", pgettext_lazy("alert status", "Raised")
        EXPLAINED = "explained", pgettext_lazy("alert status", "Explained")
        CORRECTED = "corrected", pgettext_lazy("alert status", "Corrected")
        CLOSED = "closed", pgettext_lazy("alert status", "Closed")
        UPHELD = "upheld", pgettext_lazy("alert status", "Upheld as violation")

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=10, choices=Kind.choices)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["alert", "at", "id"]
        verbose_name = _("alert event")
        verbose_name_plural = _("alert events")


class ScanState(models.Model):
    """Where the scanner left off: its watermark, the day it counted from, and its last figures.

    One row (name "main"), written by the scan that holds the worker lease.
    """

    class Mode(models.TextChoices):
        FULL = "full", _("Full")
        INCREMENTAL = "incremental", _("Incremental")

    name = models.CharField(max_length=20, primary_key=True, default="main")
    last_started_at = models.DateTimeField(_("last scan started"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("last scan finished"), null=True, blank=True)
    last_today = models.DateField(null=True, blank=True)
    last_full_at = models.DateTimeField(_("last full scan"), null=True, blank=True)
    rules_stamp = models.CharField(max_length=64, blank=True)
    last_mode = models.CharField(max_length=12, choices=Mode.choices, blank=True)
    last_raised = models.PositiveIntegerField(default=0)
    last_duration_ms = models.PositiveIntegerField(default=0)
    last_counts = models.JSONField(default=dict, blank=True)
    scans = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("scan state")
