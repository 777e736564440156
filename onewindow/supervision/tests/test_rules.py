"""Every rule with a frozen clock: 2026-09-30 (Wednesday), the last working day before the
National Day holiday (10-01..10-07 off, Saturday 10-10 worked)."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.utils import translation

from onewindow.cases.fees import price_lines
from onewindow.cases.models import Case, CaseEvent, CaseFeeLine
from onewindow.catalogue.models import Fee
from onewindow.supervision.models import Alert, AlertEvent, Level, Rule
from onewindow.supervision.services.scan import scan

from .conftest import local
from .factories import (
    make_case,
    make_correction,
    make_event,
    make_extension,
    make_item,
    make_step,
    make_suspension,
    only_rules,
)

pytestmark = pytest.mark.django_db

D = date


def alerts(code):
    return list(Alert.objects.filter(rule__code=code).select_related("case"))


# ------------------------------------------------------------------ case_due_soon


def test_it_seeds_every_rule_of_the_issue():
    # Rules other apps add (followups: overdue bad-rating follow-ups) are theirs to test.
    codes = set(Rule.objects.exclude(code__startswith="followup_").values_list("code", flat=True))
    assert codes == {
        "step_due_soon",
        "case_due_soon",
        "case_overdue",
        "step_overdue",
        "legal_overdue",
        "refusal_without_reason",
        "intake_overdue",
        "late_correction_notice",
        "fee_mismatch",
        "suspension_too_long",
        "extension_without_approver",
        "extension_after_legal_due",
        "late_delivery",
        "not_delivered",
        "concluded_without_acceptance",
    }
    levels = {r.code: (r.level, r.threshold) for r in Rule.objects.filter(code__in=codes)}
    # Warnings before the due date (a step's on its due day only), a yellow card past the
    # promised date, a red one past the legal date; irregular acts are red cards.
    assert levels["step_due_soon"] == (Level.WARNING, 0)
    assert levels["case_due_soon"] == (Level.WARNING, 1)
    assert levels["case_overdue"] == (Level.YELLOW, 0)
    assert levels["step_overdue"] == (Level.YELLOW, 0)
    assert levels["legal_overdue"] == (Level.RED, 0)
    clock_rules = {
        "step_due_soon",
        "case_due_soon",
        "case_overdue",
        "step_overdue",
        "legal_overdue",
    }
    assert {level for code, (level, _n) in levels.items() if code not in clock_rules} == {Level.RED}
    assert all(r.spec is not None for r in Rule.objects.all())


def test_it_raises_a_warning_when_one_working_day_is_left_across_the_holiday(
    clock, personas, version
):
    only_rules("case_due_soon")
    # 10-08 is the first working day after today (10-01..10-07 off): 1 working day left,
    # although it is 8 calendar days away.
    due_next_workday = make_case(
        personas, version, promised_due=D(2026, 10, 8), assignee=personas.handler
    )
    in_holiday = make_case(
        personas, version, promised_due=D(2026, 10, 5), assignee=personas.handler
    )
    due_today = make_case(personas, version, promised_due=D(2026, 9, 30))
    two_left = make_case(personas, version, promised_due=D(2026, 10, 9))
    scan()
    raised = {a.case_id: a for a in alerts("case_due_soon")}
    assert set(raised) == {due_next_workday.pk, in_holiday.pk, due_today.pk}
    assert two_left.pk not in raised
    card = raised[due_next_workday.pk]
    assert card.level == Level.WARNING
    assert card.responsible == personas.handler
    assert card.hall == personas.hall and card.department == personas.department
    assert card.due_date == D(2026, 10, 8)
    assert card.detail == {"due_date": "2026-10-08", "days_left": 1}
    assert card.status == Alert.Status.RAISED
    assert list(card.events.values_list("kind", flat=True)) == [AlertEvent.Kind.RAISED]


def test_it_follows_the_threshold_of_the_due_soon_rule(clock, personas, version):
    only_rules("case_due_soon")
    Rule.objects.filter(code="case_due_soon").update(threshold=2)
    two_left = make_case(personas, version, promised_due=D(2026, 10, 9))
    three_left = make_case(personas, version, promised_due=D(2026, 10, 10))  # the swapped Saturday
    scan()
    assert [a.case_id for a in alerts("case_due_soon")] == [two_left.pk]
    assert three_left.pk not in [a.case_id for a in alerts("case_due_soon")]


def test_it_leaves_suspended_intake_and_concluded_cases_off_the_clock(clock, personas, version):
    only_rules("case_due_soon", "case_overdue")
    for status in (Case.Status.SUSPENDED, Case.Status.RECEIVED, Case.Status.CONCLUDED):
        make_case(personas, version, status=status, promised_due=D(2026, 9, 28))
        make_case(personas, version, status=status, promised_due=D(2026, 9, 30))
    scan()
    assert Alert.objects.count() == 0


# ------------------------------------------------------------------- step_due_soon


def test_it_warns_the_assignee_of_a_step_on_its_due_day(clock, personas, version):
    only_rules("step_due_soon")
    case = make_case(personas, version, promised_due=D(2026, 10, 20), assignee=personas.reviewer)
    step = make_step(case, position=2, assignee=personas.approver, due_date=D(2026, 9, 30))
    # Due on the next working day (after the holiday): not yet, with the default threshold 0.
    tomorrow = make_case(personas, version, promised_due=D(2026, 10, 20))
    make_step(tomorrow, position=1, assignee=personas.handler, due_date=D(2026, 10, 8))
    scan()
    [warning] = alerts("step_due_soon")
    assert warning.case == case
    assert warning.step == step and warning.step_position == 2
    assert warning.responsible == personas.approver
    assert warning.level == Level.WARNING
    assert warning.detail == {"due_date": "2026-09-30", "days_left": 0, "step": "审批"}


def test_it_does_not_raise_for_a_finished_step(clock, personas, version):
    only_rules("step_due_soon")
    case = make_case(personas, version, promised_due=D(2026, 10, 20))
    step = make_step(case, assignee=personas.handler, due_date=D(2026, 9, 30))
    step.finished_at = local(2026, 9, 29)
    step.save()
    scan()
    assert alerts("step_due_soon") == []


# -------------------------------------------------------------------- step_overdue


def test_it_raises_a_yellow_card_for_a_step_past_its_own_due_date(clock, personas, version):
    only_rules("step_overdue")
    case = make_case(personas, version, promised_due=D(2026, 10, 20), assignee=personas.handler)
    step = make_step(case, position=2, assignee=personas.approver, due_date=D(2026, 9, 29))
    due_today = make_case(personas, version, promised_due=D(2026, 10, 20))
    make_step(due_today, assignee=personas.handler, due_date=D(2026, 9, 30))
    scan()
    [card] = alerts("step_overdue")
    assert card.case == case and card.level == Level.YELLOW
    assert card.step == step and card.step_position == 2 and card.subject_id == step.pk
    assert card.responsible == personas.approver
    assert card.due_date == D(2026, 9, 29)
    assert card.detail == {"due_date": "2026-09-29", "days_overdue": 1, "step": "审批"}
    with translation.override("en"):
        assert card.summary == (
            "Step “审批” was due on 2026-09-29; 1 working day(s) past due when raised."
        )
    with translation.override("zh-hans"):
        assert card.summary == "环节“审批”到期日 2026-09-29；发出时已超期 1 个工作日。"
    # A card waits for an answer, as the case's yellow card does.
    assert list(Alert.objects.awaiting_answer()) == [card]


def test_it_counts_a_steps_lateness_in_working_days_across_the_holiday(clock, personas, version):
    only_rules("step_overdue")
    clock.move_to(local(2026, 10, 8, 10))  # the first working day after the holiday
    case = make_case(personas, version, promised_due=D(2026, 10, 20))
    make_step(case, assignee=personas.handler, due_date=D(2026, 9, 30))
    scan()
    [card] = alerts("step_overdue")
    assert card.detail["days_overdue"] == 1  # 10-01..10-07 are not working days


def test_it_waits_for_the_grace_of_the_step_overdue_rule(clock, personas, version):
    only_rules("step_overdue")
    Rule.objects.filter(code="step_overdue").update(threshold=2)
    one_day = make_case(personas, version, promised_due=D(2026, 10, 20))
    make_step(one_day, assignee=personas.handler, due_date=D(2026, 9, 29))
    two_days = make_case(personas, version, promised_due=D(2026, 10, 20))
    make_step(two_days, assignee=personas.handler, due_date=D(2026, 9, 28))
    scan()
    assert [a.case_id for a in alerts("step_overdue")] == [two_days.pk]


def test_it_leaves_finished_steps_stopped_clocks_and_the_cases_own_date_alone(
    clock, personas, version
):
    only_rules("step_overdue", "case_overdue")
    finished = make_case(personas, version, promised_due=D(2026, 10, 20))
    step = make_step(finished, assignee=personas.handler, due_date=D(2026, 9, 28))
    step.finished_at = local(2026, 9, 29)
    step.save()
    for status in (Case.Status.SUSPENDED, Case.Status.CONCLUDED, Case.Status.WITHDRAWN):
        stopped = make_case(personas, version, status=status, promised_due=D(2026, 10, 20))
        make_step(stopped, assignee=personas.handler, due_date=D(2026, 9, 28))
    # A step without a limit of its own is due on the case's promised date: the case's
    # yellow card says it, not a second one for the step.
    late_case = make_case(personas, version, promised_due=D(2026, 9, 28))
    make_step(late_case, assignee=personas.handler, due_date=D(2026, 9, 28))
    scan()
    assert alerts("step_overdue") == []
    assert [a.case_id for a in alerts("case_overdue")] == [late_case.pk]


def test_it_raises_a_new_step_card_when_an_extension_moves_a_missed_date(clock, personas, version):
    only_rules("step_overdue")
    case = make_case(personas, version, promised_due=D(2026, 10, 20))
    step = make_step(case, assignee=personas.handler, due_date=D(2026, 9, 25))
    scan()
    scan()
    [first] = alerts("step_overdue")
    step.due_date = D(2026, 9, 29)  # an extension moved it, and it is missed again
    step.save()
    case.save()  # the case services save the case with every change
    clock.move_to(local(2026, 9, 30, 10, 0, 15))
    scan()
    cards = alerts("step_overdue")
    assert sorted(a.due_date for a in cards) == [D(2026, 9, 25), D(2026, 9, 29)]
    first.refresh_from_db()
    assert first.status == Alert.Status.RAISED  # a card never closes itself


# -------------------------------------------------------------- case_overdue / legal


def test_it_raises_a_yellow_card_past_the_promised_date_and_not_on_the_due_day(
    clock, personas, version
):
    only_rules("case_overdue")
    late = make_case(personas, version, promised_due=D(2026, 9, 29), assignee=personas.handler)
    due_today = make_case(personas, version, promised_due=D(2026, 9, 30))
    scan()
    [card] = alerts("case_overdue")
    assert card.case == late and card.level == Level.YELLOW
    assert card.responsible == personas.handler
    assert card.detail == {"due_date": "2026-09-29", "days_overdue": 1}
    assert due_today.pk != card.case_id


def test_it_falls_back_to_the_current_steps_assignee(clock, personas, version):
    only_rules("case_overdue")
    case = make_case(personas, version, promised_due=D(2026, 9, 29))
    make_step(case, assignee=personas.reviewer)
    Case.objects.filter(pk=case.pk).update(current_assignee=None)
    scan()
    [card] = alerts("case_overdue")
    assert card.responsible == personas.reviewer


def test_it_waits_for_the_grace_of_working_days_of_the_overdue_rule(clock, personas, version):
    only_rules("case_overdue")
    Rule.objects.filter(code="case_overdue").update(threshold=2)
    one_day = make_case(personas, version, promised_due=D(2026, 9, 29))
    two_days = make_case(personas, version, promised_due=D(2026, 9, 28))
    scan()
    assert [a.case_id for a in alerts("case_overdue")] == [two_days.pk]
    assert one_day.pk not in [a.case_id for a in alerts("case_overdue")]


def test_it_raises_a_red_card_past_the_legal_limit_apart_from_the_yellow_card(
    clock, personas, version
):
    only_rules("case_overdue", "legal_overdue")
    both = make_case(personas, version, promised_due=D(2026, 9, 1), legal_due=D(2026, 9, 15))
    promised_only = make_case(
        personas, version, promised_due=D(2026, 9, 1), legal_due=D(2026, 10, 30)
    )
    scan()
    reds = alerts("legal_overdue")
    assert [a.case_id for a in reds] == [both.pk]
    assert reds[0].level == Level.RED and reds[0].due_date == D(2026, 9, 15)
    yellows = alerts("case_overdue")
    assert {a.case_id for a in yellows} == {both.pk, promised_only.pk}
    assert {a.level for a in yellows} == {Level.YELLOW}


# ----------------------------------------------------------- refusal_without_reason


def test_it_raises_for_a_refusal_without_a_written_reason(clock, personas, version):
    only_rules("refusal_without_reason")
    blank = make_case(personas, version, status=Case.Status.REFUSED, refusal_reason="")
    make_event(blank, CaseEvent.Kind.REFUSED, actor=personas.manager)
    spaces = make_case(personas, version, status=Case.Status.REFUSED, refusal_reason="  \n ")
    make_case(
        personas, version, status=Case.Status.REFUSED, refusal_reason="材料不属于本机关职权范围"
    )
    scan()
    raised = {a.case_id: a for a in alerts("refusal_without_reason")}
    assert set(raised) == {blank.pk, spaces.pk}
    assert raised[blank.pk].responsible == personas.manager  # who refused
    assert raised[spaces.pk].responsible == personas.clerk  # no event: who received it


# ----------------------------------------------------------- late_correction_notice


def test_it_raises_for_a_correction_notice_later_than_five_working_days(clock, personas, version):
    only_rules("late_correction_notice")
    # Received Monday 09-21; Mid-Autumn (09-25..09-27) is off, so the fifth working day
    # after receipt is Tuesday 09-29, not Monday 09-28.
    on_time = make_case(
        personas, version, status=Case.Status.CORRECTION, received_on=D(2026, 9, 21)
    )
    make_correction(on_time, issued_on=D(2026, 9, 29), issued_by=personas.clerk)
    late = make_case(personas, version, status=Case.Status.CORRECTION, received_on=D(2026, 9, 21))
    notice = make_correction(late, issued_on=D(2026, 9, 30), issued_by=personas.reviewer)
    scan()
    [card] = alerts("late_correction_notice")
    assert card.case == late and card.subject_id == notice.pk
    assert card.responsible == personas.reviewer
    assert card.detail == {
        "received": "2026-09-21",
        "issued": "2026-09-30",
        "deadline": "2026-09-29",
        "round": 1,
    }


def test_it_can_count_the_correction_days_as_calendar_days(clock, personas, version):
    only_rules("late_correction_notice")
    Rule.objects.filter(code="late_correction_notice").update(params={"count": "calendar_days"})
    case = make_case(personas, version, status=Case.Status.CORRECTION, received_on=D(2026, 9, 21))
    make_correction(case, issued_on=D(2026, 9, 27))
    scan()
    assert [a.detail["deadline"] for a in alerts("late_correction_notice")] == ["2026-09-26"]


# --------------------------------------------------------------------- fee_mismatch


def property_transfer(personas):
    """A residential transfer (转移登记): 80 yuan a case, the first certificate included, 10
    for each extra one; waived for small businesses."""
    version = make_item(personas.department, halls=[personas.hall], name="房屋所有权转移登记")
    fee = Fee.objects.create(
        version=version,
        name="不动产登记费（住宅）",
        amount=Decimal("80.00"),
        standard="80元/件（每增加一本证书加收10元）",
        basis="发改价格规〔2016〕2559号",
        waivable=True,
        waiver_condition="小微企业",
        per_copy_amount=Decimal("10.00"),
    )
    return version, fee


def charge(personas, version, amount, *conditions, status=Case.Status.CONCLUDED):
    """A case charged ``amount`` with its fee lines recorded under ``conditions`` (priced
    by cases.fees, as the services do)."""
    case = make_case(personas, version, status=status, fee_charged=Decimal(amount))
    lines = price_lines(version.fees.all(), list(conditions))
    for line in lines:
        line.case = case
    CaseFeeLine.objects.bulk_create(lines)
    return case


def test_it_compares_the_charge_with_the_standard_under_the_recorded_conditions(clock, personas):
    only_rules("fee_mismatch")
    version, fee = property_transfer(personas)
    normal = charge(personas, version, "80.00")
    one_copy = charge(personas, version, "90.00", {"fee": fee.pk, "extra_copies": 1})
    no_copy = charge(personas, version, "90.00")
    waived = charge(personas, version, "0.00", {"fee": fee.pk, "waived": True})
    waived_but_paid = charge(personas, version, "80.00", {"fee": fee.pk, "waived": True})
    make_event(no_copy, CaseEvent.Kind.FEE_CHARGED, actor=personas.clerk)
    scan()
    raised = {a.case_id: a for a in alerts("fee_mismatch")}
    assert set(raised) == {no_copy.pk, waived_but_paid.pk}
    assert raised[no_copy.pk].detail == {"charged": "90.00", "standard": "80.00"}
    assert raised[no_copy.pk].responsible == personas.clerk
    assert raised[waived_but_paid.pk].detail == {"charged": "80.00", "standard": "0.00"}
    assert "80.00" in raised[no_copy.pk].summary
    assert {normal.pk, one_copy.pk, waived.pk}.isdisjoint(raised)


def test_it_takes_a_reduced_amount_and_waives_only_the_lines_recorded(clock, personas):
    only_rules("fee_mismatch")
    version = make_item(personas.department, halls=[personas.hall], fees=[("10.00", True)])
    garage = Fee.objects.create(
        version=version,
        position=9,
        name="不动产登记费（非住宅）",
        amount=Decimal("550.00"),
        standard="550元/件",
        basis="发改价格规〔2016〕2559号",
        reduced_amount=Decimal("80.00"),
        reduced_condition="车库、车位单独登记",
    )
    first = version.fees.get(amount=Decimal("10.00"))
    reduced = charge(personas, version, "90.00", {"fee": garage.pk, "reduced": True})
    partly_waived = charge(personas, version, "550.00", {"fee": first.pk, "waived": True})
    reduced_not_recorded = charge(personas, version, "90.00")
    scan()
    assert [a.case_id for a in alerts("fee_mismatch")] == [reduced_not_recorded.pk]
    assert {reduced.pk, partly_waived.pk}.isdisjoint(a.case_id for a in alerts("fee_mismatch"))


def test_a_charge_without_recorded_lines_is_held_to_the_standard_as_published(clock, personas):
    only_rules("fee_mismatch")
    version = make_item(
        personas.department, halls=[personas.hall], fees=[("10.00", False), ("5.00", True)]
    )
    standard = make_case(personas, version, fee_charged=Decimal("15.00"))
    less_the_waivable = make_case(personas, version, fee_charged=Decimal("10.00"))
    scan()
    assert [a.case_id for a in alerts("fee_mismatch")] == [less_the_waivable.pk]
    assert standard.pk != less_the_waivable.pk


def test_it_raises_for_a_fee_charged_on_an_item_without_fees(clock, personas, version):
    only_rules("fee_mismatch")
    case = make_case(personas, version, fee_charged=Decimal("0.01"))
    free = make_case(personas, version, fee_charged=Decimal("0"))
    scan()
    assert [a.case_id for a in alerts("fee_mismatch")] == [case.pk]
    assert free.pk != case.pk


def test_it_skips_items_whose_fee_has_no_fixed_amount_and_honours_the_tolerance(clock, personas):
    only_rules("fee_mismatch")
    per_unit = make_item(personas.department, fees=[("10.00", False), (None, True)])
    make_case(personas, per_unit, fee_charged=Decimal("99.00"))
    charge(personas, per_unit, "99.00")
    waived_unit = per_unit.fees.get(amount__isnull=True)
    priced = charge(personas, per_unit, "11.00", {"fee": waived_unit.pk, "waived": True})
    fixed = make_item(personas.department, fees=[("10.00", False)])
    near = charge(personas, fixed, "11.00")
    Rule.objects.filter(code="fee_mismatch").update(threshold=1)
    scan()
    assert alerts("fee_mismatch") == []
    Rule.objects.filter(code="fee_mismatch").update(threshold=0)
    scan()
    # With the per-unit line waived, the case has a standard (10) and is checked.
    assert sorted(a.case_id for a in alerts("fee_mismatch")) == sorted([near.pk, priced.pk])


# -------------------------------------------------------------- suspension_too_long


def test_it_raises_for_a_suspension_longer_than_allowed(clock, personas, version):
    only_rules("suspension_too_long")
    # From Monday 09-21 to today: 09-22..09-24 and 09-28..09-30 = 6 working days
    # (Mid-Autumn 09-25..09-27 is off).
    running = make_case(personas, version, status=Case.Status.SUSPENDED, assignee=personas.handler)
    too_long = make_suspension(
        running, started_on=D(2026, 9, 21), max_days=5, started_by=personas.approver
    )
    allowed = make_case(personas, version, status=Case.Status.SUSPENDED)
    make_suspension(allowed, started_on=D(2026, 9, 21), max_days=6)
    resumed = make_case(personas, version)
    make_suspension(resumed, started_on=D(2026, 9, 21), max_days=5, resumed_on=D(2026, 9, 25))
    unlimited = make_case(personas, version, status=Case.Status.SUSPENDED)
    make_suspension(unlimited, started_on=D(2026, 1, 5), max_days=None)
    scan()
    [card] = alerts("suspension_too_long")
    assert card.case == running and card.subject_id == too_long.pk
    assert card.responsible == personas.approver
    assert card.detail["days"] == 6 and card.detail["max_days"] == 5


def test_it_counts_a_resumed_suspension_up_to_its_resumption(clock, personas, version):
    only_rules("suspension_too_long")
    case = make_case(personas, version)
    make_suspension(case, started_on=D(2026, 9, 1), max_days=5, resumed_on=D(2026, 9, 9))  # 6 days
    scan()
    [card] = alerts("suspension_too_long")
    assert card.detail["days"] == 6 and card.detail["resumed_on"] == "2026-09-09"


# ------------------------------------------------------- extension_without_approver


def test_it_raises_for_an_extension_without_an_approver_or_approved_by_its_requester(
    clock, personas, version
):
    only_rules("extension_without_approver")
    missing = make_case(personas, version)
    ext = make_extension(missing, requested_by=personas.handler)
    self_approved = make_case(personas, version)
    make_extension(self_approved, requested_by=personas.approver, approver=personas.approver)
    approved = make_case(personas, version)
    make_extension(approved, requested_by=personas.handler, approver=personas.approver)
    scan()
    raised = {a.case_id: a for a in alerts("extension_without_approver")}
    assert set(raised) == {missing.pk, self_approved.pk}
    assert raised[missing.pk].subject_id == ext.pk
    assert raised[missing.pk].responsible == personas.handler
    assert raised[self_approved.pk].detail["self_approved"] is True
    # Approved in a department system (the exchange): no card here.
    exchanged = make_case(personas, version, source=Case.Source.EXCHANGE)
    make_extension(exchanged)
    scan()
    assert exchanged.pk not in {a.case_id for a in alerts("extension_without_approver")}


# ------------------------------------------------------- extension_after_legal_due


def extended(case, *, on, days, legal_due_after, approver):
    """The `extended` event as the services write it: the days and the dates after."""
    return make_event(
        case,
        CaseEvent.Kind.EXTENDED,
        actor=approver,
        at_=local(on.year, on.month, on.day, 15),
        data={
            "days": days,
            "approver_id": approver.pk,
            "legal_due_date": legal_due_after.isoformat(),
        },
    )


def test_it_raises_a_red_card_for_an_extension_approved_after_the_legal_due_date(
    clock, personas, version
):
    only_rules("extension_after_legal_due")
    # Legal due 09-29 before the extension; 5 working days later (09-30, 10-08, 10-09,
    # the swapped Saturday 10-10, 10-12 after the holiday) it is 10-12.
    late = make_case(personas, version, legal_due=D(2026, 10, 12))
    event = extended(
        late, on=D(2026, 9, 30), days=5, legal_due_after=D(2026, 10, 12), approver=personas.approver
    )
    # The same extension approved on the legal due date itself: in time.
    on_the_day = make_case(personas, version, legal_due=D(2026, 10, 12))
    extended(
        on_the_day,
        on=D(2026, 9, 29),
        days=5,
        legal_due_after=D(2026, 10, 12),
        approver=personas.approver,
    )
    scan()
    [card] = alerts("extension_after_legal_due")
    assert card.case == late and card.level == Level.RED
    assert card.subject_id == event.pk and card.responsible == personas.approver
    assert card.detail == {"days": 5, "on": "2026-09-30", "legal_due": "2026-09-29"}
    with translation.override("en"):
        assert card.summary == (
            "Extension of 5 working day(s) approved on 2026-09-30, after the legal due "
            "date 2026-09-29."
        )
    scan(full=True)
    assert len(alerts("extension_after_legal_due")) == 1


def test_an_extension_approved_in_time_through_the_services_raises_nothing(personas):
    from onewindow.cases import services as case_services
    from onewindow.cases.tests import factories as case_factories

    only_rules("extension_after_legal_due", "extension_without_approver")
    item = case_factories.make_item(personas.department, [personas.hall])
    with time_machine.travel(local(2026, 11, 2, 10), tick=False) as traveller:
        case = case_factories.make_accepted_case(personas, item)
        traveller.move_to(local(2026, 11, 30, 10))  # the legal due date itself
        assert case.legal_due_date == D(2026, 11, 30)
        case = case_services.request_extension(
            actor=case.current_assignee, case=case, days=3, reason="需现场核查"
        )
        case = case_services.decide_extension(actor=personas.approver, case=case, approve=True)
        assert scan().raised == 0


# ---------------------------------------------------- concluded_without_acceptance


def test_it_raises_for_a_case_concluded_without_acceptance(clock, personas, version):
    only_rules("concluded_without_acceptance")
    never = make_case(
        personas,
        version,
        status=Case.Status.CONCLUDED,
        accepted_at=None,
        concluded_at=local(2026, 9, 29),
    )
    make_event(never, CaseEvent.Kind.CONCLUDED, actor=personas.approver)
    delivered = make_case(personas, version, status=Case.Status.DELIVERED, accepted_at=None)
    make_case(personas, version, status=Case.Status.CONCLUDED)  # accepted: fine
    scan()
    raised = {a.case_id: a for a in alerts("concluded_without_acceptance")}
    assert set(raised) == {never.pk, delivered.pk}
    assert raised[never.pk].responsible == personas.approver
    assert raised[never.pk].detail == {"concluded": "2026-09-29"}


# ---------------------------------------------------------------------- rules as data


def test_it_raises_nothing_for_a_disabled_rule(clock, personas, version):
    only_rules("case_due_soon")
    make_case(personas, version, promised_due=D(2026, 9, 1))
    scan()
    assert Alert.objects.count() == 0


def test_it_gives_new_alerts_the_level_the_rule_has_now(clock, personas, version):
    only_rules("case_overdue")
    Rule.objects.filter(code="case_overdue").update(level=Level.FLAG)
    make_case(personas, version, promised_due=D(2026, 9, 1))
    scan()
    assert Alert.objects.get().level == Level.FLAG


def test_it_describes_each_alert_in_words(clock, personas, version):
    make_case(personas, version, promised_due=D(2026, 9, 29), legal_due=D(2026, 9, 29))
    scan()
    for alert in Alert.objects.select_related("rule"):
        assert "2026-09-29" in alert.summary


# ------------------------------------------------------------------ intake_overdue


def test_it_raises_for_papers_without_a_notice_or_decision_in_5_working_days(
    clock, personas, version
):
    only_rules("intake_overdue")
    # Received 09-21: the 5th working day after is 09-29 (Mid-Autumn 09-25..27 off).
    late = make_case(personas, version, status=Case.Status.RECEIVED, received_on=D(2026, 9, 21))
    in_time = make_case(personas, version, status=Case.Status.RECEIVED, received_on=D(2026, 9, 22))
    # Papers back on 09-28 after a notice in time: a new period from then.
    back = make_case(personas, version, status=Case.Status.RECEIVED, received_on=D(2026, 9, 14))
    make_correction(back, issued_on=D(2026, 9, 15), supplied_on=D(2026, 9, 28))
    waiting = make_case(personas, version, status=Case.Status.CORRECTION, received_on=D(2026, 9, 1))
    make_correction(waiting, issued_on=D(2026, 9, 2))
    scan()
    [card] = alerts("intake_overdue")
    assert card.case == late and card.level == Level.RED
    assert card.detail == {"since": "2026-09-21", "due": "2026-09-29"}
    assert card.responsible == personas.clerk
    assert {in_time.pk, back.pk, waiting.pk}.isdisjoint(
        {a.case_id for a in alerts("intake_overdue")}
    )
    scan()
    assert len(alerts("intake_overdue")) == 1  # once per period


def test_it_counts_a_second_notice_from_the_return_of_the_papers(clock, personas, version):
    """The service and the rule count alike: a second notice 3 working days after the
    papers came back is in time, however long ago the case was received."""
    only_rules("late_correction_notice")
    case = make_case(personas, version, status=Case.Status.CORRECTION, received_on=D(2026, 9, 1))
    make_correction(case, issued_on=D(2026, 9, 2), supplied_on=D(2026, 9, 24))
    make_correction(case, issued_on=D(2026, 9, 30), round=2)  # 09-24 + 3 working days
    scan()
    assert alerts("late_correction_notice") == []


# ------------------------------------------------------------------------ delivery


def test_it_raises_for_a_result_delivered_or_left_undelivered_past_10_working_days(
    clock, personas, version
):
    only_rules("late_delivery", "not_delivered")
    # Decided 09-14: the 10th working day after is 09-28 (Sunday 09-20 worked, Mid-Autumn
    # 09-25..27 off).
    decided = local(2026, 9, 14)
    late = make_case(
        personas,
        version,
        status=Case.Status.DELIVERED,
        concluded_at=decided,
        delivered_at=local(2026, 9, 29),
    )
    on_time = make_case(
        personas,
        version,
        status=Case.Status.DELIVERED,
        concluded_at=decided,
        delivered_at=local(2026, 9, 28),
    )
    waiting = make_case(personas, version, status=Case.Status.CONCLUDED, concluded_at=decided)
    recent = make_case(
        personas, version, status=Case.Status.CONCLUDED, concluded_at=local(2026, 9, 16)
    )
    scan()
    [delivered_late] = alerts("late_delivery")
    assert delivered_late.case == late
    assert delivered_late.detail == {
        "concluded": "2026-09-14",
        "delivered": "2026-09-29",
        "due": "2026-09-28",
    }
    [never] = alerts("not_delivered")
    assert never.case == waiting and never.detail["due"] == "2026-09-28"
    assert {on_time.pk, recent.pk}.isdisjoint(
        {a.case_id for a in alerts("late_delivery") + alerts("not_delivered")}
    )
