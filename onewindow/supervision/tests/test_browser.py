"""The supervision desk in a real browser: counts, chart, drill-down, a decision; the inbox."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import login
from onewindow.factories import make_personas
from onewindow.supervision.models import Alert
from onewindow.supervision.services.scan import scan

from .factories import make_case, make_item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def overdue(db):
    personas = make_personas()
    version = make_item(personas.department, halls=[personas.hall], name="机动车注册登记")
    today = timezone.localdate()
    case = make_case(
        personas,
        version,
        promised_due=today - timedelta(days=3),
        legal_due=today + timedelta(days=30),
        assignee=personas.handler,
    )
    scan()
    return personas, case


def test_the_desk_shows_counts_and_chart_and_leads_to_a_decision(page, live_server, overdue):
    personas, case = overdue
    login(page, live_server, "supervisor")
    page.goto(live_server.url + "/staff/supervision/")
    assert page.locator("h1").inner_text() == "电子监察台"
    row = page.locator('#counts-table tr[data-hall="CG"]')
    assert row.locator("td").last.inner_text() == "1"
    # ECharts drew the chart (a canvas inside the holder).
    page.wait_for_selector('#cards-chart[data-ready="1"] canvas')
    # The counts are polled by htmx.
    assert page.get_attribute("#live-counts", "hx-trigger") == "every 30s"

    page.click("#alert-list a:has-text('办件超过承诺时限')")
    page.wait_for_selector("#case-summary")
    assert case.number in page.locator("#case-summary").inner_text()
    assert page.locator("#case-events tbody tr").count() == 1  # the receipt

    # Closing without a note: the browser asks for one; forced past it, the server refuses.
    assert page.get_attribute("#decide-form textarea[name=note]", "required") is not None
    page.evaluate("document.querySelector('#decide-form textarea').removeAttribute('required')")
    page.click("#close-btn")
    page.wait_for_selector("#decide-form .invalid-feedback")
    assert "请填写说明" in page.locator("#decide-form .invalid-feedback").inner_text()
    assert Alert.objects.get(case=case).status == Alert.Status.RAISED
    page.fill("#decide-form textarea[name=note]", "已电话督办，情况属实")
    page.click("#close-btn")
    page.wait_for_selector("#alert-status")
    assert page.locator("#alert-status").inner_text() == "已关闭"
    alert = Alert.objects.get(case=case)
    assert alert.status == Alert.Status.CLOSED and alert.decision_note == "已电话督办，情况属实"


def test_the_responsible_person_answers_from_the_inbox(page, live_server, overdue):
    personas, case = overdue
    login(page, live_server, "handler")
    page.goto(live_server.url + "/staff/supervision/inbox/")
    assert page.locator("#waiting-count").inner_text() == "1"
    page.fill("#inbox-waiting textarea[name=note]", "申请人补充材料，已加快办理")
    page.click("#inbox-waiting button:has-text('说明情况')")
    page.wait_for_selector("#inbox-empty")
    assert "申请人补充材料" in Alert.objects.get(case=case).answer_note
    assert page.locator("#inbox-answered").inner_text().count(case.number) == 1
