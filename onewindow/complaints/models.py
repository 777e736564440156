"""Complaints (投诉) and requests (咨询、建议、求助) from the public, handled by the
supervision office.

A complaint is registered (portal, phone, letter, on site, the 12345 hotline, a conduct
observer, a partner system), assigned by the office to a handler, investigated, answered
with a finding, and closed; the complainant may reopen it within a limit after the answer.
Each step has a due date in working days, stored on the row so that lists filter on them.
`ComplaintStep` is the append-only history. The rules are in docs/DOMAIN.md
("Complaints (投诉)"), the pages in docs/apps/complaints.md.

Categories are data (`ComplaintCategory`); the Open311 app publishes them as services.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from onewindow.cases.models import new_query_code
from onewindow.core.scoping import HallScopedQuerySet
from onewindow.lib import idnumbers


class ComplaintCategory(models.Model):
    """What a complaint or request is about; one Open311 service per active category
    (``code`` is its ``service_code``, ``group`` its ``group``)."""

    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("Complaint")
        CONSULTATION = "consultation", _("Consultation")
        SUGGESTION = "suggestion", _("Suggestion")
        HELP = "help", _("Request for help")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    description_en = models.CharField(_("English description"), max_length=400, blank=True)
    group = models.CharField(_("group"), max_length=40, blank=True)
    group_en = models.CharField(_("English group"), max_length=60, blank=True)
    keywords = models.CharField(_("keywords"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices, default=Kind.COMPLAINT)
    active = models.BooleanField(_("active"), default=True)
    sort = models.PositiveSmallIntegerField(_("sort order"), default=100)

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = _("complaint category")
        verbose_name_plural = _("complaint categories")

    def __str__(self) -> str:
        return self.name

    def _in(self, zh: str, en: str) -> str:
        return en if (get_language() or "").startswith("en") and en else zh

    @property
    def local_name(self) -> str:
        return self._in(self.name, self.name_en)

    @property
    def local_description(self) -> str:
        return self._in(self.description, self.description_en)

    @property
    def local_group(self) -> str:
        return self._in(self.group, self.group_en)


class ComplaintNumberCounter(models.Model):
    """The yearly sequence of complaint numbers (TS + year + sequence)."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)


class ComplaintQuerySet(HallScopedQuerySet):
    def open(self):
        return self.filter(status__in=Complaint.OPEN_STATUSES)

    def overdue(self, today: dt.date | None = None):
        """A step past its due date: not assigned by the assignment date, no findings by
        the investigation date, no answer by the answer date, not closed by the closing date."""
        today = today or timezone.localdate()
        S = Complaint.Status
        return self.filter(
            Q(status=S.REGISTERED, assign_due__lt=today)
            | Q(status__in=(S.ASSIGNED, S.INVESTIGATING), answer_due__lt=today)
            | Q(
                status__in=(S.ASSIGNED, S.INVESTIGATING),
                findings_at__isnull=True,
                investigate_due__lt=today,
            )
            | Q(status=S.ANSWERED, close_due__lt=today)
        )

    def for_list(self):
        return self.select_related(
            "hall", "category", "assigned_to", "subject_case", "subject_window"
        )


class Complaint(models.Model):
    """One complaint or request, from registration to closure."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        ASSIGNED = "assigned", _("Assigned")
        INVESTIGATING = "investigating", _("Investigating")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    class Channel(models.TextChoices):
        WEB = "web", _("Web portal")
        PHONE = "phone", _("Phone")
        LETTER = "letter", _("Letter")
        ON_SITE = "on_site", _("On site")
        HOTLINE = "hotline", _("12345 hotline")
        OBSERVER = "observer", _("Conduct observer")
        PARTNER = "partner", _("Partner system")

    class Subject(models.TextChoices):
        CASE = "case", _("A case")
        WINDOW = "window", _("A window")
        STAFF = "staff", _("A staff member")
        HALL = "hall", _("A hall")

    class Finding(models.TextChoices):
        VALID = "valid", _("Valid")
        PARTLY_VALID = "partly_valid", _("Partly valid")
        NOT_VALID = "not_valid", _("Not valid")

    class StaffAction(models.TextChoices):
        NONE = "none", _("None")
        TALK = "talk", _("Reminder talk")
        CRITICISM = "criticism", _("Criticism")
        SELF_EXAMINATION = "self_examination", _("Written self-examination")
        NOTICE = "notice", _("Circulated notice of criticism")
        REMOVED = "removed", _("Removed from the window")
        DISCIPLINE = "discipline", _("Referred for disciplinary action")

    OPEN_STATUSES = (Status.REGISTERED, Status.ASSIGNED, Status.INVESTIGATING)
    # Open311 knows two statuses: a request is closed once it has its answer.
    OPEN311_CLOSED = (Status.ANSWERED, Status.CLOSED)

    number = models.CharField(_("complaint number"), max_length=20, unique=True)
    query_code = models.CharField(_("query code"), max_length=8, default=new_query_code)
    version = models.PositiveIntegerField(default=1, editable=False)
    category = models.ForeignKey(
        ComplaintCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=14, choices=Status.choices, default=Status.REGISTERED
    )

    # What the complaint is about. The hall is always set: it is the responsible hall,
    # whose staff see the complaint (visible_to).
    hall = models.ForeignKey(
        "halls.Hall", verbose_name=_("hall"), on_delete=models.PROTECT, related_name="complaints"
    )
    subject_kind = models.CharField(
        _("about"), max_length=8, choices=Subject.choices, default=Subject.HALL
    )
    subject_case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    subject_window = models.ForeignKey(
        "halls.Window",
        verbose_name=_("window"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    subject_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_about",
    )
    subject_text = models.CharField(
        _("person or place named"),
        max_length=100,
        blank=True,
        help_text=_(
            "The staff member's name or number, or the window, as the complainant gave it."
        ),
    )

    complainant_name = models.CharField(_("complainant"), max_length=60, blank=True)
    complainant_phone = models.CharField(_("phone"), max_length=30, blank=True)
    complainant_email = models.EmailField(_("e-mail"), max_length=120, blank=True)
    complainant_id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    complainant_address = models.CharField(_("postal address"), max_length=200, blank=True)
    content = models.TextField(_("content"), max_length=4000)

    # Open311: where it happened and a picture, and the partner's own number.
    address = models.CharField(_("location"), max_length=200, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    media_url = models.URLField(_("media URL"), max_length=500, blank=True)
    source_system = models.CharField(_("source system"), max_length=40, blank=True)
    external_id = models.CharField(_("external number"), max_length=64, blank=True)

    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_registered",
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_assigned",
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    findings_at = models.DateTimeField(_("findings recorded at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopened_at = models.DateTimeField(_("last reopened at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    # Due dates (working days, settings.ONEWINDOW_COMPLAINT_DAYS); counted from the
    # registration, and from the last reopening for the investigation and the answer.
    assign_due = models.DateField(_("assign by"))
    investigate_due = models.DateField(_("investigate by"))
    answer_due = models.DateField(_("answer by"))
    reopen_until = models.DateField(_("may be reopened until"), null=True, blank=True)
    close_due = models.DateField(_("close by"), null=True, blank=True)
    due_provisional = models.BooleanField(default=False, editable=False)

    finding = models.CharField(_("finding"), max_length=14, choices=Finding.choices, blank=True)
    staff_action = models.CharField(
        _("action on the staff member"), max_length=18, choices=StaffAction.choices, blank=True
    )
    investigation_note = models.TextField(_("investigation (internal)"), blank=True)
    answer_text = models.TextField(_("answer"), blank=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        ordering = ["-registered_at", "-pk"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        permissions = [
            ("manage_complaints", _("Register, assign and close complaints (supervision office)")),
            ("handle_complaints", _("Handle the complaints of one's halls")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source_system", "external_id"],
                condition=~Q(external_id=""),
                name="complaint_external_id_unique_per_source",
            )
        ]
        indexes = [
            models.Index(fields=["hall", "status"], name="complaint_hall_status"),
            models.Index(fields=["status", "answer_due"], name="complaint_status_answer_due"),
        ]

    def __str__(self) -> str:
        return self.number

    # -- derived values -------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def open311_status(self) -> str:
        return "closed" if self.status in self.OPEN311_CLOSED else "open"

    @property
    def current_due(self) -> dt.date | None:
        """The date by which the next step is due (None when nothing is due)."""
        S = self.Status
        if self.status == S.REGISTERED:
            return self.assign_due
        if self.status in (S.ASSIGNED, S.INVESTIGATING):
            if self.findings_at is None:
                return min(self.investigate_due, self.answer_due)
            return self.answer_due
        if self.status == S.ANSWERED:
            return self.close_due
        return None

    def is_overdue(self, today: dt.date | None = None) -> bool:
        due = self.current_due
        return due is not None and due < (today or timezone.localdate())

    def can_reopen(self, today: dt.date | None = None) -> bool:
        return (
            self.status in self.OPEN311_CLOSED
            and self.reopen_until is not None
            and (today or timezone.localdate()) <= self.reopen_until
        )

    def is_handled_by(self, user) -> bool:
        """Whether the user handles this complaint and so may see the complainant's full
        contact details (each view audited: services.reveal_contact): the supervision
        office and the assigned handler. Everybody else sees them masked."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return False
        if user.has_perm("complaints.manage_complaints"):
            return True
        return self.assigned_to_id is not None and self.assigned_to_id == user.pk

    @property
    def masked_name(self) -> str:
        return idnumbers.mask_name(self.complainant_name or "")

    @property
    def masked_phone(self) -> str:
        return idnumbers.mask_phone(self.complainant_phone or "")

    @property
    def masked_email(self) -> str:
        local, at, domain = (self.complainant_email or "").partition("@")
        if not at:
            return ""
        return f"{local[:1]}***@{domain}"

    @property
    def masked_id_number(self) -> str:
        return idnumbers.mask_resident_id(self.complainant_id_number or "")

    @property
    def public_url(self) -> str:
        base = settings.ONEWINDOW_PUBLIC_BASE_URL.rstrip("/")
        return f"{base}/complaints/track/?number={self.number}&code={self.query_code}"


class ComplaintStep(models.Model):
    """One step in a complaint's history (append-only). ``note`` is internal; what the
    public page shows is the step, its date and ``public_note``."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        ASSIGNED = "assigned", _("Assigned")
        INVESTIGATING = "investigating", _("Investigation started")
        FINDINGS = "findings", _("Findings recorded")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="steps"
    )
    seq = models.PositiveIntegerField()
    kind = models.CharField(_("step"), max_length=14, choices=Kind.choices)
    from_status = models.CharField(max_length=14, blank=True)
    to_status = models.CharField(max_length=14)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(max_length=60, blank=True)
    at = models.DateTimeField(_("at"))
    due = models.DateField(_("due"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    public_note = models.TextField(_("public note"), blank=True)

    class Meta:
        ordering = ["complaint", "seq"]
        verbose_name = _("complaint step")
        verbose_name_plural = _("complaint steps")
        constraints = [
            models.UniqueConstraint(fields=["complaint", "seq"], name="complaint_step_seq_unique")
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id}#{self.seq} {self.kind}"


class PublicAttempt(models.Model):
    """A complaint sent from the portal, or a failed lookup of one, kept a short while
    to hold off a client that sends too many (a table, not the per-process cache: the
    limit must hold across the web processes)."""

    class Kind(models.TextChoices):
        REGISTER = "register", _("Complaint sent")
        LOOKUP_FAILED = "lookup_failed", _("Failed lookup")

    client = models.CharField(max_length=64)
    kind = models.CharField(max_length=14, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["client", "kind", "at"], name="complaint_attempt_client_at")
        ]
