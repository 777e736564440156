"""A year 2025 of the personas' hall CG with figures counted by hand (see `year2025`)."""

import datetime as dt

import pytest

from onewindow.assessment.models import AssessmentScheme
from onewindow.cases.models import Case
from onewindow.cases.tests.factories import at, make_accepted_case, make_item
from onewindow.complaints.models import Complaint
from onewindow.complaints.tests.factories import make_complaint
from onewindow.conduct.models import ConductRecord
from onewindow.conduct.tests.factories import clause
from onewindow.ratings.models import Rating
from onewindow.supervision.models import Alert
from onewindow.supervision.tests.factories import make_alert

YEAR = 2025


def decided(case, day, promised="on_time", legal="on_time"):
    Case.objects.filter(pk=case.pk).update(
        concluded_at=at(day, 15), outcome_promised=promised, outcome_legal=legal
    )


def rate(personas, case, day, level):
    return Rating.objects.create(
        case=case, act="accepted", act_at=at(day), hall=case.hall, window=case.window,
        staff=personas.clerk, level=level, channel="window", rated_at=at(day, 11),
    )  # fmt: skip


@pytest.fixture
def scheme_2025(db):
    """The seeded scheme of 2026, copied for 2025 (same layout), with the 考核 block's
    indicators (monthly reports, meeting decisions, training) manual: the sums below are
    counted by hand without them; test_indicators checks them on their own."""
    from onewindow.assessment import services
    from onewindow.assessment.models import Indicator

    scheme = services.create_scheme(actor=None, year=YEAR)
    Indicator.objects.filter(block__scheme=scheme, block__code="assessment").update(
        method="manual", source=""
    )
    return scheme


@pytest.fixture
def year2025(personas, scheme_2025):
    """Hall CG in 2025:

    decisions: 4 (3 in time against the promised date, 1 overdue against both dates),
      plus one decided on 2024-12-31 (not counted) and one 2026-01-01 local (not counted)
    ratings: 5, 4, 3, 1 in 2025 (one bad) and a bad one in 2024 (not counted)
    complaints: 2 of 2025 answered, one by its date, one after; one found valid
    conduct records: 1 in 2025
    alerts: 1 yellow card and 1 red fee card (fee_mismatch) in 2025
    Hall MZ: nothing at all (full marks for every automatic indicator).
    """
    p = personas
    item = make_item(p.department, [p.hall], name="机动车转移登记")
    cases = [make_accepted_case(p, item) for _ in range(6)]
    decided(cases[0], "2025-03-03", "early", "early")
    decided(cases[1], "2025-05-06")
    decided(cases[2], "2025-09-09")
    decided(cases[3], "2025-11-11", "overdue", "overdue")
    decided(cases[4], "2024-12-31")
    Case.objects.filter(pk=cases[5].pk).update(
        concluded_at=dt.datetime(2025, 12, 31, 16, 30, tzinfo=dt.UTC),  # 2026-01-01 00:30 local
        outcome_promised="overdue",
        outcome_legal="overdue",
    )
    for day, level in (("2025-02-03", 5), ("2025-04-07", 4), ("2025-06-09", 3),
                       ("2025-08-11", 1), ("2024-06-03", 1)):  # fmt: skip
        rate(p, cases[0], day, level)
    c1 = make_complaint(p)
    c2 = make_complaint(p)
    Complaint.objects.filter(pk=c1.pk).update(
        registered_at=at("2025-03-03"), answer_due=dt.date(2025, 3, 20),
        answered_at=at("2025-03-18"), finding="valid",
    )  # fmt: skip
    Complaint.objects.filter(pk=c2.pk).update(
        registered_at=at("2025-07-01"), answer_due=dt.date(2025, 7, 18),
        answered_at=at("2025-07-25"), finding="not_valid",
    )  # fmt: skip
    ConductRecord.objects.create(
        staff=p.clerk, hall=p.hall, clause=clause(), date=dt.date(2025, 6, 6),
        note="上班时间玩手机", recorded_by=p.supervisor,
    )  # fmt: skip
    yellow = make_alert(p, cases[1], code="case_overdue")
    fee = make_alert(p, cases[2], code="fee_mismatch")
    Alert.objects.filter(pk=yellow.pk).update(raised_at=at("2025-05-01"), level="yellow")
    Alert.objects.filter(pk=fee.pk).update(raised_at=at("2025-09-01"), level="red")
    return {"item": item, "cases": cases, "scheme": AssessmentScheme.objects.get(year=YEAR)}
