"""Journeys in a real browser: a clerk with an immediate and with a promised item, an
approver approving an extension, and an applicant looking up a case (in local time)."""

import datetime as dt

import pytest
from django.utils import formats, timezone, translation

from conftest import login
from onewindow.cases import clock, services
from onewindow.cases.models import Case, Extension

from .factories import make_accepted_case, make_case, resident_id, with_wrong_check_char

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def as_user(browser, live_server, username):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(15000)
    login(page, live_server, username)
    return page


def open_intake(page, live_server, search, item_name):
    page.goto(live_server.url + "/staff/cases/workbench/")
    page.fill("#id_q", search)
    page.locator("#item-result-list a", has_text=item_name).click()  # htmx search result
    page.wait_for_selector("#intake-form")


def fill_applicant(page):
    page.check("input[name=applicant_kind][value=person]")
    page.fill("#id_applicant_name", "张三丰")
    page.fill("#id_applicant_id_number", resident_id())
    page.fill("#id_contact_phone", "13812345678")
    page.select_option("#id_window", label="1 号窗口")


def test_a_clerk_handles_an_immediate_item_in_one_visit(
    browser, live_server, personas, immediate_item
):
    page = as_user(browser, live_server, "clerk")
    open_intake(page, live_server, "补领", "补领机动车号牌")
    fill_applicant(page)
    # A wrong ID is explained and nothing is saved.
    page.fill("#id_applicant_id_number", with_wrong_check_char(resident_id()))
    page.fill("#id_certificate_number", "补字0001")
    page.click("#do-immediate")
    assert "校验码" in page.locator("#intake-form").inner_text()
    assert not Case.objects.exists()
    page.fill("#id_applicant_id_number", resident_id())
    for box in page.locator("#checklist input[type=checkbox]").all():
        box.check()
    page.fill("#id_fee_charged", "10")
    page.click("#do-immediate")
    page.wait_for_selector("#case-number")
    case = Case.objects.get()
    assert page.locator("#case-number").inner_text() == case.number
    assert page.locator("#case-status").inner_text().strip() == "已送达"
    assert "补字0001" in page.locator("#certificate").inner_text()
    assert "按时" in page.locator("#outcome").inner_text()
    response = page.request.get(
        live_server.url + page.locator("#print-conclusion").get_attribute("href")
    )
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"


def decide(browser, live_server, username, number, decision):
    page = as_user(browser, live_server, username)
    page.goto(live_server.url + "/staff/cases/queue/")
    page.locator("#queue a", has_text=number).click()
    page.check(f"#action-decide input[name=decision][value={decision}]")
    page.fill("#action-decide textarea[name=opinion]", "同意")
    page.click("#do-decide")
    page.wait_for_selector(".alert-success")
    page.context.close()


def test_a_clerk_takes_a_promised_item_through_every_step(browser, live_server, personas, item):
    page = as_user(browser, live_server, "clerk")
    open_intake(page, live_server, "jdczy", "机动车转移登记")
    fill_applicant(page)
    page.locator("#checklist tr", has_text="申请表").locator("input[type=checkbox]").check()
    page.locator("#checklist tr", has_text="居民身份证").locator("input[type=checkbox]").check()
    page.locator("#checklist tr", has_text="机动车登记证书").locator("input[type=checkbox]").check()
    page.locator("#checklist tr", has_text="交通事故责任强制保险凭证").locator(
        "input[type=checkbox]"
    ).check()
    page.click("#do-accept")
    page.wait_for_selector("#case-number")
    number = page.locator("#case-number").inner_text()
    assert page.locator("#case-status").inner_text().strip() == "办理中"
    assert "剩余 10 个工作日" in page.locator("#clock").inner_text()
    assert page.locator("#print-receipt").count() == 1

    decide(browser, live_server, "handler", number, "pass")
    decide(browser, live_server, "reviewer", number, "pass")
    decide(browser, live_server, "approver", number, "approve")

    page.goto(live_server.url + "/staff/cases/queue/")
    page.locator("#queue a", has_text=number).click()
    page.select_option("#action-conclude select[name=result]", "granted")
    page.click("#do-conclude")  # without the certificate number: explained, nothing changes
    assert "证照编号" in page.locator("#action-conclude").inner_text()
    page.fill("#action-conclude input[name=certificate_number]", "苏E·12345")
    page.click("#do-conclude")
    page.wait_for_selector("#action-deliver")
    assert page.locator("#case-status").inner_text().strip() == "已办结"
    page.select_option("#action-deliver select[name=method]", "window")
    page.click("#do-deliver")
    page.wait_for_selector(".alert-success")
    assert page.locator("#case-status").inner_text().strip() == "已送达"
    history = page.locator("#events").inner_text()
    for kind in ("收件", "已受理", "环节办理", "办结", "送达"):
        assert kind in history
    case = Case.objects.get(number=number)
    assert [s.decision for s in case.steps.all()] == ["pass", "pass", "approve"]


def test_an_applicant_looks_up_a_case(page, live_server, personas, item):
    case = make_accepted_case(personas, item, applicant_name="欧阳娜娜")
    case = services.decide_step(actor=personas.handler, case=case, decision="pass")
    page.goto(live_server.url + "/status/")
    page.fill("#id_number", case.number)
    page.fill("#id_code", "WRONGCOD")
    page.click("#status-form button")
    assert page.locator("#status-not-found").is_visible()
    page.fill("#id_code", case.query_code)
    page.click("#status-form button")
    page.wait_for_selector("#public-status")
    assert page.locator("#status-applicant").inner_text() == "欧阳**"
    assert page.locator("#status-item").inner_text() == "机动车转移登记"
    steps = page.locator("#status-steps").inner_text()
    assert "申请已受理" in steps and "环节完成：受理审查" in steps
    assert case.applicant_id_number not in page.content()
    # The QR code of the notices leads to the same page.
    page.goto(case.public_status_url.replace("http://127.0.0.1:8000", live_server.url))
    assert page.locator("#status-number").inner_text() == case.number


def test_a_clerk_ticks_every_material_at_once(browser, live_server, personas, item):
    page = as_user(browser, live_server, "clerk")
    open_intake(page, live_server, "jdczy", "机动车转移登记")
    boxes = page.locator("#checklist input[name=provided]")
    assert boxes.count() > 2 and page.locator("#tick-all").is_visible()
    page.check("#tick-all")
    assert all(box.is_checked() for box in boxes.all())
    boxes.first.uncheck()  # one taken back: the box says "some"
    assert page.locator("#tick-all").evaluate("b => b.indeterminate && !b.checked")
    page.check("#tick-all")
    fill_applicant(page)
    page.click("#do-accept")
    page.wait_for_selector("#case-number")
    case = Case.objects.get()
    assert case.status == Case.Status.ACCEPTED
    assert all(m.provided for m in case.materials.all())


def test_an_approver_approves_an_extension_from_the_queue_and_the_dates_move(
    browser, live_server, personas, item
):
    case = make_accepted_case(personas, item)
    before = (case.promised_due_date, case.legal_due_date)
    # The handler asks for 3 working days on the case page.
    page = as_user(browser, live_server, "handler")
    page.goto(live_server.url + f"/staff/cases/{case.number}/")
    page.fill("#action-extend input[name=days]", "3")
    page.fill("#action-extend textarea[name=reason]", "需现场核查")
    page.click("#do-extend")
    page.wait_for_selector("#pending-extension")
    assert page.locator("#promised-due").inner_text() == shown(before[0])  # nothing moved yet
    page.context.close()

    # The approver finds it in the queue and approves it on the case page.
    page = as_user(browser, live_server, "approver")
    page.goto(live_server.url + "/staff/cases/queue/")
    page.locator("#queue a", has_text=case.number).click()
    page.wait_for_selector("#action-extension_decision")
    page.check("#action-extension_decision input[name=approve][value=yes]")
    page.click("#do-extension_decision")
    page.wait_for_selector(".alert-success")
    case.refresh_from_db()
    cal = clock.calendar()
    assert case.promised_due_date == cal.add_working_days(before[0], 3).value
    assert case.legal_due_date == cal.add_working_days(before[1], 3).value
    assert page.locator("#promised-due").inner_text() == shown(case.promised_due_date)
    assert page.locator("#legal-due").inner_text() == shown(case.legal_due_date)
    assert page.locator("#pending-extension").count() == 0
    [extension] = case.extensions.all()
    assert (extension.status, extension.requested_by, extension.approver) == (
        Extension.Status.APPROVED,
        personas.handler,
        personas.approver,
    )
    page.context.close()


def shown(day) -> str:
    """A date as the Chinese pages print it."""
    with translation.override("zh-hans"):
        return formats.date_format(day, "DATE_FORMAT")


def test_an_applicant_sees_the_times_of_the_status_page_in_local_time(
    browser, live_server, personas, item
):
    # 07:30 in Shanghai is 23:30 of the day before in UTC.
    day = timezone.localdate() - dt.timedelta(days=2)
    received = timezone.make_aware(dt.datetime.combine(day, dt.time(7, 30)))
    case = make_case(personas, item, received_at=received)
    case = services.accept_case(
        actor=personas.clerk, case=case, at=received + dt.timedelta(minutes=20)
    )
    utc = received.astimezone(dt.UTC)
    assert (utc.date(), utc.hour) == (day - dt.timedelta(days=1), 23)

    # A browser in another time zone still sees the hall's local time.
    context = browser.new_context(locale="zh-CN", timezone_id="America/New_York")
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.click("#home-status-link")
    page.fill("#id_number", case.number)
    page.fill("#id_code", case.query_code)
    page.click("#status-form button")
    page.wait_for_selector("#public-status")
    steps = page.locator("#status-steps").inner_text()
    with translation.override("zh-hans"):
        local = formats.date_format(timezone.localtime(received), "SHORT_DATETIME_FORMAT")
        accepted = formats.date_format(
            timezone.localtime(received + dt.timedelta(minutes=20)), "SHORT_DATETIME_FORMAT"
        )
        in_utc = formats.date_format(utc.replace(tzinfo=None), "SHORT_DATETIME_FORMAT")
    assert "7:30" in local or "07:30" in local
    assert local in steps and accepted in steps
    assert in_utc not in steps and "23:30" not in steps
    context.close()
