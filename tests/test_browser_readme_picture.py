"""The README's picture (docs/img/dashboard.png): the privacy officer's dashboard on the demo
data with a breach being handled, in Chromium at 1280 px wide, in English and Dutch; it shows
words, never internal codes (issue 17). `SCREENSHOT=1` saves the English one for the README;
both go to /tmp/shots17/. Run with `pytest -m browser`."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, expect

from compliance.models import Role
from tests.auth import sign_in
from tests.no_codes_world import build, person
from tests.test_browser_audit import site  # noqa: F401 - a fixture
from tests.test_no_codes import codes_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

README_PICTURE = Path(settings.BASE_DIR) / "docs" / "img" / "dashboard.png"
SHOTS = Path("/tmp/shots17")


@pytest.mark.parametrize("language", ["en", "nl"])
def test_officers_dashboard_on_demo_data(site, browser: Browser, language):  # noqa: F811
    """The dashboard on the demo data shows the breach, its deadlines and the recent events
    in words; the picture in the README is this page."""
    build()
    officer = person(Role.PRIVACY_OFFICER)
    officer.language = language
    officer.save(update_fields=["language"])
    client = sign_in(Client(), officer)
    context = browser.new_context(
        base_url=site, locale=language, viewport={"width": 1280, "height": 900}
    )
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": site,
            },
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": site},
        ]
    )
    page = context.new_page()
    page.goto("/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_text("Backup bucket public").first).to_be_visible()
    assert codes_in(page.locator("main").inner_text()) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"B-dashboard-{language}.png"), full_page=True)
    if language == "en" and os.environ.get("SCREENSHOT") == "1":
        page.screenshot(path=str(README_PICTURE), full_page=True)
    context.close()
