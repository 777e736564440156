"""The catalogue in a real browser: the legal review flow, and a citizen finding a guide."""

import pytest

from conftest import login
from onewindow.catalogue import services
from onewindow.catalogue.models import ItemVersion
from onewindow.factories import make_personas

from .factories import make_item, make_published

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_drafts_in_review(db):
    personas = make_personas()
    good = make_item(
        personas.department, [personas.hall], code="GA-1", name="机动车注册登记", fees=0
    )
    bad = make_item(
        personas.department, [personas.hall], code="GA-2", name="机动车抵押登记", fees=0
    )
    for version in (good, bad):
        services.submit_for_review(actor=personas.manager, version=version)
    return good, bad


def test_the_legal_office_passes_one_draft_and_returns_another(
    page, live_server, two_drafts_in_review
):
    good, bad = two_drafts_in_review
    login(page, live_server, "legal")
    page.goto(live_server.url + "/staff/catalogue/reviews/legal/")
    assert page.locator("#queue-table tbody tr").count() == 2

    page.click("#queue-GA-1 a")
    page.wait_for_selector("#review-form")
    assert "机动车注册登记" in page.locator("h1").inner_text()
    page.check("#review-form input[name=decision][value=pass]")
    page.fill("#review-form textarea[name=opinion]", "设定依据准确")
    page.click("#review-submit")
    page.wait_for_selector("#queue-table")
    assert page.locator("#queue-table tbody tr").count() == 1

    page.click("#queue-GA-2 a")
    page.wait_for_selector("#review-form")
    page.check("#review-form input[name=decision][value=return]")
    page.click("#review-submit")  # no opinion: refused
    page.wait_for_selector("#review-form .invalid-feedback")
    page.check("#review-form input[name=decision][value=return]")
    page.fill("#review-form textarea[name=opinion]", "请补充《机动车登记规定》具体条款")
    page.click("#review-submit")
    page.wait_for_selector("#queue-empty")

    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.status == ItemVersion.Status.APPROVED
    assert bad.status == ItemVersion.Status.RETURNED

    # The opinion, the reviewer and the time are on the item's history.
    page.goto(live_server.url + "/staff/catalogue/items/GA-2/")
    history = page.locator("#history-v1").inner_text()
    assert "请补充《机动车登记规定》具体条款" in history
    assert "法制审核" in history
    assert "合法性审查" in history and "退回" in history
    passed = page.goto(live_server.url + "/staff/catalogue/items/GA-1/")
    assert passed.ok
    assert "设定依据准确" in page.locator("#history-v1").inner_text()


@pytest.fixture
def published_catalogue(db):
    personas = make_personas()
    make_published(personas.department, [personas.hall], code="GA-1", name="机动车注册登记", fees=1)
    make_published(
        personas.department, [personas.hall], code="GA-2", name="机动车驾驶证遗失补证", fees=1
    )
    make_published(
        personas.other_department,
        [personas.other_hall],
        code="MZ-1",
        name="内地居民结婚登记",
        fees=0,
    )
    return personas


def test_a_citizen_finds_a_guide_from_the_home_page(page, live_server, published_catalogue):
    page.goto(live_server.url + "/")
    page.fill("#home-guide-q", "JDCZCDJ")
    page.press("#home-guide-q", "Enter")
    page.wait_for_selector("#guide-results")
    results = page.locator(".guide-result")
    assert results.count() == 1
    assert "机动车注册登记" in results.first.inner_text()
    results.first.click()
    page.wait_for_selector("#guide-title")
    assert page.locator("#guide-title").inner_text() == "机动车注册登记"
    assert "《中华人民共和国道路交通安全法》" in page.locator("#guide-legal-basis").inner_text()
    assert "5 个工作日" in page.locator("#guide-promised-limit").inner_text()
    assert "机动车所有人身份证明" in page.locator("#guide-materials").inner_text()
    assert "10元/证" in page.locator("#guide-fees").inner_text()
    # Printing hides the page furniture.
    page.emulate_media(media="print")
    assert not page.locator("#print-guide").is_visible()
    assert not page.locator("nav.navbar").is_visible()
    assert page.locator("#guide-materials").is_visible()


def test_a_hall_manager_writes_a_new_item_in_the_editor(page, live_server, db):
    from onewindow.catalogue.models import ServiceItem

    personas = make_personas()
    login(page, live_server, "manager")
    page.goto(live_server.url + "/staff/catalogue/new/")
    page.fill("#id_item-implementation_code", "320582-GA-900")
    page.fill("#id_item-catalogue_code", "010010900000")
    page.select_option("#id_item-department", str(personas.department.pk))
    page.fill("#id_v-name", "机动车临时号牌核发")
    page.select_option("#id_v-item_type", "01")
    page.select_option("#id_v-handling", "immediate")
    page.fill("#id_v-legal_limit_days", "1")
    page.fill("#id_v-promised_limit_days", "0")
    page.fill("#id_v-legal_basis", "《中华人民共和国道路交通安全法》")
    page.check(f"input[name=v-halls][value='{personas.hall.pk}']")
    page.fill("#id_materials-0-name", "机动车所有人身份证明")
    page.click("[data-formset-add=materials]")
    page.fill("#id_materials-1-name", "机动车交通事故责任强制保险凭证")
    page.fill("#id_steps-0-name", "受理并办结")
    page.select_option("#id_steps-0-role", "handler")
    page.click("#save-submit")
    page.wait_for_selector("#version-history")
    version = ServiceItem.objects.get(implementation_code="320582-GA-900").latest_version
    assert version.status == ItemVersion.Status.LEGAL_REVIEW
    assert list(version.materials.values_list("name", flat=True)) == [
        "机动车所有人身份证明",
        "机动车交通事故责任强制保险凭证",
    ]
    assert version.steps.get().name == "受理并办结"
