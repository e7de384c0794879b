"""In a real browser (Debian's Chromium), issue 17: the admin writes moments as every page
does, in Amsterdam time; a Dutch customer whose browser asks for English reads the portal in
Dutch; the ENISA severity reads "2.00 · Medium". Screenshots go to /tmp/shots17/. Run with
`pytest -m browser`."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser, expect

from breaches.services import affected_select, incident_notify, incident_report, incident_triage
from compliance.models import OutboxMessage, ProcessorProfile, Role
from tests.auth import sign_in
from tests.factories import (
    ContactFactory,
    ContractFactory,
    CustomerFactory,
    ProductFactory,
    UserFactory,
)
from tests.test_browser_audit import site  # noqa: F401 - a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots17")
WINTER = datetime.datetime(2026, 12, 4, 15, 49, tzinfo=datetime.UTC)


def _page(browser: Browser, base: str, user, browser_language: str):
    client = sign_in(Client(), user)
    context = browser.new_context(
        base_url=base, locale=browser_language, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base,
            }
        ]
    )
    return context.new_page()


@pytest.mark.parametrize("language", ["en", "nl"])
def test_admin_portal_and_incident_page_in_the_one_format(
    site,  # noqa: F811
    browser: Browser,
    language,
):
    """The admin's changelist in the officer's language and Amsterdam time; the customer's
    portal in the customer's stored language although the browser asks for the other one;
    the incident page's severity with two decimals."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    ProcessorProfile.objects.create(legal_name="Processor B.V.", privacy_email="p@p.example")
    product = ProductFactory()
    customer = CustomerFactory(name="Bakkerij Utrecht B.V.", language=language)
    ContractFactory(customer=customer).products.set([product])
    ContactFactory(customer=customer, receives_breach_notices=True)
    officer = UserFactory(role=Role.PRIVACY_OFFICER, language=language, full_name="Olga")
    staff = UserFactory(role=Role.STAFF_MEMBER)
    incident = incident_report(actor=staff, title="Backup bucket public", description="Open.")
    incident_triage(
        actor=officer,
        incident=incident,
        personal_data_involved=True,
        data_categories="Names",
        likely_consequences="Phishing",
        enisa_dpc=2,
        enisa_ei="1",
    )
    affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident)
    OutboxMessage.objects.update(created_at=WINTER)
    other = "nl" if language == "en" else "en"

    page = _page(browser, site, officer, other)
    page.goto(reverse("admin:compliance_outboxmessage_changelist"))
    shown = "4 December 2026, 16:49 CET" if language == "en" else "4 december 2026, 16:49 CET"
    expect(page.get_by_text(shown).first).to_be_visible()
    page.screenshot(path=str(SHOTS / f"A-admin-outbox-{language}.png"), full_page=False)

    page.goto(reverse("incident_detail", args=[incident.pk]))
    severity = "2.00 · Medium" if language == "en" else "2,00 · Gemiddeld"
    expect(page.get_by_text(severity).first).to_be_visible()
    assert page.locator("html").get_attribute("lang") == language
    page.screenshot(path=str(SHOTS / f"A-incident-{language}.png"), full_page=False)

    customer_user = UserFactory(role=Role.CUSTOMER_ADMIN, customer=customer, language=language)
    portal = _page(browser, site, customer_user, other)
    portal.goto(reverse("portal"))
    assert portal.locator("html").get_attribute("lang") == language
    portal.screenshot(path=str(SHOTS / f"A-portal-{language}-browser-{other}.png"))
