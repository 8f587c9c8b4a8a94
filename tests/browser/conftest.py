"""The browser journeys' shared set-up: Debian's chromium driven by Playwright (never
`playwright install`: there is no network), with the flags this machine needs."""

from pathlib import Path

import pytest

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--autoplay-policy=no-user-gesture-required",
]


@pytest.fixture
def browser_context_options():
    """Override in a test module for another viewport or download handling."""
    return {"viewport": {"width": 1280, "height": 900}, "accept_downloads": True}


@pytest.fixture
def browser_page(browser_context_options):
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(**browser_context_options)
        page = context.new_page()
        page.set_default_timeout(20_000)
        yield page
        context.close()
        browser.close()
