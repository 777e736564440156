"""Fixtures shared by every app's tests: personas, a real browser."""

import os

import pytest

from onewindow.factories import make_personas

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """Per-process caches keyed by primary keys: a rolled-back test gives its keys to the
    next one, so every test starts with empty caches (Django's cache included)."""
    from django.core.cache import cache
    from django.utils import translation

    from onewindow.accounts import access
    from onewindow.catalogue.models import forget_frozen_parts

    # A request leaves its language active in the thread (the locale middleware does not
    # reset it): every test starts in the site's language, Chinese.
    translation.deactivate()
    access.clear()
    forget_frozen_parts()
    cache.clear()
    yield


@pytest.fixture
def personas(db):
    return make_personas()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (no downloaded browser)."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            "Chromium is missing: run `make install` (as root) to install Debian's chromium"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


@pytest.fixture
def new_page(browser, live_server):
    """Pages in fresh browser contexts, all closed when the test ends and before the live
    server stops: a page left open (a calling screen polling every second) would keep the
    server's threads on the test database while it is flushed."""
    contexts = []

    def open_page(width=1280, height=900, timeout=15000, **options):
        context = browser.new_context(
            locale="zh-CN", viewport={"width": width, "height": height}, **options
        )
        contexts.append(context)
        pg = context.new_page()
        pg.set_default_timeout(timeout)
        return pg

    yield open_page
    for context in contexts:
        context.close()


def login(page, live_server, username, password=None):
    """Sign in through the real form."""
    from onewindow.factories import PASSWORD

    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password or PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
