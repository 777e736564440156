"""In a real browser: a hall manager writes and submits the month's report, the centre
returns it with a reason, the hall submits it again, the centre publishes it, and its
figures appear on the public open-data page with their charts."""

import pytest
import time_machine

from conftest import login
from onewindow.cases.tests.factories import at
from onewindow.reports.models import MonthlyReport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

S = MonthlyReport.State


def _context(browser):
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.set_default_timeout(15000)
    return ctx, page


def test_submit_return_resubmit_publish_and_open_data(browser, live_server, personas):
    with time_machine.travel(at("2026-12-03", 10), tick=True):
        hall_ctx, desk = _context(browser)
        login(desk, live_server, "manager")
        desk.goto(live_server.url + "/staff/reports/?month=2026-11&hall=CG")
        assert "2026-12-07" in desk.locator("#submission-due").inner_text()
        desk.fill("#id_narrative", "十一月办件平稳，无超期。")
        desk.fill("#id_training_held", "窗口礼仪培训一次")
        desk.fill("#id_problems", "高峰时段等候偏长")
        desk.fill("#id_plans", "十二月推行预约办理")
        desk.click("#do-submit")
        desk.wait_for_selector(".alert-success")
        assert desk.locator("#submission-state").inner_text().strip() == "已报送"
        assert desk.locator("#submission-late").inner_text().strip() == "按时"
        assert desk.locator("#submission-form").count() == 0

        centre_ctx, office = _context(browser)
        login(office, live_server, "admin")
        office.goto(live_server.url + "/staff/reports/review/?year=2026")
        row = office.locator('#review-queue tr[data-hall="CG"][data-month="2026-11"]')
        assert "已报送" in row.inner_text()
        row.locator("a").click()
        office.wait_for_selector("#review-forms")
        office.click("#do-return")  # without a reason: said, nothing changed
        assert "请说明退回的理由" in office.locator(".alert-danger").inner_text()
        assert MonthlyReport.objects.get(hall=personas.hall).state == S.SUBMITTED
        office.fill("#id_reason", "请写明培训参训人数")
        office.click("#do-return")
        office.wait_for_selector(".alert-success")
        assert office.locator("#submission-state").inner_text().strip() == "已退回"

        desk.reload()
        assert "请写明培训参训人数" in desk.locator("#return-reason").inner_text()
        desk.fill("#id_training_held", "窗口礼仪培训一次，参训24人")
        desk.click("#do-submit")
        desk.wait_for_selector(".alert-success")
        assert desk.locator("#submission-state").inner_text().strip() == "已报送"

        office.reload()
        office.click("#do-publish")
        office.wait_for_selector(".alert-success")
        assert office.locator("#submission-state").inner_text().strip() == "已发布"
        report = MonthlyReport.objects.get(hall=personas.hall)
        assert (report.state, report.returns) == (S.PUBLISHED, 1)
        assert report.training_held == "窗口礼仪培训一次，参训24人"

        public_ctx, visitor = _context(browser)
        visitor.goto(live_server.url + "/open-data/")
        assert "2026-11" in visitor.locator("#open-title").inner_text()
        assert visitor.locator('#open-table tr[data-hall="CG"]').count() == 1
        assert visitor.locator('#open-table tr[data-hall="MZ"]').count() == 0
        visitor.wait_for_selector('#open-chart-volume[data-ready="1"]')
        visitor.wait_for_selector('#open-chart-rates[data-ready="1"]')
        assert "十一月办件平稳" not in visitor.content()
        for ctx in (hall_ctx, centre_ctx, public_ctx):
            ctx.close()
