"""Writes of the conduct app: the code, appointments, visits, findings and their review.

Each function is one transaction with one audit row. Invalid input raises a translated
`ValidationError` (by field where there is one) and writes nothing. A bad finding is
decided once: the row is locked and its status checked, so a second decision, even a
simultaneous one, is refused.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.roles import Role
from onewindow.audit.services import record

from .models import (
    ConductClause,
    ConductRecord,
    Finding,
    FindingPhoto,
    ObserverProfile,
    Visit,
)
from .uploads import MAX_PHOTOS, validate_photo

CLAUSE_FIELDS = ("code", "chapter", "chapter_en", "text", "text_en", "sort", "active")
PROFILE_FIELDS = ("organisation", "affiliation", "term_from", "term_to", "active")


def _snapshot(obj, fields) -> dict:
    return {f: getattr(obj, f) for f in fields}


# ------------------------------------------------------------------ who may do what


def can_view_file(viewer, staff) -> bool:
    """Whether ``viewer`` may read the conduct file of ``staff``: the staff member, the
    supervision office and the centre (every file), and a hall manager for the staff of
    their own halls."""
    if not viewer.is_authenticated or not viewer.is_active:
        return False
    if viewer.pk == staff.pk:
        return True
    if not viewer.has_perm("conduct.view_conduct_files"):
        return False
    if viewer.sees_all_halls:
        return True
    if not viewer.has_role(Role.HALL_MANAGER):
        return False
    return staff.halls.filter(pk__in=viewer.hall_id_set).exists()


def current_profile(user, day=None) -> ObserverProfile | None:
    """The appointment under which ``user`` observes on ``day``, if any."""
    return ObserverProfile.objects.serving(day).filter(user=user).first()


def visits_for(user):
    """The visits a user may open: observers their own, the office those of its halls."""
    if user.has_perm("conduct.review_findings"):
        return Visit.objects.visible_to(user)
    if user.has_perm("conduct.record_visits"):
        return Visit.objects.of_observer(user)
    return Visit.objects.none()


# ------------------------------------------------------------------------- the code


@transaction.atomic
def save_clause(*, actor, clause: ConductClause, request=None) -> ConductClause:
    """Add or change a clause of the code (the centre administrator)."""
    if not actor.has_perm("conduct.manage_code"):
        raise PermissionDenied
    creating = clause.pk is None
    before = None
    if not creating:
        before = _snapshot(ConductClause.objects.get(pk=clause.pk), CLAUSE_FIELDS)
    clause.full_clean()
    clause.save()
    record(
        actor=actor,
        action="conduct.clause_created" if creating else "conduct.clause_changed",
        obj=clause,
        before=before,
        after=_snapshot(clause, CLAUSE_FIELDS),
        request=request,
    )
    return clause


# ------------------------------------------------------------------- appointments


@transaction.atomic
def save_observer_profile(*, actor, profile: ObserverProfile, request=None) -> ObserverProfile:
    """Appoint an observer or change the appointment (the centre administrator). The user
    must hold the conduct observer role."""
    if not actor.has_perm("conduct.manage_observers"):
        raise PermissionDenied
    if not profile.user.has_role(Role.CONDUCT_OBSERVER):
        raise ValidationError(
            {"user": _("Give this account the conduct observer role first (Staff page).")}
        )
    creating = profile.pk is None
    before = None
    if not creating:
        before = _snapshot(ObserverProfile.objects.get(pk=profile.pk), PROFILE_FIELDS)
    profile.full_clean()
    profile.save()
    record(
        actor=actor,
        action="conduct.observer_appointed" if creating else "conduct.observer_changed",
        obj=profile,
        object_repr=profile.user.username,
        before=before,
        after=_snapshot(profile, PROFILE_FIELDS),
        request=request,
    )
    return profile


# ------------------------------------------------------------------------- visits


@transaction.atomic
def record_visit(*, actor, hall, visited_at, windows=(), summary: str = "", request=None) -> Visit:
    """An observer records a visit, in their term and not in the future."""
    if not actor.has_perm("conduct.record_visits"):
        raise PermissionDenied
    day = timezone.localdate(visited_at)
    if visited_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"visited_at": _("A visit cannot be in the future.")})
    if current_profile(actor, day) is None:
        raise ValidationError(
            _("You hold no appointment as conduct observer on %(day)s.") % {"day": day}
        )
    windows = list(windows)
    if any(w.hall_id != hall.pk for w in windows):
        raise ValidationError({"windows": _("Choose windows of the hall visited.")})
    visit = Visit.objects.create(
        observer=actor, hall=hall, visited_at=visited_at, summary=summary.strip()
    )
    visit.windows.set(windows)
    record(
        actor=actor,
        action="conduct.visit_recorded",
        obj=visit,
        after={
            "visited_at": visited_at,
            "windows": [w.number for w in windows],
            "summary": visit.summary,
        },
        request=request,
    )
    return visit


@transaction.atomic
def add_finding(
    *,
    actor,
    visit: Visit,
    clause: ConductClause | None,
    kind: str,
    description: str,
    window=None,
    staff=None,
    photos=(),
    request=None,
) -> Finding:
    """An observer adds a finding to their own visit. The clause must be in force, the
    window and staff member of the hall visited, the photos real JPEG or PNG files."""
    if visit.observer_id != actor.pk or not actor.has_perm("conduct.record_visits"):
        raise PermissionDenied
    errors: dict[str, list] = {}
    if clause is None:
        errors["clause"] = [_("Choose the clause of the code this finding is about.")]
    elif not clause.active:
        errors["clause"] = [
            _("Clause %(code)s is no longer in force: choose a clause of the current code.")
            % {"code": clause.code}
        ]
    if kind not in Finding.Kind.values:
        errors["kind"] = [_("Say whether this is good practice or a shortcoming.")]
    if not (description or "").strip():
        errors["description"] = [_("Describe what you saw.")]
    if window is not None and window.hall_id != visit.hall_id:
        errors["window"] = [_("Choose a window of the hall visited.")]
    if staff is not None and not staff.halls.filter(pk=visit.hall_id).exists():
        errors["staff"] = [_("Choose a staff member of the hall visited.")]
    photos = list(photos)
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = [_("At most %(n)d photos per finding.") % {"n": MAX_PHOTOS}]
    else:
        for photo in photos:
            try:
                validate_photo(photo)
            except ValidationError as exc:
                errors.setdefault("photos", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    finding = Finding.objects.create(
        visit=visit,
        clause=clause,
        kind=kind,
        window=window,
        staff=staff,
        description=description.strip(),
        status=(Finding.Status.PENDING if kind == Finding.Kind.NEGATIVE else Finding.Status.NOTED),
    )
    for photo in photos:
        FindingPhoto.objects.create(
            finding=finding,
            file=photo,
            original_name=(photo.name or "photo")[:200],
            content_type=validate_photo(photo),
            size=photo.size,
        )
    record(
        actor=actor,
        action="conduct.finding_added",
        obj=finding,
        hall=visit.hall,
        after={
            "visit": visit.pk,
            "clause": clause.code,
            "kind": kind,
            "window": window.number if window else None,
            "staff": staff.username if staff else None,
            "description": finding.description,
            "photos": len(photos),
        },
        request=request,
    )
    return finding


# ------------------------------------------------------------------------- review


def _lock_pending(actor, finding: Finding) -> Finding:
    """The finding, locked, if the actor may decide it and it is still undecided."""
    if not actor.has_perm("conduct.review_findings"):
        raise PermissionDenied
    locked = Finding.objects.select_for_update().select_related("visit__hall").get(pk=finding.pk)
    if locked.kind != Finding.Kind.NEGATIVE:
        raise ValidationError(_("A good-practice finding needs no decision."))
    if locked.status != Finding.Status.PENDING:
        raise ValidationError(
            _("This finding has already been decided: %(status)s.")
            % {"status": locked.get_status_display()}
        )
    return locked


def _decide(actor, finding: Finding, status: str, note: str, action: str, request, **after):
    before = {"status": finding.status}
    finding.status = status
    finding.reviewed_by = actor
    finding.reviewed_at = timezone.now()
    finding.review_note = note
    finding.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    record(
        actor=actor,
        action=action,
        obj=finding,
        hall=finding.visit.hall,
        before=before,
        after={"status": status, "note": note, **after},
        request=request,
    )


@transaction.atomic
def dismiss_finding(*, actor, finding: Finding, reason: str, request=None) -> Finding:
    """The office finds nothing to act on; the reason is kept."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for dismissing the finding.")})
    finding = _lock_pending(actor, finding)
    _decide(actor, finding, Finding.Status.DISMISSED, reason, "conduct.finding_dismissed", request)
    return finding


@transaction.atomic
def record_conduct(
    *, actor, finding: Finding, staff=None, note: str, request=None
) -> ConductRecord:
    """Enter the finding on the conduct file of the staff member it names (or the one the
    office identified, who must belong to the hall visited)."""
    note = (note or "").strip()
    finding = _lock_pending(actor, finding)
    staff = staff or finding.staff
    errors = {}
    if staff is None:
        errors["staff"] = [_("Name the staff member whose file this goes on.")]
    elif not staff.halls.filter(pk=finding.visit.hall_id).exists():
        errors["staff"] = [_("Choose a staff member of the hall visited.")]
    if not note:
        errors["note"] = [_("Write a note for the conduct file.")]
    if errors:
        raise ValidationError(errors)
    entry = ConductRecord.objects.create(
        staff=staff,
        hall=finding.visit.hall,
        clause=finding.clause,
        date=timezone.localdate(finding.visit.visited_at),
        finding=finding,
        note=note,
        recorded_by=actor,
    )
    if finding.staff_id != staff.pk:
        finding.staff = staff
        finding.save(update_fields=["staff"])
    _decide(
        actor,
        finding,
        Finding.Status.RECORDED,
        note,
        "conduct.finding_recorded",
        request,
        staff=staff.username,
        record=entry.pk,
    )
    return entry


# ------------------------------------------------------------------ to a complaint

# The complaint category a breach of each chapter of the seeded code falls under (by the
# clause code's first part); the office may choose another.
CHAPTER_CATEGORIES = {
    "1": "discipline",
    "2": "attitude",
    "3": "attitude",
    "4": "discipline",
    "5": "attitude",
    "6": "integrity",
}
CLAUSE_CATEGORIES = {"3.2": "not_accepted", "3.3": "overdue", "3.4": "fees"}
DEFAULT_CATEGORY = "discipline"
COMPLAINT_SOURCE = "conduct"


def category_for_clause(clause: ConductClause) -> str:
    return CLAUSE_CATEGORIES.get(clause.code) or CHAPTER_CATEGORIES.get(
        clause.code.split(".")[0], DEFAULT_CATEGORY
    )


def complaint_content(finding: Finding) -> str:
    """The complaint's text: the clause broken and what the observer saw."""
    visit = finding.visit
    when = timezone.localtime(visit.visited_at).strftime("%Y-%m-%d %H:%M")
    return (
        f"【行风监督员 {visit.observer} {when} 暗访 {visit.hall}】"
        f"违反《统一人员行为规范》第 {finding.clause.code} 条：{finding.clause.text}\n"
        f"{finding.description}"
    )


@transaction.atomic
def turn_into_complaint(*, actor, finding: Finding, category=None, note: str = "", request=None):
    """Register the finding as a complaint through the complaints service (channel:
    conduct observer; the observer is the complainant), and link the two. The finding's
    key (`source_system` "conduct", `external_id` "finding-<id>") registers it once."""
    from onewindow.complaints import services as complaints
    from onewindow.complaints.models import Complaint

    note = (note or "").strip()
    finding = _lock_pending(actor, finding)
    visit = finding.visit
    try:
        complaint = complaints.register(
            category=category or category_for_clause(finding.clause),
            channel=Complaint.Channel.OBSERVER,
            content=complaint_content(finding) + (f"\n{note}" if note else ""),
            hall=visit.hall,
            window=finding.window,
            staff=finding.staff,
            complainant_name=str(visit.observer),
            complainant_phone=visit.observer.phone,
            source_system=COMPLAINT_SOURCE,
            external_id=f"finding-{finding.pk}",
            actor=actor,
            at=timezone.now(),
            request=request,
        )
    except complaints.ComplaintInvalid as exc:
        raise ValidationError(exc.messages()) from exc
    finding.complaint = complaint
    finding.save(update_fields=["complaint"])
    _decide(
        actor,
        finding,
        Finding.Status.COMPLAINT,
        note,
        "conduct.finding_to_complaint",
        request,
        complaint=complaint.number,
    )
    return complaint


def complaint_of(finding: Finding) -> dict | None:
    """The complaint a finding became, with the staff page that shows it (if there is one)."""
    if finding.complaint_id is None:
        return None
    from django.urls import NoReverseMatch, reverse

    complaint = finding.complaint
    try:
        url = reverse("complaints:detail", kwargs={"number": complaint.number})
    except NoReverseMatch:
        url = ""
    return {"url": url, "label": _("Complaint %(number)s") % {"number": complaint.number}}
