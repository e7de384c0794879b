"""In a real browser (Debian's Chromium): RT-01 contract end. The register with one
archived environment (deadline in words) and one deleted, the detail with its certificate
link, the portal page with the exports and the binding early-deletion form. Screenshots and
the certificate (PDF and PNG) go to /tmp/shots16/M/. Run with `pytest -m browser`."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser

from compliance.models import Role
from processing.services import contract_end as services
from tests.auth import sign_in
from tests.factories import ContractFactory, CustomerFactory, UserFactory
from tests.test_browser_audit import site  # noqa: F401 - a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots16/M")


def _page(browser: Browser, base: str, user, language: str):
    client = sign_in(Client(), user)
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
def test_contract_end_pages_in_the_browser(site, browser: Browser, language):  # noqa: F811
    """RT-01: the pages a privacy officer, ICT manager and customer administrator see."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    officer = UserFactory(role=Role.PRIVACY_OFFICER, full_name="Priya Officer")
    ict = UserFactory(role=Role.ICT_MANAGER, full_name="Ivo Manager")
    archived = CustomerFactory(name="Bakkerij Jansen", language=language)
    gone = CustomerFactory(name="Slagerij Pietersen", language=language)
    admin = UserFactory(role=Role.CUSTOMER_ADMIN, customer=archived, full_name="Anna Admin")
    today = timezone.localdate()
    services.contract_end_record(
        actor=officer,
        contract_id=ContractFactory(customer=archived).pk,
        ends_on=today - datetime.timedelta(days=30),
    )
    deletion = services.contract_end_record(
        actor=officer,
        contract_id=ContractFactory(customer=gone).pk,
        ends_on=today - datetime.timedelta(days=400),
    )
    deletion = services.deletion_confirm(
        actor=ict, deletion=deletion, what="Tenant database, file store and search index."
    )
    (SHOTS / f"certificate-{language}.pdf").write_bytes(deletion.certificate.content)

    page = _page(browser, site, officer, language)
    page.goto("/processing/deletions/")
    page.screenshot(path=str(SHOTS / f"list-{language}.png"), full_page=True)
    page.goto(f"/processing/deletions/{deletion.pk}/")
    page.screenshot(path=str(SHOTS / f"detail-deleted-{language}.png"), full_page=True)
    page.goto("/processing/deletions/contract-end/")
    page.screenshot(path=str(SHOTS / f"record-end-{language}.png"), full_page=True)

    portal = _page(browser, site, admin, language)
    portal.goto("/portal/processing/contract-end/")
    portal.screenshot(path=str(SHOTS / f"portal-{language}.png"), full_page=True)
    portal.goto("/portal/processing/contract-end/early-deletion/")
    portal.locator("form.form button[type=submit]").click()
    portal.screenshot(path=str(SHOTS / f"portal-early-refused-{language}.png"), full_page=True)
