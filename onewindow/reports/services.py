"""Monthly reports: the choice of month and scope, keeping a report, and its submission
by the hall, the centre's review and publication, with the lateness of each hall."""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.audit.services import record
from onewindow.core.scoping import sees_hall
from onewindow.halls.models import Hall
from onewindow.workdays.services import covered_years, get_calendar

from . import figures as fig
from .models import DEFAULT_DUE_WORKING_DAY, MonthlyReport, SubmissionSetting

State = MonthlyReport.State
#: The narrative and the manual items a hall writes into its report.
WRITTEN = ("narrative", "training_held", "problems", "plans")
#: Points a late report loses per working day late (a report never submitted scores 0).
LATE_PENALTY = 10

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


# --------------------------------------------------------------- submission and review


def due_working_day() -> int:
    """The working day of the next month a report is due by (the centre's setting)."""
    row = SubmissionSetting.objects.order_by("pk").first()
    return row.due_working_day if row else DEFAULT_DUE_WORKING_DAY


@transaction.atomic
def set_due_working_day(*, actor, day, request=None) -> SubmissionSetting:
    """Change the working day reports are due by (an audit row); 1 to 20."""
    from .models import DUE_WORKING_DAY_MAX

    try:
        day = int(day)
    except (TypeError, ValueError):
        day = 0
    if not 1 <= day <= DUE_WORKING_DAY_MAX:
        raise ReportError(
            _("The due day is a working day of the next month from 1 to %(max)s.")
            % {"max": DUE_WORKING_DAY_MAX}
        )
    row = SubmissionSetting.objects.select_for_update().order_by("pk").first()
    before = row.due_working_day if row else DEFAULT_DUE_WORKING_DAY
    if row is None:
        row = SubmissionSetting(due_working_day=day, updated_by=actor)
    row.due_working_day, row.updated_by = day, actor
    row.save()
    record(
        actor=actor,
        action="report.due_day_set",
        obj=row,
        before={"due_working_day": before},
        after={"due_working_day": day},
        request=request,
    )
    return row


def due_date(month: dt.date, day: int | None = None, calendar=None) -> dt.date:
    """The date a month's report is due: the ``day``-th working day of the next month.
    A next month in a year without official calendar data has no due date (an error)."""
    day = day or due_working_day()
    cal = calendar or get_calendar()
    nxt = fig.shift_month(month, 1)
    result = cal.add_working_days(nxt - dt.timedelta(days=1), day)
    if result.provisional or not cal.covers(nxt.year):
        raise ReportError(
            _(
                "%(year)s has no official working-day calendar, so the due date of a report "
                "cannot be counted. Enter the year's calendar first."
            )
            % {"year": nxt.year}
        )
    return result.value


def working_days_late(due: dt.date, day: dt.date, calendar=None) -> int:
    """Working days a report handed in on ``day`` is late for ``due`` (0: in time). A
    report handed in on a day off counts from the next working day."""
    if day <= due:
        return 0
    cal = calendar or get_calendar()
    return cal.working_days_between(due, cal.next_working_day_on_or_after(day)).value


def _locked(month: dt.date, hall: Hall) -> MonthlyReport | None:
    return (
        MonthlyReport.objects.select_for_update(of=("self",)).filter(month=month, hall=hall).first()
    )


def _check_version(report: MonthlyReport, version) -> None:
    if str(version) != str(report.version):
        raise ReportError(
            _(
                "The report changed after this page was opened (it was saved, submitted or "
                "reviewed meanwhile). Look at it again; nothing was changed."
            )
        )


def _needs_hall(actor, hall: Hall | None) -> Hall:
    """The hall of a submission or review; another hall than the actor's is answered as
    an unknown code, as on the page."""
    if hall is None:
        raise ReportError(_("A report is submitted by a hall: choose the hall."))
    if not sees_hall(actor, hall.pk):
        raise ReportError(_("There is no hall with the code “%(code)s”.") % {"code": hall.code})
    return hall


@transaction.atomic
def save_written(
    *, actor, month: dt.date, hall: Hall | None, data: dict, version, submit=False, request=None
) -> MonthlyReport:
    """The hall writes its narrative and manual items into the report of a month (kept
    first when it is not yet) and, with ``submit``, hands it in to the centre. Allowed
    while the report is a draft or returned; the lateness of the first submission is
    recorded against the due working day."""
    hall = _needs_hall(actor, hall)
    due = due_date(month)
    report = _locked(month, hall)
    if report is None:
        if str(version) not in ("", "0"):
            _check_version(MonthlyReport(version=0), version)
        generate_report(actor=actor, month=month, hall=hall, request=request)
        report = _locked(month, hall)
    else:
        _check_version(report, version)
    if report.state not in (State.DRAFT, State.RETURNED):
        raise ReportError(
            _("The report of %(month)s is %(state)s: it can no longer be changed.")
            % {"month": f"{month:%Y-%m}", "state": report.get_state_display()}
        )
    values = {name: (data.get(name) or "").strip() for name in WRITTEN}
    if submit and not values["narrative"]:
        raise ReportError(_("Write the narrative before submitting the report."))
    before = {name: getattr(report, name) for name in WRITTEN}
    before["state"] = report.state
    for name, value in values.items():
        setattr(report, name, value)
    report.due_on = due
    report.version += 1
    action = "report.written"
    if submit:
        now = timezone.now()
        if report.submitted_at is None:  # lateness is that of the first submission
            report.days_late = working_days_late(due, timezone.localdate(now))
        report.state, report.submitted_at, report.submitted_by = State.SUBMITTED, now, actor
        action = "report.submitted"
    report.save()
    record(
        actor=actor,
        action=action,
        obj=report,
        before=before,
        after={**values, "state": report.state, "days_late": report.days_late},
        request=request,
    )
    return report


@transaction.atomic
def review(
    *, actor, month: dt.date, hall: Hall | None, decision: str, version, reason="", request=None
) -> MonthlyReport:
    """The centre returns a submitted report with a reason (the hall edits and submits it
    again) or publishes it (then its figures are open data)."""
    hall = _needs_hall(actor, hall)
    if decision not in ("return", "publish"):
        raise ReportError(_("Choose to return or to publish the report."))
    report = _locked(month, hall)
    if report is None or report.state != State.SUBMITTED:
        state = report.get_state_display() if report else State.DRAFT.label
        raise ReportError(
            _("The report of %(month)s is %(state)s, not submitted: only a submitted report "
              "can be returned or published.")
            % {"month": f"{month:%Y-%m}", "state": state}
        )  # fmt: skip
    _check_version(report, version)
    reason = (reason or "").strip()
    if decision == "return" and not reason:
        raise ReportError(_("Say why the report is returned."))
    now = timezone.now()
    before = {"state": report.state}
    report.reviewed_by = actor
    report.version += 1
    if decision == "return":
        report.state, report.return_reason, report.returned_at = State.RETURNED, reason, now
        report.returns += 1
    else:
        report.state, report.published_at = State.PUBLISHED, now
    report.save()
    record(
        actor=actor,
        action=f"report.{'returned' if decision == 'return' else 'published'}",
        obj=report,
        before=before,
        after={"state": report.state, "reason": reason},
        request=request,
    )
    return report


def reporting_halls():
    """The halls that report every month: the sub-centres."""
    return Hall.objects.filter(kind=Hall.Kind.SUB_CENTRE).order_by("sort_order", "code")


def past_months(year: int, today: dt.date | None = None) -> list[dt.date]:
    """The months of ``year`` that are over."""
    today = today or timezone.localdate()
    this_month = today.replace(day=1)
    return [m for n in range(1, 13) if (m := dt.date(year, n, 1)) < this_month]


def month_score(due: dt.date | None, days_late: int | None, today: dt.date) -> int | None:
    """100 in time; less `LATE_PENALTY` per working day late (not below 0); 0 when the due
    day has passed without a submission; None while it is not due yet."""
    if days_late is not None:
        return max(0, 100 - LATE_PENALTY * days_late)
    if due is not None and due < today:
        return 0
    return None


def submission_record(hall: Hall, year: int, today: dt.date | None = None) -> dict:
    """Each month of ``year`` that is over: state, due date, whether it was handed in on
    time, working days late, and its score; with the year's score (the mean of the scored
    months, None when none is due yet). Read by the assessment."""
    today = today or timezone.localdate()
    kept_reports = {r.month: r for r in MonthlyReport.objects.filter(hall=hall, month__year=year)}
    day = due_working_day()
    cal = get_calendar()
    months = []
    for month in past_months(year, today):
        report = kept_reports.get(month)
        try:
            due = report.due_on if report and report.due_on else due_date(month, day, cal)
        except ReportError:
            due = None
        days_late = report.days_late if report else None
        if days_late is None and due is not None and due < today:
            # Not handed in yet: late by the working days since the due day.
            pending = working_days_late(due, today, cal)
        else:
            pending = None
        months.append({
            "month": f"{month:%Y-%m}",
            "state": report.state if report else State.DRAFT.value,
            "due_on": due,
            "submitted_at": report.submitted_at if report else None,
            "on_time": None if days_late is None else days_late == 0,
            "days_late": days_late if days_late is not None else pending,
            "score": month_score(due, days_late, today),
        })  # fmt: skip
    scored = [m["score"] for m in months if m["score"] is not None]
    return {
        "hall": hall.code,
        "year": year,
        "months": months,
        "on_time": sum(1 for m in months if m["on_time"] is True),
        "late": sum(1 for m in months if m["on_time"] is False),
        "missing": sum(1 for m in months if m["on_time"] is None and m["score"] == 0),
        "score": round(sum(scored) / len(scored), 2) if scored else None,
    }


def review_queue(year: int, state: str = "", today: dt.date | None = None) -> list[dict]:
    """Every reporting hall's month of ``year`` that is over, with its report's state and
    lateness (a month not yet kept stands as a draft)."""
    today = today or timezone.localdate()
    halls = list(reporting_halls())
    reports = {
        (r.month, r.hall_id): r
        for r in MonthlyReport.objects.filter(hall__in=halls, month__year=year).select_related(
            "submitted_by", "reviewed_by"
        )
    }
    day, cal = due_working_day(), get_calendar()
    rows = []
    for month in reversed(past_months(year, today)):
        try:
            due = due_date(month, day, cal)
        except ReportError:
            due = None
        for hall in halls:
            report = reports.get((month, hall.pk))
            row_state = report.state if report else State.DRAFT.value
            if state and row_state != state:
                continue
            rows.append({
                "month": month, "hall": hall, "report": report, "state": row_state,
                "state_label": State(row_state).label,
                "due_on": report.due_on if report and report.due_on else due,
                "days_late": report.days_late if report else None,
                "overdue": (report is None or report.submitted_at is None)
                and due is not None and due < today,
            })  # fmt: skip
    return rows


# ------------------------------------------------------------------------- open data


def published(month: dt.date) -> list[MonthlyReport]:
    """The published reports of a month, one per hall, in the halls' order."""
    return list(
        MonthlyReport.objects.filter(month=month, hall__isnull=False, state=State.PUBLISHED)
        .select_related("hall")
        .order_by("hall__sort_order", "hall__code")
    )


def published_months() -> list[dt.date]:
    """The months with at least one published report, the latest first."""
    return list(
        MonthlyReport.objects.filter(state=State.PUBLISHED, hall__isnull=False)
        .order_by("-month")
        .values_list("month", flat=True)
        .distinct()
    )


#: What open data shows of a hall's month: the counts and rates of its whole row.
OPEN_COUNTS = fig.COUNTS
OPEN_RATES = fig.RATES


def open_rows(month: dt.date) -> list[dict]:
    """The published figures per hall of a month: code, name, published time, the counts
    and the rates (value, numerator, denominator). Nothing of the narrative, the people
    or the unpublished months."""
    rows = []
    for report in published(month):
        total = report.figures["levels"]["total"][0]
        rows.append({
            "month": f"{month:%Y-%m}",
            "hall": report.hall.code,
            "hall_name": report.hall.name,
            "published_at": report.published_at,
            "counts": {k: total["counts"].get(k, 0) for k in OPEN_COUNTS},
            "rates": {
                k: {x: total["rates"][k][x] for x in ("value", "num", "den")}
                for k in OPEN_RATES
                if k in total["rates"]
            },
        })  # fmt: skip
    return rows


def parse_open_month(text: str) -> dt.date:
    """A month asked for on the open-data page or API: as `parse_month`, without the
    calendar check (a published month was checked when it was kept)."""
    match = MONTH_RE.match((text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1:
        raise ReportError(
            _("Write the month as YYYY-MM, for example 2026-06 (not “%(text)s”).") % {"text": text}
        )
    month = dt.date(int(match.group(1)), int(match.group(2)), 1)
    this_month = timezone.localdate().replace(day=1)
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
    return month
