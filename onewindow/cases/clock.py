"""The legal clock of a case (docs/DOMAIN.md, "1. Working days (工作日) and the legal
calendar" and "2. The clock of a case").

One place computes every date and count of a case so that pages, the API, supervision and
reports all agree:

* the due date of an N-day limit is the N-th working day after the acceptance date
  (N = 0: the acceptance date itself, even on a Saturday);
* a suspension from S (suspended) to R (resumed) adds the working days d with S < d <= R;
* an A-type extension adds its working days;
* both move the promised and the legal due date alike, so
  ``due = add_working_days(accepted_on, limit + extension_days + suspended_days)``
  (adding N working days to the M-th working day after a date is the (M+N)-th one);
* a decision (granted or refused) made before its due date is early, on it on time,
  after it overdue, judged against the promised and the legal date separately (the
  services judge no other result);
* the working days used are those from acceptance to the decision, suspensions left out;
  immediate cases are also measured in minutes;
* papers handed in get a decision or one correction notice within 5 working days (a
  later notice within 5 working days of the papers' return); when that time passes, the
  application counts as accepted on the day the papers came in (`deemed_acceptance_on`).

Every answer carries ``provisional`` when it walked over a year without official
calendar data: the platform shows it, never guesses silently.

The functions here are pure given a calendar (`get_calendar()` by default); the services
store their results on the case (`promised_due_date`, `legal_due_date`, `due_provisional`,
`suspended_days`, outcomes) so that lists and supervision scans can filter on them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from onewindow.lib.workcal import WorkCalendar

EARLY, ON_TIME, OVERDUE = "early", "on_time", "overdue"  # = Case.Outcome values

#: Working days the law gives to decide on papers handed in, or to list everything that
#: is missing in one correction notice (行政许可法 第三十二条).
INTAKE_DAYS = 5


def calendar() -> WorkCalendar:
    from onewindow.workdays.services import get_calendar

    return get_calendar()


def local_date(moment: dt.datetime | None = None) -> dt.date:
    """The date in the hall's time zone (Asia/Shanghai) of an aware moment (now by default)."""
    return timezone.localdate(moment) if moment is not None else timezone.localdate()


@dataclass(frozen=True)
class Deadlines:
    promised: dt.date
    legal: dt.date
    provisional: bool
    suspended_days: int


def suspension_days(
    periods: Iterable[tuple[dt.date, dt.date]], cal: WorkCalendar | None = None
) -> tuple[int, bool]:
    """Working days added by closed suspensions (S, R): sum of #{d : S < d <= R}."""
    cal = cal or calendar()
    total, provisional = 0, False
    for started, resumed in periods:
        r = cal.working_days_between(started, resumed)
        total += r.value
        provisional = provisional or r.provisional
    return total, provisional


def deadlines(
    *,
    accepted_on: dt.date,
    promised_limit: int,
    legal_limit: int,
    extension_days: int = 0,
    suspended_days: int = 0,
    suspended_provisional: bool = False,
    cal: WorkCalendar | None = None,
) -> Deadlines:
    """Promised and legal due dates after extensions and (closed) suspensions."""
    cal = cal or calendar()
    extra = extension_days + suspended_days
    promised = cal.add_working_days(accepted_on, promised_limit + extra)
    legal = cal.add_working_days(accepted_on, legal_limit + extra)
    return Deadlines(
        promised=promised.value,
        legal=legal.value,
        provisional=promised.provisional or legal.provisional or suspended_provisional,
        suspended_days=suspended_days,
    )


def recompute(case, cal: WorkCalendar | None = None, periods=None) -> None:
    """Recompute the stored deadlines of an accepted case from its acceptance date,
    limits, extensions and closed suspensions (in place, not saved). ``periods`` are
    the closed suspensions as (started_on, resumed_on); read from the case when None.

    Suspension rows are the source of truth for the suspended days: recomputing from
    them (not adding to the stored figure) also picks up a calendar the administrator
    corrected in the meantime.
    """
    if case.accepted_on is None:
        case.promised_due_date = case.legal_due_date = None
        case.due_provisional = False
        return
    cal = cal or calendar()
    if periods is None:
        periods = [
            (s.started_on, s.resumed_on) for s in case.suspensions.all() if s.resumed_on is not None
        ]
    days, susp_provisional = suspension_days(periods, cal)
    d = deadlines(
        accepted_on=case.accepted_on,
        promised_limit=case.promised_limit_days,
        legal_limit=case.legal_limit_days,
        extension_days=case.extension_days,
        suspended_days=days,
        suspended_provisional=susp_provisional,
        cal=cal,
    )
    case.suspended_days = d.suspended_days
    case.promised_due_date = d.promised
    case.legal_due_date = d.legal
    case.due_provisional = d.provisional


@dataclass(frozen=True)
class DaysLeft:
    """Working days left until a due date (negative: overdue by that many)."""

    value: int
    provisional: bool
    stopped: bool = False  # the clock is stopped (suspended): counted from the suspension day

    @property
    def overdue(self) -> bool:
        return self.value < 0

    @property
    def overdue_by(self) -> int:
        return max(-self.value, 0)


def days_left(
    due: dt.date | None,
    *,
    today: dt.date | None = None,
    stopped_on: dt.date | None = None,
    cal: WorkCalendar | None = None,
) -> DaysLeft | None:
    """Working days from ``today`` to ``due``: on the due date 0 are left, the working
    day after it -1. While suspended the clock stands still at ``stopped_on``."""
    if due is None:
        return None
    cal = cal or calendar()
    ref = stopped_on or today or local_date()
    if ref <= due:
        r = cal.working_days_between(ref, due)
        return DaysLeft(r.value, r.provisional, stopped_on is not None)
    r = cal.working_days_between(due, ref)
    # Overdue on a non-working day after the due date still counts as overdue.
    return DaysLeft(-max(r.value, 1), r.provisional, stopped_on is not None)


def case_days_left(case, today: dt.date | None = None, cal: WorkCalendar | None = None):
    """Days left against the promised due date of an open case (None when not running)."""
    if not case.is_open or case.promised_due_date is None:
        return None
    stopped = case.suspended_since if case.is_suspended else None
    left = days_left(case.promised_due_date, today=today, stopped_on=stopped, cal=cal)
    if left is not None and case.due_provisional and not left.provisional:
        left = DaysLeft(left.value, True, left.stopped)
    return left


def outcome(done_on: dt.date, due: dt.date) -> str:
    """early / on_time / overdue of a conclusion on ``done_on`` against ``due``."""
    if done_on < due:
        return EARLY
    if done_on == due:
        return ON_TIME
    return OVERDUE


def working_days_used(
    accepted_on: dt.date, done_on: dt.date, suspended_days: int, cal: WorkCalendar | None = None
) -> tuple[int, bool]:
    """Working days from acceptance to conclusion, the suspended ones left out."""
    cal = cal or calendar()
    r = cal.working_days_between(accepted_on, done_on)
    return max(r.value - suspended_days, 0), r.provisional


def minutes_between(start: dt.datetime, end: dt.datetime) -> int:
    return max(int((end - start).total_seconds() // 60), 0)


def add_working_days(start: dt.date, n: int, cal: WorkCalendar | None = None):
    """The n-th working day after ``start`` as a DayResult (value, provisional)."""
    return (cal or calendar()).add_working_days(start, n)


def intake_due(start_on: dt.date, cal: WorkCalendar | None = None):
    """The last day for a decision or a correction notice on papers that came in on
    ``start_on`` (a DayResult: value, provisional)."""
    return add_working_days(start_on, INTAKE_DAYS, cal)


def intake_start(received_on: dt.date, notices: Iterable[tuple[dt.date, dt.date | None]]):
    """The day the present intake period began: the receipt, or the return of the papers
    asked for by the last notice. ``notices``: (issued on, papers back on) in order."""
    start = received_on
    for _issued_on, supplied_on in notices:
        if supplied_on is not None:
            start = supplied_on
    return start


def deemed_acceptance_on(
    received_on: dt.date,
    notices: Iterable[tuple[dt.date, dt.date | None]],
    decided_on: dt.date,
    cal: WorkCalendar | None = None,
) -> dt.date | None:
    """The day an application counts as accepted because the hall let an intake period
    pass (a notice, or the decision, came after it), or None when every step came in
    time. The day is the start of the period that was let pass: the receipt, or the
    return of the papers after an earlier notice given in time."""
    start = received_on
    for issued_on, supplied_on in notices:
        if issued_on > intake_due(start, cal).value:
            return start
        if supplied_on is None:
            return None
        start = supplied_on
    if decided_on > intake_due(start, cal).value:
        return start
    return None
