"""Cases (办件) and everything that happens to them.

The case row holds the current state and the stored deadlines (recomputed by the service
that changes the case); `CaseEvent` is the append-only history that reports, supervision,
ratings and the public status page read. A case keeps the item version it was received
and accepted under. The life cycle is in docs/apps/cases.md ("Life cycle"), the clock
rules in docs/DOMAIN.md ("2. The clock of a case").
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.core.scoping import HallScopedQuerySet
from onewindow.lib import idnumbers

QUERY_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out on the phone


def needs_certificate(version) -> bool:
    """A granted licence, or any item whose result is a certificate, gets a number."""
    from onewindow.catalogue.models import ItemType

    return version.item_type == ItemType.LICENSING or bool((version.result_name or "").strip())


def new_query_code() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(8))


class CaseQuerySet(HallScopedQuerySet):
    def open(self):
        """Accepted and not yet concluded (the clock may be running or suspended)."""
        return self.filter(status__in=Case.OPEN_STATUSES)

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.open().filter(promised_due_date__lt=today)

    def assigned_to(self, user):
        return self.filter(current_assignee=user)

    def in_intake(self):
        """Received but not yet accepted or refused (the clock has not started)."""
        return self.filter(status__in=Case.INTAKE_STATUSES)

    def for_list(self):
        """What every case list shows, in one query (no N+1)."""
        return self.select_related(
            "hall", "department", "item_version", "current_assignee", "current_step"
        )


class Case(models.Model):
    """One application (办件)."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        CORRECTION = "correction", _("Waiting for correction")
        ACCEPTED = "accepted", _("In progress")
        SUSPENDED = "suspended", _("Suspended")
        CONCLUDED = "concluded", _("Concluded")
        DELIVERED = "delivered", _("Delivered")
        REFUSED = "refused", _("Not accepted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        VOID = "void", _("Void")

    class ApplicantKind(models.TextChoices):
        PERSON = "person", _("Person")
        ORGANISATION = "organisation", _("Organisation")

    class Result(models.TextChoices):
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        FORWARDED = "forwarded", _("Forwarded")
        VOID = "void", _("Void")

    class Outcome(models.TextChoices):
        EARLY = "early", _("Early")
        ON_TIME = "on_time", _("On time")
        OVERDUE = "overdue", _("Overdue")

    class Source(models.TextChoices):
        WINDOW = "window", _("Window")
        EXCHANGE = "exchange", _("Department system")
        SIMULATION = "simulation", _("Simulation")

    class DeliveryMethod(models.TextChoices):
        WINDOW = "window", _("Collected at the window")
        POST = "post", _("By post")
        ELECTRONIC = "electronic", _("Electronic delivery")
        AGENT = "agent", _("Collected by an authorised agent")

    OPEN_STATUSES = (Status.ACCEPTED, Status.SUSPENDED)
    INTAKE_STATUSES = (Status.RECEIVED, Status.CORRECTION)
    END_STATUSES = (
        Status.CONCLUDED,
        Status.DELIVERED,
        Status.REFUSED,
        Status.WITHDRAWN,
        Status.VOID,
    )

    number = models.CharField(_("case number"), max_length=32, unique=True)
    # One key per intake form: a double submit finds the case the first submit created.
    # Unique per hall (Meta): another hall's key is no key at all for this hall.
    intake_key = models.CharField(max_length=64, null=True, blank=True, editable=False)
    query_code = models.CharField(_("query code"), max_length=8, default=new_query_code)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.WINDOW
    )

    # Indexes: every one is written by every intake and most actions (on SQLite each
    # also costs its pages in the write-ahead log), so a column has its own index only
    # when a query needs it. Not indexed alone: hall, status, current_assignee and
    # received_by (each leads a composite index in Meta), and window and item_version,
    # which no query filters on: deleting a window or an item version (rare: they are
    # deactivated or superseded) looks through the cases without an index.
    hall = models.ForeignKey(
        "halls.Hall",
        verbose_name=_("hall"),
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
    )
    window = models.ForeignKey(
        "halls.Window",
        verbose_name=_("window"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
    )
    department = models.ForeignKey(
        "halls.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    item = models.ForeignKey(
        "catalogue.ServiceItem",
        verbose_name=_("item"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    item_version = models.ForeignKey(
        "catalogue.ItemVersion",
        verbose_name=_("item version"),
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
    )
    is_immediate = models.BooleanField(_("immediate"), default=False)

    applicant_kind = models.CharField(
        _("applicant kind"), max_length=12, choices=ApplicantKind.choices
    )
    applicant_name = models.CharField(_("applicant"), max_length=200)
    applicant_id_number = models.CharField(_("ID number or credit code"), max_length=18)
    contact_name = models.CharField(_("contact person"), max_length=60, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20)

    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED
    )

    received_at = models.DateTimeField(_("received"), default=timezone.now)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_on = models.DateField(_("acceptance date"), null=True, blank=True)
    # The clock runs from the day the papers came in because the hall let the 5 working
    # days for a decision or a correction notice pass (the reason is on the event).
    acceptance_deemed = models.BooleanField(_("deemed accepted on receipt"), default=False)
    refused_at = models.DateTimeField(_("refused"), null=True, blank=True)
    concluded_at = models.DateTimeField(_("concluded"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    # The clock (docs/DOMAIN.md, "2. The clock of a case"): limits copied from the item
    # version at acceptance; deadlines stored and recomputed by every service that changes
    # them, so lists and supervision scans can filter on them.
    legal_limit_days = models.PositiveSmallIntegerField(_("legal limit"), default=0)
    promised_limit_days = models.PositiveSmallIntegerField(_("promised limit"), default=0)
    extension_days = models.PositiveSmallIntegerField(_("extension (working days)"), default=0)
    suspended_days = models.PositiveSmallIntegerField(_("suspended (working days)"), default=0)
    suspended_since = models.DateField(_("suspended since"), null=True, blank=True)
    promised_due_date = models.DateField(
        _("promised due date"), null=True, blank=True, db_index=True
    )
    legal_due_date = models.DateField(_("legal due date"), null=True, blank=True, db_index=True)
    due_provisional = models.BooleanField(_("provisional deadline"), default=False)

    current_step = models.ForeignKey(
        "cases.CaseStep",
        verbose_name=_("current step"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    current_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("waiting for"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    gaps_due_date = models.DateField(_("missing materials due"), null=True, blank=True)
    gaps_promise = models.TextField(_("applicant's promise"), blank=True)
    refusal_reason = models.TextField(_("reason for not accepting"), blank=True)

    result = models.CharField(_("result"), max_length=10, choices=Result.choices, blank=True)
    result_reason = models.TextField(_("reason / remedies"), blank=True)
    remedies = models.TextField(_("remedies open to the applicant"), blank=True)
    certificate_number = models.CharField(_("certificate number"), max_length=80, blank=True)
    certificate_valid_until = models.DateField(_("certificate valid until"), null=True, blank=True)
    outcome_promised = models.CharField(
        _("outcome against promised limit"), max_length=8, choices=Outcome.choices, blank=True
    )
    outcome_legal = models.CharField(
        _("outcome against legal limit"), max_length=8, choices=Outcome.choices, blank=True
    )
    working_days_used = models.PositiveSmallIntegerField(
        _("working days used"), null=True, blank=True
    )
    minutes_used = models.PositiveIntegerField(_("minutes used"), null=True, blank=True)
    fee_charged = models.DecimalField(
        _("fee charged (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    delivery_method = models.CharField(
        _("delivery method"), max_length=20, choices=DeliveryMethod.choices, blank=True
    )

    # Optimistic version: every write checks and bumps it, so a stale form or a double
    # submit changes nothing and says so.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(
                fields=["hall", "status", "promised_due_date"], name="case_hall_status_due"
            ),
            models.Index(fields=["status", "promised_due_date"], name="case_status_due"),
            models.Index(fields=["hall", "received_at"], name="case_hall_received"),
            # The all-halls list (centre, supervision) is ordered by received time.
            models.Index(fields=["-received_at", "-id"], name="case_received_desc"),
            models.Index(fields=["current_assignee", "status"], name="case_assignee_status"),
            # The queue's "applications I received that wait for materials".
            models.Index(fields=["received_by", "status"], name="case_received_by_status"),
            # The monthly report's cases open at a month's end: not concluded before it.
            models.Index(fields=["concluded_at"], name="case_concluded_at"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["hall", "intake_key"], name="case_intake_key_per_hall")
        ]
        permissions = [
            ("handle_cases", _("Can receive and handle cases")),
            ("approve_extensions", _("Can approve extensions")),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def clean(self):
        """The invariants the services keep, for anything else that writes a case."""
        from django.core.exceptions import ValidationError

        errors = {}
        if self.promised_limit_days > self.legal_limit_days:
            errors["promised_limit_days"] = _(
                "The promised limit cannot be longer than the legal limit."
            )
        if self.status == self.Status.REFUSED and not (self.refusal_reason or "").strip():
            errors["refusal_reason"] = _(
                "Write the reason for not accepting: the applicant receives it in writing."
            )
        if (
            self.result == self.Result.GRANTED
            and self.item_version_id
            and needs_certificate(self.item_version)
            and not (self.certificate_number or "").strip()
        ):
            errors["certificate_number"] = _("A granted licence needs its certificate number.")
        if self.result == self.Result.REFUSED and not (self.result_reason or "").strip():
            errors["result_reason"] = _("A refusal needs its reasons, in writing.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_suspended(self) -> bool:
        return self.status == self.Status.SUSPENDED

    @property
    def applicant_is_person(self) -> bool:
        return self.applicant_kind == self.ApplicantKind.PERSON

    @property
    def masked_id_number(self) -> str:
        """The ID number or credit code as lists, pages and notices show it: one rule for
        each kind of number, wherever it is shown."""
        if self.applicant_is_person:
            return idnumbers.mask_resident_id(self.applicant_id_number or "")
        return idnumbers.mask_credit_code(self.applicant_id_number or "")

    @property
    def masked_phone(self) -> str:
        return idnumbers.mask_phone(self.contact_phone or "")

    def is_handled_by(self, user) -> bool:
        """Whether the user handles this case, and so may see the applicant's full ID
        number and phone (each view audited: services.reveal_numbers): someone of the
        case's hall who handles cases and received it, holds or held one of its steps,
        or acted on it. Everybody else sees them masked."""
        if not user.is_authenticated or not user.has_perm("cases.handle_cases"):
            return False
        if self.hall_id not in user.hall_id_set:
            return False
        if user.pk in (self.received_by_id, self.current_assignee_id):
            return True
        return self.steps.filter(assignee=user).exists() or self.events.filter(actor=user).exists()

    @property
    def shown_applicant_name(self) -> str:
        """A person's name masked (张**); an organisation's name is public and shown whole."""
        if self.applicant_is_person:
            return idnumbers.mask_name(self.applicant_name or "")
        return self.applicant_name

    @property
    def public_status_url(self) -> str:
        """The public status page of this case, as printed in the QR code of every notice."""
        base = settings.ONEWINDOW_PUBLIC_BASE_URL.rstrip("/")
        return f"{base}/status/{self.number}/?code={self.query_code}"

    @property
    def is_waiting_for_conclusion(self) -> bool:
        """Accepted, every step decided: the window concludes it (出证) next."""
        return (
            self.status == self.Status.ACCEPTED
            and self.current_step_id is None
            and self.accepted_at is not None
        )


class CaseStep(models.Model):
    """One pass of a case through one step of its item version (a step sent back is passed again)."""

    class Decision(models.TextChoices):
        PASS = "pass", _("Passed on")
        APPROVE = "approve", _("Approved")
        REJECT = "reject", _("Rejected")
        SEND_BACK = "send_back", _("Sent back")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    step = models.ForeignKey(
        "catalogue.Step", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=100)
    role = models.CharField(max_length=10)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    due_date = models.DateField(null=True, blank=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    opinion = models.TextField(blank=True)

    class Meta:
        ordering = ["case", "started_at", "id"]

    @property
    def role_label(self) -> str:
        from onewindow.catalogue.models import Step

        return str(dict(Step.Role.choices).get(self.role, self.role))

    @property
    def is_open(self) -> bool:
        return self.finished_at is None


class CaseEvent(models.Model):
    """Append-only history of a case: who, where, when, from, to, why."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Received")
        CORRECTION_ISSUED = "correction_issued", _("Correction notice issued")
        CORRECTION_SUPPLIED = "correction_supplied", _("Missing materials handed in")
        ACCEPTED = "accepted", _("Accepted")
        ACCEPTED_WITH_GAPS = "accepted_with_gaps", _("Accepted with materials to follow")
        GAPS_SUPPLIED = "gaps_supplied", _("Materials to follow handed in")
        REFUSED = "refused", _("Not accepted")
        STEP_ASSIGNED = "step_assigned", _("Step assigned")
        STEP_DECIDED = "step_decided", _("Step decided")
        SENT_BACK = "sent_back", _("Sent back to an earlier step")
        EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
        EXTENDED = "extended", _("Extended")
        EXTENSION_REFUSED = "extension_refused", _("Extension not approved")
        SUSPENDED = "suspended", _("Suspended")
        RESUMED = "resumed", _("Resumed")
        CONCLUDED = "concluded", _("Concluded")
        DELIVERED = "delivered", _("Delivered")
        FEE_CHARGED = "fee_charged", _("Fee charged")
        CLOCK_RECOMPUTED = "clock_recomputed", _("Dates recomputed")
        DOCUMENT = "document", _("Document printed")
        ATTACHED = "attached", _("Scan attached")

    # Indexes as on Case: the case's events are found through the unique (case, seq)
    # index; nothing filters on actor or window.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", db_index=False)
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=24, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    hall = models.ForeignKey("halls.Hall", on_delete=models.PROTECT, related_name="+")
    window = models.ForeignKey(
        "halls.Window",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    step_position = models.PositiveSmallIntegerField(null=True, blank=True)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    # Idempotency key of events pushed by department systems (POST /api/v1/exchange/events),
    # unique per hall (Meta): each hall's systems choose their keys without seeing another's.
    external_key = models.CharField(max_length=100, null=True, blank=True)

    objects = HallScopedQuerySet.as_manager()

    class Meta:
        ordering = ["case", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["case", "seq"], name="case_event_seq_unique"),
            models.UniqueConstraint(
                fields=["hall", "external_key"], name="case_event_key_per_hall"
            ),
        ]
        indexes = [models.Index(fields=["kind", "at"], name="case_event_kind_at")]


class CaseMaterial(models.Model):
    """A material of the item's checklist as handed in (or missing) for this case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey(
        "catalogue.Material", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=200)
    required = models.BooleanField(default=True)
    provided = models.BooleanField(default=False)
    to_follow = models.BooleanField(
        default=False, help_text="accepted with gaps: promised for later"
    )

    class Meta:
        ordering = ["case", "id"]


class Attachment(models.Model):
    """A scan attached to a case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    case_material = models.ForeignKey(
        CaseMaterial, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    file = models.FileField(upload_to="cases/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=80)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)


class CorrectionNotice(models.Model):
    """A one-time correction notice (一次性告知): everything missing, listed once."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="corrections")
    round = models.PositiveSmallIntegerField()
    items = models.JSONField(default=list)
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    supplied_at = models.DateTimeField(null=True, blank=True)
    # The law allows 5 working days from handing in the papers; a later notice means the
    # application counts as accepted on the day it was handed in.
    due_by = models.DateField(null=True, blank=True)
    late = models.BooleanField(default=False)

    class Meta:
        ordering = ["case", "round"]
        constraints = [
            models.UniqueConstraint(fields=["case", "round"], name="correction_round_unique")
        ]


class Suspension(models.Model):
    """A B-type special procedure (hearing, expert review, testing…) that stops the clock."""

    class Kind(models.TextChoices):
        HEARING = "hearing", _("Hearing")
        TENDER = "tender", _("Tendering")
        AUCTION = "auction", _("Auction")
        TESTING = "testing", _("Testing")
        QUARANTINE = "quarantine", _("Quarantine")
        APPRAISAL = "appraisal", _("Appraisal")
        EXPERT_REVIEW = "expert_review", _("Expert review")
        MATERIALS = "materials", _("Waiting for materials to follow")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="suspensions")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    reason = models.TextField()
    max_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="allowed length in working days"
    )
    started_on = models.DateField()
    resumed_on = models.DateField(null=True, blank=True)
    days_added = models.PositiveSmallIntegerField(default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["case", "started_on", "id"]


class Extension(models.Model):
    """An A-type extension (延长) of at most 10 working days in all (15 for joint items):
    requested by the handler before the legal due date, and moving the due dates only once
    an approver of the case's hall, never the requester, approved it in time. Extensions
    reported by a department system arrive approved."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Not approved")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField()
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    # When it was requested.
    at = models.DateTimeField(default=timezone.now)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["case", "at"]
        constraints = [
            # One request at a time waits for approval.
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="requested"),
                name="extension_one_pending",
            )
        ]


class CaseFeeLine(models.Model):
    """One published fee line of the case's item version as charged: the conditions the
    window recorded (waived, reduced, extra copies) and what the line comes to under them
    (`due`, priced by `catalogue.Fee.due`; None for a per-unit standard that is not one
    amount). Written with the charge (`cases.fees`); reports add these rows up, and
    supervision compares the case's `fee_charged` with their sum."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="fee_lines")
    fee = models.ForeignKey("catalogue.Fee", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    waived = models.BooleanField(_("waived"), default=False)
    reduced = models.BooleanField(_("reduced"), default=False)
    extra_copies = models.PositiveSmallIntegerField(_("extra copies"), default=0)
    due = models.DecimalField(
        _("due (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["case", "id"]
        verbose_name = _("fee line of a case")
        verbose_name_plural = _("fee lines of cases")
        constraints = [
            models.UniqueConstraint(fields=["case", "fee"], name="case_fee_line_unique"),
            models.CheckConstraint(
                condition=models.Q(waived=False) | models.Q(reduced=False),
                name="case_fee_line_waived_or_reduced",
            ),
        ]


class CaseDocument(models.Model):
    """A PDF notice kept with the case."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Acceptance receipt")
        REFUSAL = "refusal", _("Refusal notice")
        CORRECTION = "correction", _("Correction notice")
        EXTENSION = "extension", _("Extension notice")
        CONCLUSION = "conclusion", _("Conclusion and pickup notice")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    file = models.FileField(upload_to="documents/%Y/%m/")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    # The case version the notice was rendered from: printing again without a change in
    # between hands out the kept copy instead of a second, different document.
    case_version = models.PositiveIntegerField(default=0)
    round = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="correction notices: the round"
    )
    pages = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["case", "created_at", "id"]


class CaseNumberCounter(models.Model):
    """Daily sequence per hall for case numbers; incremented with a guarded UPDATE."""

    hall = models.ForeignKey("halls.Hall", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hall", "day"], name="case_counter_unique")]


class StatusLookupFailure(models.Model):
    """A failed public status lookup, kept a short while to slow down guessing.

    A table rather than the per-process cache: the web server runs several processes,
    and the limit must hold for the client across all of them.
    """

    client = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["client", "at"], name="status_failure_client_at")]


class CaseTally(models.Model):
    """The month's counts of case acts per hall, department, window and item: the flows
    of the monthly report (docs/DOMAIN.md, "Monthly report"), kept by the services in
    the transaction that appends the events (`cases.tally`), so that a report reads a
    few hundred rows instead of the month's events. The counts at the month's end
    (open, overdue) are written once the month has ended (`CaseTallyMonth`)."""

    month = models.DateField()  # the first day of the month, in Shanghai
    # No index of their own: the rows are read by month (the unique indexes lead with
    # it), and a hall, department, window or item is deleted only when no case names it.
    hall = models.ForeignKey(
        "halls.Hall", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    department = models.ForeignKey(
        "halls.Department", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    window = models.ForeignKey(
        "halls.Window", null=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    item = models.ForeignKey(
        "catalogue.ServiceItem", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    received = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    immediate = models.PositiveIntegerField(default=0)
    promised = models.PositiveIntegerField(default=0)
    concluded = models.PositiveIntegerField(default=0)
    decided = models.PositiveIntegerField(default=0)
    early_promised = models.PositiveIntegerField(default=0)
    on_time_promised = models.PositiveIntegerField(default=0)
    overdue_promised = models.PositiveIntegerField(default=0)
    early_legal = models.PositiveIntegerField(default=0)
    on_time_legal = models.PositiveIntegerField(default=0)
    overdue_legal = models.PositiveIntegerField(default=0)
    promised_decided = models.PositiveIntegerField(default=0)
    promised_days_sum = models.BigIntegerField(default=0)
    immediate_decided = models.PositiveIntegerField(default=0)
    immediate_minutes_sum = models.BigIntegerField(default=0)
    promised_limit_sum = models.BigIntegerField(default=0)
    legal_limit_sum = models.BigIntegerField(default=0)
    actual_days_sum = models.BigIntegerField(default=0)
    open_at_end = models.PositiveIntegerField(default=0)
    overdue_open_at_end = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "hall", "department", "window", "item"],
                condition=models.Q(window__isnull=False),
                name="case_tally_unique",
            ),
            models.UniqueConstraint(
                fields=["month", "hall", "department", "item"],
                condition=models.Q(window__isnull=True),
                name="case_tally_unique_no_window",
            ),
        ]


class CaseTallyMonth(models.Model):
    """A month whose counts at its end (cases open, overdue among them) are written into
    its `CaseTally` rows; a month without one is counted from the events."""

    month = models.DateField(primary_key=True)
    closed_at = models.DateTimeField(default=timezone.now)
