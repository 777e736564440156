"""The process insight page: a year of one hall (hall managers: theirs) or of the whole
centre, four tables with their charts. Reading only."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.core.http import permission_required
from onewindow.core.scoping import sees_hall
from onewindow.halls.models import Hall

from . import services

SHANGHAI = ZoneInfo("Asia/Shanghai")


class ScopeError(ValueError):
    pass


def _scope(user, data, halls):
    """(year, hall or None) asked for; a hall the user may not see is answered as a code
    nobody has, the whole centre only for those who see every hall."""
    this_year = timezone.localdate().year
    raw = (data.get("year") or str(this_year)).strip()
    if not raw.isdigit() or not 2000 <= int(raw) <= this_year:
        raise ScopeError(
            _("Choose a year from 2000 to %(year)s (not “%(value)s”).")
            % {"year": this_year, "value": raw[:10]}
        )
    default = "" if user.sees_all_halls else (halls[0].code if halls else "")
    code = data.get("hall", default).strip()
    hall = Hall.objects.filter(code=code).first() if code else None
    if code and (hall is None or not sees_hall(user, hall.pk)):
        raise ScopeError(_("There is no hall with the code “%(code)s”.") % {"code": code[:20]})
    if hall is None and not user.sees_all_halls:
        raise ScopeError(_("Choose one of your halls."))
    return int(raw), hall


@permission_required("insight.view_insight")
def index(request):
    user = request.user
    halls = list(Hall.objects.visible_to(user).order_by("sort_order", "code"))
    context = {
        "halls": halls,
        "sees_all": user.sees_all_halls,
        "year": request.GET.get("year") or timezone.localdate().year,
        "hall_code": request.GET.get("hall", ""),
        "share": int(services.SAME_DAY_SHARE * 100),
        "min_cases": services.MIN_CASES,
    }
    try:
        year, hall = _scope(user, request.GET, halls)
    except ScopeError as exc:
        context["error"] = str(exc)
        return render(request, "insight/index.html", context, status=400)
    start = dt.datetime(year, 1, 1, tzinfo=SHANGHAI)
    end = dt.datetime(year + 1, 1, 1, tzinfo=SHANGHAI)
    data = services.insight(None if hall is None else [hall.pk], start, end)
    context.update(
        year=year,
        hall_code=hall.code if hall else "",
        scope=hall.local_name if hall else _("The whole centre"),
        data=data,
        charts={
            "immediate": {
                "months": [r["month"] for r in data["immediate"]],
                "share": [round((r["share"] or 0) * 100, 1) for r in data["immediate"]],
                "name": _("Immediate share (%)"),
            },
            "steps": {
                "names": [f"{r['item_name']} · {r['step']}" for r in data["steps"][:15]],
                "median": [r["median"] for r in data["steps"][:15]],
                "p90": [r["p90"] for r in data["steps"][:15]],
                "median_name": _("Median working days"),
                "p90_name": _("90th percentile"),
            },
        },
    )
    return render(request, "insight/index.html", context)
