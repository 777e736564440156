"""The monthly report page (month picker, scope by the user's halls, tables, a chart),
its exports, the hall's submission and the centre's review queue, and the public open-data
page. Reading never writes: keeping, submitting and reviewing are POSTs."""

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
        if hall is not None:
            context["submission"] = _submission(user, month, report)
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


# --------------------------------------------------------------- submission and review


def _submission(user, month, report) -> dict:
    """What the page shows of a hall's report: its state and dates, and which forms."""
    try:
        due = report.due_on if report and report.due_on else services.due_date(month)
        due_error = ""
    except ReportError as exc:
        due, due_error = None, str(exc)
    state = report.state if report else services.State.DRAFT
    editable = state in (services.State.DRAFT, services.State.RETURNED)
    return {
        "report": report,
        "state": state,
        "state_label": services.State(state).label,
        "due_on": due,
        "due_error": due_error,
        "version": report.version if report else 0,
        "can_write": editable and user.has_perm("reports.submit_reports") and not due_error,
        "can_review": state == services.State.SUBMITTED and user.has_perm("reports.review_reports"),
    }


def _back(month, hall_code):
    return redirect(reverse("reports:monthly") + f"?month={month}&hall={hall_code}")


@require_POST
@permission_required("reports.submit_reports")
def submission(request):
    """The hall saves its narrative and manual items, or submits the report."""
    data = request.POST
    submit = data.get("action") == "submit"
    try:
        month, hall = _scope(request, data)
        services.save_written(
            actor=request.user,
            month=month,
            hall=hall,
            data=data,
            version=data.get("version", ""),
            submit=submit,
            request=request,
        )
    except ReportError as exc:
        messages.error(request, str(exc))
        return _back(data.get("month", ""), data.get("hall", ""))
    if submit:
        messages.success(request, _("The report is submitted to the centre."))
    else:
        messages.success(request, _("The report is saved as a draft."))
    return _back(f"{month:%Y-%m}", hall.code)


@require_POST
@permission_required("reports.review_reports")
def decide(request):
    """The centre returns a submitted report with a reason, or publishes it."""
    data = request.POST
    try:
        month, hall = _scope(request, data)
        report = services.review(
            actor=request.user,
            month=month,
            hall=hall,
            decision=data.get("decision", ""),
            version=data.get("version", ""),
            reason=data.get("reason", ""),
            request=request,
        )
    except ReportError as exc:
        messages.error(request, str(exc))
        return _back(data.get("month", ""), data.get("hall", ""))
    if report.state == services.State.PUBLISHED:
        messages.success(request, _("The report is published."))
    else:
        messages.success(request, _("The report is returned to the hall."))
    return _back(f"{month:%Y-%m}", hall.code)


@permission_required("reports.review_reports")
def review_queue(request):
    """Every hall's months of a year with their state and lateness."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    state = request.GET.get("state", "")
    if state not in services.State.values:
        state = ""
    halls = list(services.reporting_halls())
    return render(
        request,
        "reports/review_queue.html",
        {
            "year": year,
            "years": list(range(today.year, today.year - 3, -1)),
            "state": state,
            "states": services.State.choices,
            "rows": services.review_queue(year, state, today),
            "due_day": services.due_working_day(),
            "can_set": request.user.has_perm("reports.manage_report_settings"),
            "records": [services.submission_record(h, year, today) for h in halls],
        },
    )


@require_POST
@permission_required("reports.manage_report_settings")
def due_setting(request):
    try:
        row = services.set_due_working_day(
            actor=request.user, day=request.POST.get("due_working_day"), request=request
        )
    except ReportError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Reports are now due by working day %(n)s of the next month.")
            % {"n": row.due_working_day},
        )
    return redirect("reports:review")


# ------------------------------------------------------------------------- open data


def open_data(request):
    """办事公开: the published figures per hall of a month, with charts. No sign-in;
    only published reports, and of them only the figures."""
    months = services.published_months()
    asked = request.GET.get("month", "").strip()
    error, month = "", (months[0] if months else None)
    status = 200
    if asked:
        try:
            month = services.parse_open_month(asked)
        except ReportError as exc:
            error, status = str(exc), 400
    rows = services.open_rows(month) if month and not error else []
    chart = {
        "names": [r["hall_name"] for r in rows],
        "received": [r["counts"]["received"] for r in rows],
        "decided": [r["counts"]["decided"] for r in rows],
        "in_time": [
            None
            if r["rates"]["in_time_promised"]["value"] is None
            else round(r["rates"]["in_time_promised"]["value"] * 100, 2)
            for r in rows
        ],
        "satisfaction": [
            None
            if r["rates"]["satisfaction"]["value"] is None
            else round(r["rates"]["satisfaction"]["value"] * 100, 2)
            for r in rows
        ],
        "labels": {
            "received": str(exports.LABELS["received"]),
            "decided": str(exports.LABELS["decided"]),
            "in_time": str(exports.LABELS["in_time_promised"]),
            "satisfaction": str(exports.LABELS["satisfaction"]),
        },
    }
    table = [
        {
            **r,
            "in_time_text": exports.rate_text("in_time_promised", r["rates"]["in_time_promised"]),
            "satisfaction_text": exports.rate_text("satisfaction", r["rates"]["satisfaction"]),
            "avg_days_text": exports.rate_text(
                "avg_days_promised", r["rates"]["avg_days_promised"]
            ),
        }
        for r in rows
    ]
    return render(
        request,
        "reports/open_data.html",
        {
            "months": months,
            "month": month,
            "error": error,
            "rows": table,
            "chart": chart,
            "api_url": reverse("api:monthly_stats"),
        },
        status=status,
    )
