"""In a real browser (Debian's Chromium): a new staff member is shown the confidentiality
text before anything else and acknowledges it; the privacy officer reads the register and the
hub; the ICT manager records and ends standing access (AC-01, AC-02). Screenshots go to
/tmp/shots15/E/. Run with `pytest -m browser`."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, expect

from access.demo.confidentiality import _first_text
from access.models import ConfidentialityAcknowledgement
from access.models.standing import StandingGrant
from compliance.models import Role
from tests.auth import sign_in
from tests.factories import UserFactory
from tests.test_browser_audit import site  # noqa: F401 - a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots15/E")


def _page(browser: Browser, base: str, user, language: str, *, acknowledge=True):
    client = sign_in(Client(), user, acknowledge=acknowledge)
    context = browser.new_context(
        base_url=base, locale=language, viewport={"width": 1280, "height": 1000}
    )
    context.set_default_timeout(15_000)
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
def test_new_staff_member_acknowledges_then_officer_and_ict_manager_see_the_registers(
    site,  # noqa: F811
    browser: Browser,
    language,
):
    """OBL AC-01 AC-02: the newcomer is sent to the text first and continues after
    acknowledging; the register and the hub show it; the ICT manager records standing
    access for a system administrator."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    text = _first_text()
    officer = UserFactory(role=Role.PRIVACY_OFFICER, full_name="Priya Officer")
    ict = UserFactory(role=Role.ICT_MANAGER, full_name="Ivo Manager")
    UserFactory(role=Role.BOARD_MEMBER, full_name="Bea Board", acknowledged=False)
    newcomer = UserFactory(role=Role.STAFF_MEMBER, full_name="Sam Staff", acknowledged=False)

    page = _page(browser, site, newcomer, language, acknowledge=False)
    page.goto("/dashboard/")
    expect(page).to_have_url(f"{site}/access/confidentiality/acknowledge/?next=%2Fdashboard%2F")
    page.screenshot(path=str(SHOTS / f"acknowledge-{language}.png"), full_page=True)
    page.locator("#id_agree").check()
    page.locator("form.form button[type=submit]").click()
    expect(page).to_have_url(f"{site}/dashboard/")
    assert ConfidentialityAcknowledgement.objects.filter(user=newcomer, text=text).exists()

    reader = _page(browser, site, officer, language)
    reader.goto("/access/")
    reader.screenshot(path=str(SHOTS / f"hub-officer-{language}.png"), full_page=True)
    reader.goto("/access/confidentiality/")
    expect(reader.locator("#missing-heading")).to_be_visible()
    expect(reader.locator("section.card-alert")).to_contain_text("Bea Board")
    reader.screenshot(path=str(SHOTS / f"register-{language}.png"), full_page=True)
    reader.goto("/access/confidentiality/publish/")
    reader.screenshot(path=str(SHOTS / f"publish-{language}.png"), full_page=True)

    manager = _page(browser, site, ict, language)
    manager.goto("/access/standing/new/")
    manager.locator("#id_holder").select_option(str(newcomer.pk))
    manager.locator("input[name=purposes][value=install]").check()
    manager.locator("input[name=purposes][value=backups]").check()
    manager.screenshot(path=str(SHOTS / f"standing-form-{language}.png"), full_page=True)
    manager.locator("form.form button[type=submit]").click()
    expect(manager.locator("h1")).to_contain_text("Sam Staff")
    manager.locator("#id_reason").fill("Moved to product development")
    manager.locator("section[aria-labelledby=end-heading] button[type=submit]").click()
    expect(manager.locator("#removal-heading")).to_be_visible()
    manager.screenshot(path=str(SHOTS / f"standing-ended-{language}.png"), full_page=True)
    grant = StandingGrant.objects.get()
    assert grant.state == "ended"
    manager.goto("/access/standing/")
    manager.screenshot(path=str(SHOTS / f"standing-list-{language}.png"), full_page=True)
