"""In a real browser, a visit from the kiosk to the rating: the visitor takes a ticket,
the clerk calls it, serves, starts the case from it and concludes the immediate item,
and the citizen rates on the window's tablet; the rating is linked to the case and to
the ticket."""

import pytest

from conftest import login
from onewindow.cases.models import Case
from onewindow.cases.tests.factories import resident_id
from onewindow.floor import kiosks
from onewindow.floor.models import Ticket
from onewindow.floor.tests.factories import make_floor, make_kiosk
from onewindow.ratings import tablet
from onewindow.ratings.models import Rating

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_kiosk_call_serve_case_and_rating_linked_to_both(
    new_page, live_server, personas, immediate_item
):
    floor = make_floor(personas)
    floor["A"].items.set([immediate_item])
    pad = new_page(1024, has_touch=True)
    pad.goto(live_server.url + f"/rate/pair/{tablet.pairing_token(personas.window)}/")
    pad.tap("#open-evaluator")
    pad.wait_for_selector("#tablet-idle")

    kiosk = new_page()
    device = make_kiosk(personas.hall)  # a kiosk the hall manager has paired
    kiosk.goto(live_server.url + f"/floor/kiosks/pair/{kiosks.pairing_token(device)}/")
    kiosk.click("#open-kiosk")
    kiosk.click("button[data-letter=A]")
    kiosk.wait_for_selector("#ticket-number")
    assert kiosk.inner_text("#ticket-number") == "A001"

    desk = new_page(1400)
    login(desk, live_server, "clerk")
    desk.goto(live_server.url + "/floor/console/")
    desk.click(f"#sign-in-{floor['w1'].pk}")
    desk.click("#call-next")
    assert desk.inner_text("#current-number") == "A001"
    desk.click("#start")  # the visitor is at the window
    desk.click("#start-case")
    desk.wait_for_selector("#intake-form")
    desk.check("input[name=applicant_kind][value=person]")
    desk.fill("#id_applicant_name", "张三丰")
    desk.fill("#id_applicant_id_number", resident_id())
    desk.fill("#id_contact_phone", "13812345678")
    desk.select_option("#id_window", label="1 号窗口")
    for box in desk.locator("#checklist input[type=checkbox]").all():
        box.check()
    desk.fill("#id_certificate_number", "补字0002")
    desk.click("#do-immediate")
    desk.wait_for_selector("#case-number")
    case = Case.objects.get()
    ticket = Ticket.objects.get()
    assert ticket.case == case and case.concluded_at is not None
    desk.goto(live_server.url + "/floor/console/")
    desk.click("#done")
    desk.wait_for_selector("#call-next")

    pad.wait_for_selector("#tablet-act")
    assert case.number in pad.locator("#tablet-act").inner_text()
    pad.tap('label[data-level="5"]')
    pad.tap("#submit-rating")
    pad.wait_for_selector("#tablet-thanks")
    assert "A001" in pad.locator("#rating-ticket").inner_text()
    rating = Rating.objects.get()
    assert (rating.case, rating.ticket, rating.level) == (case, ticket, 5)
    ticket.refresh_from_db()
    assert ticket.status == "done"

    # The visitor's ticket page shows the rating given.
    kiosk.goto(live_server.url + f"/floor/t/{ticket.token}/")
    assert "非常满意" in kiosk.inner_text("#ticket-rating")
