"""The hall's submission and the centre's review: the states, the lateness counted on the
working-day calendar, and every refusal (translated, nothing changed)."""

import datetime as dt

import pytest
from django.utils import translation

from onewindow.audit.models import AuditEntry
from onewindow.cases.tests.factories import at
from onewindow.reports import services
from onewindow.reports.models import MonthlyReport
from onewindow.reports.services import ReportError

JUNE = dt.date(2026, 6, 1)
SEPTEMBER = dt.date(2026, 9, 1)
S = MonthlyReport.State
TEXT = {"narrative": "六月办件平稳。", "training_held": "窗口礼仪培训一次", "problems": "无",
        "plans": "七月推行预约办理"}  # fmt: skip


def submit(personas, month=JUNE, version=0, **kw):
    return services.save_written(
        actor=personas.manager, month=month, hall=personas.hall, data={**TEXT, **kw},
        version=version, submit=True,
    )  # fmt: skip


def decide(personas, report, decision, reason=""):
    return services.review(
        actor=personas.admin, month=report.month, hall=report.hall, decision=decision,
        version=report.version, reason=reason,
    )  # fmt: skip


def test_draft_submit_return_resubmit_publish(personas, time_machine):
    time_machine.move_to(at("2026-07-03", 9), tick=False)
    report = services.save_written(
        actor=personas.manager, month=JUNE, hall=personas.hall, data=TEXT, version=""
    )
    assert report.state == S.DRAFT and report.narrative == "六月办件平稳。"
    assert report.due_on == dt.date(2026, 7, 7)  # the 5th working day of July
    assert report.figures["hall"] == "CG"  # saving kept the report first
    report = submit(personas, version=report.version)
    assert report.state == S.SUBMITTED and report.days_late == 0
    report = decide(personas, report, "return", "请补充培训情况")
    assert (report.state, report.return_reason, report.returns) == (S.RETURNED, "请补充培训情况", 1)
    time_machine.move_to(at("2026-07-13", 9), tick=False)  # after the due day
    report = submit(personas, version=report.version, training_held="礼仪培训两次，32人")
    assert report.state == S.SUBMITTED
    assert report.days_late == 0  # lateness is that of the first submission
    report = decide(personas, report, "publish")
    assert report.state == S.PUBLISHED and report.published_at is not None
    actions = list(
        AuditEntry.objects.filter(object_type="reports.monthlyreport")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "report.monthly_generated", "report.written", "report.submitted", "report.returned",
        "report.submitted", "report.published",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("day", "late"),
    [
        ("2026-07-07", 0),  # the due day, Tuesday
        ("2026-07-10", 3),  # Friday: 8, 9, 10 July
        ("2026-07-11", 4),  # Saturday: counted from Monday 13 July
    ],
)
def test_lateness_across_a_weekend(personas, time_machine, day, late):
    time_machine.move_to(at(day, 16), tick=False)
    assert submit(personas).days_late == late


def test_lateness_across_the_national_day_holiday(personas, time_machine):
    # September's report: 1-7 October are off, Saturday 10 October is worked, so the 5th
    # working day of October is Tuesday 13 October.
    assert services.due_date(SEPTEMBER) == dt.date(2026, 10, 13)
    time_machine.move_to(at("2026-10-09", 10), tick=False)
    assert submit(personas, month=SEPTEMBER).days_late == 0
    report = MonthlyReport.objects.get()
    report.delete()
    time_machine.move_to(at("2026-10-17", 10), tick=False)  # Saturday: Monday 19th counts
    assert submit(personas, month=SEPTEMBER).days_late == 4


def test_the_due_day_is_the_centres_setting(personas, time_machine):
    services.set_due_working_day(actor=personas.admin, day=3)
    assert services.due_date(JUNE) == dt.date(2026, 7, 3)
    time_machine.move_to(at("2026-07-06", 10), tick=False)
    assert submit(personas).days_late == 1
    with pytest.raises(ReportError, match="1"):
        services.set_due_working_day(actor=personas.admin, day=0)
    with pytest.raises(ReportError):
        services.set_due_working_day(actor=personas.admin, day="五")
    assert services.due_working_day() == 3


def test_a_year_without_calendar_data_has_no_due_date(personas, time_machine):
    # December's report is due in January 2027, a year without official data.
    with pytest.raises(ReportError, match="2027"):
        services.due_date(dt.date(2026, 12, 1))
    time_machine.move_to(at("2027-01-04", 10), tick=False)
    with pytest.raises(ReportError, match="2027"):
        submit(personas, month=dt.date(2026, 12, 1))
    assert not MonthlyReport.objects.exists()


def _unchanged(fn):
    counts = (MonthlyReport.objects.count(), AuditEntry.objects.count())
    states = list(MonthlyReport.objects.values_list("state", "version"))
    with translation.override("en"), pytest.raises(ReportError) as exc:
        fn()
    assert (MonthlyReport.objects.count(), AuditEntry.objects.count()) == counts
    assert list(MonthlyReport.objects.values_list("state", "version")) == states
    return str(exc.value)


def test_bad_input_changes_nothing(personas, time_machine):
    time_machine.move_to(at("2026-07-03", 9), tick=False)
    # publishing a report never submitted (not kept, then a draft)
    assert "not submitted" in _unchanged(
        lambda: services.review(
            actor=personas.admin, month=JUNE, hall=personas.hall, decision="publish", version=0
        )
    )
    draft = services.save_written(
        actor=personas.manager, month=JUNE, hall=personas.hall, data=TEXT, version=0
    )
    assert "not submitted" in _unchanged(lambda: decide(personas, draft, "publish"))
    # submitting without a narrative
    _unchanged(lambda: submit(personas, version=draft.version, narrative="  "))
    # a stale form (the version of the page before the save), a doubled submission
    assert "changed" in _unchanged(lambda: submit(personas, version=0))
    report = submit(personas, version=draft.version)
    assert "changed" in _unchanged(lambda: submit(personas, version=draft.version))
    assert "no longer" in _unchanged(lambda: submit(personas, version=report.version))
    # returned without a reason
    assert "why" in _unchanged(lambda: decide(personas, report, "return", "   "))
    # another hall's report
    _unchanged(
        lambda: services.save_written(
            actor=personas.manager, month=JUNE, hall=personas.other_hall, data=TEXT, version=0
        )
    )
    # a month not over yet
    with pytest.raises(ReportError):
        services.parse_month("2026-07")
    with pytest.raises(ReportError):
        services.parse_month("2026-08")
    # a published report is not changed again, nor published twice
    published = decide(personas, report, "publish")
    assert "not submitted" in _unchanged(lambda: decide(personas, published, "publish"))
    assert "no longer" in _unchanged(lambda: submit(personas, version=published.version))


def test_the_submission_record_scores_each_month(personas, time_machine):
    time_machine.move_to(at("2026-07-07", 10), tick=False)
    submit(personas)  # June, on time
    time_machine.move_to(at("2026-08-12", 10), tick=False)
    submit(personas, month=dt.date(2026, 7, 1))  # July: due Fri 7 Aug, 3 working days late
    rec = services.submission_record(personas.hall, 2026, today=dt.date(2026, 8, 12))
    by_month = {m["month"]: m for m in rec["months"]}
    assert list(by_month) == [f"2026-{n:02d}" for n in range(1, 8)]
    assert by_month["2026-06"]["on_time"] is True and by_month["2026-06"]["score"] == 100
    assert by_month["2026-07"]["days_late"] == 3 and by_month["2026-07"]["score"] == 70
    assert by_month["2026-01"]["on_time"] is None and by_month["2026-01"]["score"] == 0
    assert (rec["on_time"], rec["late"], rec["missing"]) == (1, 1, 5)
    assert rec["score"] == round(170 / 7, 2)
