"""The code of conduct (统一人员行为规范) as data, and the conduct observers (行风监督员) who
hold the halls to it.

An observer records a visit to a hall with findings, each against one clause of the code,
good or bad. Every bad finding is reviewed once by the supervision office: it becomes a
complaint, a conduct record on a staff member's file, or is dismissed with a reason.
Clauses are retired, never deleted, so that old findings keep their clause.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from onewindow.core.scoping import HallScopedQuerySet


class ClauseQuerySet(models.QuerySet):
    def in_force(self):
        return self.filter(active=True)


class ConductClause(models.Model):
    """One clause of the staff code of conduct, grouped in chapters. ``code`` (e.g. "2.3")
    names it in findings and records; a clause that no longer applies is retired
    (``active`` off) and a new one takes a new code."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    chapter = models.CharField(_("chapter"), max_length=40)
    chapter_en = models.CharField(_("chapter (English)"), max_length=80, blank=True)
    text = models.TextField(_("text"))
    text_en = models.TextField(_("text (English)"), blank=True)
    sort = models.PositiveSmallIntegerField(_("sort order"), default=100)
    active = models.BooleanField(_("in force"), default=True)

    objects = ClauseQuerySet.as_manager()

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = _("clause of the code of conduct")
        verbose_name_plural = _("code of conduct")
        permissions = [("manage_code", _("Can edit the code of conduct"))]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:40]}"

    @property
    def local_chapter(self) -> str:
        if (get_language() or "").startswith("en") and self.chapter_en:
            return self.chapter_en
        return self.chapter

    @property
    def local_text(self) -> str:
        if (get_language() or "").startswith("en") and self.text_en:
            return self.text_en
        return self.text

    def label(self) -> str:
        return f"{self.code} {self.local_text}"


class Organisation(models.TextChoices):
    NPC_DEPUTY = "npc", _("People's congress deputy")
    CPPCC_MEMBER = "cppcc", _("CPPCC member")
    CITIZEN = "citizen", _("Citizen representative")
    BUSINESS = "business", _("Business representative")
    MEDIA = "media", _("Media representative")


class ObserverProfileQuerySet(models.QuerySet):
    def serving(self, day=None):
        """Profiles active and in their term on ``day`` (today by default)."""
        day = day or timezone.localdate()
        return self.filter(active=True, term_from__lte=day, term_to__gte=day)


class ObserverProfile(models.Model):
    """The appointment of a conduct observer (a user with the conduct observer role): by
    whom they were put forward, for which term. Visits are recorded only in term."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("observer"),
        on_delete=models.PROTECT,
        related_name="observer_profile",
    )
    organisation = models.CharField(_("appointed as"), max_length=10, choices=Organisation.choices)
    affiliation = models.CharField(_("unit or constituency"), max_length=100, blank=True)
    term_from = models.DateField(_("term from"))
    term_to = models.DateField(_("term to"))
    active = models.BooleanField(_("active"), default=True)

    objects = ObserverProfileQuerySet.as_manager()

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("observer appointment")
        verbose_name_plural = _("observer appointments")
        permissions = [("manage_observers", _("Can appoint conduct observers"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(term_to__gte=models.F("term_from")),
                name="observer_term_in_order",
            )
        ]

    def __str__(self) -> str:
        return str(self.user)

    def clean(self):
        if self.term_from and self.term_to and self.term_to < self.term_from:
            raise ValidationError({"term_to": _("The term cannot end before it begins.")})

    def serves_on(self, day) -> bool:
        return self.active and self.term_from <= day <= self.term_to


class VisitQuerySet(HallScopedQuerySet):
    def of_observer(self, user):
        return self.filter(observer=user)


class Visit(models.Model):
    """An observer's visit to a hall: when, which windows were watched, what was seen."""

    observer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("observer"),
        on_delete=models.PROTECT,
        related_name="conduct_visits",
    )
    hall = models.ForeignKey(
        "halls.Hall", verbose_name=_("hall"), on_delete=models.PROTECT, related_name="+"
    )
    visited_at = models.DateTimeField(_("visited at"))
    windows = models.ManyToManyField(
        "halls.Window", verbose_name=_("windows seen"), blank=True, related_name="+"
    )
    summary = models.TextField(_("summary"), blank=True)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["-visited_at", "-id"]
        verbose_name = _("observer visit")
        verbose_name_plural = _("observer visits")
        permissions = [("record_visits", _("Can record observer visits"))]
        indexes = [models.Index(fields=["observer", "visited_at"], name="visit_observer_at")]

    def __str__(self) -> str:
        return f"{self.hall} {timezone.localtime(self.visited_at):%Y-%m-%d %H:%M}"


class FindingQuerySet(HallScopedQuerySet):
    hall_lookup = "visit__hall"

    def pending(self):
        return self.filter(status=Finding.Status.PENDING)


class Finding(models.Model):
    """What an observer saw, against one clause: good (positive) or bad (negative). A bad
    finding waits for the supervision office, which decides it once."""

    class Kind(models.TextChoices):
        POSITIVE = "positive", _("Good practice")
        NEGATIVE = "negative", _("Shortcoming")

    class Status(models.TextChoices):
        NOTED = "noted", _("Noted")  # a good finding: nothing to decide
        PENDING = "pending", _("Awaiting review")
        COMPLAINT = "complaint", _("Turned into a complaint")
        RECORDED = "recorded", _("Entered on the conduct file")
        DISMISSED = "dismissed", _("Dismissed")

    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.PROTECT, related_name="findings"
    )
    clause = models.ForeignKey(
        ConductClause, verbose_name=_("clause"), on_delete=models.PROTECT, related_name="findings"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
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
        related_name="conduct_findings",
        null=True,
        blank=True,
    )
    description = models.TextField(_("description"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    complaint = models.OneToOneField(
        "complaints.Complaint",
        verbose_name=_("complaint"),
        on_delete=models.PROTECT,
        related_name="conduct_finding",
        null=True,
        blank=True,
    )

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        permissions = [("review_findings", _("Can review observer findings"))]
        indexes = [models.Index(fields=["status", "created_at"], name="finding_status_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.clause.code}"

    @property
    def hall(self):
        return self.visit.hall

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


class FindingPhoto(models.Model):
    """A photo taken on site, kept with its finding (checked by `uploads.validate_photo`)."""

    finding = models.ForeignKey(
        Finding, verbose_name=_("finding"), on_delete=models.CASCADE, related_name="photos"
    )
    file = models.FileField(upload_to="conduct/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.original_name


class ConductRecordQuerySet(HallScopedQuerySet):
    pass


class ConductRecord(models.Model):
    """An entry on a staff member's conduct file: which clause was broken, when, on what
    evidence. Seen by the supervision office, the centre, the staff member's hall manager
    and the staff member."""

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        related_name="conduct_records",
    )
    hall = models.ForeignKey(
        "halls.Hall", verbose_name=_("hall"), on_delete=models.PROTECT, related_name="+"
    )
    clause = models.ForeignKey(
        ConductClause, verbose_name=_("clause"), on_delete=models.PROTECT, related_name="records"
    )
    date = models.DateField(_("date"))
    finding = models.OneToOneField(
        Finding,
        verbose_name=_("finding"),
        on_delete=models.PROTECT,
        related_name="conduct_record",
        null=True,
        blank=True,
    )
    note = models.TextField(_("note"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = ConductRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("conduct record")
        verbose_name_plural = _("conduct records")
        permissions = [("view_conduct_files", _("Can see staff conduct files"))]

    def __str__(self) -> str:
        return f"{self.staff} {self.clause.code} {self.date}"
