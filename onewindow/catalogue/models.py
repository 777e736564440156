"""Service items (事项) and their versions.

An item is the stable identity (implementation code); what it requires, how long it takes
and what it costs live on an `ItemVersion`. A version is written as a draft, reviewed by
the legal office (legal basis) and, when it has fees, by the fee reviewers, then
published. Editing a published item makes a new draft; the published version stays in
force until the new one is published. Cases keep the version they were accepted under.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.core.scoping import HallScopedQuerySet

CATALOGUE_CODE_RE = re.compile(r"[0-9A-Z]{12}")
IMPLEMENTATION_CODE_RE = re.compile(r"[0-9A-Za-z][0-9A-Za-z-]{0,39}")


class ItemType(models.TextChoices):
    """National catalogue item types (事项类型) with their two-digit codes."""

    LICENSING = "01", _("Administrative licensing")
    PENALTY = "02", _("Administrative penalty")
    COERCION = "03", _("Administrative coercion")
    LEVY = "04", _("Administrative levy")
    BENEFIT = "05", _("Administrative benefit")
    INSPECTION = "06", _("Administrative inspection")
    CONFIRMATION = "07", _("Administrative confirmation")
    REWARD = "08", _("Administrative reward")
    ADJUDICATION = "09", _("Administrative adjudication")
    OTHER_POWER = "10", _("Other administrative power")
    PUBLIC_SERVICE = "20", _("Public service")


class ServiceItemQuerySet(models.QuerySet):
    def published(self):
        """Items with a version in force."""
        return self.filter(published_version__isnull=False)

    def visible_to(self, user):
        """Items of which the user may see at least one version (see ItemVersionQuerySet)."""
        return self.filter(pk__in=ItemVersion.objects.visible_to(user).values("item_id"))


class ServiceItem(models.Model):
    """The stable identity of an item; its content is versioned in ItemVersion."""

    implementation_code = models.CharField(_("implementation code"), max_length=40, unique=True)
    catalogue_code = models.CharField(_("national catalogue code"), max_length=12, db_index=True)
    department = models.ForeignKey(
        "halls.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="items",
    )
    published_version = models.OneToOneField(
        "catalogue.ItemVersion",
        verbose_name=_("version in force"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The newest version (the draft being worked on, or the one in force): lists show it.
    latest_version = models.OneToOneField(
        "catalogue.ItemVersion",
        verbose_name=_("newest version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = ServiceItemQuerySet.as_manager()

    class Meta:
        ordering = ["implementation_code"]
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        permissions = [
            ("edit_items", _("Can write item drafts")),
            ("review_legal", _("Can review the legal basis of items")),
            ("review_fees", _("Can review the fees of items")),
        ]

    def __str__(self) -> str:
        version = self.published_version or self.latest_version
        return f"{self.implementation_code} {version.name if version else ''}".strip()

    def clean(self):
        errors = {}
        if self.catalogue_code and not CATALOGUE_CODE_RE.fullmatch(self.catalogue_code):
            errors["catalogue_code"] = _(
                "The national catalogue code has exactly 12 letters or digits."
            )
        if self.implementation_code and not IMPLEMENTATION_CODE_RE.fullmatch(
            self.implementation_code
        ):
            errors["implementation_code"] = _(
                "The implementation code uses only letters, digits and hyphens (at most 40)."
            )
        if errors:
            raise ValidationError(errors)


class ItemVersionQuerySet(HallScopedQuerySet):
    hall_lookup = "halls"
    hall_lookup_is_many = True

    def visible_to(self, user):
        # The legal office and the fee reviewers review the items of every hall, although
        # they sit in the centre: their queues and the item pages are city-wide.
        if (
            getattr(user, "is_authenticated", False)
            and user.is_active
            and (user.has_perm("catalogue.review_legal") or user.has_perm("catalogue.review_fees"))
        ):
            return self
        return super().visible_to(user)

    def published(self):
        """The versions in force: what the public and the windows work from."""
        return self.filter(status=ItemVersion.Status.PUBLISHED)

    def newest(self):
        """Each item's newest version (the draft being worked on, or the one in force)."""
        return self.filter(item__latest_version=models.F("pk"))

    def open(self):
        """Versions on their way to publication (drafts, returned, in review, approved)."""
        return self.exclude(status__in=ItemVersion.CLOSED_STATUSES)

    def search(self, text: str):
        """Name, pinyin initials or full pinyin, implementation or catalogue code."""
        from .search import search_q

        return self.filter(search_q(text))


@dataclass(frozen=True)
class VersionParts:
    hall_ids: frozenset[int]
    materials: tuple  # Material rows in checklist order (treat as read-only)
    steps: tuple  # Step rows in order (read-only)


_FROZEN_PARTS: dict[tuple, VersionParts] = {}
MAX_FROZEN_PARTS = 5000  # a bound only: the city has a few hundred items


def _read_parts(version) -> VersionParts:
    return VersionParts(
        hall_ids=frozenset(version.halls.values_list("pk", flat=True)),
        materials=tuple(version.materials.all()),
        steps=tuple(version.steps.all()),
    )


def preload_frozen_parts() -> int:
    """Fill the cache with the parts of every version in force, in four queries (a web
    process does this as it starts: otherwise its first intakes read them item by item,
    three queries each). Returns how many versions were loaded."""
    versions = list(
        ItemVersion.objects.filter(status=ItemVersion.Status.PUBLISHED).values_list(
            "pk", "created_at"
        )
    )
    ids = [pk for pk, _created in versions]
    halls: dict[int, set] = {pk: set() for pk in ids}
    materials: dict[int, list] = {pk: [] for pk in ids}
    steps: dict[int, list] = {pk: [] for pk in ids}
    through = ItemVersion.halls.through
    for version_id, hall_id in through.objects.filter(itemversion_id__in=ids).values_list(
        "itemversion_id", "hall_id"
    ):
        halls[version_id].add(hall_id)
    for material in Material.objects.filter(version_id__in=ids):  # in checklist order
        materials[material.version_id].append(material)
    for step in Step.objects.filter(version_id__in=ids):
        steps[step.version_id].append(step)
    if len(_FROZEN_PARTS) + len(ids) > MAX_FROZEN_PARTS:
        _FROZEN_PARTS.clear()
    for pk, created_at in versions:
        _FROZEN_PARTS[(pk, created_at)] = VersionParts(
            hall_ids=frozenset(halls[pk]), materials=tuple(materials[pk]), steps=tuple(steps[pk])
        )
    return len(versions)


def forget_frozen_parts() -> None:
    """Tests reuse primary keys after a rollback: they start from an empty cache."""
    _FROZEN_PARTS.clear()


class ItemVersion(models.Model):
    """One version of an item's content. Only drafts and returned versions can be edited."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        LEGAL_REVIEW = "legal_review", _("In legal review")
        FEE_REVIEW = "fee_review", _("In fee review")
        RETURNED = "returned", _("Returned for changes")
        APPROVED = "approved", _("Approved, awaiting publication")
        PUBLISHED = "published", _("Published")
        SUPERSEDED = "superseded", _("Superseded")

    class Handling(models.TextChoices):
        IMMEDIATE = "immediate", _("Immediate (即办件)")
        PROMISED = "promised", _("Promised (承诺件)")

    item = models.ForeignKey(
        ServiceItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=14, choices=Status.choices, default=Status.DRAFT, db_index=True
    )

    name = models.CharField(_("name"), max_length=200)
    pinyin_initials = models.CharField(
        _("pinyin initials"), max_length=200, blank=True, db_index=True
    )
    pinyin = models.CharField(
        _("pinyin"), max_length=800, blank=True, help_text=_("The name in full pinyin, for search.")
    )
    item_type = models.CharField(_("item type"), max_length=2, choices=ItemType.choices)
    halls = models.ManyToManyField(
        "halls.Hall", verbose_name=_("handled in halls"), related_name="item_versions"
    )
    handling = models.CharField(_("handling"), max_length=10, choices=Handling.choices)
    legal_limit_days = models.PositiveSmallIntegerField(_("legal time limit (working days)"))
    promised_limit_days = models.PositiveSmallIntegerField(_("promised time limit (working days)"))
    is_joint = models.BooleanField(
        _("joint handling (联办)"),
        default=False,
        help_text=_("Joint items may be extended by 15 working days instead of 10."),
    )
    legal_basis = models.TextField(_("legal basis (设定依据)"))
    conditions = models.TextField(_("conditions"), blank=True)
    result_name = models.CharField(_("result or certificate"), max_length=200, blank=True)
    visits_needed = models.PositiveSmallIntegerField(_("visits needed"), default=1)
    online_available = models.BooleanField(_("can be applied for online"), default=False)
    consult_phone = models.CharField(_("phone for questions"), max_length=60, blank=True)
    complaint_phone = models.CharField(_("phone for complaints"), max_length=60, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    objects = ItemVersionQuerySet.as_manager()

    # Versions that are no longer on their way to publication.
    CLOSED_STATUSES = (Status.PUBLISHED, Status.SUPERSEDED)

    class Meta:
        ordering = ["item_id", "-number"]
        verbose_name = _("item version")
        verbose_name_plural = _("item versions")
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="item_version_number_unique"),
            # One version in force per item, and at most one being worked on: two drafts of
            # the same item would overwrite each other on publication.
            models.UniqueConstraint(
                fields=["item"],
                condition=models.Q(status="published"),
                name="one_published_version_per_item",
            ),
            models.UniqueConstraint(
                fields=["item"],
                condition=~models.Q(status__in=["published", "superseded"]),
                name="one_open_version_per_item",
            ),
            models.CheckConstraint(
                condition=models.Q(promised_limit_days__lte=models.F("legal_limit_days")),
                name="promised_limit_within_legal_limit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.number})"

    @property
    def is_immediate(self) -> bool:
        return self.handling == self.Handling.IMMEDIATE

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)

    @property
    def is_in_force(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_open(self) -> bool:
        return self.status not in self.CLOSED_STATUSES

    def frozen_parts(self) -> VersionParts:
        """Halls, materials and steps of a published (or superseded) version, which can no
        longer change, kept per process so taking in and accepting a case does not read
        them again each time. Versions still open for editing are always read afresh."""
        if self.status not in (self.Status.PUBLISHED, self.Status.SUPERSEDED) or not self.pk:
            return _read_parts(self)
        key = (self.pk, self.created_at)
        parts = _FROZEN_PARTS.get(key)
        if parts is None:
            parts = _read_parts(self)
            if len(_FROZEN_PARTS) > MAX_FROZEN_PARTS:
                _FROZEN_PARTS.clear()
            _FROZEN_PARTS[key] = parts
        return parts

    @property
    def max_extension_days(self) -> int:
        """A-type extension allowed by law: 10 working days, 15 for joint handling."""
        return 15 if self.is_joint else 10

    def clean(self):
        errors = {}
        if not (self.legal_basis or "").strip():
            errors["legal_basis"] = _("Every item needs its legal basis (设定依据).")
        if (
            self.legal_limit_days is not None
            and self.promised_limit_days is not None
            and self.promised_limit_days > self.legal_limit_days
        ):
            errors["promised_limit_days"] = _(
                "The promised limit cannot be longer than the legal limit."
            )
        if self.handling == self.Handling.IMMEDIATE and self.promised_limit_days:
            errors["promised_limit_days"] = _(
                "An immediate item is done in one visit: its promised limit is 0."
            )
        if self.handling == self.Handling.PROMISED and self.promised_limit_days == 0:
            errors["promised_limit_days"] = _(
                "A promised item needs a promised limit of at least one working day; "
                "an item done at once is an immediate item."
            )
        if errors:
            raise ValidationError(errors)


class Material(models.Model):
    """A material the applicant brings (申请材料)."""

    class Form(models.TextChoices):
        PAPER = "paper", _("Paper")
        ELECTRONIC = "electronic", _("Electronic")
        EITHER = "either", _("Paper or electronic")

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="materials")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=200)
    required = models.BooleanField(_("required"), default=True)
    originals = models.PositiveSmallIntegerField(_("originals"), default=0)
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    form = models.CharField(_("form"), max_length=10, choices=Form.choices, default=Form.PAPER)
    may_follow_later = models.BooleanField(
        _("may follow later (容缺)"),
        default=False,
        help_text=_("A minor material that may be handed in after acceptance."),
    )
    blank_form = models.FileField(_("blank form"), upload_to="catalogue/forms/", blank=True)
    sample = models.FileField(_("filled-in sample"), upload_to="catalogue/samples/", blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["version_id", "position", "id"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self) -> str:
        return self.name


class Step(models.Model):
    """A handling step (承办, 审核, 审批…) with its own time limit and the role that acts."""

    class Role(models.TextChoices):
        HANDLER = "handler", _("Handle (承办)")
        REVIEWER = "reviewer", _("Review (审核)")
        APPROVER = "approver", _("Decide (审批)")

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(_("acting role"), max_length=10, choices=Role.choices)
    limit_days = models.PositiveSmallIntegerField(_("limit (working days)"), default=0)

    class Meta:
        ordering = ["version_id", "position", "id"]
        verbose_name = _("step")
        verbose_name_plural = _("steps")

    def __str__(self) -> str:
        return self.name


class Fee(models.Model):
    """A fee line (收费项目) with its standard, legal basis and published conditions.

    The conditions are what the fee reviewers verify and what the window may apply: a
    waiver (减免: the line is not charged, e.g. for small businesses), a reduced amount
    under a stated condition (减收, e.g. 减半), and a unit amount for every extra copy
    beyond the first (e.g. 10 yuan for each additional certificate). `due()` is the one
    place that prices a line under the conditions a case records.
    """

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="fees")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=200)
    amount = models.DecimalField(
        _("amount (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    standard = models.CharField(
        _("standard"), max_length=200, help_text=_("e.g. 10 yuan per certificate")
    )
    basis = models.TextField(_("basis"))
    waivable = models.BooleanField(_("can be waived"), default=False)
    waiver_condition = models.CharField(
        _("waiver condition"),
        max_length=200,
        blank=True,
        help_text=_("Who is exempt, e.g. small and micro businesses"),
    )
    per_copy_amount = models.DecimalField(
        _("per extra copy (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Charged for every copy beyond the first, e.g. 10 per extra certificate"),
    )
    reduced_amount = models.DecimalField(
        _("reduced amount (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    reduced_condition = models.CharField(
        _("reduction condition"),
        max_length=200,
        blank=True,
        help_text=_("When the reduced amount applies, e.g. 减半 for affordable housing"),
    )

    class Meta:
        ordering = ["version_id", "position", "id"]
        verbose_name = _("fee")
        verbose_name_plural = _("fees")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        errors = {}
        if not (self.basis or "").strip():
            errors["basis"] = _("Every fee needs its basis (收费依据).")
        if (self.waiver_condition or "").strip() and not self.waivable:
            errors["waiver_condition"] = _(
                "A waiver condition is published only for a fee that can be waived."
            )
        has_reduced = self.reduced_amount is not None
        if has_reduced != bool((self.reduced_condition or "").strip()):
            errors["reduced_condition"] = _(
                "A reduced amount and its condition are published together."
            )
        elif has_reduced and (self.amount is None or self.reduced_amount >= self.amount):
            errors["reduced_amount"] = _(
                "The reduced amount must be less than the fee's fixed amount."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def has_conditions(self) -> bool:
        return self.waivable or self.per_copy_amount is not None or self.reduced_amount is not None

    @property
    def condition_phrases(self) -> list[str]:
        """The published conditions as people read them (guide, fee list, review pages)."""
        phrases = []
        if self.waivable:
            who = (self.waiver_condition or "").strip()
            phrases.append(
                gettext("Waived for: %(who)s") % {"who": who} if who else gettext("Can be waived")
            )
        if self.reduced_amount is not None:
            phrases.append(
                gettext("Reduced to %(amount)s yuan for: %(condition)s")
                % {"amount": self.reduced_amount, "condition": self.reduced_condition}
            )
        if self.per_copy_amount is not None:
            phrases.append(
                gettext("%(amount)s yuan for each extra copy") % {"amount": self.per_copy_amount}
            )
        return phrases

    def due(
        self, *, waived: bool = False, reduced: bool = False, extra_copies: int = 0
    ) -> Decimal | None:
        """What this line costs under the given conditions; None when the standard is not one
        amount (a per-unit standard) and the line is not waived. A waived line costs nothing,
        its extra copies included. The caller has checked that the line publishes the
        conditions it applies (`cases.fees.price_lines`)."""
        if waived:
            return Decimal("0.00")
        base = self.reduced_amount if reduced else self.amount
        if base is None:
            return None
        return base + (self.per_copy_amount or Decimal("0")) * extra_copies


class ReviewRecord(models.Model):
    """One step of an item version's way to publication, with the opinion given."""

    class Stage(models.TextChoices):
        DRAFTED = "drafted", _("Drafted")
        SUBMITTED = "submitted", _("Submitted for review")
        LEGAL = "legal", _("Legal review")
        FEE = "fee", _("Fee review")
        PUBLISHED = "published", _("Published")

    class Decision(models.TextChoices):
        CREATE = "create", _("Created")
        SAVE = "save", _("Changed")
        SUBMIT = "submit", _("Submitted")
        PASS = "pass", _("Passed")
        RETURN = "return", _("Returned")
        PUBLISH = "publish", _("Published")
        SUPERSEDE = "supersede", _("Superseded")

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="reviews")
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    opinion = models.TextField(_("opinion"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["version_id", "at", "id"]
        verbose_name = _("review record")
        verbose_name_plural = _("review records")

    def __str__(self) -> str:
        return f"{self.get_stage_display()}: {self.get_decision_display()}"


def check_steps(version: ItemVersion, steps: list[Step]) -> None:
    """Rules that tie a version to its steps (they span several rows, so not in clean()).

    An immediate item is done in one visit, so none of its steps may take days; the steps of
    a promised item share its promised limit, so their limits may not add up to more.
    """
    days = sum(step.limit_days or 0 for step in steps)
    if version.handling == ItemVersion.Handling.IMMEDIATE:
        slow = [step.name for step in steps if step.limit_days]
        if slow:
            raise ValidationError(
                {
                    "steps": _(
                        "An immediate item is done in one visit: its steps cannot take working "
                        "days (%(steps)s)."
                    )
                    % {"steps": ", ".join(slow)}
                }
            )
    elif version.promised_limit_days is not None and days > version.promised_limit_days:
        raise ValidationError(
            {
                "steps": _(
                    "The steps take %(days)s working days together, more than the promised "
                    "limit of %(limit)s."
                )
                % {"days": days, "limit": version.promised_limit_days}
            }
        )
