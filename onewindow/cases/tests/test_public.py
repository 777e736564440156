"""The public status page (办件查询)."""

import re

import pytest
from django.urls import reverse

from onewindow.cases import services
from onewindow.cases.models import StatusLookupFailure

from .factories import at, make_accepted_case, make_case, run_steps

pytestmark = pytest.mark.django_db


def lookup(client, number, code, **extra):
    return client.get(reverse("status:lookup"), {"number": number, "code": code}, **extra)


def test_it_shows_the_form(client, personas):
    response = client.get(reverse("status:lookup"))
    assert response.status_code == 200 and 'id="status-form"' in response.content.decode()


def test_it_shows_the_item_steps_due_date_and_masked_name(client, personas, item, monday):
    case = make_accepted_case(
        personas, item, applicant_name="欧阳娜娜", contact_phone="13912345678"
    )
    case = services.decide_step(
        actor=personas.handler, case=case, decision="pass", opinion="内部意见：材料齐全"
    )
    response = lookup(client, case.number.lower(), " " + case.query_code.lower())
    body = response.content.decode()
    assert response.status_code == 200
    assert "机动车转移登记" in body and "欧阳**" in body and "欧阳娜娜" not in body
    assert "2026年3月16日" in body and "剩余 10 个工作日" in body
    assert "申请已收件" in body and "申请已受理" in body and "环节完成：受理审查" in body
    # Nothing else: no ID number, phone, staff names or internal opinions.
    for secret in (case.applicant_id_number, "13912345678", "承办小李", "内部意见", "审核老张"):
        assert secret not in body


def test_it_follows_the_qr_code_link(client, personas, item, monday):
    case = make_accepted_case(personas, item)
    response = client.get(reverse("status:detail", args=[case.number]), {"code": case.query_code})
    assert response.status_code == 200 and case.number in response.content.decode()
    assert case.public_status_url.endswith(f"/status/{case.number}/?code={case.query_code}")
    response = client.get(reverse("status:detail", args=[case.number]))
    assert response.status_code == 302 and "number=" in response["Location"]


def test_it_shows_the_result_in_plain_words(client, personas, item, monday):
    case = run_steps(personas, make_accepted_case(personas, item))
    case = services.conclude_case(
        actor=personas.clerk, case=case, result="granted", certificate_number="苏E5"
    )
    body = lookup(client, case.number, case.query_code).content.decode()
    assert 'id="status-result"' in body and "准予许可" in body and "已办结：准予许可" in body
    assert "苏E5" not in body


def test_it_answers_a_wrong_code_like_an_unknown_number(client, personas, item, monday):
    case = make_case(personas, item)
    wrong = lookup(client, case.number, "AAAAAAAA")
    unknown = lookup(client, "CG209901010001", "AAAAAAAA")
    assert wrong.status_code == unknown.status_code == 404

    def strip(response):
        body = re.sub(
            r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', "", response.content.decode()
        )
        return body.replace(case.number, "N").replace("CG209901010001", "N")

    assert strip(wrong) == strip(unknown)
    assert "没有与该办件编号和查询码相符的办件" in wrong.content.decode()
    assert case.applicant_name not in wrong.content.decode()


def test_it_holds_off_a_client_after_ten_failures(client, personas, item, monday):
    case = make_case(personas, item)
    for n in range(10):
        assert lookup(client, case.number, f"WRONG{n:03d}").status_code == 404
    blocked = lookup(client, case.number, case.query_code)  # even the right code now
    assert blocked.status_code == 429 and "查询失败次数过多" in blocked.content.decode()
    # Another client is not affected, and the hold ends after ten minutes.
    assert lookup(client, case.number, case.query_code, REMOTE_ADDR="10.0.0.9").status_code == 200
    monday.move_to(at("2026-03-02", 10, 11))
    assert lookup(client, case.number, case.query_code).status_code == 200
    assert lookup(client, case.number, "WRONG999").status_code == 404
    assert StatusLookupFailure.objects.count() == 1  # old failures of the client are gone


def test_it_works_in_english(client, personas, item, monday):
    case = make_accepted_case(personas, item)
    client.cookies["django_language"] = "en"
    body = lookup(client, case.number, case.query_code).content.decode()
    assert "Application accepted: the time limit runs" in body and "10 working days left" in body


def test_it_counts_a_lookup_without_a_code_as_a_failure(client, personas, item, monday):
    case = make_case(personas, item)
    response = client.get(reverse("status:lookup"), {"number": case.number})
    assert response.status_code == 404 and StatusLookupFailure.objects.count() == 1
    assert (
        'value="' + case.number + '"' in response.content.decode()
    )  # the number stays in the form


def test_it_shows_a_suspension_and_the_refusal_in_plain_words(client, personas, item, monday):
    case = make_accepted_case(personas, item)
    case = services.suspend_case(
        actor=personas.handler, case=case, kind="expert_review", reason="内部：专家名单"
    )
    body = lookup(client, case.number, case.query_code).content.decode()
    assert (
        "特别程序（专家评审），暂停计时" in body and "暂停计时" in body and "专家名单" not in body
    )
    refused = services.refuse_case(
        actor=personas.clerk, case=make_case(personas, item), reason="非本机关职权"
    )
    body = lookup(client, refused.number, refused.query_code).content.decode()
    assert "申请不予受理" in body and 'id="status-due"' not in body
