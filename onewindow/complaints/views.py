"""The complaint desk of the supervision office, and the hall's view of its complaints.

Thin views: look up through `visible_to` (another hall's complaint is a 404), validate
with a form, call one service, redirect (Post/Redirect/Get). A refused step sends the
browser back to the complaint with the message and the form as it was sent.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.core.http import permission_required
from onewindow.halls.models import Hall

from . import documents, services
from .forms import STEP_FORMS, DeskFilter, StaffComplaintForm, apply_errors
from .models import Complaint

REFUSED_KEY = "complaints_refused_form"


def desk_required(view):
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        if not services.can_view_desk(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def visible(user):
    return Complaint.objects.visible_to(user)


@desk_required
def desk(request):
    """The list with its filters and the counts per status (the office sees every hall,
    hall staff their own halls)."""
    today = timezone.localdate()
    base = visible(request.user)
    halls = Hall.objects.visible_to(request.user)
    form = DeskFilter(request.GET or None, halls=halls)
    rows = base
    if form.is_valid():
        f = form.cleaned_data
        if f["status"]:
            rows = rows.filter(status=f["status"])
        if f["hall"]:
            rows = rows.filter(hall=f["hall"])
        if f["channel"]:
            rows = rows.filter(channel=f["channel"])
        if f["category"]:
            rows = rows.filter(category=f["category"])
        if f["overdue"]:
            rows = rows.overdue(today)
    overdue_ids = set(base.overdue(today).values_list("pk", flat=True))
    counts = base.aggregate(
        total=Count("pk"),
        **{s: Count("pk", filter=Q(status=s)) for s in Complaint.Status.values},
    )
    counts["overdue"] = len(overdue_ids)
    page = list(rows.for_list()[:200])
    for c in page:
        c.overdue = c.pk in overdue_ids
    return render(
        request,
        "complaints/desk.html",
        {
            "form": form,
            "complaints": page,
            "counts": counts,
            "statuses": Complaint.Status.choices,
            "is_office": services.is_office(request.user),
            "today": today,
        },
    )


@permission_required("complaints.manage_complaints")
def register_view(request):
    """Staff registration of a complaint received by phone, letter, on site or hotline."""
    form = StaffComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.service_arguments()
        if data.get("external_id"):
            data["source_system"] = "12345"
        try:
            complaint = services.register(**data, actor=request.user, request=request)
        except services.ComplaintInvalid as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Registered complaint %(number)s (query code %(code)s).")
                % {"number": complaint.number, "code": complaint.query_code},
            )
            return redirect("complaints:detail", complaint.number)
    return render(
        request,
        "complaints/register.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


def _complaint_for(request, number: str) -> Complaint:
    try:
        return (
            visible(request.user)
            .select_related(
                "hall",
                "category",
                "assigned_to",
                "registered_by",
                "subject_case",
                "subject_window",
                "subject_staff",
            )
            .get(number=number)
        )
    except Complaint.DoesNotExist:
        raise Http404("no such complaint") from None


def _forms(request, complaint: Complaint, refused: dict | None):
    forms = {}
    for action in services.offered(request.user, complaint):
        kwargs = {}
        if action == "assign":
            kwargs["handlers"] = services.handlers_for(complaint)
        initial = {"version": complaint.version}
        if action in ("findings",) and complaint.finding:
            initial.update(
                finding=complaint.finding,
                staff_action=complaint.staff_action,
                note=complaint.investigation_note,
            )
        if refused and refused.get("action") == action:
            data = {**refused["data"], "version": complaint.version}
            forms[action] = STEP_FORMS[action](data, **kwargs)
        else:
            forms[action] = STEP_FORMS[action](initial=initial, **kwargs)
    return forms


@desk_required
def detail(request, number: str):
    complaint = _complaint_for(request, number)
    refused = request.session.pop(REFUSED_KEY, None)
    if refused and refused.get("number") != complaint.number:
        refused = None
    return render(
        request,
        "complaints/detail.html",
        {
            "complaint": complaint,
            "steps": complaint.steps.select_related("actor"),
            "forms": _forms(request, complaint, refused),
            "handles": complaint.is_handled_by(request.user),
            "revealed": None,
            "letters": documents.available(complaint),
            "overdue": complaint.is_overdue(),
            "verbs": services.ACTION_VERBS,
        },
    )


@require_POST
@desk_required
def act(request, number: str, action: str):
    """One step of the complaint, from its form on the detail page."""
    complaint = _complaint_for(request, number)
    if action not in STEP_FORMS:
        raise Http404("no such step")
    if not services.may_act(request.user, complaint, action):
        raise PermissionDenied
    kwargs = {"handlers": services.handlers_for(complaint)} if action == "assign" else {}
    form = STEP_FORMS[action](request.POST, **kwargs)
    url = reverse("complaints:detail", args=[complaint.number])
    sent = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    if not form.is_valid():
        request.session[REFUSED_KEY] = {"number": complaint.number, "action": action, "data": sent}
        messages.error(request, _("Check the form: %(errors)s") % {"errors": _errors(form)})
        return redirect(url)
    data = dict(form.cleaned_data)
    version = data.pop("version")
    try:
        if action == "reopen":
            services.reopen(
                actor=request.user,
                complaint=complaint,
                reason=data["reason"],
                expected_version=version,
                request=request,
            )
        else:
            services.ACTIONS[action](
                actor=request.user,
                complaint=complaint,
                expected_version=version,
                request=request,
                **data,
            )
    except services.ComplaintError as exc:
        request.session[REFUSED_KEY] = {"number": complaint.number, "action": action, "data": sent}
        messages.error(request, exc.message)
        return redirect(url)
    messages.success(
        request,
        _("Complaint %(number)s %(verb)s.")
        % {"number": complaint.number, "verb": services.ACTION_VERBS[action]},
    )
    return redirect(url)


def _errors(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


@require_POST
@desk_required
def reveal(request, number: str):
    """The complainant's full contact details, for those handling the complaint (audited)."""
    complaint = _complaint_for(request, number)
    try:
        shown = services.reveal_contact(actor=request.user, complaint=complaint, request=request)
    except services.NotPermitted as exc:
        raise PermissionDenied(exc.message) from None
    return render(request, "complaints/_contact.html", {"complaint": complaint, "revealed": shown})


@desk_required
def letter(request, number: str, kind: str):
    complaint = _complaint_for(request, number)
    if kind not in documents.available(complaint):
        raise Http404("no such letter")
    pdf, _pages = documents.render_letter(complaint, kind)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="{documents.download_name(complaint, kind)}"'
    )
    return response
