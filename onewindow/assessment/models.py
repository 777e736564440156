"""The yearly assessment (检查考核) of the sub-centres.

A scheme is kept as data per year: seven blocks (the six unifications and e-supervision),
each weighted out of the 100 points, each with indicators weighted out of the block's 100.
An indicator is scored automatically (a function of the `indicators` registry) or by hand
(full marks unless deducted). Deductions and bonuses are recorded with their evidence and
inspector; inspections keep their findings and follow-up. Locking a year keeps its scores
(`Result`) and freezes the scheme, its deductions and bonuses.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from onewindow.core.scoping import HallScopedQuerySet

HUNDRED = Decimal(100)


class AssessmentScheme(models.Model):
    """The scheme of one year. Its weights must add up before it can be used."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    bonus_cap = models.DecimalField(
        _("bonus points at most"), max_digits=5, decimal_places=2, default=Decimal(3)
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    locked_at = models.DateTimeField(_("scores locked"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("locked by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        ordering = ["-year"]
        permissions = [
            ("view_assessment", _("Can see the assessment scores and ranking")),
            (
                "manage_assessment",
                _("Can edit the scheme, record deductions, bonuses and inspections, lock scores"),
            ),
            ("answer_findings", _("Can report inspection findings of their hall fixed")),
        ]

    def __str__(self) -> str:
        return f"{self.year}"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class Block(models.Model):
    """One block of the scheme: a unification (统一) or e-supervision, out of 100 points."""

    class Code(models.TextChoices):
        IMAGE = "image", pgettext_lazy("assessment block", "Unified image")
        DISCLOSURE = "disclosure", pgettext_lazy("assessment block", "Unified disclosure")
        WINDOW = "window", pgettext_lazy("assessment block", "Unified window operation")
        CONDUCT = "conduct", pgettext_lazy("assessment block", "Unified code of conduct")
        SOCIAL = "social", pgettext_lazy("assessment block", "Unified social supervision")
        ASSESSMENT = "assessment", pgettext_lazy("assessment block", "Unified assessment")
        E_SUPERVISION = "e_supervision", pgettext_lazy("assessment block", "E-supervision")

    scheme = models.ForeignKey(
        AssessmentScheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="blocks"
    )
    code = models.CharField(_("block"), max_length=16, choices=Code.choices)
    weight = models.DecimalField(_("weight (points)"), max_digits=5, decimal_places=2)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("assessment block")
        verbose_name_plural = _("assessment blocks")
        ordering = ["scheme", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="assessment_block_once")
        ]

    def __str__(self) -> str:
        return str(self.get_code_display())


class Indicator(models.Model):
    """One indicator of a block, weighted out of the block's 100. An automatic one names
    the registered function (`source`) that scores it from the data."""

    class Method(models.TextChoices):
        AUTOMATIC = "automatic", pgettext_lazy("indicator method", "Automatic")
        MANUAL = "manual", pgettext_lazy("indicator method", "Manual")

    block = models.ForeignKey(
        Block, verbose_name=_("block"), on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    weight = models.DecimalField(
        _("weight (per cent of the block)"), max_digits=5, decimal_places=2
    )
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    source = models.CharField(_("automatic source"), max_length=40, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("assessment indicator")
        verbose_name_plural = _("assessment indicators")
        ordering = ["block__order", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["block", "code"], name="assessment_indicator_once")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def full_points(self) -> Decimal:
        """The indicator's share of the year's 100 points."""
        return self.block.weight * self.weight / HUNDRED


class AdjustmentQuerySet(HallScopedQuerySet):
    pass


class Adjustment(models.Model):
    """A deduction from an indicator's points, or a bonus, for one hall and year, with its
    evidence (a scan or a note; one at least) and the inspector who recorded it."""

    class Kind(models.TextChoices):
        DEDUCTION = "deduction", pgettext_lazy("assessment", "Deduction")
        BONUS = "bonus", pgettext_lazy("assessment", "Bonus")

    scheme = models.ForeignKey(
        AssessmentScheme,
        verbose_name=_("scheme"),
        on_delete=models.PROTECT,
        related_name="adjustments",
    )
    hall = models.ForeignKey(
        "halls.Hall", verbose_name=_("hall"), on_delete=models.PROTECT, related_name="+"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=2)
    reason = models.TextField(_("reason"))
    evidence_note = models.TextField(_("evidence (note)"), blank=True)
    evidence = models.FileField(_("evidence (file)"), upload_to="assessment/%Y/", blank=True)
    evidence_type = models.CharField(max_length=40, blank=True, editable=False)
    finding = models.ForeignKey(
        "InspectionFinding",
        verbose_name=_("inspection finding"),
        on_delete=models.PROTECT,
        related_name="adjustments",
        null=True,
        blank=True,
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = AdjustmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("deduction or bonus")
        verbose_name_plural = _("deductions and bonuses")
        ordering = ["recorded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(points__gt=0), name="assessment_adjustment_positive"
            ),
            models.CheckConstraint(
                condition=~models.Q(evidence_note="", evidence=""),
                name="assessment_adjustment_evidence",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.points} · {self.indicator}"


class InspectionQuerySet(HallScopedQuerySet):
    pass


class Inspection(models.Model):
    """A visit of the centre's inspectors to a hall, with what they found."""

    hall = models.ForeignKey(
        "halls.Hall", verbose_name=_("hall"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("date"))
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("inspectors"), related_name="+"
    )
    summary = models.TextField(_("summary"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.hall} {self.date:%Y-%m-%d}"


class FindingQuerySet(HallScopedQuerySet):
    hall_lookup = "inspection__hall"


class InspectionFinding(models.Model):
    """What an inspection found: the hall fixes it by a date, the centre verifies it."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("inspection finding", "To fix")
        FIXED = "fixed", pgettext_lazy("inspection finding", "Reported fixed")
        VERIFIED = "verified", pgettext_lazy("inspection finding", "Verified")

    # action -> (statuses it may start from, status it leads to)
    TRANSITIONS = {
        "fix": (frozenset({Status.OPEN}), Status.FIXED),
        "verify": (frozenset({Status.FIXED}), Status.VERIFIED),
        "reopen": (frozenset({Status.FIXED}), Status.OPEN),
    }

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="findings"
    )
    description = models.TextField(_("finding"))
    fix_by = models.DateField(_("fix by"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.OPEN)  # fmt: skip
    fixed_at = models.DateTimeField(_("reported fixed"), null=True, blank=True)
    fix_note = models.TextField(_("what was done"), blank=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("verified by"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True,
    )  # fmt: skip

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection finding")
        verbose_name_plural = _("inspection findings")
        ordering = ["fix_by", "id"]

    def __str__(self) -> str:
        return self.description[:60]

    def is_late(self, today) -> bool:
        """Not reported fixed by its date (or reported after it)."""
        if self.fixed_at is None:
            return self.fix_by < today
        return timezone.localdate(self.fixed_at) > self.fix_by


class Result(models.Model):
    """A hall's locked score of a year: total, rank, and the points per block and indicator
    with the figures they came from, kept as they were when the year was locked."""

    scheme = models.ForeignKey(
        AssessmentScheme, verbose_name=_("scheme"), on_delete=models.PROTECT,
        related_name="results",
    )  # fmt: skip
    hall = models.ForeignKey(
        "halls.Hall", verbose_name=_("hall"), on_delete=models.PROTECT, related_name="+"
    )
    total = models.DecimalField(_("total"), max_digits=6, decimal_places=2)
    rank = models.PositiveSmallIntegerField(_("rank"))
    detail = models.JSONField(_("detail"))

    class Meta:
        verbose_name = _("assessment result")
        verbose_name_plural = _("assessment results")
        ordering = ["scheme", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "hall"], name="assessment_result_once")
        ]
