"""The one look: a clerk and an outsider sign in and see their own halls."""

import pytest

from conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clerk_sees_their_hall_and_roles(page, live_server, personas):
    login(page, live_server, "clerk")
    assert page.url.endswith("/staff/")
    assert page.locator("#my-halls").inner_text().strip().startswith(personas.hall.name)
    assert personas.other_hall.name not in page.locator("#my-halls").inner_text()
    assert "窗口" in page.locator("#my-roles").inner_text()
    assert page.locator("#current-user").text_content() == "窗口小王"
    # The bundled stylesheet really loaded (no CDN): the header is the city red.
    color = page.evaluate("getComputedStyle(document.querySelector('.ow-header')).backgroundColor")
    assert color == "rgb(200, 16, 46)"
    # Staff pages the clerk may not use are not offered and are refused.
    assert page.locator("a.nav-link", has_text="人员").count() == 0
    response = page.goto(live_server.url + "/staff/staff/")
    assert response is None or response.status in (403, 404)


def test_an_outsider_sees_only_their_own_hall(page, live_server, personas):
    login(page, live_server, "outsider")
    halls = page.locator("#my-halls").inner_text()
    assert personas.other_hall.name in halls and personas.hall.name not in halls


def test_a_wrong_password_is_refused_in_chinese_and_english(page, live_server, personas):
    login(page, live_server, "clerk", "not-the-password-1")
    assert "/accounts/login/" in page.url
    assert page.locator(".alert-danger").count() == 1
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Staff sign-in"


def test_the_public_sees_the_portal_without_signing_in(page, live_server, personas):
    page.goto(live_server.url + "/")
    assert personas.hall.name in page.content()
    assert page.locator("text=工作人员登录").count() >= 1
