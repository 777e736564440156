"""In a real browser: a visitor takes a ticket at the kiosk, the clerk calls it, the
calling screen shows the call without a reload, and the clerk starts the case from it."""

import pytest

from conftest import login
from onewindow.cases.models import Case
from onewindow.cases.tests.factories import make_item, resident_id
from onewindow.floor.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def new_page(browser, width=1280):
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    return page


def test_kiosk_call_display_and_case(browser, live_server, personas, floor):
    item = make_item(personas.department, [personas.hall], name="机动车转移登记")
    floor["A"].items.set([item])
    number = resident_id()

    kiosk = new_page(browser)
    kiosk.goto(live_server.url + "/floor/CG/kiosk/")
    for key in number:
        kiosk.click(f"[data-key='{key}']")
    assert kiosk.input_value("#id-number") == number
    kiosk.click("button[data-letter=A]")
    kiosk.wait_for_selector("#ticket-number")
    assert kiosk.inner_text("#ticket-number") == "A001"
    assert "前面还有 0 人" in kiosk.inner_text("#slip")

    screen = new_page(browser, 1600)
    screen.goto(live_server.url + "/floor/CG/display/")
    screen.evaluate("window.notReloaded = true")
    assert "1" in screen.inner_text("#live tr[data-letter=A]")

    clerk = new_page(browser)
    login(clerk, live_server, "clerk")
    clerk.goto(live_server.url + "/floor/console/")
    clerk.click(f"#sign-in-{floor['w1'].pk}")
    clerk.click("#call-next")
    assert clerk.inner_text("#current-number") == "A001"

    # on the calling screen within two seconds, without a reload
    screen.wait_for_function(
        "document.querySelector('#live').innerText.includes('请 A001 号到 1 号窗口')",
        timeout=2500,
    )
    assert screen.evaluate("window.notReloaded") is True

    clerk.click("#start-case")
    clerk.wait_for_selector("#intake-form")
    assert clerk.input_value("#id_applicant_id_number") == number
    clerk.check("input[name=applicant_kind][value=person]")
    clerk.fill("#id_applicant_name", "张三丰")
    clerk.fill("#id_contact_phone", "13812345678")
    clerk.click("#do-receive")
    clerk.wait_for_selector("#case-number")
    case = Case.objects.get()
    ticket = Ticket.objects.get()
    assert ticket.case == case and ticket.status == "serving"
    assert case.window == floor["w1"]
