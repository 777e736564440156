"""The public status page (办件查询)."""

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from onewindow.cases import services
from onewindow.cases.models import Case, StatusLookupFailure
from onewindow.workdays.services import get_calendar

from .factories import at, make_accepted_case, make_case, run_steps
from .test_api import Api
from .test_exchange import event, first_event, post

pytestmark = pytest.mark.django_db


def lookup(client, number, code, **extra):
    return client.get(reverse("status:lookup"), {"number": number, "code": code}, **extra)


def without_tokens(response) -> str:
    """The page without its CSRF tokens (masked afresh for every response)."""
    body = response.content.decode()
    return re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', "", body)


def test_it_shows_the_form(client, personas):
    response = client.get(reverse("status:lookup"))
    assert response.status_code == 200 and 'id="status-form"' in response.content.decode()


def test_the_form_links_to_the_guides_and_the_fee_list(client, personas):
    page = client.get(reverse("status:lookup")).content.decode()
    for anchor, name in (("lookup-guide", "guide:index"), ("lookup-fees", "guide:fees")):
        href = re.search(rf'href="([^"]+)" id="{anchor}"', page).group(1)
        assert href == reverse(name)
        assert client.get(href).status_code == 200
    assert "办事指南" in page and "收费公示" in page


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
        return without_tokens(response).replace(case.number, "N").replace("CG209901010001", "N")

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
        actor=personas.handler,
        case=case,
        kind="expert_review",
        reason="内部：专家名单",
        max_days=10,
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


# The answer is kept in Django's cache (public_views.answer_key): whatever changes what it
# shows must show at the next lookup, and the checks before it must run on every request.


def shown(response, element_id):
    """The text of the element with that id (tags and spaces dropped)."""
    body = response.content.decode()
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</(dd|ol)>', body, re.S)
    assert match, f"no #{element_id}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def test_it_shows_each_change_of_the_case_at_the_next_lookup(client, personas, item, monday):
    case = make_case(personas, item)
    first = lookup(client, case.number, case.query_code)
    assert shown(first, "status-status") == "已收件" and "申请已受理" not in shown(
        first, "status-steps"
    )
    assert without_tokens(lookup(client, case.number, case.query_code)) == without_tokens(first)

    case = services.accept_case(actor=personas.clerk, case=case)
    accepted = lookup(client, case.number, case.query_code)
    assert shown(accepted, "status-status") == "办理中"
    assert "申请已受理，开始计时" in shown(accepted, "status-steps")
    assert shown(accepted, "status-due").startswith("2026年3月16日 · 剩余 10 个工作日")

    # A step decided: only the history and the version change.
    case = services.decide_step(actor=personas.handler, case=case, decision="pass")
    decided = lookup(client, case.number, case.query_code)
    assert shown(decided, "status-status") == "办理中"
    assert "环节完成：受理审查" in shown(decided, "status-steps")

    case = run_steps(personas, case, decisions=("pass", "approve"))
    case = services.conclude_case(
        actor=personas.clerk, case=case, result="granted", certificate_number="苏E5"
    )
    concluded = lookup(client, case.number, case.query_code)
    assert shown(concluded, "status-status") == "已办结"
    assert shown(concluded, "status-result").startswith("准予许可")
    assert shown(concluded, "status-steps").count("环节完成") == 3
    assert "已办结：准予许可" in shown(concluded, "status-steps")


def test_it_shows_a_due_date_changed_without_a_new_version(client, personas, item, monday):
    case = make_accepted_case(personas, item)
    assert "暂定" not in shown(lookup(client, case.number, case.query_code), "status-due")
    # As the deadlines job does once a calendar year is entered: no new version.
    Case.objects.filter(pk=case.pk).update(
        promised_due_date=at("2026-03-17").date(), due_provisional=True
    )
    due = shown(lookup(client, case.number, case.query_code), "status-due")
    assert due.startswith("2026年3月17日 · 剩余 11 个工作日") and "暂定" in due


def test_it_shows_the_hall_by_its_current_name(client, personas, item, monday):
    case = make_accepted_case(personas, item)
    lookup(client, case.number, case.query_code)
    personas.hall.name = "张家港市车管分中心"
    personas.hall.save(update_fields=["name"])
    body = lookup(client, case.number, case.query_code).content.decode()
    assert "张家港市车管分中心" in body


def test_it_counts_the_days_left_from_today(client, personas, item, monday):
    case = make_accepted_case(personas, item)
    monday.move_to(at("2026-03-02", 23, 58))
    assert "剩余 10 个工作日" in shown(lookup(client, case.number, case.query_code), "status-due")
    monday.move_to(at("2026-03-03", 0, 1))  # a new day, three minutes later
    assert "剩余 9 个工作日" in shown(lookup(client, case.number, case.query_code), "status-due")


def test_it_answers_a_wrong_code_after_a_right_one_like_an_unknown_number(
    client, personas, item, monday
):
    case = make_accepted_case(personas, item)
    assert lookup(client, case.number, case.query_code).status_code == 200  # now cached
    wrong = lookup(client, case.number, "AAAAAAAA")
    unknown = lookup(client, "CG209901010001", "AAAAAAAA")
    assert wrong.status_code == unknown.status_code == 404
    assert 'id="public-status"' not in wrong.content.decode()
    assert without_tokens(wrong).replace(case.number, "N") == without_tokens(unknown).replace(
        "CG209901010001", "N"
    )
    assert StatusLookupFailure.objects.count() == 2
    for n in range(8):
        lookup(client, case.number, f"WRONG{n:03d}")
    # Ten failures: the right code, answered a moment ago from the cache, is held off too.
    blocked = lookup(client, case.number, case.query_code)
    assert blocked.status_code == 429 and 'id="public-status"' not in blocked.content.decode()


def test_it_keeps_the_languages_apart(client, personas, item, monday):
    case = make_accepted_case(personas, item)
    chinese = lookup(client, case.number, case.query_code).content.decode()
    client.cookies["django_language"] = "en"
    english = lookup(client, case.number, case.query_code).content.decode()
    client.cookies["django_language"] = "zh-hans"
    again = lookup(client, case.number, case.query_code).content.decode()
    assert "申请已受理" in chinese and "Application accepted" not in chinese
    assert "Application accepted: the time limit runs" in english and "申请已受理" not in english
    assert "10 working days left" in english and "剩余 10 个工作日" in again
    assert "Application accepted" not in again


def test_it_shows_the_events_of_a_department_system(client, personas, item, monday):
    api = Api(client)
    post(api, personas.handler, first_event(personas, item))
    case = Case.objects.get()
    client.cookies["django_language"] = "zh-hans"
    before = lookup(client, case.number, case.query_code)
    assert shown(before, "status-status") == "已收件"
    for seq, kind, data in ((2, "accepted", {}), (3, "step_decided", {"step": "现场查验"})):
        at_ = f"2026-03-02T09:2{seq}:00+08:00"
        assert post(api, personas.handler, event(personas, seq, kind, at_, data))[0] == 201
        after = lookup(client, case.number, case.query_code)
        assert shown(after, "status-status") == "办理中"
        assert "申请已受理，开始计时" in shown(after, "status-steps")
    # The step decided changes nothing but the history and the version.
    assert "环节完成：现场查验" in shown(after, "status-steps")


def test_it_looks_up_a_case_in_two_queries_and_again_in_one(
    client, personas, item, monday, django_assert_num_queries
):
    get_calendar()  # loaded once per process
    case = make_accepted_case(personas, item)
    # The case with its hall and item and the client's failures, its events; then the
    # page comes from the cache.
    with django_assert_num_queries(2):
        first = lookup(client, case.number, case.query_code)
    with django_assert_num_queries(1):
        again = lookup(client, case.number, case.query_code)
    assert first.status_code == again.status_code == 200
    assert first.content == again.content
    # The guide and the fees of the item are one click away.
    body = first.content.decode()
    assert f'href="/guide/items/{item.implementation_code}/"' in body and 'id="status-fees"' in body
    # A change of the case (a new version) is shown at once.
    services.suspend_case(
        actor=personas.handler, case=case, kind="testing", reason="检测", max_days=5
    )
    assert "暂停计时" in lookup(client, case.number, case.query_code).content.decode()


def test_a_held_off_client_gets_no_answer_even_with_the_right_code(client, personas, item, monday):
    case = make_accepted_case(personas, item)
    for _ in range(10):
        assert lookup(client, case.number, "WRONG123").status_code == 404
    assert lookup(client, case.number, case.query_code).status_code == 429
    assert lookup(client, "NOSUCHNUMBER", case.query_code).status_code == 429


def test_an_anonymous_answer_has_no_token_and_sets_no_cookie(client, personas, item, monday):
    """Nothing on the page is posted: a visitor who is not signed in gets no CSRF token,
    so no cookie either. A signed-in user gets the page with a token, and the same
    answer."""
    case = make_accepted_case(personas, item)
    response = client.get(reverse("status:detail", args=[case.number]), {"code": case.query_code})
    body = response.content.decode()
    assert response.status_code == 200 and not response.cookies
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    assert response["Expires"]
    assert "csrfmiddlewaretoken" not in body and "X-CSRFToken" not in body
    assert f"<title>办件查询 {case.number} · 张家港市" in body
    assert f'name="next" type="hidden" value="/status/{case.number}/?code={case.query_code}"' in (
        body
    )
    assert 'id="public-status"' in body
    client.force_login(personas.clerk)
    full = client.get(reverse("status:detail", args=[case.number]), {"code": case.query_code})
    full_body = full.content.decode()
    assert 'id="current-user"' in full_body and "X-CSRFToken" in full_body
    answer = re.search(r'<div class="card mb-3" id="public-status">.*?</ol>', body, re.S)
    assert answer and answer.group(0) in full_body


def test_the_answer_escapes_every_value(client, personas, item, monday):
    """Names from the catalogue, the hall and the applicant come out escaped."""
    personas.hall.name = '<b onmouseover="x()">一号厅</b>'
    personas.hall.save(update_fields=["name"])
    case = make_accepted_case(personas, item, applicant_name="<i>李</i>四")
    body = lookup(client, case.number, case.query_code).content.decode()
    assert "&lt;b onmouseover=&quot;x()&quot;&gt;一号厅&lt;/b&gt;" in body
    assert "<b onmouseover" not in body and "<i>" not in body


STATUS_BADGES = {
    Case.Status.RECEIVED: ("已收件", "text-bg-light border"),
    Case.Status.CORRECTION: ("待补正", "text-bg-warning"),
    Case.Status.ACCEPTED: ("办理中", "text-bg-primary"),
    Case.Status.SUSPENDED: ("中止计时", "text-bg-secondary"),
    Case.Status.CONCLUDED: ("已办结", "text-bg-success"),
    Case.Status.DELIVERED: ("已送达", "text-bg-success"),
    Case.Status.REFUSED: ("不予受理", "text-bg-dark"),
    Case.Status.WITHDRAWN: ("已撤回", "text-bg-light border"),
    Case.Status.VOID: ("已作废", "text-bg-dark"),
}


@pytest.mark.parametrize("status", Case.Status.values)
def test_the_status_badge_is_drawn_by_one_include(status):
    """cases/_status.html draws the badge of every status, for the staff pages and the
    public page alike."""
    label, css = STATUS_BADGES[status]
    badge = render_to_string("cases/_status.html", {"case": Case(status=status)})
    assert badge.strip() == (
        f'<span class="badge ow-status ow-status-{status} {css}">{label}</span>'
    )


def test_the_public_page_and_the_staff_page_show_the_same_badge(client, personas, item, monday):
    case = make_accepted_case(personas, item)
    badge = render_to_string("cases/_status.html", {"case": case}).strip()
    public = lookup(client, case.number, case.query_code).content.decode()
    client.force_login(personas.clerk)
    staff = client.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert badge in public and badge in staff


def test_it_shows_times_in_local_time_and_dates_in_the_language(client, personas, item, monday):
    """Asia/Shanghai (settings.TIME_ZONE), dates as Django writes Chinese ones, and in
    English one format for dates and times (onewindow/core/formats/en)."""
    case = make_accepted_case(personas, item)  # Monday 2 March 2026, 10:00 in Shanghai
    steps = shown(lookup(client, case.number, case.query_code), "status-steps")
    assert "2026年3月2日 10:00" in steps
    client.cookies["django_language"] = "en"
    english = lookup(client, case.number, case.query_code)
    assert shown(english, "status-due").startswith("2026-03-16")
    assert "2026-03-02 10:00" in shown(english, "status-steps")


def test_it_answers_in_english_with_english_names_and_one_date_format(
    client, personas, item, monday
):
    personas.hall.name_en = "Vehicle Registration Sub-centre"
    personas.hall.save()
    case = make_accepted_case(personas, item)
    client.cookies["django_language"] = "en"
    body = lookup(client, case.number, case.query_code).content.decode()
    assert "Vehicle Registration Sub-centre" in body and "车辆管理分中心" not in body
    assert "2026-03-16" in body and "2026-03-02 10:00" in body
    assert "March" not in body and "a.m." not in body
