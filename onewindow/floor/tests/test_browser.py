"""In a real browser: a visitor takes a ticket at the kiosk, the clerk calls it, the
calling screen shows the call without a reload, and the clerk starts the case from it."""

import pytest

from conftest import login
from onewindow.cases.models import Case
from onewindow.cases.tests.factories import make_item, resident_id
from onewindow.floor import kiosks
from onewindow.floor.models import Ticket

from .factories import make_kiosk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_kiosk_call_display_and_case(new_page, live_server, personas, floor):
    item = make_item(personas.department, [personas.hall], name="机动车转移登记")
    floor["A"].items.set([item])
    number = resident_id()

    kiosk = new_page()
    device = make_kiosk(personas.hall)
    kiosk.goto(live_server.url + f"/floor/kiosks/pair/{kiosks.pairing_token(device)}/")
    kiosk.click("#open-kiosk")
    for key in number:
        kiosk.click(f"[data-key='{key}']")
    assert kiosk.input_value("#id-number") == number
    kiosk.click("button[data-letter=A]")
    kiosk.wait_for_selector("#ticket-number")
    assert kiosk.inner_text("#ticket-number") == "A001"
    assert "前面还有 0 人" in kiosk.inner_text("#slip")

    screen = new_page(1600)
    screen.goto(live_server.url + "/floor/CG/display/")
    screen.evaluate("window.notReloaded = true")
    assert "1" in screen.inner_text("#live tr[data-letter=A]")

    clerk = new_page()
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


def test_appointment_booked_on_the_portal_checked_in_and_called_first(
    new_page, live_server, personas, floor
):
    import time_machine

    from onewindow.cases.tests.factories import at
    from onewindow.floor.models import Appointment

    from .factories import open_hours

    open_hours(personas.hall)
    item = make_item(personas.department, [personas.hall], name="机动车转移登记")
    floor["A"].items.set([item])
    number = resident_id()

    with time_machine.travel(at("2026-03-02", 9, 40), tick=True):
        citizen = new_page()
        citizen.goto(live_server.url + "/floor/appointments/")
        citizen.select_option("#item", item.implementation_code)
        citizen.wait_for_selector("#hall")
        citizen.select_option("#hall", "CG")
        citizen.click("[data-day='2026-03-02']")
        citizen.check("[data-slot='2026-03-02T10:00']")
        citizen.fill("#id_name", "张三丰")
        citizen.fill("#id_id_number", number)
        citizen.fill("#id_phone", "13812345678")
        citizen.click("#do-book")
        citizen.wait_for_selector("#booked")
        appointment = Appointment.objects.get()
        assert citizen.inner_text("#appointment-number") == appointment.number
        assert citizen.inner_text("#appointment-status") == "已预约"

        # someone else took an ordinary ticket before the appointment's visitor arrived
        kiosk = new_page()
        kiosk.goto(live_server.url + "/floor/CG/kiosk/")
        assert "未与大厅配对" in kiosk.inner_text("body")
        device = make_kiosk(personas.hall)
        kiosk.goto(live_server.url + f"/floor/kiosks/pair/{kiosks.pairing_token(device)}/")
        kiosk.click("#open-kiosk")
        kiosk.click("button[data-letter=A]")
        kiosk.wait_for_selector("#ticket-number")
        assert kiosk.inner_text("#ticket-number") == "A001"

        kiosk.goto(live_server.url + "/floor/CG/kiosk/")
        for key in appointment.number:
            kiosk.click(f"[data-akey='{key}']")
        kiosk.click("#check-in")
        kiosk.wait_for_selector("#ticket-number")
        assert kiosk.inner_text("#ticket-number") == "A002"
        # a second check-in is refused on the kiosk
        kiosk.goto(live_server.url + "/floor/CG/kiosk/")
        kiosk.fill("#appointment-number", appointment.number)  # as a scanner types it
        kiosk.click("#check-in")
        assert "已于" in kiosk.inner_text("#kiosk-error") and "A002" in kiosk.inner_text(
            "#kiosk-error"
        )

    with time_machine.travel(at("2026-03-02", 10, 1), tick=True):
        clerk = new_page()
        login(clerk, live_server, "clerk")
        clerk.goto(live_server.url + "/floor/console/")
        clerk.click(f"#sign-in-{floor['w1'].pk}")
        clerk.click("#call-next")
        assert clerk.inner_text("#current-number") == "A002"  # the appointment, due now
    ticket = Ticket.objects.get(number="A002")
    assert ticket.priority == Ticket.Priority.APPOINTMENT and ticket.status == "called"
