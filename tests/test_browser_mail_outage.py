"""In a real browser (Debian's Chromium): the privacy officer's dashboard while the mail server
cannot be reached, in English and Dutch, and after it is back (BR-05; issue 12, item 5).

The live server runs in a thread of this process; the sweep runs in-process against a real
aiosmtpd server that is stopped and started. Screenshots go to /tmp/shots/ for a person to
look at. Run with `pytest -m browser`.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, expect

from compliance.outbox import mail_server_probe, outbox_sweep
from tests.auth import sign_in
from tests.outage_helpers import customer_with, notify, world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")


@pytest.fixture
def site(live_server, settings, smtp_server, temporary_broker):
    base = f"http://localhost:{urlsplit(live_server.url).port}"
    settings.SITE_URL = base
    if "localhost" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    return base


def page_for(browser: Browser, base: str, user, language: str):
    client = sign_in(Client(), user)
    context = browser.new_context(
        base_url=base, locale=language, viewport={"width": 1280, "height": 1000}
    )
    context.set_default_timeout(10_000)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base,
            },
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base},
        ]
    )
    return context.new_page()


def test_dashboard_banner_in_english_and_dutch(site, smtp_server, browser: Browser, settings):
    """OBL BR-05, BR-03, BR-04: the banner names the outage, the waiting messages and the
    deadline at risk, in the officer's language; it is gone once the server is back."""
    SHOTS.mkdir(exist_ok=True)
    settings.OUTBOX_ESCALATE_AFTER_SECONDS = 0  # every waiting message is an alert at once
    officer, staff, product = world()
    for n in range(2):
        customer_with(product, language="nl", name=f"Klant {n} B.V.")
    smtp_server.stop()
    notify(officer, staff, product, "Backup bucket public")
    outbox_sweep()

    for language, heading in (("en", "The mail server cannot be reached"), ("nl", None)):
        page = page_for(browser, site, officer, language)
        page.goto("/dashboard/")
        banner = page.locator("#mail-outage")
        expect(banner).to_be_visible()
        if heading:
            expect(banner.get_by_role("heading", level=2)).to_have_text(heading)
        expect(banner).to_contain_text("Backup bucket public")
        page.screenshot(path=str(SHOTS / f"dashboard-outage-{language}.png"), full_page=True)
        page.context.close()

    smtp_server.start()
    mail_server_probe()
    outbox_sweep()
    page = page_for(browser, site, officer, "en")
    page.goto("/dashboard/")
    expect(page.locator("#mail-outage")).to_have_count(0)
    page.screenshot(path=str(SHOTS / "dashboard-after-en.png"), full_page=True)
    page.goto("/outbox/alerts/")
    expect(page.locator("#mail-server")).to_contain_text("The mail server accepts connections.")
    expect(page.locator("#closed-alerts")).to_contain_text("Closed itself")
    page.screenshot(path=str(SHOTS / "alerts-after-en.png"), full_page=True)
    page.context.close()
