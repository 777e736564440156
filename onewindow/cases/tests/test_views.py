"""The staff pages: workbench, case page, queue and list. For each: the happy path, the
anonymous visitor, the wrong role, the other hall, and what was written."""

import importlib.util
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from onewindow.audit.models import AuditEntry
from onewindow.cases import services
from onewindow.cases.models import Attachment, Case, CaseDocument

from .factories import (
    credit_code,
    make_accepted_case,
    make_case,
    material_id,
    required_ids,
    resident_id,
    run_steps,
    with_wrong_check_char,
)

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
PDF = b"%PDF-1.7\n" + b"0" * 64


def intake_data(item, **overrides):
    data = {
        "item": item.implementation_code,
        "hall": "CG",
        "intake_key": overrides.pop("intake_key", "k" * 32),
        "applicant_kind": "person",
        "applicant_name": "王小明",
        "applicant_id_number": resident_id(),
        "contact_phone": "13912345678",
        "provided": required_ids(item),
        "action": "accept",
    }
    data.update(overrides)
    return data


def workbench_url(item=None):
    url = reverse("cases:workbench")
    return url + f"?item={item.implementation_code}" if item else url


# ------------------------------------------------------------------ workbench


def test_it_shows_the_workbench_to_a_clerk_only(client, personas, item):
    assert client.get(workbench_url()).status_code == 302  # anonymous: sign in first
    client.force_login(personas.supervisor)
    assert client.get(workbench_url()).status_code == 403
    client.force_login(personas.clerk)
    response = client.get(workbench_url(item))
    body = response.content.decode()
    assert response.status_code == 200 and "机动车转移登记" in body and "checklist" in body
    client.force_login(personas.outsider)
    assert client.get(workbench_url(item)).status_code == 404  # not an item of the outsider's hall


def test_it_finds_items_by_name_or_pinyin(client, personas, item, immediate_item):
    client.force_login(personas.clerk)
    body = client.get(reverse("cases:item_search"), {"q": "转移"}).content.decode()
    assert "机动车转移登记" in body and "补领机动车号牌" not in body
    body = client.get(reverse("cases:item_search"), {"q": "bljdc"}).content.decode()
    assert "补领机动车号牌" in body
    assert "机动车转移登记" in client.get(workbench_url(), {"q": "转移"}).content.decode()
    # Part of a code finds the item too (the hall's own number of it, or the catalogue's).
    part = item.implementation_code[-8:].lower()
    body = client.get(reverse("cases:item_search"), {"q": part}).content.decode()
    assert "机动车转移登记" in body and "补领机动车号牌" not in body


def test_it_receives_and_accepts_in_one_screen(client, personas, item, monday):
    client.force_login(personas.clerk)
    data = intake_data(item, window=personas.window.pk)
    data[f"scan_{material_id(item, '居民身份证')}"] = SimpleUploadedFile("id.png", PNG, "image/png")
    response = client.post(workbench_url(item), data)
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("cases:detail", args=[case.number])
    )
    assert (
        case.status == "accepted"
        and case.window == personas.window
        and case.received_by == personas.clerk
    )
    assert case.current_assignee == personas.handler
    assert Attachment.objects.get().case_material.name == "居民身份证"
    assert list(
        AuditEntry.objects.filter(object_id=str(case.pk))
        .values_list("action", flat=True)
        .order_by("seq")
    ) == [
        "case.received",
        "case.scan_attached",
        "case.accepted",
    ]


def test_it_receives_a_case_only_once_when_the_form_is_sent_twice(client, personas, item, monday):
    client.force_login(personas.clerk)
    first = client.post(workbench_url(item), intake_data(item))
    second = client.post(workbench_url(item), intake_data(item), follow=True)
    assert Case.objects.count() == 1
    assert first["Location"].split("#")[0] == second.redirect_chain[-1][0].split("#")[0]
    assert "提交了两次" in second.content.decode()


def test_it_explains_a_bad_id_and_saves_nothing(client, personas, item, monday):
    client.force_login(personas.clerk)
    response = client.post(
        workbench_url(item),
        intake_data(item, applicant_id_number=with_wrong_check_char(resident_id())),
    )
    assert response.status_code == 400
    assert "校验码" in response.content.decode()
    response = client.post(
        workbench_url(item),
        intake_data(
            item,
            applicant_kind="organisation",
            applicant_id_number=with_wrong_check_char(credit_code()),
        ),
    )
    assert response.status_code == 400 and "统一社会信用代码" in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("big.pdf", PDF + b"0" * 2000, "最大"),
        ("tool.exe", b"MZ" + b"0" * 40, "PDF"),
        ("fake.pdf", PNG, "不符"),
        ("fake.png", b"GIF89a" + b"0" * 40, "不符"),
    ],
)
def test_it_refuses_a_bad_upload_and_saves_nothing(
    client, personas, item, monday, settings, name, content, message
):
    settings.UPLOAD_MAX_BYTES = 1024
    client.force_login(personas.clerk)
    data = intake_data(item)
    data[f"scan_{material_id(item, '申请表')}"] = SimpleUploadedFile(name, content)
    response = client.post(workbench_url(item), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Case.objects.exists() and not Attachment.objects.exists()


def test_it_accepts_a_real_pdf_scan(client, personas, item, monday):
    client.force_login(personas.clerk)
    data = intake_data(item)
    data[f"scan_{material_id(item, '申请表')}"] = SimpleUploadedFile("form.PDF", PDF)
    assert client.post(workbench_url(item), data).status_code == 302
    assert Attachment.objects.get().content_type == "application/pdf"


def test_it_handles_an_immediate_item_and_hands_it_over(client, personas, immediate_item, monday):
    client.force_login(personas.clerk)
    data = intake_data(
        immediate_item,
        action="immediate",
        certificate_number="补字0001",
        fee_charged="10",
        hand_over="on",
    )
    assert client.post(workbench_url(immediate_item), data).status_code == 302
    case = Case.objects.get()
    assert (case.status, case.result, case.certificate_number, case.delivery_method) == (
        "delivered",
        "granted",
        "补字0001",
        "window",
    )
    assert case.minutes_used == 0


def test_it_issues_a_correction_notice_from_the_workbench(client, personas, item, monday):
    client.force_login(personas.clerk)
    data = intake_data(
        item,
        action="correction",
        provided=[material_id(item, "申请表")],
        other_problems="申请表未签字\n  \n",
    )
    assert client.post(workbench_url(item), data).status_code == 302
    case = Case.objects.get()
    names = [i["name"] for i in case.corrections.get().items]
    assert case.status == "correction" and "居民身份证" in names and "申请表未签字" in names


def test_it_needs_a_reason_to_refuse_at_the_window(client, personas, item, monday):
    client.force_login(personas.clerk)
    response = client.post(
        workbench_url(item), intake_data(item, action="refuse", refusal_reason="")
    )
    assert response.status_code == 400 and not Case.objects.exists()
    assert (
        client.post(
            workbench_url(item), intake_data(item, action="refuse", refusal_reason="非本机关职权")
        ).status_code
        == 302
    )
    assert Case.objects.get().status == "refused"


def test_it_accepts_with_gaps_from_the_workbench(client, personas, item, monday):
    client.force_login(personas.clerk)
    insurance = material_id(item, "交通事故责任强制保险凭证")
    data = intake_data(
        item,
        action="gaps",
        provided=[i for i in required_ids(item) if i != insurance],
        gaps_materials=[insurance],
        gaps_due_date="2026-03-06",
        gaps_promise="三日内补交",
    )
    assert client.post(workbench_url(item), data).status_code == 302
    case = Case.objects.get()
    assert case.status == "accepted" and case.gaps_due_date.isoformat() == "2026-03-06"


def test_it_will_not_accept_with_materials_missing_from_the_workbench(
    client, personas, item, monday
):
    client.force_login(personas.clerk)
    response = client.post(workbench_url(item), intake_data(item, provided=[]))
    assert response.status_code == 400 and "居民身份证" in response.content.decode()
    assert not Case.objects.exists()


# ------------------------------------------------------------------ case page


def test_it_shows_a_case_to_its_hall_and_the_centre_only(client, personas, item, monday):
    case = make_accepted_case(personas, item)
    url = reverse("cases:detail", args=[case.number])
    assert client.get(url).status_code == 302
    client.force_login(personas.outsider)
    assert client.get(url).status_code == 404
    client.force_login(personas.legal)
    assert client.get(url).status_code == 403
    client.force_login(personas.supervisor)
    body = client.get(url).content.decode()
    assert case.number in body and 'id="action-' not in body  # read-only for supervision
    client.force_login(personas.handler)
    body = client.get(url).content.decode()
    assert 'id="action-decide"' in body and "2026年3月16日" in body
    assert case.applicant_id_number not in body  # masked


def test_it_decides_a_step_from_the_case_page(client, personas, item, monday):
    case = make_accepted_case(personas, item)
    client.force_login(personas.handler)
    url = reverse("cases:act", args=[case.number, "decide"])
    response = client.post(
        url, {"version": case.version, "decision": "pass", "opinion": "材料齐全"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.current_step.position == 2 and case.current_assignee == personas.reviewer


def test_it_refuses_a_stale_form_with_a_clear_message(client, personas, item, monday):
    case = make_accepted_case(personas, item)
    client.force_login(personas.handler)
    url = reverse("cases:act", args=[case.number, "decide"])
    client.post(url, {"version": case.version, "decision": "pass"})
    response = client.post(
        url, {"version": case.version, "decision": "pass"}, follow=True
    )  # sent twice
    assert "有人修改了这个办件" in response.content.decode()
    case.refresh_from_db()
    assert case.current_step.position == 2 and case.events.filter(kind="step_decided").count() == 1


def test_it_answers_403_to_the_wrong_role_and_404_to_another_hall(client, personas, item, monday):
    case = make_accepted_case(personas, item)
    url = reverse("cases:act", args=[case.number, "suspend"])
    data = {"version": case.version, "kind": "testing", "reason": "检测"}
    client.force_login(personas.supervisor)
    assert client.post(url, data).status_code == 403
    client.force_login(personas.outsider)
    assert client.post(url, data).status_code == 404
    client.force_login(personas.reviewer)  # not the step's person
    assert (
        client.post(
            reverse("cases:act", args=[case.number, "decide"]),
            {"version": case.version, "decision": "pass"},
        ).status_code
        == 403
    )
    case.refresh_from_db()
    assert case.status == "accepted" and case.version == 2


def test_it_shows_form_errors_on_the_case_page(client, personas, item, monday):
    case = make_accepted_case(personas, item)
    client.force_login(personas.handler)
    response = client.post(
        reverse("cases:act", args=[case.number, "extend"]),
        {"version": case.version, "days": 30, "reason": ""},
    )
    # Back to the case page (a reload there does not post again), the form as it was sent.
    assert response.status_code == 302 and response["Location"].endswith("#action-extend")
    body = client.get(response["Location"]).content.decode()
    assert "invalid-feedback" in body and 'name="days" value="30"' in body
    assert "未保存，请更正：工作日数：确保该值小于或等于15。；原因：此字段为必填项。" in body
    # Shown once: the page read again is the plain case page.
    assert "invalid-feedback" not in client.get(response["Location"]).content.decode()
    case.refresh_from_db()
    assert case.extension_days == 0 and not case.extensions.exists()
    response = client.post(
        reverse("cases:act", args=[case.number, "extend"]),
        {"version": case.version, "days": 3, "reason": "复杂"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.extension_days == 0 and case.extensions.get().status == "requested"


def test_an_approver_decides_an_extension_from_the_case_page(client, personas, item, monday):
    case = make_accepted_case(personas, item)
    case = services.request_extension(actor=personas.handler, case=case, days=3, reason="复杂")
    client.force_login(personas.handler)
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert 'id="action-extension_decision"' not in page  # not for the requester
    client.force_login(personas.approver)
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert 'id="action-extension_decision"' in page
    assert 'id="pending-extension"' in page and "待审批" in page
    response = client.post(
        reverse("cases:act", args=[case.number, "extension_decision"]),
        {"version": case.version, "approve": "no", "note": ""},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.extension_days == 0 and case.extensions.get().status == "requested"
    response = client.post(
        reverse("cases:act", args=[case.number, "extension_decision"]),
        {"version": case.version, "approve": "yes"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.extension_days == 3


def test_it_concludes_and_delivers_from_the_case_page(client, personas, item, monday):
    case = run_steps(personas, make_accepted_case(personas, item))
    client.force_login(personas.clerk)
    body = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert 'id="action-conclude"' in body
    response = client.post(
        reverse("cases:act", args=[case.number, "conclude"]),
        {"version": case.version, "result": "granted"},
        follow=True,
    )
    assert response.redirect_chain and "证照编号" in response.content.decode()
    client.post(
        reverse("cases:act", args=[case.number, "conclude"]),
        {"version": case.version, "result": "granted", "certificate_number": "苏E88888"},
    )
    case.refresh_from_db()
    client.post(
        reverse("cases:act", args=[case.number, "deliver"]),
        {"version": case.version, "method": "window"},
    )
    case.refresh_from_db()
    assert case.status == "delivered" and case.certificate_number == "苏E88888"


def test_it_issues_a_further_notice_only_for_earlier_items(client, personas, item, monday):
    case = make_case(personas, item, provided=[material_id(item, "申请表")])
    case = services.issue_correction_notice(actor=personas.clerk, case=case, items=[])
    case = services.supply_correction(
        actor=personas.clerk, case=case, provided_material_ids=required_ids(item)
    )
    client.force_login(personas.clerk)
    body = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert 'id="action-correction"' in body and "other_problems" not in body
    earlier = case.corrections.get().items[0]
    key = earlier["key"].replace(".", "_")
    response = client.post(
        reverse("cases:act", args=[case.number, "correction"]),
        {"version": case.version, f"item_{key}": "on", f"note_{key}": "复印件不清晰"},
    )
    assert response.status_code == 302
    second = case.corrections.get(round=2)
    assert (
        second.items[0]["derived_from"] == earlier["key"]
        and second.items[0]["note"] == "复印件不清晰"
    )


def test_it_prints_a_notice_and_keeps_it(client, personas, item, monday):
    case = make_accepted_case(personas, item)
    client.force_login(personas.clerk)
    url = reverse("cases:document", args=[case.number, "receipt"])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert f'filename="receipt-{case.number}.pdf"' in response["Content-Disposition"]
    client.get(url)
    assert (
        CaseDocument.objects.filter(case=case, kind="receipt").count() == 1
    )  # unchanged case: the kept copy
    # A reprint after a change is kept apart by the storage, and still named plainly.
    case = services.request_extension(actor=personas.handler, case=case, days=2, reason="x")
    again = client.get(url)
    assert CaseDocument.objects.filter(case=case, kind="receipt").count() == 2
    assert f'filename="receipt-{case.number}.pdf"' in again["Content-Disposition"]
    assert case.events.filter(kind="document").count() == 2  # one per copy printed
    # A notice that does not exist yet is refused with a message.
    response = client.get(reverse("cases:document", args=[case.number, "conclusion"]), follow=True)
    assert CaseDocument.objects.filter(kind="conclusion").count() == 0
    client.force_login(personas.outsider)
    assert client.get(url).status_code == 404


def test_it_audits_every_view_of_a_scan(client, personas, item, monday):
    case = make_case(personas, item)
    scan = services.attach_scan(
        actor=personas.clerk, case=case, upload=SimpleUploadedFile("id.png", PNG, "image/png")
    )
    client.force_login(personas.handler)
    url = reverse("cases:attachment", args=[case.number, scan.pk])
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert AuditEntry.objects.filter(action="case.scan_viewed", actor=personas.handler).count() == 1
    client.force_login(personas.outsider)
    assert client.get(url).status_code == 404


def test_it_attaches_a_scan_from_the_case_page(client, personas, item, monday):
    case = make_case(personas, item)
    client.force_login(personas.clerk)
    url = reverse("cases:attach", args=[case.number])
    client.post(
        url, {"material": material_id(item, "申请表"), "file": SimpleUploadedFile("a.exe", b"MZ00")}
    )
    assert not Attachment.objects.exists()
    client.post(
        url,
        {
            "material": material_id(item, "申请表"),
            "file": SimpleUploadedFile("a.jpg", b"\xff\xd8\xff\xe0" + b"0" * 30),
        },
    )
    assert Attachment.objects.get().case_material.name == "申请表"


# ------------------------------------------------------------------ queue and list


def test_it_queues_each_persons_work_least_time_left_first(client, personas, item, monday):
    from .factories import make_item

    quick = make_item(personas.department, [personas.hall], promised=3, legal=5)
    slow = make_accepted_case(personas, item)
    urgent = make_accepted_case(personas, quick)
    client.force_login(personas.handler)
    body = client.get(reverse("cases:queue")).content.decode()
    assert body.index(urgent.number) < body.index(slow.number)
    client.force_login(personas.reviewer)
    assert slow.number not in client.get(reverse("cases:queue")).content.decode()
    client.force_login(personas.clerk)
    received = make_case(personas, item, provided=[])
    received = services.issue_correction_notice(actor=personas.clerk, case=received, items=[])
    assert received.number in client.get(reverse("cases:queue")).content.decode()
    client.force_login(personas.supervisor)
    assert client.get(reverse("cases:queue")).status_code == 403


def test_it_lists_cases_with_filters(client, personas, item, monday):
    from .factories import make_item

    accepted = make_accepted_case(personas, item, applicant_name="赵敏")
    received = make_case(personas, item, applicant_name="周芷若")
    elsewhere_item = make_item(personas.other_department, [personas.other_hall])
    elsewhere = make_case(
        personas, elsewhere_item, actor=personas.outsider, hall=personas.other_hall, window=None
    )
    client.force_login(personas.clerk)
    url = reverse("cases:list")
    body = client.get(url).content.decode()
    assert accepted.number in body and received.number in body and elsewhere.number not in body
    assert "赵敏" not in body and "赵*" in body  # names masked in lists
    body = client.get(url, {"status": "open"}).content.decode()
    assert accepted.number in body and received.number not in body
    body = client.get(url, {"q": "周芷若"}).content.decode()
    assert received.number in body and accepted.number not in body
    body = client.get(url, {"q": accepted.number[:-1]}).content.decode()
    assert accepted.number in body and received.number in body
    body = client.get(url, {"received_from": "2026-03-03"}).content.decode()
    assert accepted.number not in body
    body = client.get(url, {"mine": "on"}).content.decode()
    assert accepted.number not in body
    client.force_login(personas.supervisor)
    body = client.get(url, {"hall": "MZ"}).content.decode()
    assert elsewhere.number in body and accepted.number not in body
    client.force_login(personas.legal)
    assert client.get(url).status_code == 403


def test_it_lists_overdue_cases(client, personas, item, monday):
    case = make_accepted_case(personas, item)
    monday.move_to(at_day("2026-03-17"))
    client.force_login(personas.clerk)
    body = client.get(reverse("cases:list"), {"overdue": "on"}).content.decode()
    assert case.number in body and "超期 1 个工作日" in body


def at_day(day):
    from .factories import at

    return at(day)


def test_it_pages_the_list_by_50_with_a_fixed_number_of_queries(
    client, personas, item, monday, django_assert_max_num_queries
):
    from onewindow.cases import clock

    for _ in range(5):
        make_accepted_case(personas, item)
    client.force_login(personas.clerk)
    url = reverse("cases:list")
    clock.calendar()
    client.get(url)  # warm the session and the calendar
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for _ in range(50):
        make_case(personas, item)
    clock.calendar()
    with django_assert_max_num_queries(12) as many:
        response = client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)  # no query per row
    body = response.content.decode()
    assert body.count('href="/staff/cases/CG') == 50 and 'id="next-page"' in body
    second = client.get(url, {"page": 2}).content.decode()
    assert second.count('href="/staff/cases/CG') == 5 and 'id="next-page"' not in second


def test_it_shows_the_supervision_cards_when_supervision_provides_them(
    client, personas, item, monday, monkeypatch
):
    from onewindow.cases import views

    case = make_accepted_case(personas, item)
    client.force_login(personas.clerk)
    url = reverse("cases:detail", args=[case.number])
    body = client.get(url).content.decode()
    if importlib.util.find_spec("onewindow.supervision.templatetags.supervision"):
        assert 'id="case-cards"' in body
    # Without a supervision app the page still works.
    monkeypatch.setattr(views, "supervision_cards", lambda case, request: "")
    response = client.get(url)
    assert response.status_code == 200 and 'id="case-cards"' not in response.content.decode()


def test_the_case_pages_work_in_english(client, personas, item, monday):
    case = make_accepted_case(personas, item)
    client.force_login(personas.handler)
    client.cookies["django_language"] = "en"
    body = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert (
        "Promised due date" in body and "10 working days left" in body and "Decide the step" in body
    )
    body = client.get(reverse("cases:queue")).content.decode()
    assert "What waits for you" in body and case.number in body


def test_it_filters_the_list_by_department(client, personas, item, monday):
    from .factories import make_item

    ours = make_accepted_case(personas, item)
    theirs = make_case(
        personas,
        make_item(personas.other_department, [personas.other_hall]),
        actor=personas.outsider,
        hall=personas.other_hall,
        window=None,
    )
    client.force_login(personas.admin)
    body = client.get(reverse("cases:list"), {"department": "MZ"}).content.decode()
    assert theirs.number in body and ours.number not in body


def test_it_offers_what_the_intake_state_allows(client, personas, item, immediate_item, monday):
    insurance = material_id(item, "交通事故责任强制保险凭证")
    only_minor_missing = make_case(
        personas, item, provided=[i for i in required_ids(item) if i != insurance]
    )
    major_missing = make_case(personas, item, provided=[insurance])
    complete = make_case(personas, immediate_item)
    client.force_login(personas.clerk)

    def offered(case):
        body = client.get(reverse("cases:detail", args=[case.number])).content.decode()
        return {
            name
            for name in ("accept", "immediate", "gaps", "correction", "refuse", "conclude")
            if f'id="action-{name}"' in body
        }

    assert offered(only_minor_missing) == {"gaps", "correction", "refuse", "conclude"}
    assert offered(major_missing) == {"correction", "refuse", "conclude"}
    assert offered(complete) == {"accept", "immediate", "correction", "refuse", "conclude"}


def test_it_turns_away_a_clerk_without_a_hall_and_unknown_actions(client, personas, item, monday):
    from onewindow.factories import make_user

    lonely = make_user("lonely", roles=["window_clerk"])
    client.force_login(lonely)
    assert client.get(workbench_url()).status_code == 403
    case = make_accepted_case(personas, item)
    client.force_login(personas.clerk)
    assert (
        client.post(reverse("cases:act", args=[case.number, "explode"]), {"version": 2}).status_code
        == 404
    )
    assert client.get(reverse("cases:act", args=[case.number, "accept"])).status_code == 405
    assert client.get(reverse("cases:list"), {"page": "x"}).status_code == 200
    assert client.get(reverse("cases:list"), {"received_from": "not a date"}).status_code == 200


def test_it_shows_unassigned_steps_to_everyone_who_may_take_them(client, personas, item, monday):
    from onewindow.accounts.roles import Role
    from onewindow.factories import make_user

    personas.handler.is_active = False
    personas.handler.save()
    case = make_accepted_case(personas, item)
    helper = make_user(
        "handler2", halls=[personas.hall], roles=[Role.HANDLER], department=personas.department
    )
    client.force_login(helper)
    body = client.get(reverse("cases:queue")).content.decode()
    assert case.number in body and "未分派" in body
    body = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert 'id="action-decide"' in body
    client.force_login(personas.reviewer)
    assert case.number not in client.get(reverse("cases:queue")).content.decode()


def test_it_resumes_and_supplies_from_the_case_page(client, personas, item, monday):
    case = make_accepted_case(personas, item)
    case = services.suspend_case(
        actor=personas.handler, case=case, kind="testing", reason="检测", max_days=10
    )
    client.force_login(personas.handler)
    body = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert 'id="action-resume"' in body and "暂停计时" in body
    assert (
        client.post(
            reverse("cases:act", args=[case.number, "resume"]), {"version": case.version}
        ).status_code
        == 302
    )
    case.refresh_from_db()
    assert case.status == "accepted"
    waiting = services.issue_correction_notice(
        actor=personas.clerk, case=make_case(personas, item, provided=[]), items=[]
    )
    client.force_login(personas.clerk)
    response = client.post(
        reverse("cases:act", args=[waiting.number, "supply"]),
        {"version": waiting.version, "provided": required_ids(item)},
    )
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == "received"


def test_the_case_page_shows_the_query_code_and_why_no_clock_runs(client, personas, item, monday):
    case = services.refuse_case(actor=personas.clerk, case=make_case(personas, item), reason="x")
    client.force_login(personas.clerk)
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert f'id="query-code">{case.query_code}<' in page
    assert 'id="no-clock"' in page and "申请受理后开始计时" not in page


def test_the_case_page_has_no_duplicate_ids(client, personas, item, monday):
    import re
    from collections import Counter

    case = make_accepted_case(personas, item)
    client.force_login(personas.manager)
    page = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    ids = Counter(re.findall(r'\sid="([^"]+)"', page))
    assert ids and [i for i, n in ids.items() if n > 1] == []


def test_an_extension_asked_for_waits_in_the_approvers_queue(client, personas, item, monday):
    case = make_accepted_case(personas, item)
    client.force_login(personas.approver)
    assert case.number not in client.get(reverse("cases:queue")).content.decode()
    services.request_extension(actor=personas.handler, case=case, days=2, reason="x")
    assert case.number in client.get(reverse("cases:queue")).content.decode()
    client.force_login(personas.outsider)  # an approver's right, in another hall: not theirs
    assert case.number not in client.get(reverse("cases:queue")).content.decode()


def result_options(body: str) -> list[str]:
    select = body.split('id="id_conclude_result"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="(\w+)"', select)


@pytest.mark.parametrize(
    ("last", "offered", "not_offered"),
    [("approve", "granted", "refused"), ("reject", "refused", "granted")],
)
def test_the_window_concludes_with_the_decision_taken_not_a_new_one(
    client, personas, item, monday, last, offered, not_offered
):
    case = run_steps(personas, make_accepted_case(personas, item), ("pass", "pass", last))
    client.force_login(personas.approver)
    body = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert 'name="decision"' not in body  # nothing left to decide
    options = result_options(body)
    assert offered in options and not_offered not in options
    client.force_login(personas.clerk)
    client.post(
        reverse("cases:act", args=[case.number, "conclude"]),
        {"version": case.version, "result": not_offered, "reason": "理由"},
    )
    case.refresh_from_db()
    assert case.status == Case.Status.ACCEPTED and case.result == ""


def said(response) -> str:
    """The messages of the page a response leads to."""
    return " ".join(str(m) for m in response.context["messages"])


def test_action_messages_say_what_happened_and_what_comes_next(client, personas, item, monday):
    case = make_accepted_case(personas, item)
    client.force_login(personas.handler)
    response = client.post(
        reverse("cases:act", args=[case.number, "decide"]),
        {"version": case.version, "decision": "pass", "opinion": "材料齐全"},
        follow=True,
    )
    text = said(response)
    assert "“受理审查”环节已办理完毕。" in text
    assert "下一步：“审核”环节，由审核老张办理" in text and "前完成" in text
    assert "办理中" not in text  # not the status again: the badge shows it
    case = run_steps(personas, case, ("pass", "approve"))
    client.force_login(personas.clerk)
    response = client.post(
        reverse("cases:act", args=[case.number, "conclude"]),
        {"version": case.version, "result": "granted", "certificate_number": "苏E1"},
        follow=True,
    )
    assert "已办结：准予许可。下一步：打印办结通知书，并在 10 个工作日内送达" in said(response)


def test_the_intake_message_says_the_due_date_and_the_receipt_to_print(
    client, personas, item, monday
):
    client.force_login(personas.clerk)
    response = client.post(workbench_url(item), intake_data(item), follow=True)
    text = said(response)
    assert "已受理，开始计时：承诺 2026年3月16日 前办结" in text and "受理回执" in text


def test_a_refused_scan_does_not_drop_the_other_scans_chosen(client, personas, item, monday):
    client.force_login(personas.clerk)
    form_id, card_id = material_id(item, "申请表"), material_id(item, "居民身份证")
    data = intake_data(item, intake_key="a" * 32)
    data[f"scan_{form_id}"] = SimpleUploadedFile("form.pdf", PDF)
    data[f"scan_{card_id}"] = SimpleUploadedFile("id.exe", b"MZ" + b"\0" * 64)
    response = client.post(workbench_url(item), data)
    body = response.content.decode()
    assert response.status_code == 400 and not Case.objects.exists()
    assert "id.exe" in body and f'id="held-{form_id}"' in body and "form.pdf" in body
    # Sent again with the right scan only: the kept one comes along.
    data = intake_data(item, intake_key="a" * 32)
    data[f"scan_{card_id}"] = SimpleUploadedFile("id.png", PNG)
    response = client.post(workbench_url(item), data)
    assert response.status_code == 302
    scans = {a.original_name: a for a in Attachment.objects.select_related("case_material")}
    assert set(scans) == {"form.pdf", "id.png"}
    assert scans["form.pdf"].case_material.name == "申请表"
    with scans["form.pdf"].file.open("rb") as f:
        assert f.read() == PDF
    assert not client.session.get("cases:held-scans", {}).get("a" * 32)
