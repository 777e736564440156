"""Writes on the catalogue: drafts, review and publication. Each is atomic and audited.

The way of a version to the public (seed: the legal office reviews the legal basis; the
finance and price bureaus verify fees):

    draft ─submit→ legal review ─pass→ fee review (only with fees) ─pass→ approved ─publish→ published
                         └─return─┐              └─return─┐
                               returned (edit, submit again)

Publishing supersedes the version in force; until then it stays in force. Every step writes a
ReviewRecord (shown on the item's history) and an audit row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.audit.services import record
from onewindow.core.scoping import visible_hall_ids
from onewindow.halls.models import Department, Hall

from .models import Fee, ItemVersion, Material, ReviewRecord, ServiceItem, Step, check_steps
from .search import pinyin_full, pinyin_initials

Status = ItemVersion.Status
Stage = ReviewRecord.Stage
Decision = ReviewRecord.Decision

VERSION_FIELDS = [
    "name",
    "item_type",
    "handling",
    "legal_limit_days",
    "promised_limit_days",
    "is_joint",
    "legal_basis",
    "conditions",
    "result_name",
    "visits_needed",
    "online_available",
    "consult_phone",
    "complaint_phone",
]
MATERIAL_FIELDS = [
    "name",
    "required",
    "originals",
    "copies",
    "form",
    "may_follow_later",
    "blank_form",
    "sample",
    "note",
]
STEP_FIELDS = ["name", "role", "limit_days"]
FEE_FIELDS = [
    "name",
    "amount",
    "standard",
    "basis",
    "waivable",
    "waiver_condition",
    "reduced_amount",
    "reduced_condition",
    "per_copy_amount",
]

# Allowed transitions: action -> (statuses it starts from, status it leads to).
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "submit": ((Status.DRAFT, Status.RETURNED), Status.LEGAL_REVIEW),
    "legal_pass_with_fees": ((Status.LEGAL_REVIEW,), Status.FEE_REVIEW),
    "legal_pass": ((Status.LEGAL_REVIEW,), Status.APPROVED),
    "legal_return": ((Status.LEGAL_REVIEW,), Status.RETURNED),
    "fee_pass": ((Status.FEE_REVIEW,), Status.APPROVED),
    "fee_return": ((Status.FEE_REVIEW,), Status.RETURNED),
    "publish": ((Status.APPROVED,), Status.PUBLISHED),
}


# Fields whose emptiness Model.clean() explains better than "This field cannot be blank".
CLEANED_BY_MODEL = ["version", "basis"]


class CatalogueError(ValidationError):
    """A refused catalogue write, with a translated message for the user."""


@dataclass
class Content:
    """Everything a version says: its fields, halls, materials, steps and fees."""

    fields: dict[str, Any]
    halls: list[Hall]
    materials: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    fees: list[dict[str, Any]] = field(default_factory=list)


def content_of(version: ItemVersion) -> Content:
    """A copy of a version's content, e.g. to start a new draft from it."""
    return Content(
        fields={name: getattr(version, name) for name in VERSION_FIELDS},
        halls=list(version.halls.all()),
        materials=[{f: getattr(m, f) for f in MATERIAL_FIELDS} for m in version.materials.all()],
        steps=[{f: getattr(s, f) for f in STEP_FIELDS} for s in version.steps.all()],
        fees=[{f: getattr(x, f) for f in FEE_FIELDS} for x in version.fees.all()],
    )


def _snapshot(version: ItemVersion) -> dict:
    data = {name: getattr(version, name) for name in VERSION_FIELDS}
    data.update(
        number=version.number,
        status=version.status,
        halls=sorted(version.halls.values_list("code", flat=True)),
        materials=list(version.materials.values_list("name", flat=True)),
        steps=[f"{s.name}:{s.limit_days}" for s in version.steps.all()],
        fees=[f"{f.name}:{f.standard}" for f in version.fees.all()],
    )
    return data


def _audit_hall(version: ItemVersion) -> Hall | None:
    """The hall an audit row belongs to: a sub-centre handling the item, else any hall."""
    halls = sorted(version.halls.all(), key=lambda h: (h.is_centre, h.sort_order, h.code))
    return halls[0] if halls else None


def _build(content: Content, version: ItemVersion | None = None):
    """Unsaved model objects for the content, validated; raises ValidationError."""
    version = version or ItemVersion()
    for name in VERSION_FIELDS:
        if name in content.fields:
            setattr(version, name, content.fields[name])
    errors: dict[str, list] = {}
    try:
        # clean() states the rules the check constraints enforce (and the required legal
        # basis) with better messages than the generic ones.
        version.clean_fields(
            exclude=["item", "number", "status", "halls", "created_by", "legal_basis"]
        )
        version.clean()
    except ValidationError as exc:
        for key, msgs in exc.message_dict.items():
            errors.setdefault(key, []).extend(msgs)
    if not content.halls:
        errors.setdefault("halls", []).append(_("Choose at least one hall that handles the item."))

    def rows(model, items, fields, label):
        built = []
        for n, data in enumerate(items, start=1):
            obj = model(**{k: v for k, v in data.items() if k in fields}, position=n)
            try:
                obj.full_clean(exclude=CLEANED_BY_MODEL)
            except ValidationError as exc:
                for msgs in exc.message_dict.values():
                    for msg in msgs:
                        errors.setdefault(label, []).append(
                            _("%(what)s %(n)s: %(msg)s")
                            % {"what": model._meta.verbose_name.capitalize(), "n": n, "msg": msg}
                        )
            built.append(obj)
        return built

    materials = rows(Material, content.materials, MATERIAL_FIELDS, "materials")
    steps = rows(Step, content.steps, STEP_FIELDS, "steps")
    fees = rows(Fee, content.fees, FEE_FIELDS, "fees")
    if "promised_limit_days" not in errors and "handling" not in errors:
        try:
            check_steps(version, steps)
        except ValidationError as exc:
            for key, msgs in exc.message_dict.items():
                errors.setdefault(key, []).extend(msgs)
    if errors:
        raise ValidationError(errors)
    version.pinyin_initials = pinyin_initials(version.name)
    version.pinyin = pinyin_full(version.name)
    return version, materials, steps, fees


def validate_content(content: Content) -> None:
    """Check content without writing anything (used by the Excel import)."""
    _build(content)


def _check_halls(actor, before: set[int], after: set[int]) -> None:
    """A hall's editor may add or remove only the halls they work in."""
    allowed = visible_hall_ids(actor) if actor is not None else None
    if allowed is None:
        return
    changed = before ^ after
    if changed - allowed:
        raise CatalogueError(
            {"halls": _("You can only add or remove the halls you work in.")}, code="hall_scope"
        )
    if not after & allowed and not before & allowed:
        raise CatalogueError(
            {"halls": _("The item must be handled in one of your halls.")}, code="hall_scope"
        )


def _require(actor, perm: str) -> None:
    if actor is not None and not actor.has_perm(perm):
        raise PermissionDenied


def _write_parts(version: ItemVersion, content: Content, materials, steps, fees) -> None:
    version.halls.set(content.halls)
    version.materials.all().delete()
    version.steps.all().delete()
    version.fees.all().delete()
    for objs in (materials, steps, fees):
        for obj in objs:
            obj.version = version
    Material.objects.bulk_create(materials)
    Step.objects.bulk_create(steps)
    Fee.objects.bulk_create(fees)


def _review(version, stage, decision, actor, opinion: str = "") -> ReviewRecord:
    return ReviewRecord.objects.create(
        version=version,
        stage=stage,
        decision=decision,
        opinion=opinion,
        reviewer=actor if getattr(actor, "pk", None) else None,
        at=timezone.now(),
    )


def _locked(version: ItemVersion) -> ItemVersion:
    return ItemVersion.objects.select_for_update().select_related("item").get(pk=version.pk)


def _move(version: ItemVersion, action: str) -> str:
    """Check the transition table; returns the new status (the row is already locked)."""
    sources, target = TRANSITIONS[action]
    if version.status not in sources:
        raise CatalogueError(
            _("Version %(number)s is %(status)s: this step is not possible now.")
            % {"number": version.number, "status": version.get_status_display()},
            code="bad_transition",
        )
    return target


@transaction.atomic
def create_item(
    *,
    actor,
    implementation_code: str,
    catalogue_code: str,
    department: Department,
    content: Content,
    request=None,
) -> ItemVersion:
    """A new item with its first version, a draft."""
    _require(actor, "catalogue.edit_items")
    item = ServiceItem(
        implementation_code=implementation_code.strip(),
        catalogue_code=catalogue_code.strip().upper(),
        department=department,
    )
    errors = {}
    try:
        item.full_clean(exclude=["published_version", "latest_version"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        version, materials, steps, fees = _build(content)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise CatalogueError(errors)
    _check_halls(actor, set(), {h.pk for h in content.halls})
    item.save()
    version.item = item
    version.number = 1
    version.status = Status.DRAFT
    version.created_by = actor if getattr(actor, "pk", None) else None
    version.save()
    _write_parts(version, content, materials, steps, fees)
    item.latest_version = version
    item.save(update_fields=["latest_version"])
    _review(version, Stage.DRAFTED, Decision.CREATE, actor)
    record(
        actor=actor,
        action="catalogue.item_created",
        obj=version,
        hall=_audit_hall(version),
        after=dict(_snapshot(version), implementation_code=item.implementation_code),
        request=request,
    )
    return version


@transaction.atomic
def save_draft(*, actor, version: ItemVersion, content: Content, request=None) -> ItemVersion:
    """Replace a draft's (or returned version's) content."""
    _require(actor, "catalogue.edit_items")
    version = _locked(version)
    if not version.is_editable:
        raise CatalogueError(
            _("Version %(number)s is %(status)s and can no longer be edited.")
            % {"number": version.number, "status": version.get_status_display()},
            code="not_editable",
        )
    before = _snapshot(version)
    _check_halls(
        actor, set(version.halls.values_list("pk", flat=True)), {h.pk for h in content.halls}
    )
    version, materials, steps, fees = _build(content, version)
    version.save()
    _write_parts(version, content, materials, steps, fees)
    _review(version, Stage.DRAFTED, Decision.SAVE, actor)
    record(
        actor=actor,
        action="catalogue.draft_saved",
        obj=version,
        hall=_audit_hall(version),
        before=before,
        after=_snapshot(version),
        request=request,
    )
    return version


@transaction.atomic
def new_draft_from_published(*, actor, item: ServiceItem, request=None) -> ItemVersion:
    """Start editing a published item: a new draft copying the version in force.

    The published version stays in force (and cases keep using it) until the new one is
    published.
    """
    _require(actor, "catalogue.edit_items")
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    current = item.published_version
    if current is None:
        raise CatalogueError(
            _("This item has no published version to start from."), code="unpublished"
        )
    open_version = item.versions.open().first()
    if open_version is not None:
        raise CatalogueError(
            _("Version %(number)s of this item is already being worked on (%(status)s).")
            % {"number": open_version.number, "status": open_version.get_status_display()},
            code="open_version",
        )
    _check_halls(actor, set(), set(current.halls.values_list("pk", flat=True)))
    content = content_of(current)
    version, materials, steps, fees = _build(content)
    version.item = item
    version.number = (item.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version.status = Status.DRAFT
    version.created_by = actor if getattr(actor, "pk", None) else None
    version.save()
    _write_parts(version, content, materials, steps, fees)
    item.latest_version = version
    item.save(update_fields=["latest_version"])
    _review(
        version,
        Stage.DRAFTED,
        Decision.CREATE,
        actor,
        _("Copied from version %(number)s.") % {"number": current.number},
    )
    record(
        actor=actor,
        action="catalogue.draft_created",
        obj=version,
        hall=_audit_hall(version),
        after=_snapshot(version),
        note=f"from v{current.number}",
        request=request,
    )
    return version


@transaction.atomic
def submit_for_review(*, actor, version: ItemVersion, request=None) -> ItemVersion:
    """Send a draft to the legal office."""
    _require(actor, "catalogue.edit_items")
    version = _locked(version)
    target = _move(version, "submit")
    # The content was valid when saved; check again in case the rules changed since.
    _build(content_of(version), ItemVersion.objects.get(pk=version.pk))
    before = version.status
    version.status = target
    version.save(update_fields=["status"])
    _review(version, Stage.SUBMITTED, Decision.SUBMIT, actor)
    record(
        actor=actor,
        action="catalogue.submitted",
        obj=version,
        hall=_audit_hall(version),
        before={"status": before},
        after={"status": target},
        request=request,
    )
    return version


def authored_by(version: ItemVersion, user) -> bool:
    """Whether ``user`` drafted this version (created it, changed it or submitted it):
    a version is reviewed by someone other than its authors, as in any four-eyes check."""
    if user is None or not getattr(user, "pk", None):
        return False
    if version.created_by_id == user.pk:
        return True
    return version.reviews.filter(
        stage__in=(Stage.DRAFTED, Stage.SUBMITTED), reviewer_id=user.pk
    ).exists()


def _decide(*, actor, version, passed: bool, opinion: str, stage, actions, request) -> ItemVersion:
    if authored_by(version, actor):
        raise CatalogueError(
            _(
                "You drafted or submitted version %(number)s: its review must be done by someone else."
            )
            % {"number": version.number},
            code="own_version",
        )
    opinion = (opinion or "").strip()
    if not passed and not opinion:
        raise CatalogueError(
            {"opinion": _("Say what must change: a returned version needs an opinion.")},
            code="opinion_required",
        )
    pass_action, return_action = actions
    target = _move(version, pass_action if passed else return_action)
    before = version.status
    version.status = target
    version.save(update_fields=["status"])
    _review(version, stage, Decision.PASS if passed else Decision.RETURN, actor, opinion)
    record(
        actor=actor,
        action=f"catalogue.{stage}_{'passed' if passed else 'returned'}",
        obj=version,
        hall=_audit_hall(version),
        before={"status": before},
        after={"status": target, "opinion": opinion},
        request=request,
    )
    return version


@transaction.atomic
def legal_review(
    *, actor, version: ItemVersion, passed: bool, opinion: str = "", request=None
) -> ItemVersion:
    """The legal office passes the legal basis or returns the version with its opinion."""
    _require(actor, "catalogue.review_legal")
    version = _locked(version)
    has_fees = version.fees.exists()
    pass_action = "legal_pass_with_fees" if has_fees else "legal_pass"
    return _decide(
        actor=actor,
        version=version,
        passed=passed,
        opinion=opinion,
        stage=Stage.LEGAL,
        actions=(pass_action, "legal_return"),
        request=request,
    )


@transaction.atomic
def fee_review(
    *, actor, version: ItemVersion, passed: bool, opinion: str = "", request=None
) -> ItemVersion:
    """The fee reviewers verify the fees (standard and basis) of a version that has fees."""
    _require(actor, "catalogue.review_fees")
    version = _locked(version)
    if not version.fees.exists():
        raise CatalogueError(
            _("This version charges no fees: there is nothing to verify."), code="no_fees"
        )
    return _decide(
        actor=actor,
        version=version,
        passed=passed,
        opinion=opinion,
        stage=Stage.FEE,
        actions=("fee_pass", "fee_return"),
        request=request,
    )


def _passed_reviews(version: ItemVersion) -> tuple[bool, bool]:
    """Whether the legal and the fee review passed since the version was last submitted."""
    records = list(version.reviews.order_by("at", "id"))
    last_submit = max(
        (i for i, r in enumerate(records) if r.decision == Decision.SUBMIT), default=-1
    )
    since = records[last_submit + 1 :] if last_submit >= 0 else []
    legal = any(r.stage == Stage.LEGAL and r.decision == Decision.PASS for r in since)
    fee = any(r.stage == Stage.FEE and r.decision == Decision.PASS for r in since)
    return legal, fee


@transaction.atomic
def publish(*, actor, version: ItemVersion, request=None) -> ItemVersion:
    """Put an approved version in force; the version in force until now is superseded."""
    _require(actor, "catalogue.edit_items")
    item = ServiceItem.objects.select_for_update().get(pk=version.item_id)
    version = _locked(version)
    if version.status in (Status.DRAFT, Status.RETURNED, Status.LEGAL_REVIEW):
        raise CatalogueError(
            _("Version %(number)s has not passed legal review and cannot be published.")
            % {"number": version.number},
            code="no_legal_review",
        )
    if version.status == Status.FEE_REVIEW:
        raise CatalogueError(
            _("The fees of version %(number)s have not been verified yet; it cannot be published.")
            % {"number": version.number},
            code="no_fee_review",
        )
    target = _move(version, "publish")
    legal_ok, fee_ok = _passed_reviews(version)
    if not legal_ok:
        raise CatalogueError(
            _("Version %(number)s has not passed legal review and cannot be published.")
            % {"number": version.number},
            code="no_legal_review",
        )
    if version.fees.exists() and not fee_ok:
        raise CatalogueError(
            _("The fees of version %(number)s have not been verified yet; it cannot be published.")
            % {"number": version.number},
            code="no_fee_review",
        )
    previous = item.published_version
    now = timezone.now()
    if previous is not None:
        previous.status = Status.SUPERSEDED
        previous.save(update_fields=["status"])
        _review(
            previous,
            Stage.PUBLISHED,
            Decision.SUPERSEDE,
            actor,
            _("Replaced by version %(number)s.") % {"number": version.number},
        )
    version.status = target
    version.published_at = now
    version.save(update_fields=["status", "published_at"])
    item.published_version = version
    item.latest_version = version
    item.save(update_fields=["published_version", "latest_version"])
    _review(version, Stage.PUBLISHED, Decision.PUBLISH, actor)
    record(
        actor=actor,
        action="catalogue.published",
        obj=version,
        hall=_audit_hall(version),
        before={"version_in_force": previous.number if previous else None},
        after={"version_in_force": version.number, "status": target},
        request=request,
    )
    return version
