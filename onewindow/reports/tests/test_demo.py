"""The demo's reports: every past month of the year, each hall's, submitted (some late),
reviewed and published, one returned and submitted again; a second run adds nothing."""

import datetime as dt
import io

import pytest

from onewindow.cases.tests.factories import at
from onewindow.demo.organisation import load_organisation
from onewindow.reports import services
from onewindow.reports.demo import load_demo_reports
from onewindow.reports.models import MonthlyReport

S = MonthlyReport.State
pytestmark = pytest.mark.django_db


def test_the_demo_reports_every_past_month(time_machine):
    load_organisation()
    now = at("2026-07-20", 18)
    time_machine.move_to(now, tick=False)
    out = io.StringIO()
    added = load_demo_reports(stdout=out, now=now)
    halls = list(services.reporting_halls())
    assert len(halls) == 8 and added == 8 * 6
    reports = MonthlyReport.objects.filter(hall__isnull=False)
    assert sorted({r.month for r in reports}) == [dt.date(2026, n, 1) for n in range(1, 7)]
    assert all(r.state == S.PUBLISHED for r in reports)
    assert all(r.narrative and r.plans and r.due_on for r in reports)
    late = [r for r in reports if r.days_late]
    assert 0 < len(late) < len(reports) // 2
    returned = list(reports.filter(returns__gt=0))
    assert len(returned) == 1 and returned[0].return_reason
    assert returned[0].submitted_at > returned[0].returned_at
    assert "reports 2026-06: 8 halls" in out.getvalue()
    # The lateness is what the submission record reads.
    rec = services.submission_record(late[0].hall, 2026, today=now.date())
    month = next(m for m in rec["months"] if m["month"] == f"{late[0].month:%Y-%m}")
    assert month["on_time"] is False and month["days_late"] == late[0].days_late
    # Published, so open data.
    assert {r["hall"] for r in services.open_rows(dt.date(2026, 6, 1))} == {h.code for h in halls}
    # A second run adds nothing; a month later adds that month's reports.
    assert load_demo_reports(now=now) == 0
    assert reports.count() == 48
    later = at("2026-08-06", 12)  # July's reports are due Friday 7 August
    time_machine.move_to(later, tick=False)
    assert load_demo_reports(now=later) == 8
    july = reports.filter(month=dt.date(2026, 7, 1))
    assert {r.state for r in july} <= {S.DRAFT, S.SUBMITTED, S.PUBLISHED}
    assert july.filter(state=S.PUBLISHED).count() < 8
