"""An observer records a visit with a finding on a phone; the office enters it on the
clerk's conduct file; the clerk reads it on their own file."""

import pytest

from conftest import login
from onewindow.conduct.models import ConductClause, ConductRecord, Finding
from onewindow.factories import make_personas

from .factories import PNG, make_observer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(db):
    personas = make_personas()
    # A transactional test starts from an emptied database: the clause the seed would give.
    ConductClause.objects.get_or_create(
        code="4.2",
        defaults={
            "chapter": "窗口纪律",
            "text": "工作时间不玩手机游戏、不上网聊天购物。",
            "sort": 100,
        },
    )
    return personas, make_observer()


def test_an_observer_records_a_finding_and_the_office_files_it(browser, live_server, people):
    personas, observer = people
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = phone.new_page()
    page.set_default_timeout(15000)
    login(page, live_server, observer.username)
    page.goto(live_server.url + "/staff/conduct/visits/")
    page.click("#visit-new")
    page.select_option("#id_hall", "CG")
    page.fill("#id_windows", "1")
    page.fill("#id_summary", "上午暗访，大厅秩序良好")
    page.click("#visit-form button")
    page.wait_for_selector("#finding-form")
    assert "走访已记录" in page.content()

    # Without a clause: refused, the description kept.
    page.check("#id_kind_1")  # a shortcoming
    page.fill("#id_description", "1号窗口工作人员玩手机游戏")
    page.evaluate("document.querySelector('#id_clause').removeAttribute('required')")
    page.click("#finding-form button")
    page.wait_for_selector("#finding-form .invalid-feedback")
    assert "请选择这条发现所涉及的行为规范条款" in page.inner_text("#finding-form")
    assert page.input_value("#id_description") == "1号窗口工作人员玩手机游戏"
    assert not Finding.objects.exists()

    page.select_option("#id_clause", "4.2")
    page.select_option("#id_window", "1")
    page.select_option("#id_staff", "clerk")
    page.set_input_files(
        "#id_photos", files=[{"name": "phone.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.click("#finding-form button")
    page.wait_for_selector("#findings [data-status=pending]")
    finding = Finding.objects.get()
    assert finding.photos.count() == 1
    phone.close()

    office = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = office.new_page()
    page.set_default_timeout(15000)
    login(page, live_server, "supervisor")
    page.goto(live_server.url + "/staff/conduct/findings/")
    page.click(f'#finding-list tr[data-finding="{finding.pk}"] a')
    page.wait_for_selector("#record-form")
    assert page.input_value("#record-form select[name=staff]") == "clerk"
    page.fill("#record-form textarea[name=note]", "经核实，约谈提醒")
    page.click("#record-form button")
    page.wait_for_selector("#decision")
    assert "已记入行为档案" in page.inner_text("#decision")
    assert ConductRecord.objects.get().staff == personas.clerk
    office.close()

    mine = browser.new_context(locale="zh-CN")
    page = mine.new_page()
    login(page, live_server, "clerk")
    page.goto(live_server.url + "/staff/conduct/my-file/")
    assert "经核实，约谈提醒" in page.inner_text("#conduct-file")
    mine.close()
