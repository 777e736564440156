"""In a real browser: a clerk serves at window 1, and the citizen rates on that window's
tablet with taps (the comment of a bad rating typed on the tablet's keyboard)."""

import pytest

from conftest import login
from onewindow.cases.models import Case
from onewindow.cases.tests.factories import resident_id
from onewindow.ratings import tablet
from onewindow.ratings.models import Rating, StaffCard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clerk_serves_and_the_citizen_rates_on_the_tablet(
    browser, live_server, personas, immediate_item
):
    StaffCard.objects.create(staff=personas.clerk, number="CG-007")
    # The hall manager's pairing link, opened on the tablet (a touch screen).
    device = browser.new_context(
        locale="zh-CN", viewport={"width": 1024, "height": 768}, has_touch=True
    )
    pad = device.new_page()
    pad.set_default_timeout(15000)
    pad.goto(live_server.url + f"/rate/pair/{tablet.pairing_token(personas.window)}/")
    pad.tap("#open-evaluator")
    pad.wait_for_selector("#tablet-idle")
    assert "1 号窗口" in pad.locator("#tablet-window").inner_text()

    # The clerk handles an immediate item at window 1 and hands the result over.
    clerk = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    desk = clerk.new_page()
    desk.set_default_timeout(15000)
    login(desk, live_server, "clerk")
    desk.goto(live_server.url + "/staff/cases/workbench/")
    desk.fill("#id_q", "补领")
    desk.locator("#item-result-list a", has_text="补领机动车号牌").click()
    desk.wait_for_selector("#intake-form")
    desk.check("input[name=applicant_kind][value=person]")
    desk.fill("#id_applicant_name", "张三丰")
    desk.fill("#id_applicant_id_number", resident_id())
    desk.fill("#id_contact_phone", "13812345678")
    desk.select_option("#id_window", label="1 号窗口")
    for box in desk.locator("#checklist input[type=checkbox]").all():
        box.check()
    desk.fill("#id_certificate_number", "补字0001")
    desk.click("#do-immediate")
    desk.wait_for_selector("#case-number")
    case = Case.objects.get()

    # The act appears on the tablet by itself, with who served.
    pad.wait_for_selector("#tablet-act")
    assert "窗口小王" in pad.locator("#staff-name").inner_text()
    assert "CG-007" in pad.locator("#staff-number").inner_text()
    assert case.number in pad.locator("#tablet-act").inner_text()
    # The reasons appear once a bad level is tapped.
    assert not pad.locator("[data-bad-part]").is_visible()
    pad.tap('label[data-level="2"]')
    assert pad.locator("[data-bad-part]").is_visible()
    # Sent without a reason: told what is missing, nothing saved.
    pad.tap("#submit-rating")
    pad.wait_for_selector("#tablet-act [role=alert]")
    assert "至少选择一项" in pad.locator("#tablet-act").inner_text()
    assert not Rating.objects.exists()
    pad.tap('label[data-reason="long_wait"]')
    pad.fill("#comment-t", "<b>等了很久</b>")
    pad.tap("#submit-rating")
    pad.wait_for_selector("#tablet-thanks")
    rating = Rating.objects.get()
    assert (rating.level, rating.channel, rating.reasons) == (2, "window", ["long_wait"])
    assert rating.staff == personas.clerk and rating.window == personas.window
    assert rating.comment == "<b>等了很久</b>"
    # The tablet rests again, and the act does not come back.
    pad.wait_for_selector("#tablet-idle")
    pad.wait_for_timeout(2500)
    assert pad.locator("#tablet-act").count() == 0

    # 请评价 on the case page: nothing left to rate at this window.
    desk.goto(live_server.url + f"/staff/cases/{case.number}/")
    desk.click("#ask-rating button")
    assert "没有尚未评价" in desk.locator(".alert").first.inner_text()
    device.close()
    clerk.close()
