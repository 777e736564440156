"""Pages of the joint meetings: the list, a meeting with its decisions, and the steps of
a decision's follow-up. Thin: look up through `visible_to`, validate, call one service."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.core.http import permission_required

from . import services
from .forms import DecisionForm, MeetingForm, NoteForm
from .models import Decision, Meeting

ACTIONS = ("progress", "done", "verify", "return", "cancel")


def _errors(exc: ValidationError) -> list[str]:
    return exc.messages


@permission_required("meetings.view_meetings")
def meeting_list(request):
    """The meetings a person may read, and the decisions of their halls still open."""
    meetings = Meeting.objects.visible_to(request.user).prefetch_related("halls")
    decisions = (
        Decision.objects.visible_to(request.user)
        .exclude(status=Decision.Status.CANCELLED)
        .filter(verified_at__isnull=True)
        .select_related("meeting", "owner_hall")
        .order_by("due_on", "pk")
    )
    return render(
        request,
        "meetings/list.html",
        {"meetings": meetings, "decisions": decisions, "today": timezone.localdate()},
    )


@permission_required("meetings.manage_meetings")
def meeting_new(request):
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.create_meeting(
                actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("The meeting was recorded: now add its decisions."))
            return redirect("meetings:detail", meeting.pk)
    return render(request, "meetings/meeting_form.html", {"form": form})


@permission_required("meetings.view_meetings")
def meeting_detail(request, pk, decision_form=None):
    meeting = get_object_or_404(
        Meeting.objects.visible_to(request.user).prefetch_related("halls", "attendees"), pk=pk
    )
    decisions = meeting.decisions.select_related("owner_hall").prefetch_related("notes__author")
    mine = request.user.hall_id_set
    return render(
        request,
        "meetings/meeting.html",
        {
            "meeting": meeting,
            "decisions": decisions,
            "my_hall_ids": mine if request.user.has_perm("meetings.report_progress") else set(),
            "can_manage": request.user.has_perm("meetings.manage_meetings"),
            "decision_form": decision_form or DecisionForm(),
        },
    )


@require_POST
@permission_required("meetings.manage_meetings")
def decision_add(request, pk):
    meeting = get_object_or_404(Meeting.objects.visible_to(request.user), pk=pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.add_decision(
                actor=request.user, meeting=meeting, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            messages.success(request, _("The decision was added."))
            return redirect("meetings:detail", meeting.pk)
    return meeting_detail(request, meeting.pk, decision_form=form)


@require_POST
@permission_required("meetings.view_meetings")
def decision_action(request, pk, action):
    """A step on a decision: the owner hall's manager (progress, done) or the centre
    (verify, return, cancel). Another hall's decision is a 404."""
    if action not in ACTIONS:
        raise Http404
    user = request.user
    centre_step = action in ("verify", "return", "cancel")
    perm = "meetings.manage_meetings" if centre_step else "meetings.report_progress"
    if not user.has_perm(perm):
        raise PermissionDenied
    decisions = (
        Decision.objects.visible_to(user)
        if centre_step
        else Decision.objects.filter(owner_hall__in=user.hall_id_set)
    )
    decision = get_object_or_404(decisions.select_related("meeting", "owner_hall"), pk=pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The form was incomplete: nothing was saved."))
        return redirect("meetings:detail", decision.meeting_id)
    note, version = form.cleaned_data["note"], form.cleaned_data["version"]
    kwargs = {"actor": user, "decision": decision, "version": version, "request": request}
    try:
        if action in ("progress", "done"):
            services.report_progress(note=note, done=action == "done", **kwargs)
        elif action == "cancel":
            services.cancel_decision(note=note, **kwargs)
        else:
            services.verify_decision(accept=action == "verify", note=note, **kwargs)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Saved."))
    return redirect(f"{decision.meeting.get_absolute_url()}#decision-{decision.pk}")
