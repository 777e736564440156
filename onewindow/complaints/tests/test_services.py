"""The complaint services: registration, the life cycle, due dates, reopening."""

import datetime as dt

import pytest

from onewindow.audit.models import AuditEntry
from onewindow.complaints import services
from onewindow.complaints.models import Complaint, ComplaintCategory, ComplaintStep

from .factories import make_complaint, take_to

pytestmark = pytest.mark.django_db


def test_it_seeds_categories_for_complaints_and_requests():
    kinds = set(ComplaintCategory.objects.values_list("kind", flat=True))
    assert kinds == {"complaint", "consultation", "suggestion", "help"}
    assert ComplaintCategory.objects.get(code="attitude").name == "服务态度"


def test_it_registers_with_number_query_code_and_due_dates(complaint, personas):
    assert complaint.number == "TS2026000001"
    assert len(complaint.query_code) == 8
    assert complaint.status == "registered"
    # Monday 2 March 2026: 1 working day -> Tuesday; 10 -> 16 March; 15 -> 23 March.
    assert complaint.assign_due == dt.date(2026, 3, 3)
    assert complaint.investigate_due == dt.date(2026, 3, 16)
    assert complaint.answer_due == dt.date(2026, 3, 23)
    assert complaint.hall == personas.hall
    step = complaint.steps.get()
    assert step.kind == "registered"
    assert AuditEntry.objects.filter(action="complaint.registered").count() == 1
    second = make_complaint(personas)
    assert second.number == "TS2026000002"


def test_it_refuses_a_complaint_without_contact_or_content(personas, monday):
    with pytest.raises(services.ComplaintInvalid) as exc:
        make_complaint(personas, content="  ", complainant_phone="")
    assert set(exc.value.errors) == {"content", "complainant_phone"}
    assert not Complaint.objects.exists()


def test_it_refuses_an_unknown_case_number(personas, monday):
    with pytest.raises(services.ComplaintInvalid) as exc:
        make_complaint(personas, case_number="CG202603020099")
    assert "CG202603020099" in str(exc.value.errors["case_number"][0])
    assert not Complaint.objects.exists()


def test_it_validates_the_id_number(personas, monday):
    with pytest.raises(services.ComplaintInvalid) as exc:
        make_complaint(personas, complainant_id_number="320582199003071230")
    assert "complainant_id_number" in exc.value.errors


def test_a_partner_complaint_registers_once(personas, monday):
    first = make_complaint(personas, channel="hotline", source_system="12345", external_id="A1")
    again = make_complaint(personas, channel="hotline", source_system="12345", external_id="A1")
    assert first.pk == again.pk
    assert Complaint.objects.count() == 1


def test_the_whole_life_cycle_and_a_reopen(complaint, personas, monday):
    c = take_to(personas, complaint, "answered")
    assert c.status == "answered"
    assert c.open311_status == "closed"
    assert c.reopen_until == dt.date(2026, 3, 17)
    monday.shift(dt.timedelta(days=5))
    c = services.reopen(complaint=c, reason="答复没有说明如何改进。")
    assert c.status == "investigating"
    assert c.reopen_count == 1
    assert c.findings_at is None
    assert c.answer_due == dt.date(2026, 3, 27)  # 15 working days from Saturday 7 March
    c = take_to(personas, c, "closed")
    kinds = list(c.steps.values_list("kind", flat=True))
    assert kinds == [
        "registered",
        "assigned",
        "investigating",
        "findings",
        "answered",
        "reopened",
        "findings",
        "answered",
        "closed",
    ]
    assert ComplaintStep.objects.filter(complaint=c, kind="reopened", actor=None).exists()


def test_a_reopen_after_the_limit_is_refused(complaint, personas, monday):
    c = take_to(personas, complaint, "answered")
    monday.shift(dt.timedelta(days=16))
    with pytest.raises(services.ReopenTooLate):
        services.reopen(complaint=c, reason="不满意")
    c.refresh_from_db()
    assert c.status == "answered" and c.reopen_count == 0


def test_a_transition_not_allowed_is_refused(complaint, personas):
    with pytest.raises(services.TransitionNotAllowed):
        services.close(actor=personas.supervisor, complaint=complaint)
    complaint.refresh_from_db()
    assert complaint.status == "registered"


def test_a_stale_form_is_refused(complaint, personas):
    services.assign(
        actor=personas.supervisor, complaint=complaint, handler=personas.manager, expected_version=1
    )
    with pytest.raises(services.StaleComplaint):
        services.assign(
            actor=personas.supervisor,
            complaint=complaint,
            handler=personas.approver,
            expected_version=1,
        )
    complaint.refresh_from_db()
    assert complaint.assigned_to == personas.manager


def test_only_the_office_assigns_and_only_to_a_handler_of_the_hall(complaint, personas):
    with pytest.raises(services.NotPermitted):
        services.assign(actor=personas.manager, complaint=complaint, handler=personas.manager)
    with pytest.raises(services.ComplaintInvalid):
        services.assign(actor=personas.supervisor, complaint=complaint, handler=personas.outsider)


def test_only_the_assigned_handler_investigates(complaint, personas):
    c = take_to(personas, complaint, "assigned", handler=personas.manager)
    with pytest.raises(services.NotPermitted):
        services.start_investigation(actor=personas.approver, complaint=c)


def test_overdue_complaints(complaint, personas, monday):
    assert not Complaint.objects.overdue().exists()
    monday.shift(dt.timedelta(days=2))  # Wednesday: past the assignment date
    assert list(Complaint.objects.overdue()) == [complaint]
    assert complaint.is_overdue()


def test_contact_details_are_for_the_handlers_only(complaint, personas):
    assert complaint.masked_phone != complaint.complainant_phone
    with pytest.raises(services.NotPermitted):
        services.reveal_contact(actor=personas.manager, complaint=complaint)
    shown = services.reveal_contact(actor=personas.supervisor, complaint=complaint)
    assert shown["complainant_phone"] == "13912345678"
    assert AuditEntry.objects.filter(action="complaint.contact_viewed").count() == 1
