"""Training pages: the sessions of a year, a session with its attendees and results, the
hours of each person in a year, the window staff not qualified, and the rule.

Sessions are looked up through `visible_to`: another hall's session is a 404. Every
write goes through one service; a refusal is shown on the form and changes nothing.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.core.http import permission_required
from onewindow.halls.models import Hall

from . import services
from .forms import RuleForm, SessionForm, YearForm
from .models import Attendance, QualificationRule, TrainingSession

VIEW = "training.view_training"


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _year(request) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        return today.year
    return year if 2000 <= year <= today.year else today.year


@permission_required(VIEW)
def session_list(request):
    year = _year(request)
    sessions = (
        TrainingSession.objects.visible_to(request.user)
        .of_year(year)
        .annotate(
            people=Count("attendance", filter=~Q(attendance__result=Attendance.Result.ABSENT)),
            passed=Count("attendance", filter=Q(attendance__result=Attendance.Result.PASSED)),
        )
        .prefetch_related("halls")
    )
    return render(
        request,
        "training/sessions.html",
        {
            "sessions": sessions,
            "year": year,
            "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
            "can_edit": request.user.has_perm(services.MANAGE),
        },
    )


@permission_required(services.MANAGE)
def session_edit(request, pk=None):
    session = TrainingSession()
    if pk is not None:
        session = get_object_or_404(TrainingSession.objects.visible_to(request.user), pk=pk)
    form = SessionForm(request.POST or None, instance=session, editor=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = services.save_session(
                    actor=request.user,
                    session=form.save(commit=False),
                    halls=form.cleaned_data["halls"],
                    attendees=form.cleaned_data["attendees"],
                    request=request,
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
                status = 400
            except services.TrainingRefused as exc:
                form.add_error(None, exc.message)
                status = 403
            else:
                messages.success(request, _("The training session was saved."))
                return redirect("training:session", pk=saved.pk)
        else:
            status = 400
    return render(
        request, "training/session_form.html", {"form": form, "session": session}, status=status
    )


def _parse_results(post, rows) -> tuple[dict, list[str]]:
    results, errors = {}, []
    for row in rows:
        result = post.get(f"result-{row.user_id}")
        if result is None:
            continue
        raw = (post.get(f"score-{row.user_id}") or "").strip()
        score = None
        if raw:
            try:
                score = Decimal(raw)
                if not score.is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                errors.append(
                    _("%(name)s: the score is not a number.") % {"name": row.user.full_name}
                )
                continue
        results[row.user_id] = (result, score)
    return results, errors


@permission_required(VIEW)
def session_detail(request, pk):
    session = get_object_or_404(
        TrainingSession.objects.visible_to(request.user).prefetch_related("halls"), pk=pk
    )
    rows = list(session.attendance.select_related("user").order_by("user__username"))
    can_edit = services.may_manage(request.user, session.halls.all())
    errors = []
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        results, errors = _parse_results(request.POST, rows)
        if not errors:
            try:
                services.record_results(
                    actor=request.user, session=session, results=results, request=request
                )
            except ValidationError as exc:
                errors = exc.messages
            except services.TrainingRefused as exc:
                errors = [exc.message]
            else:
                messages.success(request, _("The results were saved."))
                return redirect("training:session", pk=session.pk)
        status = 400
        # Show what was typed again, next to the errors.
        for row in rows:
            row.result = request.POST.get(f"result-{row.user_id}", row.result)
            row.typed_score = request.POST.get(f"score-{row.user_id}", "")
    R = Attendance.Result
    choices = [R.PASSED, R.FAILED, R.ABSENT] if session.has_exam else [R.ATTENDED, R.ABSENT]
    return render(
        request,
        "training/session.html",
        {
            "session": session,
            "rows": rows,
            "can_edit": can_edit,
            "errors": errors,
            "choices": [(c.value, c.label) for c in choices],
        },
        status=status,
    )


def _year_and_hall(request):
    halls = Hall.objects.visible_to(request.user).active()
    data = {
        "year": request.GET.get("year") or timezone.localdate().year,
        "hall": request.GET.get("hall") or getattr(halls.first(), "pk", None),
    }
    form = YearForm(data, user=request.user)
    return form


@permission_required(VIEW)
def hours(request):
    """Training hours of each staff member of a hall in a year, with their standing."""
    form = _year_and_hall(request)
    rows, status = [], 200
    if form.is_valid():
        hall, year = form.cleaned_data["hall"], form.cleaned_data["year"]
        people = services.hours_by_person(hall, year)
        found = services.statuses([p.user for p in people], services.year_end(year))
        rows = [(p, found[p.user.pk]) for p in people]
    elif request.GET:
        status = 400
    return render(
        request,
        "training/hours.html",
        {"form": form, "rows": rows, "rule": services.rule_in_force()},
        status=status,
    )


@permission_required(VIEW)
def unqualified(request):
    """The window clerks of each hall the user sees who may not serve at a window today."""
    halls = Hall.objects.visible_to(request.user).active()
    return render(
        request,
        "training/unqualified.html",
        {
            "by_hall": services.unqualified_by_hall(halls),
            "rule": services.rule_in_force(),
            "today": timezone.localdate(),
        },
    )


@permission_required(VIEW)
def rule(request):
    """The rule in force, the rules before and after it, and (for the centre) a new one."""
    can_edit = request.user.has_perm("training.manage_rule")
    form = RuleForm(request.POST or None, initial={"valid_from": timezone.localdate()})
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.set_rule(actor=request.user, rule=form.save(commit=False), request=request)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("The qualification rule was saved."))
                return redirect("training:rule")
        status = 400
    return render(
        request,
        "training/rule.html",
        {
            "form": form,
            "can_edit": can_edit,
            "current": services.rule_in_force(),
            "rules": QualificationRule.objects.select_related("created_by"),
        },
        status=status,
    )
