"""Pages of the follow-ups: the queue of a hall, a follow-up with its step forms, the
hall's number of working days to fix, and the rater's public page.

Views are thin: look the follow-up up through `visible_to` (another hall's is a 404),
validate the form, call one service, redirect (Post/Redirect/Get). A refused step shows
the page again with the form as it was sent and the reason, changing nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case as Choose
from django.db.models import IntegerField, Q, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.core.http import permission_required
from onewindow.halls.models import Hall
from onewindow.ratings.reasons import label as reason_label

from . import services
from .forms import STEP_FORMS, FixDaysForm, QueueFilterForm, RerateForm
from .models import ACTION_LABELS, FollowUp

PAGE_SIZE = 50
VIEW_PERM = "followups.view_followup"

STEP_LABELS = ACTION_LABELS


def queue_rows(user, form: QueueFilterForm, today):
    """The follow-ups the user sees, filtered; overdue ones first, then by due date."""
    qs = FollowUp.objects.visible_to(user).select_related("hall", "owner", "case", "rating")
    data = form.cleaned_data if form.is_valid() else {}
    state = data.get("state") or ""
    if state == "":
        qs = qs.open()
    elif state == "overdue":
        qs = qs.overdue(today)
    elif state != "all":
        qs = qs.filter(state=state)
    if data.get("hall"):
        qs = qs.filter(hall=data["hall"])
    overdue = Q(state=FollowUp.State.OPEN, callback_due__lt=today) | Q(
        state=FollowUp.State.FIXING, fix_due__lt=today
    )
    return qs.annotate(
        overdue_rank=Choose(
            When(overdue, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    ).order_by("overdue_rank", "callback_due", "pk")


@permission_required(VIEW_PERM)
def queue(request):
    form = QueueFilterForm(request.GET or None, user=request.user)
    today = timezone.localdate()
    page = Paginator(queue_rows(request.user, form, today), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "followups/queue.html",
        {
            "form": form,
            "page": page,
            "today": today,
            "can_set_days": request.user.has_perm("halls.manage_halls"),
        },
    )


def _followup_for(user, pk: int) -> FollowUp:
    return get_object_or_404(
        FollowUp.objects.visible_to(user).select_related(
            "hall", "owner", "case", "rating", "rating__window", "rating__staff"
        ),
        pk=pk,
    )


def offered_steps(user, fu: FollowUp) -> list[str]:
    """The steps the transitions table allows now and the user may take."""
    steps = []
    if services.can_handle(user, fu):
        steps += [a for a in services.STEP_SERVICES if fu.allows(a)]
    if fu.allows("uphold_appeal") and services.can_decide_appeal(user):
        steps.append("decide_appeal")
    if fu.allows("reassign") and services.manages_hall(user, fu.hall_id):
        steps.append("reassign")
    return steps


def _form(action: str, fu: FollowUp, data=None):
    form_class = STEP_FORMS[action]
    kwargs = {"initial": {"version": fu.version}}
    if action == "reassign":
        kwargs["owners"] = services.owner_choices(fu.hall)
        kwargs["initial"]["owner"] = fu.owner_id
    if action == "report_back":
        kwargs["initial"]["text"] = fu.answer_note
    if action == "fix_by":
        try:
            kwargs["initial"]["due"] = services.fix_limit(fu.hall)
        except services.CalendarMissing:
            pass
    return form_class(data, prefix=action, **kwargs)


def case_url(case) -> str | None:
    if case is None:
        return None
    try:
        return reverse("cases:detail", kwargs={"number": case.number})
    except NoReverseMatch:
        return None


def _detail(request, fu: FollowUp, *, bound=None, error: str = "", status: int = 200):
    steps = offered_steps(request.user, fu)
    forms = []
    for action in steps:
        form = bound[1] if bound and bound[0] == action else _form(action, fu)
        forms.append({"action": action, "label": STEP_LABELS[action], "form": form})
    return render(
        request,
        "followups/detail.html",
        {
            "fu": fu,
            "rating": fu.rating,
            "reasons": [reason_label(code) for code in fu.rating.reasons],
            "forms": forms,
            "error": error,
            "events": fu.events.select_related("actor"),
            "overdue": fu.is_overdue(),
            "case_url": case_url(fu.case),
            "public_url": reverse("followups_public:detail", args=[fu.token]),
        },
        status=status,
    )


@permission_required(VIEW_PERM)
def detail(request, pk: int):
    return _detail(request, _followup_for(request.user, pk))


@require_POST
@permission_required(VIEW_PERM)
def step(request, pk: int, action: str):
    fu = _followup_for(request.user, pk)
    if action not in STEP_FORMS:
        raise Http404
    if action not in offered_steps(request.user, fu):
        # Not the user's to take (403) or not allowed in this state (409): say why.
        allowed_now = (
            action in ("decide_appeal",)
            and fu.allows("uphold_appeal")
            or (action in FollowUp.TRANSITIONS and fu.allows(action))
        )
        if allowed_now:
            raise PermissionDenied
        return _detail(
            request,
            fu,
            error=_("This step cannot be taken now: the follow-up is “%(state)s”.")
            % {"state": fu.get_state_display()},
            status=409,
        )
    form = _form(action, fu, request.POST)
    if not form.is_valid():
        return _detail(request, fu, bound=(action, form), status=400)
    data = dict(form.cleaned_data)
    version = data.pop("version")
    try:
        if action == "decide_appeal":
            services.decide_appeal(
                actor=request.user,
                followup=fu,
                uphold=data["decision"] == "uphold",
                note=data["note"],
                expected_version=version,
                request=request,
            )
        elif action == "reassign":
            services.reassign(
                actor=request.user,
                followup=fu,
                owner=data["owner"],
                expected_version=version,
                request=request,
            )
        else:
            services.STEP_SERVICES[action](
                actor=request.user, followup=fu, expected_version=version, request=request, **data
            )
    except services.FollowUpError as exc:
        fu.refresh_from_db()
        if exc.field and exc.field in form.fields:
            form.add_error(exc.field, exc.message)
            return _detail(request, fu, bound=(action, form), status=exc.status)
        return _detail(request, fu, bound=(action, form), error=exc.message, status=exc.status)
    messages.success(request, _("Saved: %(step)s.") % {"step": STEP_LABELS[action]})
    return redirect("followups:detail", pk=fu.pk)


@permission_required("halls.manage_halls")
def settings_page(request):
    """Each hall's number of working days to fix, for who may set it."""
    halls = [
        h
        for h in Hall.objects.visible_to(request.user).order_by("sort_order", "code")
        if services.can_set_fix_days(request.user, h)
    ]
    errors = {}
    if request.method == "POST":
        hall = get_object_or_404(
            Hall.objects.visible_to(request.user), code=request.POST.get("hall")
        )
        form = FixDaysForm(request.POST)
        if form.is_valid():
            try:
                services.set_fix_days(
                    actor=request.user,
                    hall=hall,
                    fix_days=form.cleaned_data["fix_days"],
                    request=request,
                )
            except services.FollowUpError as exc:
                if exc.status == 403:
                    raise PermissionDenied from exc
                form.add_error("fix_days", exc.message)
            else:
                messages.success(
                    request,
                    _("%(hall)s: %(days)s working days to fix.")
                    % {"hall": hall.local_name, "days": form.cleaned_data["fix_days"]},
                )
                return redirect("followups:settings")
        errors = {hall.pk: form}
    rows = [
        {
            "hall": h,
            "form": errors.get(h.pk) or FixDaysForm(initial={"fix_days": services.fix_days_for(h)}),
        }
        for h in halls
    ]
    return render(request, "followups/settings.html", {"rows": rows}, status=400 if errors else 200)


# ----------------------------------------------------------------------------- public


def public(request, token: str):
    """The rater's page: the answer once the hall reported back, and a one-time rating of it."""
    fu = get_object_or_404(FollowUp.objects.select_related("hall", "rating", "case"), token=token)
    form = None
    error = ""
    status = 200
    if request.method == "POST":
        form = RerateForm(request.POST)
        if form.is_valid():
            try:
                services.rerate(
                    followup=fu,
                    level=form.cleaned_data["level"],
                    comment=form.cleaned_data["comment"],
                    expected_version=form.cleaned_data["version"],
                    request=request,
                )
            except services.FollowUpError as exc:
                error = exc.message
                status = exc.status
            else:
                messages.success(request, _("Thank you for rating the answer."))
                return redirect("followups_public:detail", token=token)
        else:
            status = 400
        fu.refresh_from_db()
    if fu.state == FollowUp.State.REPORTED and form is None:
        form = RerateForm(initial={"version": fu.version})
    if fu.state != FollowUp.State.REPORTED:
        form = None
    response = render(
        request,
        "followups/public.html",
        {"fu": fu, "form": form, "error": error},
        status=status,
    )
    response["X-Robots-Tag"] = "noindex"
    # The token must not leave for other sites (same-origin keeps the Origin of our own forms).
    response["Referrer-Policy"] = "same-origin"
    return response
