"""Steps, special procedures, conclusion and delivery (the services), the transitions
table and the optimistic version."""

import datetime as dt

import pytest

from onewindow.accounts.roles import Role
from onewindow.audit.models import AuditEntry
from onewindow.cases import services
from onewindow.cases.models import Case, CaseEvent, Suspension
from onewindow.factories import make_user

from .factories import at, make_accepted_case, make_case, make_item, run_steps

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
d = dt.date.fromisoformat


# ------------------------------------------------------------------ steps


def test_it_passes_a_case_through_its_steps_to_the_window(personas, item, monday):
    case = make_accepted_case(personas, item)
    case = services.decide_step(
        actor=personas.handler,
        case=case,
        decision="pass",
        opinion="材料齐全",
        expected_version=case.version,
    )
    assert (case.current_step.position, case.current_assignee) == (2, personas.reviewer)
    case = services.decide_step(actor=personas.reviewer, case=case, decision="pass")
    assert (case.current_step.role, case.current_assignee) == ("approver", personas.approver)
    case = services.decide_step(
        actor=personas.approver, case=case, decision="approve", opinion="同意"
    )
    assert case.current_step is None and case.is_waiting_for_conclusion
    assert case.current_assignee == personas.clerk  # back to the window that received it
    decided = list(
        case.events.filter(kind="step_decided").values_list("step_position", "data__decision")
    )
    assert decided == [(1, "pass"), (2, "pass"), (3, "approve")]
    assert [s.decision for s in case.steps.all()] == ["pass", "pass", "approve"]
    seqs = list(case.events.values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))


def test_it_assigns_to_the_least_loaded_eligible_person(personas, item, monday):
    second = make_user(
        "handler2", halls=[personas.hall], roles=[Role.HANDLER], department=personas.department
    )
    make_user(
        "handler3",
        halls=[personas.hall],
        roles=[Role.HANDLER],
        department=personas.other_department,
    )  # wrong department
    make_user(
        "handler4",
        halls=[personas.other_hall],
        roles=[Role.HANDLER],
        department=personas.department,
    )  # wrong hall
    first = make_accepted_case(personas, item)
    again = make_accepted_case(personas, item)
    third = make_accepted_case(personas, item)
    assert first.current_assignee == personas.handler
    assert again.current_assignee == second
    assert third.current_assignee == personas.handler  # equal load: by user name


def test_it_assigns_only_people_with_the_role_hall_and_department(personas, item, monday):
    case = make_accepted_case(personas, item)
    for wrong in (personas.reviewer, personas.clerk, personas.outsider):
        with pytest.raises(services.InvalidInput) as exc:
            services.assign_step(actor=personas.manager, case=case, assignee=wrong)
        assert "assignee" in exc.value.errors
    other = make_user(
        "handler2", halls=[personas.hall], roles=[Role.HANDLER], department=personas.department
    )
    case = services.assign_step(
        actor=personas.manager, case=case, assignee=other, expected_version=case.version
    )
    assert case.current_assignee == other and case.current_step.assignee == other
    assert case.events.last().data["auto"] is False
    with pytest.raises(services.NotPermitted):
        services.decide_step(actor=personas.handler, case=case, decision="pass")


def test_it_lets_an_eligible_person_take_an_unassigned_step(personas, item, monday):
    personas.handler.is_active = False
    personas.handler.save()
    case = make_accepted_case(personas, item)
    assert case.current_assignee is None and case.current_step.assignee is None
    with pytest.raises(services.NotPermitted):
        services.decide_step(actor=personas.reviewer, case=case, decision="pass")
    helper = make_user(
        "handler2", halls=[personas.hall], roles=[Role.HANDLER], department=personas.department
    )
    case = services.decide_step(actor=helper, case=case, decision="pass")
    assert case.steps.get(position=1).assignee == helper


def test_it_keeps_decisions_to_the_right_steps(personas, item, monday):
    case = make_accepted_case(personas, item)
    with pytest.raises(services.InvalidInput) as exc:
        services.decide_step(actor=personas.handler, case=case, decision="approve")
    assert "decision" in exc.value.errors
    with pytest.raises(services.InvalidInput):
        services.decide_step(actor=personas.handler, case=case, decision="maybe")
    with pytest.raises(services.InvalidInput) as exc:
        services.decide_step(
            actor=personas.handler, case=case, decision="send_back", opinion="退回"
        )
    assert "send_back_to" in exc.value.errors
    case = run_steps(personas, case, ("pass", "pass"))
    with pytest.raises(services.InvalidInput):
        services.decide_step(actor=personas.approver, case=case, decision="pass")
    with pytest.raises(services.InvalidInput) as exc:
        services.decide_step(actor=personas.approver, case=case, decision="reject")
    assert "opinion" in exc.value.errors
    case.refresh_from_db()
    assert case.current_step.position == 3 and case.current_step.decision == ""


def test_it_sends_a_case_back_to_whoever_took_the_earlier_step(personas, item, monday):
    case = make_accepted_case(personas, item)
    case = run_steps(personas, case, ("pass", "pass"))
    case = services.decide_step(
        actor=personas.approver,
        case=case,
        decision="send_back",
        send_back_to=1,
        opinion="请核实登记证书",
    )
    assert (case.current_step.position, case.current_assignee) == (1, personas.handler)
    event = case.events.filter(kind="sent_back").get()
    assert (event.step_position, event.data["to"], event.reason) == (3, 1, "请核实登记证书")
    assert case.steps.count() == 4  # a step sent back is passed again
    case = services.decide_step(actor=personas.handler, case=case, decision="pass")
    assert case.current_step.position == 2


def test_it_concludes_a_rejected_case_only_as_refused_with_reasons(personas, item, monday):
    case = make_accepted_case(personas, item)
    case = run_steps(personas, case, ("pass", "pass"))
    case = services.decide_step(
        actor=personas.approver, case=case, decision="reject", opinion="车辆未年检"
    )
    assert case.is_waiting_for_conclusion
    with pytest.raises(services.InvalidInput) as exc:
        services.conclude_case(
            actor=personas.clerk, case=case, result="granted", certificate_number="x"
        )
    assert "rejected" in exc.value.errors["result"]
    with pytest.raises(services.InvalidInput) as exc:
        services.conclude_case(actor=personas.clerk, case=case, result="refused")
    assert "reason" in exc.value.errors
    case = services.conclude_case(
        actor=personas.clerk, case=case, result="refused", reason="车辆未按期检验"
    )
    # The remedies statement is kept in Chinese, the official language, whatever the
    # language of the request (as at a refusal at intake).
    assert case.status == "concluded" and case.result == "refused" and "行政复议" in case.remedies


def test_it_will_not_conclude_before_the_steps_are_done(personas, item, monday):
    case = make_accepted_case(personas, item)
    with pytest.raises(services.TransitionNotAllowed):
        services.conclude_case(
            actor=personas.clerk, case=case, result="granted", certificate_number="x"
        )
    # Withdrawal is possible at any time before conclusion.
    case = services.conclude_case(
        actor=personas.clerk, case=case, result="withdrawn", reason="申请人撤回"
    )
    assert case.status == Case.Status.WITHDRAWN and case.current_assignee is None
    assert case.current_step is None


def test_it_needs_a_certificate_number_for_a_granted_licence(personas, item, monday):
    case = run_steps(personas, make_accepted_case(personas, item))
    with pytest.raises(services.InvalidInput) as exc:
        services.conclude_case(actor=personas.clerk, case=case, result="granted")
    assert "certificate number" in exc.value.errors["certificate_number"]
    with pytest.raises(services.InvalidInput) as exc:
        services.conclude_case(
            actor=personas.clerk,
            case=case,
            result="granted",
            certificate_number="x",
            certificate_valid_until=d("2026-01-01"),
            fee_charged="-1",
        )
    assert {"certificate_valid_until", "fee_charged"} <= set(exc.value.errors)
    case.refresh_from_db()
    assert case.status == "accepted" and case.concluded_at is None


def test_it_grants_a_public_service_without_a_certificate(personas, monday):
    from onewindow.catalogue.models import ItemType

    service = make_item(
        personas.department,
        [personas.hall],
        item_type=ItemType.PUBLIC_SERVICE,
        result_name="",
        steps=(),
    )
    case = make_accepted_case(personas, service)
    assert (
        services.conclude_case(actor=personas.clerk, case=case, result="granted").result
        == "granted"
    )


# ------------------------------------------------------------- the clock


def test_it_moves_both_due_dates_by_a_suspension(personas, item, monday):
    case = make_accepted_case(personas, item)
    monday.move_to(at("2026-03-04"))
    case = services.suspend_case(
        actor=personas.handler, case=case, kind="expert_review", reason="组织专家评审", max_days=5
    )
    assert case.status == "suspended" and case.suspended_since == d("2026-03-04")
    assert case.promised_due_date == d("2026-03-16")  # unchanged while suspended
    with pytest.raises(services.TransitionNotAllowed):
        services.decide_step(actor=personas.handler, case=case, decision="pass")
    monday.move_to(at("2026-03-09"))
    case = services.resume_case(actor=personas.handler, case=case)
    # Thursday, Friday and Monday were suspended: 3 working days.
    assert case.suspended_days == 3 and case.suspended_since is None and case.status == "accepted"
    assert (case.promised_due_date, case.legal_due_date) == (d("2026-03-19"), d("2026-04-02"))
    assert case.suspensions.get().days_added == 3
    assert case.current_step.due_date == d("2026-03-10")  # the step's own date moved too
    event = case.events.filter(kind="resumed").get()
    assert event.data["days_added"] == 3 and event.data["promised_due_date"] == "2026-03-19"


def test_it_adds_nothing_for_a_suspension_resumed_the_same_day(personas, item, monday):
    case = make_accepted_case(personas, item)
    case = services.suspend_case(
        actor=personas.handler, case=case, kind="testing", reason="检测", max_days=10
    )
    case = services.resume_case(actor=personas.handler, case=case)
    assert case.suspended_days == 0 and case.promised_due_date == d("2026-03-16")


def test_it_checks_a_suspension(personas, item, monday):
    case = make_accepted_case(personas, item)
    with pytest.raises(services.InvalidInput) as exc:
        services.suspend_case(
            actor=personas.handler, case=case, kind="picnic", reason="", max_days=0
        )
    assert set(exc.value.errors) == {"kind", "reason", "max_days"}
    with pytest.raises(services.TransitionNotAllowed):
        services.resume_case(actor=personas.handler, case=case)
    assert not Suspension.objects.exists()


def extend(personas, case, days, reason="情况复杂", approver=None):
    """Ask for an extension as the handler and have it approved."""
    case = services.request_extension(actor=personas.handler, case=case, days=days, reason=reason)
    return services.decide_extension(
        actor=approver or personas.approver, case=case, approve=True, note=""
    )


def test_it_extends_by_approved_working_days_within_the_law(personas, item, monday):
    case = make_accepted_case(personas, item)
    case = services.request_extension(
        actor=personas.handler, case=case, days=6, reason="情况复杂", expected_version=case.version
    )
    # Asked for, not yet approved: nothing moves.
    assert (case.extension_days, case.promised_due_date) == (0, d("2026-03-16"))
    assert services.pending_extension(case).days == 6
    case = services.decide_extension(
        actor=personas.approver, case=case, approve=True, expected_version=case.version
    )
    assert case.extension_days == 6
    # Qingming (4 to 6 April) is not counted.
    assert (case.promised_due_date, case.legal_due_date) == (d("2026-03-24"), d("2026-04-08"))
    event = case.events.filter(kind="extended").get()
    assert (event.data["days"], event.data["approver"], event.reason) == (6, "approver", "情况复杂")
    assert (event.data["requested_by"], event.actor) == ("handler", personas.approver)
    assert case.extensions.get().status == "approved"
    with pytest.raises(services.InvalidInput) as exc:
        services.request_extension(actor=personas.handler, case=case, days=5, reason="再延")
    assert "at most 10" in exc.value.errors["days"]
    case = extend(personas, case, 4, approver=personas.manager)
    assert case.extension_days == 10


def test_it_allows_15_days_of_extension_for_joint_items(personas, monday):
    joint = make_item(personas.department, [personas.hall], joint=True, legal=45, promised=30)
    case = make_accepted_case(personas, joint)
    case = extend(personas, case, 15, reason="联办")
    assert case.extension_days == 15
    with pytest.raises(services.InvalidInput):
        services.request_extension(actor=personas.handler, case=case, days=1, reason="联办")


def test_it_lets_only_an_approver_of_the_hall_other_than_the_requester_decide(
    personas, item, monday
):
    case = make_accepted_case(personas, item)
    with pytest.raises(services.InvalidInput) as exc:
        services.request_extension(actor=personas.handler, case=case, days=0, reason="")
    assert {"days", "reason"} <= set(exc.value.errors)
    case = services.request_extension(actor=personas.handler, case=case, days=2, reason="x")
    with pytest.raises(services.TransitionNotAllowed):
        services.request_extension(actor=personas.handler, case=case, days=1, reason="y")
    for someone in (personas.handler, personas.reviewer, personas.outsider, personas.supervisor):
        with pytest.raises(services.NotPermitted):
            services.decide_extension(actor=someone, case=case, approve=True)
    # An approver who asked for it may not approve it.
    own = services.request_extension
    other = make_accepted_case(personas, item)
    other = own(actor=personas.approver, case=other, days=2, reason="x")
    with pytest.raises(services.NotPermitted) as exc:
        services.decide_extension(actor=personas.approver, case=other, approve=True)
    assert "other than its requester" in exc.value.message
    case.refresh_from_db()
    assert case.extension_days == 0 and case.extensions.get().status == "requested"


def test_it_refuses_an_extension_with_a_note_and_moves_nothing(personas, item, monday):
    case = make_accepted_case(personas, item)
    case = services.request_extension(actor=personas.handler, case=case, days=3, reason="x")
    with pytest.raises(services.InvalidInput) as exc:
        services.decide_extension(actor=personas.approver, case=case, approve=False, note=" ")
    assert "note" in exc.value.errors
    case = services.decide_extension(
        actor=personas.approver, case=case, approve=False, note="理由不充分"
    )
    assert case.extension_days == 0 and case.promised_due_date == d("2026-03-16")
    assert case.extensions.get().status == "refused"
    assert case.events.filter(kind="extension_refused", reason="理由不充分").exists()
    # Another may be asked for afterwards.
    services.request_extension(actor=personas.handler, case=case, days=3, reason="补充理由")


def test_it_refuses_an_extension_after_the_legal_due_date(personas, item, monday):
    case = make_accepted_case(personas, item)  # legal due date 2026-03-30
    late = make_accepted_case(personas, item)
    case = services.request_extension(actor=personas.handler, case=case, days=5, reason="x")
    monday.move_to(at("2026-03-31"))
    with pytest.raises(services.InvalidInput) as exc:
        services.decide_extension(actor=personas.approver, case=case, approve=True)
    assert "has passed" in exc.value.errors["approve"]
    with pytest.raises(services.InvalidInput) as exc:
        services.request_extension(actor=personas.handler, case=late, days=1, reason="x")
    assert "stays overdue" in exc.value.errors["days"]
    case.refresh_from_db()
    assert (case.extension_days, case.legal_due_date) == (0, d("2026-03-30"))
    assert not late.extensions.exists()
    # Still refusable, so it does not stay in the approvers' queue.
    services.decide_extension(actor=personas.approver, case=case, approve=False, note="已超期")


def test_it_moves_the_current_steps_due_date_with_an_extension(personas, item, monday):
    case = make_accepted_case(personas, item)
    step_due = case.current_step.due_date  # the first step's own 3-day limit
    assert step_due == d("2026-03-05")
    case = extend(personas, case, 2)
    case.current_step.refresh_from_db()
    assert case.current_step.due_date == d("2026-03-09")


def test_extensions_from_a_window_must_be_asked_for_and_approved(personas, item, monday):
    case = make_accepted_case(personas, item)
    with pytest.raises(services.NotPermitted):
        services.extend_case(actor=personas.handler, case=case, days=2, reason="x")


@pytest.mark.parametrize(
    ("day", "promised", "legal"),
    [
        ("2026-03-13", "early", "early"),
        ("2026-03-16", "on_time", "early"),
        ("2026-03-17", "overdue", "early"),
        ("2026-03-31", "overdue", "overdue"),
        ("2026-03-30", "overdue", "on_time"),
    ],
)
def test_it_judges_the_outcome_against_both_limits(personas, item, monday, day, promised, legal):
    case = run_steps(personas, make_accepted_case(personas, item))
    monday.move_to(at(day, 15))
    case = services.conclude_case(
        actor=personas.clerk, case=case, result="granted", certificate_number="苏E1"
    )
    assert (case.outcome_promised, case.outcome_legal) == (promised, legal)
    event = case.events.get(kind="concluded")
    assert event.data["outcome_promised"] == promised


def test_it_counts_working_days_used_without_the_suspension(personas, item, monday):
    case = make_accepted_case(personas, item)
    monday.move_to(at("2026-03-03"))
    case = services.suspend_case(
        actor=personas.handler, case=case, kind="hearing", reason="听证", max_days=10
    )
    monday.move_to(at("2026-03-05"))
    case = services.resume_case(actor=personas.handler, case=case)
    case = run_steps(personas, case)
    monday.move_to(at("2026-03-06"))
    case = services.conclude_case(
        actor=personas.clerk, case=case, result="granted", certificate_number="苏E2"
    )
    assert case.working_days_used == 2  # Mar 3..6 is 4 working days, 2 of them suspended
    assert case.minutes_used is None


def test_it_closes_an_open_suspension_when_a_suspended_case_is_withdrawn(personas, item, monday):
    case = make_accepted_case(personas, item)
    case = services.suspend_case(
        actor=personas.handler, case=case, kind="testing", reason="检测", max_days=10
    )
    monday.move_to(at("2026-03-04"))
    case = services.conclude_case(actor=personas.clerk, case=case, result="withdrawn")
    assert (
        case.status == "withdrawn"
        and case.suspensions.get().resumed_on == d("2026-03-04")
        and case.suspended_days == 2
    )


# ----------------------------------------------------------------- delivery


def test_it_delivers_a_concluded_case(personas, item, monday):
    case = run_steps(personas, make_accepted_case(personas, item))
    case = services.conclude_case(
        actor=personas.clerk, case=case, result="granted", certificate_number="苏E3"
    )
    with pytest.raises(services.InvalidInput):
        services.deliver_case(actor=personas.clerk, case=case, method="pigeon")
    monday.move_to(at("2026-03-04"))
    case = services.deliver_case(
        actor=personas.clerk, case=case, method="post", expected_version=case.version
    )
    assert (
        case.status == "delivered"
        and case.delivery_method == "post"
        and case.current_assignee is None
    )
    assert case.events.last().data == {"method": "post", "working_days_after_decision": 2}
    with pytest.raises(services.TransitionNotAllowed):
        services.deliver_case(actor=personas.clerk, case=case, method="post")


# ------------------------------------------------------- transitions, versions


FORBIDDEN = [
    # (status reached, action that must be refused)
    ("received", lambda p, c: services.decide_step(actor=p.handler, case=c, decision="pass")),
    (
        "received",
        lambda p, c: services.suspend_case(
            actor=p.clerk, case=c, kind="testing", reason="x", max_days=5
        ),
    ),
    ("received", lambda p, c: services.deliver_case(actor=p.clerk, case=c, method="window")),
    (
        "received",
        lambda p, c: services.conclude_case(
            actor=p.clerk, case=c, result="granted", certificate_number="x"
        ),
    ),
    ("accepted", lambda p, c: services.accept_case(actor=p.clerk, case=c)),
    ("accepted", lambda p, c: services.refuse_case(actor=p.clerk, case=c, reason="x")),
    ("accepted", lambda p, c: services.issue_correction_notice(actor=p.clerk, case=c, items=["x"])),
    ("accepted", lambda p, c: services.resume_case(actor=p.clerk, case=c)),
    ("accepted", lambda p, c: services.deliver_case(actor=p.clerk, case=c, method="window")),
    ("accepted", lambda p, c: services.supply_correction(actor=p.clerk, case=c)),
    ("refused", lambda p, c: services.accept_case(actor=p.clerk, case=c)),
    ("refused", lambda p, c: services.conclude_case(actor=p.clerk, case=c, result="withdrawn")),
    (
        "refused",
        lambda p, c: services.request_extension(actor=p.clerk, case=c, days=1, reason="x"),
    ),
    (
        "delivered",
        lambda p, c: services.conclude_case(actor=p.clerk, case=c, result="void", reason="x"),
    ),
    (
        "delivered",
        lambda p, c: services.suspend_case(
            actor=p.clerk, case=c, kind="testing", reason="x", max_days=5
        ),
    ),
]


def _case_in(personas, item, status):
    case = make_case(personas, item)
    if status == "received":
        return case
    if status == "refused":
        return services.refuse_case(actor=personas.clerk, case=case, reason="x")
    case = services.accept_case(actor=personas.clerk, case=case)
    if status == "accepted":
        return case
    case = run_steps(personas, case)
    case = services.conclude_case(
        actor=personas.clerk, case=case, result="granted", certificate_number="x"
    )
    return services.deliver_case(actor=personas.clerk, case=case, method="window")


@pytest.mark.parametrize(("status", "action"), FORBIDDEN)
def test_it_refuses_what_the_life_cycle_does_not_allow(personas, item, monday, status, action):
    case = _case_in(personas, item, status)
    before = (case.status, case.version, case.events.count(), AuditEntry.objects.count())
    with pytest.raises(services.TransitionNotAllowed) as exc:
        action(personas, case)
    assert exc.value.code == "transition_not_allowed" and exc.value.message
    case.refresh_from_db()
    assert (case.status, case.version, case.events.count(), AuditEntry.objects.count()) == before


def test_the_transitions_table_names_every_status():
    sources = set().union(*(s for s, _to in services.TRANSITIONS.values()))
    assert sources == set(Case.Status.values) - {"refused"}
    # Ended cases only have their dates counted again (a calendar year entered).
    ended = {"delivered", "withdrawn", "void"}
    assert {a for a, (s, _to) in services.TRANSITIONS.items() if s & ended} == {"recompute_clock"}
    assert set(services.RESULT_FROM) == set(Case.Result.values)


def test_it_refuses_a_stale_version_and_changes_nothing(personas, item, monday):
    case = make_case(personas, item)
    stale_copy = Case.objects.get(pk=case.pk)
    services.accept_case(actor=personas.clerk, case=case, expected_version=1)
    with pytest.raises(services.StaleCase) as exc:
        services.refuse_case(actor=personas.clerk, case=stale_copy, reason="x", expected_version=1)
    assert exc.value.code == "stale" and exc.value.current_version == 2
    # The same form sent twice: the second is stale, not a second acceptance.
    with pytest.raises(services.StaleCase):
        services.accept_case(actor=personas.clerk, case=stale_copy, expected_version=1)
    case.refresh_from_db()
    assert case.status == "accepted" and case.version == 2
    assert case.events.filter(kind="accepted").count() == 1


def test_it_bumps_the_version_and_appends_events_on_every_change(personas, item, monday):
    case = make_accepted_case(personas, item)
    versions = [case.version]
    case = services.suspend_case(
        actor=personas.handler, case=case, kind="testing", reason="检测", max_days=10
    )
    versions.append(case.version)
    case = services.resume_case(actor=personas.handler, case=case)
    versions.append(case.version)
    assert versions == [2, 3, 4]
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds[-2:] == [CaseEvent.Kind.SUSPENDED, CaseEvent.Kind.RESUMED]
    actions = list(
        AuditEntry.objects.filter(object_id=str(case.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["case.received", "case.accepted", "case.suspended", "case.resumed"]
    audit = AuditEntry.objects.get(action="case.suspended")
    assert audit.before["status"] == "accepted" and audit.after["status"] == "suspended"


def test_it_lets_no_one_from_another_hall_act(personas, item, monday):
    case = make_accepted_case(personas, item)
    with pytest.raises(services.NotPermitted):
        services.suspend_case(
            actor=personas.outsider, case=case, kind="testing", reason="x", max_days=10
        )
    with pytest.raises(services.NotPermitted):
        services.suspend_case(
            actor=personas.supervisor, case=case, kind="testing", reason="x", max_days=10
        )
    with pytest.raises(services.NotPermitted):
        services.decide_step(actor=personas.outsider, case=case, decision="pass")


def test_it_finds_cases_for_a_user_and_hides_other_halls(personas, item, monday):
    from django.http import Http404

    case = make_case(personas, item)
    assert services.get_case_for(personas.clerk, case.number) == case
    assert services.get_case_for(personas.supervisor, case.number) == case
    with pytest.raises(Http404):
        services.get_case_for(personas.outsider, case.number)
    assert list(services.visible_cases(personas.outsider)) == []
    assert list(Case.objects.visible_to(personas.admin)) == [case]


def test_it_sends_case_changed_after_commit(
    personas, item, monday, django_capture_on_commit_callbacks
):
    from onewindow.cases.signals import case_changed

    seen = []

    def listener(sender, case_id, kinds, **kwargs):
        seen.append((case_id, kinds))

    case_changed.connect(listener)
    try:
        case = make_case(personas, item)
        with django_capture_on_commit_callbacks(execute=True):
            services.accept_case(actor=personas.clerk, case=case)
    finally:
        case_changed.disconnect(listener)
    assert seen == [(case.pk, ["accepted", "step_assigned"])]


def test_the_model_keeps_the_conclusion_invariants(personas, item, monday):
    from django.core.exceptions import ValidationError

    case = run_steps(personas, make_accepted_case(personas, item))
    case.result = Case.Result.GRANTED
    with pytest.raises(ValidationError) as exc:
        case.clean()
    assert "certificate_number" in exc.value.message_dict
    case.certificate_number = "苏E9"
    case.clean()
    case.status, case.result, case.refusal_reason = Case.Status.REFUSED, "", ""
    with pytest.raises(ValidationError) as exc:
        case.clean()
    assert "refusal_reason" in exc.value.message_dict


def test_it_has_no_step_to_decide_or_assign_once_the_steps_are_done(personas, item, monday):
    case = run_steps(personas, make_accepted_case(personas, item))
    with pytest.raises(services.TransitionNotAllowed):
        services.decide_step(actor=personas.approver, case=case, decision="approve")
    with pytest.raises(services.TransitionNotAllowed):
        services.assign_step(actor=personas.manager, case=case, assignee=personas.handler)


def test_it_forwards_a_suspended_case_and_voids_only_with_a_reason(personas, item, monday):
    case = make_accepted_case(personas, item)
    case = services.suspend_case(
        actor=personas.handler, case=case, kind="appraisal", reason="鉴定", max_days=10
    )
    with pytest.raises(services.TransitionNotAllowed):
        services.conclude_case(
            actor=personas.clerk, case=case, result="granted", certificate_number="x"
        )
    with pytest.raises(services.InvalidInput) as exc:
        services.conclude_case(actor=personas.clerk, case=case, result="void")
    assert "reason" in exc.value.errors
    with pytest.raises(services.InvalidInput):
        services.conclude_case(actor=personas.clerk, case=case, result="maybe")
    case = services.conclude_case(
        actor=personas.clerk, case=case, result="forwarded", reason="移送市级部门"
    )
    assert (case.status, case.result, case.current_assignee) == (
        "concluded",
        "forwarded",
        personas.clerk,
    )
    assert case.suspensions.get().resumed_on == d("2026-03-02")


def test_it_withdraws_a_case_at_intake_without_a_clock(personas, item, monday):
    case = make_case(personas, item)
    case = services.conclude_case(actor=personas.clerk, case=case, result="withdrawn")
    assert (
        case.status == "withdrawn"
        and case.outcome_promised == ""
        and case.working_days_used is None
    )
    assert case.events.last().data == {"result": "withdrawn"}


def test_it_assigns_nobody_when_the_hall_has_no_one_with_the_role(personas, item, monday):
    personas.handler.groups.clear()
    case = make_accepted_case(personas, item)
    assert case.current_step.assignee is None and case.current_assignee is None
    assert case.events.get(kind="step_assigned").data["assignee"] is None
    assert services.pick_assignee(case, "handler") is None
