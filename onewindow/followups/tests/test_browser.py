"""In a real browser: a citizen rates an act badly from the case's status page; the hall
calls back, fixes it and reports back; the citizen opens the follow-up page, reads the
answer and rates the fix once."""

import pytest
import time_machine

from conftest import login
from onewindow.cases.models import CaseEvent
from onewindow.cases.tests.factories import make_accepted_case
from onewindow.followups.models import FollowUp
from onewindow.ratings.models import Rating

from .factories import at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_citizen_rates_badly_and_later_reads_the_answer_and_rates_again(
    browser, live_server, personas, item
):
    with time_machine.travel(at("2026-03-02", 10), tick=True):
        case = make_accepted_case(personas, item)
        acceptance = case.events.get(kind=CaseEvent.Kind.ACCEPTED)

        citizen = browser.new_context(locale="zh-CN", viewport={"width": 1000, "height": 900})
        page = citizen.new_page()
        page.set_default_timeout(15000)
        page.goto(f"{live_server.url}/status/{case.number}/?code={case.query_code}")
        act = page.locator(f"#act-{acceptance.pk}")
        act.locator(f"label[for=level-{acceptance.pk}-1]").click()
        act.locator(f"label[for=reason-{acceptance.pk}-long_wait]").click()
        act.locator("textarea[name=comment]").fill("取号后等了一个多小时，<b>没人解释</b>")
        act.locator("button[type=submit]").click()
        page.wait_for_selector(".ow-rating")
        rating = Rating.objects.get()
        fu = FollowUp.objects.get(rating=rating)
        assert fu.state == FollowUp.State.OPEN and fu.owner == personas.manager

        # The hall manager calls back, fixes it at once and reports back.
        staff = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
        desk = staff.new_page()
        desk.set_default_timeout(15000)
        login(desk, live_server, "manager")
        desk.goto(live_server.url + "/staff/followups/")
        desk.locator("#followup-list a", has_text=str(fu.pk)).click()
        assert "&lt;b&gt;" not in desk.locator("#rating-comment").inner_text()
        assert "<b>没人解释</b>" in desk.locator("#rating-comment").inner_text()
        desk.fill("#id_call_back-note", "   ")  # a blank note: said at the field
        desk.click("#do-call_back")
        assert "必填" in desk.locator("#step-call_back").inner_text()
        assert FollowUp.objects.get(pk=fu.pk).state == FollowUp.State.OPEN
        desk.fill("#id_call_back-note", "已电话回访，向评价人致歉")
        desk.click("#do-call_back")
        desk.wait_for_selector(".alert-success")
        assert desk.locator("#followup-state").inner_text().strip() == "已回访"
        desk.fill("#id_fix_now-note", "已增设叫号提醒屏")
        desk.click("#do-fix_now")
        desk.wait_for_selector("#step-report_back")
        desk.fill("#id_report_back-text", "您反映的等候时间长问题，我们已增设叫号提醒屏。")
        desk.click("#do-report_back")
        desk.wait_for_selector("#report-text")
        assert desk.locator("#followup-state").inner_text().strip() == "已反馈"

        # Later the citizen looks the case up again, follows the link under the rating to
        # the follow-up, reads the answer and rates the fix.
        page.goto(f"{live_server.url}/status/{case.number}/?code={case.query_code}")
        link = page.locator(f"#act-{acceptance.pk} a.ow-followup-link")
        assert "已反馈" in page.locator(f"#act-{acceptance.pk}").inner_text()
        link.click()
        page.wait_for_url(f"**/followup/{fu.token}/")
        assert "已增设叫号提醒屏" in page.locator("#report-text").inner_text()
        page.check("#rerate-form input[name=level][value='4']")
        page.fill("#rerate-form textarea[name=comment]", "现在好多了")
        page.click("#do-rerate")
        page.wait_for_selector("#rerated")
        assert "满意" in page.locator("#rerated").inner_text()
        assert page.locator("#rerate-form").count() == 0
        fu.refresh_from_db()
        assert fu.state == FollowUp.State.RERATED and fu.rerate_level == 4
        assert Rating.objects.get().level == 1  # the first rating stays as it was
        citizen.close()
        staff.close()
