"""The monthly report page (month picker, scope by the user's halls, tables, a chart)
and its exports. Reading never writes: keeping a report is a POST."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.core.http import permission_required
from onewindow.core.scoping import sees_hall
from onewindow.halls.models import Hall

from . import exports, services
from .figures import RATES, shift_month
from .services import ReportError

LEVELS_SHOWN = ("hall", "department", "window", "item")


def _default_month() -> str:
    return f"{shift_month(timezone.localdate().replace(day=1), -1):%Y-%m}"


def _halls(user):
    return list(Hall.objects.visible_to(user).order_by("sort_order", "code"))


def _scope(request, data):
    """(month, hall) asked for, or a ReportError. A hall the user may not see is answered
    as a code nobody has; the whole centre is for those who see every hall."""
    user = request.user
    month = services.parse_month(data.get("month") or _default_month())
    halls = _halls(user)
    default = "" if user.sees_all_halls else (halls[0].code if halls else "")
    code = data.get("hall", default)
    hall = services.hall_by_code(code)
    if hall is not None and not sees_hall(user, hall.pk):
        raise ReportError(_("There is no hall with the code “%(code)s”.") % {"code": code})
    if hall is None and not user.sees_all_halls:
        raise ReportError(_("Choose one of your halls."))
    return month, hall


def _chart(figures: dict) -> dict:
    level = "department" if figures["hall"] else "hall"
    rows = figures["levels"][level][:20]
    return {
        "names": [r["name"] or r["code"] or "—" for r in rows],
        "series": [
            {"name": _("Received"), "data": [r["counts"]["received"] for r in rows]},
            {
                "name": _("Decided (granted or refused)"),
                "data": [r["counts"]["decided"] for r in rows],
            },
            {
                "name": _("Overdue (promised date)"),
                "data": [r["counts"]["overdue_promised"] for r in rows],
            },
        ],
    }


@permission_required("reports.view_reports")
def monthly(request):
    user = request.user
    context = {
        "halls": _halls(user),
        "sees_all": user.sees_all_halls,
        "month": request.GET.get("month") or _default_month(),
        "hall_code": request.GET.get("hall", "" if user.sees_all_halls else None),
        "max_month": _default_month(),
        "rate_names": RATES,
        "labels": exports.LABELS,
    }
    try:
        month, hall = _scope(request, request.GET)
    except ReportError as exc:
        # The form shown again with its error, as a form page does.
        context["error"] = str(exc)
    else:
        figures, report = services.figures_for(month, hall)
        context.update(
            month=f"{month:%Y-%m}",
            hall_code=hall.code if hall else "",
            figures=figures,
            report=report,
            title=exports.title(figures, services.scope_name(hall)),
            summary=exports.summary_rows(figures),
            later=[exports.LABELS[n] for n in figures["later"]],
            levels=[
                (exports.LEVEL_NAMES[lv], lv, figures["levels"][lv])
                for lv in LEVELS_SHOWN
                if not (lv == "hall" and hall is not None)
            ],
            chart=_chart(figures),
            can_generate=user.has_perm("reports.generate_reports"),
        )
    return render(request, "reports/monthly.html", context)


@permission_required("reports.view_reports")
def export(request):
    fmt = request.GET.get("format", "xlsx")
    try:
        if fmt not in ("xlsx", "pdf"):
            raise ReportError(_("Choose xlsx or pdf."))
        month, hall = _scope(request, request.GET)
    except ReportError as exc:
        return render(request, "reports/monthly.html", {"error": str(exc)}, status=400)
    figures, _report = services.figures_for(month, hall)
    name = services.scope_name(hall)
    filename = f"report-{month:%Y-%m}-{hall.code if hall else 'ALL'}.{fmt}"
    if fmt == "xlsx":
        data = exports.to_xlsx(figures, name)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        data, _pages = exports.to_pdf(figures, name)
        content_type = "application/pdf"
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
@permission_required("reports.generate_reports")
def generate(request):
    try:
        month, hall = _scope(request, request.POST)
    except ReportError as exc:
        messages.error(request, str(exc))
        return redirect("reports:monthly")
    _report, created, diff = services.generate_report(
        actor=request.user, month=month, hall=hall, request=request
    )
    if created:
        messages.success(
            request, _("The report of %(month)s is kept.") % {"month": f"{month:%Y-%m}"}
        )
    elif diff:
        messages.warning(
            request,
            _(
                "The report was already kept; counted again, %(n)s figures differ. The kept report stays."
            )
            % {"n": len(diff)},
        )
    else:
        messages.info(request, _("The report was already kept; counted again, it is the same."))
    query = f"?month={month:%Y-%m}&hall={hall.code if hall else ''}"
    return redirect(reverse("reports:monthly") + query)
