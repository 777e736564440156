"""Monthly reports: the choice of month and scope, and keeping a report."""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.audit.services import record
from onewindow.halls.models import Hall
from onewindow.workdays.services import covered_years

from . import figures as fig
from .models import MonthlyReport

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


class ReportError(Exception):
    """A month or a scope that cannot be reported on; the message is translated."""


def parse_month(text: str, today: dt.date | None = None) -> dt.date:
    """The first day of a month written YYYY-MM that is over and whose year has official
    calendar data (the stored due dates of a year without it are provisional)."""
    match = MONTH_RE.match((text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1:
        raise ReportError(
            _("Write the month as YYYY-MM, for example 2026-06 (not “%(text)s”).") % {"text": text}
        )
    month = dt.date(int(match.group(1)), int(match.group(2)), 1)
    today = today or timezone.localdate()
    this_month = today.replace(day=1)
    if month > this_month:
        raise ReportError(
            _("%(month)s is in the future: a month is reported once it is over.")
            % {"month": f"{month:%Y-%m}"}
        )
    if month == this_month:
        raise ReportError(
            _("%(month)s is not over yet: a month is reported once it is over.")
            % {"month": f"{month:%Y-%m}"}
        )
    if month.year not in covered_years():
        raise ReportError(
            _(
                "%(year)s has no official working-day calendar: its due dates are provisional, "
                "so no report is made for it. Enter the year's calendar first."
            )
            % {"year": month.year}
        )
    return month


def hall_by_code(code: str | None) -> Hall | None:
    """The hall of a code (any case), None for the whole centre (no code)."""
    if not code:
        return None
    hall = Hall.objects.filter(code=code.strip().upper()).first()
    if hall is None:
        raise ReportError(_("There is no hall with the code “%(code)s”.") % {"code": code})
    return hall


def kept(month: dt.date, hall: Hall | None) -> MonthlyReport | None:
    return MonthlyReport.objects.filter(month=month, hall=hall).first()


@transaction.atomic
def generate_report(*, actor, month: dt.date, hall: Hall | None, request=None):
    """Keep the report of a month once: the first time its figures are stored (an audit
    row); afterwards the stored report stays as it was and the month counted again is
    compared with it. Returns (report, created, differences)."""
    fresh = fig.monthly_figures(month, hall)
    report = (
        MonthlyReport.objects.select_for_update(of=("self",)).filter(month=month, hall=hall).first()
    )
    if report is not None:
        return report, False, fig.differences(report.figures, fresh)
    report = MonthlyReport.objects.create(month=month, hall=hall, figures=fresh, generated_by=actor)
    total = fresh["levels"]["total"][0]["counts"]
    record(
        actor=actor,
        action="report.monthly_generated",
        obj=report,
        hall=hall,
        after={"month": fresh["month"], "received": total["received"], "decided": total["decided"]},
        request=request,
    )
    return report, True, []


def regenerate(report: MonthlyReport) -> list:
    """The month of a kept report counted again, compared with what was kept."""
    return fig.differences(report.figures, fig.monthly_figures(report.month, report.hall))


def figures_for(month: dt.date, hall: Hall | None) -> tuple[dict, MonthlyReport | None]:
    """The kept figures of the month when there are, else the month counted now."""
    report = kept(month, hall)
    if report is not None:
        return report.figures, report
    return fig.monthly_figures(month, hall), None


def scope_name(hall: Hall | None) -> str:
    """The name a report goes under: the hall's, or the centre's for the whole centre."""
    if hall is not None:
        return hall.name
    centre = Hall.objects.filter(kind=Hall.Kind.CENTRE).order_by("sort_order", "code").first()
    return centre.name if centre else _("The centre")
