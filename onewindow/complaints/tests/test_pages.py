"""The complaint pages: the portal form and tracking, the desk, the step forms."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.audit.models import AuditEntry
from onewindow.complaints.models import Complaint, PublicAttempt

from .factories import take_to

pytestmark = pytest.mark.django_db

FORM = {
    "category": "attitude",
    "subject_kind": "hall",
    "content": "<script>alert(1)</script>窗口人员不理人",
    "complainant_name": "王五",
    "complainant_phone": "13800001111",
}


def signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def post_public(data, client=None):
    return (client or Client()).post(reverse("complaints_public:register"), data)


def test_it_registers_from_the_portal_and_acknowledges(personas, monday):
    r = post_public({**FORM, "hall": personas.hall.pk})
    assert r.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.channel == "web"
    assert complaint.number in r["Location"] and complaint.query_code in r["Location"]
    page = Client().get(r["Location"])
    html = page.content.decode()
    assert "您的投诉已登记" in html
    assert complaint.query_code in html
    # HTML is shown as text, never run.
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_complaint_without_contact_or_content_is_refused_and_kept(personas, monday):
    r = post_public({**FORM, "content": "", "complainant_phone": "", "hall": personas.hall.pk})
    assert r.status_code == 400
    html = r.content.decode()
    assert "请写明投诉的内容" in html
    assert "请留下电话号码或电子邮箱" in html
    assert "王五" in html  # what was typed is kept
    assert not Complaint.objects.exists()


def test_an_unknown_case_number_is_refused(personas, monday):
    r = post_public({**FORM, "subject_kind": "case", "case_number": "CG202603029999"})
    assert r.status_code == 400
    assert "CG202603029999" in r.content.decode()
    assert not Complaint.objects.exists()


def test_the_portal_form_is_rate_limited(personas, monday):
    client = Client()
    for _ in range(5):
        assert post_public({**FORM, "hall": personas.hall.pk}, client).status_code == 302
    r = post_public({**FORM, "hall": personas.hall.pk}, client)
    assert r.status_code == 429
    assert Complaint.objects.count() == 5
    assert PublicAttempt.objects.filter(kind="register").count() == 5


def test_tracking_needs_the_query_code(complaint):
    url = reverse("complaints_public:track")
    r = Client().get(url, {"number": complaint.number, "code": "WRONGCOD"})
    assert r.status_code == 404
    r = Client().get(url, {"number": complaint.number, "code": complaint.query_code})
    assert r.status_code == 200


def test_the_public_page_shows_the_answer_not_the_internal_notes(complaint, personas):
    c = take_to(personas, complaint, "answered")
    r = Client().get(reverse("complaints_public:track"), {"number": c.number, "code": c.query_code})
    html = r.content.decode()
    assert "经核实，已对工作人员提醒谈话。" in html
    assert "查看录像" not in html  # the investigation note is internal
    assert personas.manager.full_name not in html
    assert "13912345678" not in html


def test_the_complainant_reopens_within_the_limit_and_not_after(complaint, personas, monday):
    c = take_to(personas, complaint, "answered")
    url = reverse("complaints_public:reopen")
    data = {"number": c.number, "code": c.query_code, "version": c.version, "reason": "仍不满意"}
    monday.shift(dt.timedelta(days=16))
    r = Client().post(url, data)
    assert r.status_code == 409
    assert "重新打开投诉的期限已于" in r.content.decode()
    assert "仍不满意" in r.content.decode()
    c.refresh_from_db()
    assert c.status == "answered"
    monday.shift(dt.timedelta(days=-10))
    r = Client().post(url, data)
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.status == "investigating" and c.reopen_count == 1


def test_the_desk_lists_and_counts(complaint, personas, monday):
    monday.shift(dt.timedelta(days=3))
    r = signed_in(personas.supervisor).get(reverse("complaints:desk"))
    assert r.status_code == 200
    assert complaint.number in r.content.decode()
    assert r.context["counts"]["overdue"] == 1
    r = signed_in(personas.supervisor).get(reverse("complaints:desk"), {"status": "closed"})
    assert complaint.number not in r.content.decode()


def test_the_desk_is_for_the_office_and_the_hall_handlers(complaint, personas):
    assert signed_in(personas.clerk).get(reverse("complaints:desk")).status_code == 403
    assert Client().get(reverse("complaints:desk")).status_code == 302
    r = signed_in(personas.manager).get(reverse("complaints:desk"))
    assert complaint.number in r.content.decode()


def test_another_halls_complaint_is_a_404(complaint, personas):
    from onewindow.accounts.roles import Role
    from onewindow.factories import make_user

    elsewhere = make_user("mz_manager", halls=[personas.other_hall], roles=[Role.HALL_MANAGER])
    client = signed_in(elsewhere)
    assert client.get(reverse("complaints:detail", args=[complaint.number])).status_code == 404
    assert complaint.number not in client.get(reverse("complaints:desk")).content.decode()


def test_the_step_forms_move_the_complaint_and_refuse_a_double_submit(complaint, personas):
    office = signed_in(personas.supervisor)
    url = reverse("complaints:act", args=[complaint.number, "assign"])
    data = {"version": 1, "handler": personas.manager.pk, "note": "请核实"}
    r = office.post(url, data)
    assert r.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "assigned" and complaint.assigned_to == personas.manager
    audit = AuditEntry.objects.filter(action="complaint.assign").count()
    r = office.post(url, data, follow=True)  # the same form again
    assert "投诉已被他人修改" in r.content.decode()
    assert AuditEntry.objects.filter(action="complaint.assign").count() == audit


def test_a_step_not_allowed_is_refused_with_a_message(complaint, personas):
    office = signed_in(personas.supervisor)
    url = reverse("complaints:act", args=[complaint.number, "close"])
    r = office.post(url, {"version": 1, "note": "结束"}, follow=True)
    assert "不能关闭" in r.content.decode()
    complaint.refresh_from_db()
    assert complaint.status == "registered"


def test_the_hall_handler_acts_only_on_complaints_assigned_to_them(complaint, personas):
    take_to(personas, complaint, "assigned", handler=personas.manager)
    url = reverse("complaints:act", args=[complaint.number, "investigate"])
    assert signed_in(personas.approver).post(url, {"version": 2}).status_code == 403
    assert signed_in(personas.manager).post(url, {"version": 2}).status_code == 302


def test_contact_details_are_masked_and_revealed_with_an_audit_row(complaint, personas):
    page = signed_in(personas.manager).get(reverse("complaints:detail", args=[complaint.number]))
    assert "13912345678" not in page.content.decode()
    url = reverse("complaints:reveal", args=[complaint.number])
    assert signed_in(personas.manager).post(url).status_code == 403
    r = signed_in(personas.supervisor).post(url)
    assert "13912345678" in r.content.decode()
    assert AuditEntry.objects.filter(action="complaint.contact_viewed").count() == 1


def test_staff_register_a_phone_complaint(personas, monday):
    r = signed_in(personas.supervisor).post(
        reverse("complaints:register"),
        {**FORM, "channel": "hotline", "external_id": "12345-0001", "hall": personas.hall.pk},
    )
    assert r.status_code == 302
    c = Complaint.objects.get()
    assert c.channel == "hotline" and c.source_system == "12345"
    assert c.registered_by == personas.supervisor
