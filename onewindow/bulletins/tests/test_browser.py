"""The centre writes and sends a bulletin; the hall manager opens and acknowledges it;
the centre sees it acknowledged."""

import pytest

from conftest import login
from onewindow.bulletins.models import Bulletin, Receipt
from onewindow.factories import make_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_bulletin_is_sent_and_acknowledged(browser, live_server):
    personas = make_personas()
    centre = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = centre.new_page()
    page.set_default_timeout(15000)
    login(page, live_server, "admin")
    page.goto(live_server.url + "/staff/bulletins/")
    page.click("#bulletin-new")
    page.fill("#id_title", "关于规范窗口服务用语的通报")
    page.fill("#id_body", "各分中心：\n\n请规范使用文明用语。")
    # Without recipients: refused, the text kept.
    page.click("#bulletin-publish")
    page.wait_for_selector("#bulletin-form .alert-danger")
    assert "请选择公文的接收方" in page.inner_text("#bulletin-form")
    assert page.input_value("#id_title") == "关于规范窗口服务用语的通报"
    assert not Bulletin.objects.exists()
    page.check(f'input[name=halls][value="{personas.hall.pk}"]')
    page.fill("#id_report_to", "市政府办公室")
    page.click("#bulletin-publish")
    page.wait_for_selector("#receipts")
    assert 'data-acknowledged="0"' in page.inner_html("#receipts")
    bulletin = Bulletin.objects.get()
    assert bulletin.status == "published"

    hall = browser.new_context(locale="zh-CN")
    mine = hall.new_page()
    mine.set_default_timeout(15000)
    login(mine, live_server, "manager")
    mine.goto(live_server.url + "/staff/")
    mine.click("#bulletin-inbox a:has-text('关于规范窗口服务用语的通报')")
    mine.wait_for_selector("#acknowledge")
    assert "请规范使用文明用语" in mine.inner_text("#bulletin-body")
    mine.click("#acknowledge")
    mine.wait_for_selector("#my-receipt [data-acknowledged]")
    receipt = Receipt.objects.get()
    assert receipt.acknowledged_by == personas.manager and receipt.read_at is not None
    hall.close()

    page.reload()
    row = page.locator(f'#receipts tr[data-hall="{personas.hall.code}"]')
    assert row.get_attribute("data-acknowledged") == "1"
    assert "车管科长" in row.inner_text()
    centre.close()
