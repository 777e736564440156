"""Pre-due warnings (预警): raised on the due day (a step) or a working day ahead (a case),
closed by the next scan once the step is decided, the case concluded or suspended, or its
due date moved; they need no answer, so they are counted apart from the cards."""

from datetime import date

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from onewindow.audit.models import AuditEntry
from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.cases.services.common import step_due_date
from onewindow.cases.tests import factories as case_factories
from onewindow.supervision.models import Alert, AlertEvent, Level, Rule
from onewindow.supervision.services.scan import WARNING_CLOSED, scan

from .conftest import local
from .factories import make_alert, make_case, make_extension, make_step, only_rules

pytestmark = pytest.mark.django_db

D = date
INBOX = reverse("supervision:inbox")


def alert_of(code: str, **lookups) -> Alert:
    return Alert.objects.get(rule__code=code, **lookups)


def assert_closed_by_the_scan(alert: Alert, at) -> None:
    """Closed with the note and a "closed" event, without an actor or an audit row."""
    alert.refresh_from_db()
    assert alert.status == Alert.Status.CLOSED
    assert alert.decided_at == at and alert.decided_by is None
    assert alert.decision_note == WARNING_CLOSED
    event = alert.events.last()
    assert (event.kind, event.from_status, event.to_status) == (
        AlertEvent.Kind.CLOSED,
        Alert.Status.RAISED,
        Alert.Status.CLOSED,
    )
    assert event.note == WARNING_CLOSED and event.actor is None and event.at == at
    assert not AuditEntry.objects.filter(action="alert.closed").exists()


# ------------------------------------------------------------------- when it is raised


def test_a_one_day_step_assigned_today_is_warned_about_on_its_due_day_only(
    clock, personas, version
):
    only_rules("step_due_soon")
    case = make_case(personas, version, promised_due=D(2026, 10, 20))
    # Assigned on Wednesday 09-30 with a limit of 1 working day: due on 10-08, the first
    # working day after the National Day holiday (as the case services count it).
    due = step_due_date(case, 1, D(2026, 9, 30))
    assert due == D(2026, 10, 8)
    step = make_step(case, assignee=personas.handler, due_date=due)
    assert scan().raised == 0
    clock.move_to(local(2026, 10, 7, 18))  # the last day of the holiday
    assert scan().raised == 0
    clock.move_to(local(2026, 10, 8, 8))  # its due day
    assert scan().by_rule == {"step_due_soon": 1}
    warning = alert_of("step_due_soon")
    assert (warning.step, warning.level, warning.status) == (step, Level.WARNING, "raised")
    assert warning.responsible == personas.handler
    assert warning.detail["days_left"] == 0


# ------------------------------------------------------------ how it closes itself


def test_a_step_warning_closes_itself_once_the_step_is_decided(clock, personas, version):
    only_rules("step_due_soon")
    case = make_case(personas, version, promised_due=D(2026, 10, 20))
    step = make_step(case, assignee=personas.handler, due_date=D(2026, 9, 30))
    other = make_case(personas, version, promised_due=D(2026, 10, 20))
    make_step(other, assignee=personas.handler, due_date=D(2026, 9, 30))
    scan()
    warning = alert_of("step_due_soon", case=case)
    clock.move_to(local(2026, 9, 30, 11))
    assert scan().raised == 0
    warning.refresh_from_db()
    assert warning.status == Alert.Status.RAISED  # nothing done yet: it stays

    step.finished_at = local(2026, 9, 30, 15)
    step.save()
    clock.move_to(local(2026, 9, 30, 15, 0, 15))
    assert scan().raised == 0  # not raised again
    assert_closed_by_the_scan(warning, local(2026, 9, 30, 15, 0, 15))
    assert alert_of("step_due_soon", case=other).status == Alert.Status.RAISED


def test_a_late_steps_yellow_card_stays_once_the_step_is_decided_and_a_warning_would_close(
    clock, personas, version
):
    """The step's yellow card is a finding like the case's; set to "warning" by the
    office it tells only, and closes with the step."""
    only_rules("step_overdue")
    case = make_case(personas, version, promised_due=D(2026, 10, 20))
    step = make_step(case, assignee=personas.handler, due_date=D(2026, 9, 29))
    scan()
    card = alert_of("step_overdue", case=case)
    assert card.level == Level.YELLOW
    step.finished_at = local(2026, 9, 30, 11)
    step.save()
    clock.move_to(local(2026, 9, 30, 11, 0, 15))
    scan()
    card.refresh_from_db()
    assert card.status == Alert.Status.RAISED
    assert list(Alert.objects.awaiting_answer()) == [card]

    Rule.objects.filter(code="step_overdue").update(level=Level.WARNING)
    other = make_case(personas, version, promised_due=D(2026, 10, 20))
    other_step = make_step(other, assignee=personas.handler, due_date=D(2026, 9, 29))
    clock.move_to(local(2026, 9, 30, 12))
    scan()
    warning = alert_of("step_overdue", case=other)
    assert warning.level == Level.WARNING
    clock.move_to(local(2026, 9, 30, 12, 0, 15))
    scan()
    warning.refresh_from_db()
    assert warning.status == Alert.Status.RAISED  # still late, still open
    other_step.finished_at = local(2026, 9, 30, 13)
    other_step.save()
    clock.move_to(local(2026, 9, 30, 13, 0, 15))
    scan()
    assert_closed_by_the_scan(warning, local(2026, 9, 30, 13, 0, 15))
    card.refresh_from_db()
    assert card.status == Alert.Status.RAISED


@pytest.mark.parametrize("status", [Case.Status.CONCLUDED, Case.Status.SUSPENDED])
def test_a_case_warning_closes_itself_once_the_case_stops_while_a_yellow_card_stays(
    clock, personas, version, status
):
    only_rules("case_due_soon", "case_overdue")
    warned = make_case(personas, version, promised_due=D(2026, 10, 8), assignee=personas.handler)
    late = make_case(personas, version, promised_due=D(2026, 9, 29), assignee=personas.handler)
    scan()
    warning = alert_of("case_due_soon", case=warned)
    card = alert_of("case_overdue", case=late)
    assert (warning.level, card.level) == (Level.WARNING, Level.YELLOW)

    for case in (warned, late):
        case.status = status
        case.save()
    clock.move_to(local(2026, 9, 30, 10, 0, 15))
    scan()
    assert_closed_by_the_scan(warning, local(2026, 9, 30, 10, 0, 15))
    # A card is a finding: it waits for an answer and the office's decision.
    card.refresh_from_db()
    assert card.status == Alert.Status.RAISED and card.decision_note == ""
    assert list(card.events.values_list("kind", flat=True)) == [AlertEvent.Kind.RAISED]
    assert list(Alert.objects.awaiting_answer()) == [card]
    assert list(Alert.objects.warnings()) == []


def test_warnings_close_themselves_when_an_extension_moves_the_due_dates(clock, personas, version):
    only_rules("case_due_soon", "step_due_soon")
    case = make_case(personas, version, promised_due=D(2026, 10, 8), assignee=personas.handler)
    step = make_step(case, assignee=personas.handler, due_date=D(2026, 9, 30))
    scan()
    case_warning = alert_of("case_due_soon")
    step_warning = alert_of("step_due_soon")

    # An extension of 2 working days moves the case's date and the current step's.
    make_extension(case, days=2, requested_by=personas.handler, approver=personas.approver)
    case.promised_due_date = D(2026, 10, 12)
    case.save()
    step.due_date = D(2026, 10, 9)
    step.save()
    clock.move_to(local(2026, 9, 30, 10, 0, 15))
    assert scan().raised == 0  # the new dates are not due soon yet
    for warning in (case_warning, step_warning):
        assert_closed_by_the_scan(warning, local(2026, 9, 30, 10, 0, 15))

    # The new dates get their own warnings when they come near (the step on its due day,
    # the case one working day ahead: Saturday 10-10 is worked).
    clock.move_to(local(2026, 10, 9, 8))
    assert scan().by_rule == {"step_due_soon": 1}
    clock.move_to(local(2026, 10, 10, 8))
    assert scan().by_rule == {"case_due_soon": 1}
    assert sorted(Alert.objects.warnings().values_list("due_date", flat=True)) == [
        D(2026, 10, 9),
        D(2026, 10, 12),
    ]


def test_a_rule_set_to_warning_closes_by_its_own_date_and_an_act_rule_is_left_open(
    clock, personas, version
):
    """The office may set any rule to "warning": a legal-date warning is about the legal
    date (not the promised one), and a warning about an act is the office's to close."""
    only_rules("legal_overdue", "intake_overdue")
    Rule.objects.filter(code__in=("legal_overdue", "intake_overdue")).update(level=Level.WARNING)
    overdue = make_case(personas, version, promised_due=D(2026, 10, 20), legal_due=D(2026, 9, 29))
    in_intake = make_case(
        personas, version, status=Case.Status.RECEIVED, received_on=D(2026, 9, 21)
    )
    scan()
    legal = alert_of("legal_overdue", case=overdue)
    intake = alert_of("intake_overdue", case=in_intake)
    clock.move_to(local(2026, 9, 30, 10, 0, 15))
    scan()
    for warning in (legal, intake):
        warning.refresh_from_db()
        assert (warning.level, warning.status) == (Level.WARNING, Alert.Status.RAISED)

    overdue.legal_due_date = D(2026, 10, 9)  # an extension
    overdue.save()
    clock.move_to(local(2026, 9, 30, 10, 0, 30))
    scan()
    assert_closed_by_the_scan(legal, local(2026, 9, 30, 10, 0, 30))
    intake.refresh_from_db()
    assert intake.status == Alert.Status.RAISED


def test_warnings_follow_a_case_handled_through_the_case_services(personas):
    """The whole way with the real services: step decided, extension approved, case
    concluded after its promised date (which leaves its yellow card open)."""
    item = case_factories.make_item(personas.department, [personas.hall])
    only_rules("step_due_soon", "case_due_soon", "case_overdue")
    with time_machine.travel(local(2026, 11, 2, 10), tick=False) as traveller:
        case = case_factories.make_accepted_case(personas, item)
        # 10 promised working days; the first step (受理审查) has 3.
        assert case.promised_due_date == D(2026, 11, 16)
        assert case.current_step.due_date == D(2026, 11, 5)

        traveller.move_to(local(2026, 11, 5, 9))
        assert scan().by_rule == {"step_due_soon": 1}
        first = alert_of("step_due_soon")
        assert first.responsible == case.current_assignee
        case = case_services.decide_step(
            actor=case.current_assignee, case=case, decision="pass", opinion="材料齐全"
        )
        traveller.move_to(local(2026, 11, 5, 9, 0, 15))
        scan()
        assert_closed_by_the_scan(first, local(2026, 11, 5, 9, 0, 15))

        case.refresh_from_db()
        assert case.current_step.due_date == D(2026, 11, 9)  # 审核: 2 working days
        traveller.move_to(local(2026, 11, 9, 9))
        assert scan().by_rule == {"step_due_soon": 1}
        second = alert_of("step_due_soon", due_date=D(2026, 11, 9))
        case = case_services.request_extension(
            actor=case.current_assignee, case=case, days=2, reason="需现场核查"
        )
        case = case_services.decide_extension(actor=personas.approver, case=case, approve=True)
        case.refresh_from_db()
        assert (case.promised_due_date, case.current_step.due_date) == (
            D(2026, 11, 18),
            D(2026, 11, 11),
        )
        traveller.move_to(local(2026, 11, 9, 9, 0, 15))
        scan()
        assert_closed_by_the_scan(second, local(2026, 11, 9, 9, 0, 15))

        # The case is warned about a working day ahead, then past its date it gets a
        # yellow card; the warning stays open while the case is still running.
        traveller.move_to(local(2026, 11, 17, 9))
        scan()
        warning = alert_of("case_due_soon")
        assert warning.due_date == D(2026, 11, 18)
        traveller.move_to(local(2026, 11, 19, 9))
        scan()
        card = alert_of("case_overdue")
        warning.refresh_from_db()
        assert (card.level, warning.status) == (Level.YELLOW, Alert.Status.RAISED)

        case = case_factories.run_steps(personas, case, decisions=("pass", "approve"))
        case = case_services.conclude_case(
            actor=personas.clerk, case=case, result="granted", certificate_number="苏E-0001"
        )
        traveller.move_to(local(2026, 11, 19, 9, 0, 15))
        scan()
        assert_closed_by_the_scan(warning, local(2026, 11, 19, 9, 0, 15))
        card.refresh_from_db()
        assert card.status == Alert.Status.RAISED
        assert set(Alert.objects.warnings()) == set()
        assert list(Alert.objects.awaiting_answer()) == [card]


# ------------------------------------------------------------ counted apart, shown apart


@pytest.fixture
def card_and_warning(personas, clock):
    """The handler answers for a yellow card and has an open and a closed warning."""
    card = make_alert(personas, code="case_overdue", responsible=personas.handler)
    warning = make_alert(personas, code="case_due_soon", responsible=personas.handler)
    make_alert(
        personas, code="step_due_soon", responsible=personas.handler, status=Alert.Status.CLOSED
    )
    return card, warning


def test_the_inbox_shows_warnings_apart_from_what_waits_for_an_answer(
    client, personas, card_and_warning
):
    card, warning = card_and_warning
    client.force_login(personas.handler)
    response = client.get(INBOX)
    assert list(response.context["waiting"]) == [card]
    assert list(response.context["warnings"]) == [warning]
    body = response.content.decode()
    assert 'id="waiting-count">1<' in body and 'id="warning-count">1<' in body
    waiting_html = body[body.index('id="inbox-waiting"') : body.index('id="inbox-warnings"')]
    assert card.case.number in waiting_html and warning.case.number not in waiting_html
    warnings_html = body[body.index('id="inbox-warnings"') : body.index('id="inbox-answered"')]
    assert warning.case.number in warnings_html and "预警" in warnings_html
    assert "2026-09-30" in warnings_html  # the summary: when it is due
    assert 'name="note"' not in warnings_html  # no answer form for a warning
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(INBOX).content.decode()
    assert "Warnings" in body and "They need no answer" in body


def test_the_hall_manager_sees_the_halls_warnings_in_the_inbox(client, personas, card_and_warning):
    _card, warning = card_and_warning
    client.force_login(personas.manager)
    assert list(client.get(INBOX).context["warnings"]) == [warning]
    client.force_login(personas.outsider)
    assert list(client.get(INBOX).context["warnings"]) == []


def test_the_desk_counts_cards_and_flags_and_the_open_warnings_apart(
    client, personas, card_and_warning
):
    card, warning = card_and_warning
    client.force_login(personas.supervisor)
    response = client.get(reverse("supervision:desk"))
    counts = response.context["counts"]
    assert Level.WARNING not in counts["levels"]
    [line] = [line for line in counts["lines"] if line["hall"] == personas.hall]
    assert line["total"] == 1 and counts["grand_total"] == 1 and counts["warnings"] == 1
    body = client.get(reverse("supervision:desk_counts")).content.decode()
    assert 'id="grand-total">1<' in body and 'id="warning-count">1<' in body
    # The link under the count lists the open warnings.
    listed = client.get(reverse("supervision:desk"), {"level": "warning", "status": "open"})
    assert list(listed.context["page"]) == [warning]
