"""In a real browser (Debian's Chromium): the KPI report with its charts in English and Dutch
under the strict Content-Security-Policy (AU-03). Each chart is an SVG `data:` image: the
browser must draw it (its width known) without a single CSP complaint. Screenshots and the
PDF go to /tmp/shots13/ for a person to look at. Run with `pytest -m browser`."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, expect

from tests.audit_kpi_world import PERIOD, clock, world  # noqa: F401
from tests.auth import language_stored, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots13")


@pytest.fixture
def site(live_server, settings):
    base = f"http://localhost:{urlsplit(live_server.url).port}"
    settings.SITE_URL = base
    if "localhost" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    return base


def page_for(browser: Browser, base: str, user, language: str):
    """A page signed in as `user`, who has chosen `language` (stored on the account, as the
    language switch does: it wins over the browser's)."""
    client = sign_in(Client(), language_stored(user, language))
    context = browser.new_context(
        base_url=base, locale=language, viewport={"width": 1400, "height": 1000}
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


@pytest.mark.parametrize("language", ["en", "nl"])
def test_kpi_report_charts_drawn_under_csp(site, browser: Browser, auditor, world, language):  # noqa: F811
    """OBL AU-03: the auditor reads the KPI report with its five charts drawn, in English and
    Dutch, and no Content-Security-Policy violation is reported."""
    SHOTS.mkdir(exist_ok=True)
    page = page_for(browser, site, auditor, language)
    complaints = []
    page.on("console", lambda message: complaints.append(message.text))
    page.goto(f"/audit/kpi/?date_from={PERIOD['date_from']}&date_to={PERIOD['date_to']}")
    charts = page.locator("img.kpi-chart")
    expect(charts).to_have_count(5)
    for index in range(5):
        width = charts.nth(index).evaluate("img => img.complete && img.naturalWidth")
        assert width == 800, index
    expect(page.locator('[data-kpi="share"]')).to_have_text(
        "50.0%" if language == "en" else "50,0%"
    )
    assert not [text for text in complaints if "Content Security Policy" in text], complaints
    page.screenshot(path=str(SHOTS / f"kpi-{language}.png"), full_page=True)
    response = page.request.get(
        f"/audit/kpi/report.pdf?date_from={PERIOD['date_from']}&date_to={PERIOD['date_to']}"
    )
    assert response.ok
    (SHOTS / f"kpi-{language}.pdf").write_bytes(response.body())
    page.context.close()
