"""Staff pages of the floor statistics (hall managers: their halls; the centre and the
supervision office: every hall) and the public live wait (办事公开: no personal data)."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _

from onewindow.core.http import permission_required
from onewindow.core.scoping import visible_hall_ids
from onewindow.halls.models import Hall

from . import statistics
from .forms import FilterForm, StaffingForm
from .statistics import Scope

VIEW = "floorstats.view_floor_stats"


def _weekday_labels() -> list[str]:
    return [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"),
            _("Saturday"), _("Sunday")]  # fmt: skip


def heatmap_chart(grid: list[list[int]]) -> dict:
    """The data of the arrivals heat map: [hour, weekday, count] cells and labels."""
    cells = [[hour, day, n] for day, row in enumerate(grid) for hour, n in enumerate(row)]
    return {
        "hours": [f"{h:02d}" for h in range(24)],
        "days": _weekday_labels(),
        "cells": cells,
        "max": max((n for _h, _d, n in cells), default=0),
        "label": _("Tickets issued"),
    }


def scope_of(request, form) -> Scope:
    return Scope(
        period=form.period(),
        hall_ids=visible_hall_ids(request.user),
        hall=form.choice("hall"),
        category=form.choice("category"),
    )


@permission_required(VIEW)
def overview(request):
    form = FilterForm(request.GET or None, user=request.user)
    scope = scope_of(request, form)
    figures = statistics.ticket_figures(scope)
    return render(request, "floorstats/overview.html", {
        "form": form,
        "period": scope.period,
        "figures": figures,
        "windows": statistics.window_figures(scope) if scope.category is None else None,
        "heatmap": heatmap_chart(statistics.arrivals_heatmap(scope)),
    })  # fmt: skip


@permission_required(VIEW)
def staffing(request):
    form = StaffingForm(request.GET or None, user=request.user)
    hall = form.choice("hall") or Hall.objects.visible_to(request.user).order_by("code").first()
    target = form.target_minutes()
    result = statistics.staffing(hall, form.period(), target) if hall is not None else None
    return render(request, "floorstats/staffing.html", {
        "form": form,
        "hall": hall,
        "period": form.period(),
        "target": target,
        "share_percent": round(100 * statistics.STAFFING_SHARE),
        "result": result,
    })  # fmt: skip


def live_wait(request):
    """The live wait per line of every hall (public)."""
    return render(request, "floorstats/live_wait.html", {"live": statistics.live_wait()})
