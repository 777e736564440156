"""A complaint from the portal to closure, with a reopen, in a real browser."""

import pytest

from conftest import login
from onewindow.complaints.models import Complaint
from onewindow.factories import make_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def personas_tx(db):
    return make_personas()


def step(pg, live_server, number, action, fill=None):
    pg.goto(f"{live_server.url}/staff/complaints/{number}/")
    for selector, value in (fill or {}).items():
        if selector.startswith("select:"):
            pg.select_option(f"#form-{action} {selector[7:]}", value)
        else:
            pg.fill(f"#form-{action} {selector}", value)
    pg.click(f"#do-{action}")
    pg.wait_for_load_state("networkidle")
    assert "alert-danger" not in pg.content(), pg.locator(".alert").all_inner_texts()


def test_a_complaint_from_the_portal_to_closure_with_a_reopen(
    page, new_page, live_server, personas_tx
):
    p = personas_tx
    # The complainant, on the portal: a bad form first, then a good one.
    page.goto(live_server.url + "/")
    page.click("#home-complaint-link")
    page.select_option("#id_category", "attitude")
    page.select_option("#id_hall", str(p.hall.pk))
    page.fill("#id_complainant_name", "王五")
    page.fill("#id_content", "<b>窗口</b>工作人员不理人。")
    page.click("#complaint-submit")
    assert "请留下电话号码或电子邮箱" in page.locator("#complaint-form").inner_text()
    assert page.input_value("#id_content") == "<b>窗口</b>工作人员不理人。"
    page.fill("#id_complainant_phone", "13800001111")
    page.click("#complaint-submit")
    page.wait_for_selector("#complaint-ack")
    number = page.locator("#ack-number").inner_text()
    track = page.url
    assert page.locator("#public-content").inner_text() == "<b>窗口</b>工作人员不理人。"

    # The supervision office assigns it to the hall manager.
    office = new_page()
    login(office, live_server, "supervisor")
    office.click("nav >> text=投诉")
    assert number in office.locator("#complaint-list").inner_text()
    step(office, live_server, number, "assign", {"select:select[name=handler]": str(p.manager.pk)})
    assert office.locator("#complaint-handler").inner_text() == p.manager.full_name

    # The handler investigates, records the findings and answers.
    handler = new_page()
    login(handler, live_server, "manager")
    handler.goto(f"{live_server.url}/staff/complaints/{number}/")
    assert "13800001111" not in handler.content()  # masked until revealed (audited)
    step(handler, live_server, number, "investigate", {"textarea[name=note]": "调取录像"})
    step(
        handler,
        live_server,
        number,
        "findings",
        {
            "select:select[name=finding]": "partly_valid",
            "select:select[name=staff_action]": "talk",
            "textarea[name=note]": "录像显示工作人员未及时回应。",
        },
    )
    step(handler, live_server, number, "answer", {"textarea[name=text]": "已对工作人员提醒谈话。"})

    # The complainant reads the answer (not the internal notes) and reopens it.
    page.goto(track)
    assert page.locator("#public-finding").inner_text() == "部分属实"
    assert "已对工作人员提醒谈话。" in page.locator("#public-answer-text").inner_text()
    assert "录像显示" not in page.content()
    page.fill("#reopen-form textarea[name=reason]", "谈话之后态度依旧。")
    page.click("#reopen-submit")
    page.wait_for_selector("#complaint-reopened")
    assert "调查中" in page.locator("#public-status").inner_text()

    # Answered again, then closed by the office.
    step(
        handler,
        live_server,
        number,
        "findings",
        {
            "select:select[name=finding]": "valid",
            "select:select[name=staff_action]": "criticism",
            "textarea[name=note]": "再次核实属实。",
        },
    )
    step(handler, live_server, number, "answer", {"textarea[name=text]": "已对工作人员批评教育。"})
    step(office, live_server, number, "close", {"textarea[name=note]": "投诉人表示满意"})

    page.goto(track)
    assert "已办结" in page.locator("#public-status").inner_text()
    assert "已对工作人员批评教育。" in page.locator("#public-answer-text").inner_text()
    c = Complaint.objects.get(number=number)
    assert (c.status, c.reopen_count, c.finding) == ("closed", 1, "valid")
    assert list(c.steps.values_list("kind", flat=True)) == [
        "registered", "assigned", "investigating", "findings", "answered",
        "reopened", "findings", "answered", "closed",
    ]  # fmt: skip
