"""Pages of the code of conduct, the observers and the supervision office's review.

The code is public (办事公开: citizens may read what staff promise). An observer sees their
own visits only; the office sees the findings of the halls it sees; a conduct file is read
by its staff member, the office, the centre and the staff member's hall manager.
"""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.accounts.models import User
from onewindow.audit.services import record
from onewindow.core.http import permission_required

from . import services
from .forms import (
    ClauseForm,
    ComplaintForm,
    DismissForm,
    FindingFilterForm,
    FindingForm,
    ObserverProfileForm,
    RecordForm,
    VisitForm,
)
from .models import ConductClause, ConductRecord, Finding, FindingPhoto, ObserverProfile, Visit

PAGE_SIZE = 50


def _apply_errors(form, exc: ValidationError) -> None:
    """Show a service's refusal on the form: by field where it names one."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# ------------------------------------------------------------------------- the code


def code(request):
    """The code of conduct by chapter: what every member of staff promises."""
    manager = request.user.is_authenticated and request.user.has_perm("conduct.manage_code")
    clauses = ConductClause.objects.all() if manager else ConductClause.objects.in_force()
    chapters = [
        (chapter, list(items)) for chapter, items in groupby(clauses, key=lambda c: c.local_chapter)
    ]
    return render(request, "conduct/code.html", {"chapters": chapters, "can_edit": manager})


@permission_required("conduct.manage_code")
def clause_edit(request, clause=None):
    instance = get_object_or_404(ConductClause, code=clause) if clause else ConductClause()
    form = ClauseForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_clause(
                actor=request.user, clause=form.save(commit=False), request=request
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The code of conduct was saved."))
            return redirect("conduct:code")
    return render(request, "conduct/clause_form.html", {"form": form, "clause": instance})


# ------------------------------------------------------------------- appointments


@permission_required("conduct.manage_observers")
def observers(request):
    profiles = ObserverProfile.objects.select_related("user").annotate(
        visit_count=Count("user__conduct_visits", distinct=True)
    )
    return render(request, "conduct/observers.html", {"profiles": profiles})


@permission_required("conduct.manage_observers")
def observer_edit(request, observer=None):
    instance = (
        get_object_or_404(ObserverProfile.objects.select_related("user"), user__username=observer)
        if observer
        else ObserverProfile()
    )
    form = ObserverProfileForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_observer_profile(
                actor=request.user, profile=form.save(commit=False), request=request
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The appointment was saved."))
            return redirect("conduct:observers")
    return render(request, "conduct/observer_form.html", {"form": form, "profile": instance})


# ------------------------------------------------------------------------- visits


@permission_required("conduct.record_visits")
def visits(request):
    """An observer's own visits, newest first."""
    qs = (
        Visit.objects.of_observer(request.user)
        .select_related("hall")
        .annotate(
            finding_count=Count("findings"),
            negative_count=Count("findings", filter=Q(findings__kind=Finding.Kind.NEGATIVE)),
        )
        .order_by("-visited_at", "-id")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "conduct/visits.html",
        {"page": page, "profile": services.current_profile(request.user)},
    )


@permission_required("conduct.record_visits")
def visit_new(request):
    form = VisitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit = services.record_visit(
                actor=request.user,
                hall=data["hall"],
                visited_at=data["visited_at"],
                windows=data.get("window_objects", []),
                summary=data["summary"],
                request=request,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The visit was recorded. Add what you found."))
            return redirect("conduct:visit", pk=visit.pk)
    return render(request, "conduct/visit_form.html", {"form": form})


def _visit_for(user, pk) -> Visit:
    if not (user.has_perm("conduct.record_visits") or user.has_perm("conduct.review_findings")):
        raise PermissionDenied
    return get_object_or_404(services.visits_for(user).select_related("hall", "observer"), pk=pk)


def _visit_page(request, visit, form, status=200):
    findings = visit.findings.select_related("clause", "window", "staff").prefetch_related("photos")
    return render(
        request,
        "conduct/visit.html",
        {
            "visit": visit,
            "findings": findings,
            "windows": visit.windows.order_by("number"),
            "form": form,
            "is_observer": visit.observer_id == request.user.pk,
        },
        status=status,
    )


@login_required
def visit(request, pk):
    visit = _visit_for(request.user, pk)
    form = FindingForm(hall=visit.hall) if visit.observer_id == request.user.pk else None
    return _visit_page(request, visit, form)


@login_required
@require_POST
def finding_add(request, pk):
    visit = _visit_for(request.user, pk)
    if visit.observer_id != request.user.pk:
        raise Http404
    form = FindingForm(request.POST, request.FILES, hall=visit.hall)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_finding(
                actor=request.user,
                visit=visit,
                clause=data["clause"],
                kind=data["kind"],
                description=data["description"],
                window=data["window"],
                staff=data["staff"],
                photos=data["photos"],
                request=request,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The finding was recorded."))
            return redirect("conduct:visit", pk=visit.pk)
    if form.errors.get("photos") is not None:
        form.add_error(None, _("Choose the photos again: a browser never sends them twice."))
    return _visit_page(request, visit, form, status=400)


@login_required
def photo(request, pk):
    """A photo, to the observer who took it and the office; every view is audited."""
    item = get_object_or_404(FindingPhoto.objects.select_related("finding__visit__hall"), pk=pk)
    visit = item.finding.visit
    if not services.visits_for(request.user).filter(pk=visit.pk).exists():
        if not (
            request.user.has_perm("conduct.record_visits")
            or request.user.has_perm("conduct.review_findings")
        ):
            raise PermissionDenied
        raise Http404
    record(
        actor=request.user,
        action="conduct.photo_viewed",
        obj=item.finding,
        hall=visit.hall,
        after={"photo": item.pk},
        request=request,
    )
    return FileResponse(
        item.file.open("rb"), content_type=item.content_type, filename=item.original_name
    )


# ------------------------------------------------------------------------- review


@permission_required("conduct.review_findings")
def findings(request):
    """The office's queue: bad findings, the undecided first."""
    params = request.GET.copy()
    if "status" not in params:
        params["status"] = Finding.Status.PENDING
    form = FindingFilterForm(params, user=request.user)
    qs = (
        Finding.objects.visible_to(request.user)
        .filter(kind=Finding.Kind.NEGATIVE)
        .select_related("clause", "visit__hall", "visit__observer", "window", "staff")
        .order_by("-created_at", "-id")
    )
    if form.is_valid():
        if form.cleaned_data["status"]:
            qs = qs.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["hall"]:
            qs = qs.filter(visit__hall=form.cleaned_data["hall"])
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    pending = Finding.objects.visible_to(request.user).pending().count()
    query = params.copy()
    query.pop("page", None)
    return render(
        request,
        "conduct/findings.html",
        {"page": page, "form": form, "pending": pending, "query": query.urlencode()},
    )


def _finding_for(user, pk) -> Finding:
    return get_object_or_404(
        Finding.objects.visible_to(user).select_related(
            "clause", "visit__hall", "visit__observer", "window", "staff", "reviewed_by"
        ),
        pk=pk,
    )


def _finding_page(request, finding, forms=None, status=200):
    forms = forms or {}
    if finding.is_pending:
        forms.setdefault("complaint", ComplaintForm(finding=finding))
        forms.setdefault("record", RecordForm(finding=finding))
        forms.setdefault("dismiss", DismissForm())
    return render(
        request,
        "conduct/finding.html",
        {
            "finding": finding,
            "photos": finding.photos.all(),
            "conduct_record": ConductRecord.objects.filter(finding=finding).first(),
            "forms": forms,
            "complaint": services.complaint_of(finding),
        },
        status=status,
    )


@permission_required("conduct.review_findings")
def finding(request, pk):
    return _finding_page(request, _finding_for(request.user, pk))


REVIEW_ACTIONS = ("complaint", "record", "dismiss")


@permission_required("conduct.review_findings")
@require_POST
def finding_action(request, pk, action):
    finding = _finding_for(request.user, pk)
    if action not in REVIEW_ACTIONS:
        raise Http404
    if action == "dismiss":
        form = DismissForm(request.POST)
    elif action == "record":
        form = RecordForm(request.POST, finding=finding)
    else:
        form = ComplaintForm(request.POST, finding=finding)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "dismiss":
                services.dismiss_finding(
                    actor=request.user, finding=finding, reason=data["reason"], request=request
                )
                messages.success(request, _("The finding was dismissed."))
            elif action == "record":
                services.record_conduct(
                    actor=request.user,
                    finding=finding,
                    staff=data["staff"],
                    note=data["note"],
                    request=request,
                )
                messages.success(request, _("The finding was entered on the conduct file."))
            else:
                services.turn_into_complaint(
                    actor=request.user,
                    finding=finding,
                    category=data["category"],
                    note=data["note"],
                    request=request,
                )
                messages.success(request, _("The finding was registered as a complaint."))
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return redirect("conduct:finding", pk=finding.pk)
    finding.refresh_from_db()
    return _finding_page(request, finding, {action: form}, status=400)


# ------------------------------------------------------------------- conduct files


def _file_page(request, staff):
    entries = (
        ConductRecord.objects.filter(staff=staff)
        .select_related("clause", "hall", "recorded_by", "finding__visit")
        .order_by("-date", "-id")
    )
    return render(request, "conduct/file.html", {"staff": staff, "entries": entries})


@login_required
def conduct_file(request, username):
    staff = User.objects.filter(username=username).first()
    if staff is None or not services.can_view_file(request.user, staff):
        if not request.user.has_perm("conduct.view_conduct_files"):
            raise PermissionDenied
        raise Http404
    return _file_page(request, staff)


@login_required
def my_file(request):
    return _file_page(request, request.user)
