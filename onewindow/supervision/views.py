"""Pages of the supervision office and of the people who answer for alerts."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.db.models.functions import TruncWeek
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.core.http import permission_required
from onewindow.halls.models import Hall

from . import services
from .forms import AlertFilterForm, NoteForm, RuleForm
from .models import Alert, Level, Rule, ScanState

PAGE_SIZE = 50
CHART_WEEKS = 12


def desk_required(view):
    """Signed-in users who may see the desk; others get 403 (never a login loop)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not services.can_view_desk(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def case_url(case) -> str | None:
    """The staff case page, when the cases app provides one."""
    try:
        return reverse("cases:detail", kwargs={"number": case.number})
    except NoReverseMatch:
        return None


def hall_level_counts(user) -> dict:
    """Open cards and flags per hall and level, for the live counts; the open warnings
    (which need no answer and close themselves) are counted apart."""
    halls = list(Hall.objects.visible_to(user).order_by("sort_order", "code"))
    rows = (
        Alert.objects.visible_to(user)
        .open()
        .order_by()
        .values_list("hall_id", "level")
        .annotate(n=Count("id"))
    )
    table = {(hall_id, level): n for hall_id, level, n in rows}
    levels = [level for level in Level if level != Level.WARNING]
    lines = []
    for hall in halls:
        cells = [table.get((hall.pk, level), 0) for level in levels]
        lines.append({"hall": hall, "cells": cells, "total": sum(cells)})
    totals = [sum(line["cells"][i] for line in lines) for i in range(len(levels))]
    warnings = sum(table.get((hall.pk, Level.WARNING), 0) for hall in halls)
    return {
        "levels": levels,
        "lines": lines,
        "totals": totals,
        "grand_total": sum(totals),
        "warnings": warnings,
    }


def weekly_chart(user, today=None) -> dict:
    """Cards (yellow and red) raised per hall per week over the last weeks, for ECharts."""
    today = today or timezone.localdate()
    first_monday = today - timedelta(days=today.weekday()) - timedelta(weeks=CHART_WEEKS - 1)
    start = timezone.make_aware(datetime.combine(first_monday, time.min))
    weeks = [first_monday + timedelta(weeks=i) for i in range(CHART_WEEKS)]
    rows = (
        Alert.objects.visible_to(user)
        .cards()
        .filter(raised_at__gte=start)
        .order_by()
        .annotate(week=TruncWeek("raised_at"))
        .values_list("week", "hall_id")
        .annotate(n=Count("id"))
    )
    counts: dict[tuple, int] = {}
    for week, hall_id, n in rows:
        day = week.date() if hasattr(week, "date") else week
        counts[(day, hall_id)] = counts.get((day, hall_id), 0) + n
    halls = [h for h in Hall.objects.visible_to(user).order_by("sort_order", "code")]
    series = []
    for hall in halls:
        data = [counts.get((w, hall.pk), 0) for w in weeks]
        if any(data):
            series.append({"name": hall.local_name, "data": data})
    return {"weeks": [w.isoformat() for w in weeks], "series": series}


@desk_required
def desk(request):
    user = request.user
    form = AlertFilterForm(request.GET or None, user=user)
    alerts = form.filter(
        Alert.objects.visible_to(user).select_related(
            "rule", "case", "hall", "department", "responsible"
        )
    )
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "supervision/desk.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "counts": hall_level_counts(user),
            "chart": weekly_chart(user),
            "state": ScanState.objects.filter(pk="main").first(),
            "can_manage_rules": user.has_perm("supervision.manage_rules"),
            "desk_allowed": True,
        },
    )


@desk_required
def desk_counts(request):
    """The live counts, polled by htmx every 30 seconds."""
    return render(
        request,
        "supervision/_counts.html",
        {
            "counts": hall_level_counts(request.user),
            "state": ScanState.objects.filter(pk="main").first(),
        },
    )


def _alert_for(request, pk) -> Alert:
    alert = get_object_or_404(
        Alert.objects.visible_to(request.user).select_related(
            "rule",
            "case",
            "case__item_version",
            "case__current_assignee",
            "hall",
            "department",
            "responsible",
            "answered_by",
            "decided_by",
        ),
        pk=pk,
    )
    if not services.can_view_alert(request.user, alert):
        raise PermissionDenied
    return alert


def _render_alert(request, alert, *, form=None, action=None, error=None, status=200):
    user = request.user
    answer_allowed = alert.status == Alert.Status.RAISED and services.can_answer(user, alert)
    decide_allowed = alert.is_open and services.can_decide(user)
    case = alert.case
    return render(
        request,
        "supervision/alert_detail.html",
        {
            "alert": alert,
            "history": alert.events.select_related("actor"),
            "case": case,
            "case_events": case.events.select_related("actor", "hall").order_by("seq"),
            "case_url": case_url(case),
            "other_alerts": Alert.objects.for_case(case)
            .exclude(pk=alert.pk)
            .select_related("rule"),
            "answer_allowed": answer_allowed,
            "decide_allowed": decide_allowed,
            "answer_form": form if action in ("explain", "correct") else NoteForm(),
            "decide_form": form if action in ("close", "uphold") else NoteForm(),
            "error": error,
            "desk_allowed": services.can_view_desk(user),
        },
        status=status,
    )


@login_required
def alert_detail(request, pk):
    return _render_alert(request, _alert_for(request, pk))


def _next_url(request, alert) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("supervision:alert", args=[alert.pk])


@login_required
@require_POST
def alert_action(request, pk, action):
    action_fn = services.ACTIONS.get(action)
    if action_fn is None:
        raise Http404
    alert = _alert_for(request, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _render_alert(request, alert, form=form, action=action, status=400)
    try:
        action_fn(actor=request.user, alert=alert, note=form.cleaned_data["note"], request=request)
    except services.NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except services.AlertActionError as exc:
        return _render_alert(
            request, alert, form=form, action=action, error=exc.message, status=exc.status
        )
    messages.success(
        request,
        {
            "explain": _("Your explanation was sent to the supervision office."),
            "correct": _("Your correction was sent to the supervision office."),
            "close": _("The alert is closed."),
            "uphold": _("The alert is upheld as a violation."),
        }[action],
    )
    return redirect(_next_url(request, alert))


@login_required
def inbox(request):
    """What the signed-in person (or the hall manager) has to answer, and the open warnings."""
    user = request.user
    base = (
        Alert.objects.visible_to(user)
        .answerable_by(user)
        .select_related("rule", "case", "hall", "responsible")
    )
    return render(
        request,
        "supervision/inbox.html",
        {
            "waiting": base.awaiting_answer().order_by("raised_at", "id"),
            # Pre-due warnings: shown apart, they need no answer and close themselves.
            "warnings": base.warnings().order_by("due_date", "raised_at", "id"),
            "answered": base.filter(status__in=Alert.ANSWERED_STATUSES).order_by("-answered_at")[
                :50
            ],
            "form": NoteForm(),
            "desk_allowed": services.can_view_desk(user),
        },
    )


@desk_required
def rules(request):
    return render(
        request,
        "supervision/rules.html",
        {
            "rules": Rule.objects.all(),
            "can_manage_rules": request.user.has_perm("supervision.manage_rules"),
            "desk_allowed": True,
        },
    )


@permission_required("supervision.manage_rules")
def rule_edit(request, code):
    rule = get_object_or_404(Rule, code=code)
    form = RuleForm(request.POST or None, rule=rule)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_rule(
                    actor=request.user,
                    rule=rule,
                    enabled=data["enabled"],
                    level=data["level"],
                    threshold=data.get("threshold"),
                    request=request,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Saved the rule “%(name)s”.") % {"name": rule})
                return redirect("supervision:rules")
        status = 400
    return render(
        request, "supervision/rule_form.html", {"form": form, "rule": rule}, status=status
    )
