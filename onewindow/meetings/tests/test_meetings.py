"""Joint meetings: decisions followed up by the owner hall and verified by the centre;
every bad input refused with nothing changed."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from onewindow.audit.models import AuditEntry
from onewindow.cases.tests.factories import at
from onewindow.meetings import services
from onewindow.meetings.models import Decision, DecisionNote, Meeting

pytestmark = pytest.mark.django_db


def make_meeting(p, held_on=dt.date(2026, 3, 2)):
    meeting = services.create_meeting(
        actor=p.admin,
        title="第一季度联席会议",
        held_on=held_on,
        agenda="一、通报一季度办件情况\n二、部署窗口作风整顿",
        minutes="会议由中心主任主持。",
        halls=[p.centre, p.hall],
        attendees=[p.admin, p.manager],
    )
    decision = services.add_decision(
        actor=p.admin,
        meeting=meeting,
        text="车管分中心完成叫号系统改造",
        owner_hall=p.hall,
        due_on=dt.date(2026, 3, 31),
    )
    return meeting, decision


def test_it_follows_a_decision_from_open_to_verified(personas):
    p = personas
    meeting, decision = make_meeting(p)
    assert decision.number == 1 and decision.status == "open"
    assert set(meeting.halls.values_list("code", flat=True)) == {"ZX", "CG"}
    services.report_progress(actor=p.manager, decision=decision, note="已完成设备采购", version=1)
    decision.refresh_from_db()
    assert decision.status == "open" and decision.version == 2
    services.report_progress(
        actor=p.manager, decision=decision, note="已上线", done=True, version=2
    )
    decision.refresh_from_db()
    assert decision.status == "done" and decision.shown_status == "awaiting"
    services.verify_decision(actor=p.admin, decision=decision, accept=True, version=3)
    decision.refresh_from_db()
    assert decision.shown_status == "done" and decision.verified_by == p.admin
    assert list(decision.notes.values_list("kind", flat=True)) == ["progress", "done", "verified"]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"meeting.created", "meeting.decision_added", "meeting.decision_progress",
            "meeting.decision_done", "meeting.decision_verified"} <= actions  # fmt: skip


def test_it_returns_and_cancels_with_a_reason(personas):
    p = personas
    _m, decision = make_meeting(p)
    services.report_progress(actor=p.manager, decision=decision, note="完成", done=True)
    with pytest.raises(ValidationError):
        services.verify_decision(actor=p.admin, decision=decision, accept=False, note="")
    services.verify_decision(actor=p.admin, decision=decision, accept=False, note="未见验收材料")
    decision.refresh_from_db()
    assert decision.status == "open" and decision.done_at is None
    services.cancel_decision(actor=p.admin, decision=decision, note="下次会议撤销")
    decision.refresh_from_db()
    assert decision.status == "cancelled"
    with pytest.raises(ValidationError):
        services.cancel_decision(actor=p.admin, decision=decision, note="again")


def test_overdue_is_computed_against_the_date(personas):
    p = personas
    _m, decision = make_meeting(p)
    assert not decision.is_overdue(dt.date(2026, 3, 31))
    assert decision.is_overdue(dt.date(2026, 4, 1))
    assert list(Decision.objects.overdue(dt.date(2026, 4, 1))) == [decision]
    assert list(services.overdue_decisions(p.hall, 2026, dt.date(2026, 4, 1))) == [decision]
    assert list(services.overdue_decisions(p.hall, 2026, dt.date(2026, 3, 30))) == []
    assert list(services.overdue_decisions(p.other_hall, 2026, dt.date(2026, 4, 1))) == []
    assert list(services.overdue_decisions(p.hall, 2025, dt.date(2026, 4, 1))) == []


def test_a_decision_done_late_counts_for_the_assessment(personas):
    p = personas
    _m, decision = make_meeting(p)
    with time_machine.travel(at("2026-04-03"), tick=False):
        services.report_progress(actor=p.manager, decision=decision, note="迟了", done=True)
    assert list(services.overdue_decisions(p.hall, 2026, dt.date(2026, 5, 1))) == [decision]
    _m2, on_time = make_meeting(p)
    with time_machine.travel(at("2026-03-20"), tick=False):
        services.report_progress(actor=p.manager, decision=on_time, note="按时", done=True)
    assert on_time not in services.overdue_decisions(p.hall, 2026, dt.date(2026, 5, 1))


def test_bad_inputs_change_nothing(personas):
    p = personas
    meeting, decision = make_meeting(p)
    before = (AuditEntry.objects.count(), DecisionNote.objects.count(), Decision.objects.count())
    with pytest.raises(ValidationError) as exc:
        services.report_progress(actor=p.manager, decision=decision, note="x", version=7)
    assert exc.value.code == "stale"
    with pytest.raises(ValidationError):
        services.report_progress(actor=p.manager, decision=decision, note="  ")
    with pytest.raises(ValidationError):
        services.add_decision(actor=p.admin, meeting=meeting, text="太早",
                              owner_hall=p.hall, due_on=dt.date(2026, 3, 1))  # fmt: skip
    with pytest.raises(ValidationError):
        services.verify_decision(actor=p.admin, decision=decision, accept=True)  # not done
    with pytest.raises(PermissionDenied):
        services.report_progress(actor=p.admin, decision=decision, note="中心代报")
    with pytest.raises(PermissionDenied):
        services.create_meeting(actor=p.manager, title="x", held_on=dt.date(2026, 3, 2),
                                agenda="x", halls=[p.hall])  # fmt: skip
    with pytest.raises(ValidationError):
        services.create_meeting(actor=p.admin, title="x", held_on=dt.date(2026, 3, 2),
                                agenda="x", halls=[])  # fmt: skip
    assert Meeting.objects.count() == 1
    after = (AuditEntry.objects.count(), DecisionNote.objects.count(), Decision.objects.count())
    assert after == before
