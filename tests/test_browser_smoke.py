"""In a real browser (Debian's Chromium): sign in, see the dashboard, switch to Dutch.

Run with `pytest -m browser`. The README's picture comes from
tests/test_browser_readme_picture.py.
"""

import datetime
import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core.cache import cache
from playwright.sync_api import Page, expect

from compliance.models import OutboxMessage, ProcessorProfile, Role
from compliance.services import contact_create, contract_create, customer_create
from compliance.tests.signin_helpers import fresh_totp
from tests.factories import ProductFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def demo_world(transactional_db):
    """A privacy officer and a little data, so the dashboard has something to show."""
    ProcessorProfile.objects.create(
        legal_name="Voorbeeld Software B.V.",
        privacy_team_name="Privacy Office",
        privacy_email="privacy@processor.example",
    )
    officer = UserFactory(
        email="privacy@processor.example", full_name="Priya Officer", role=Role.PRIVACY_OFFICER
    )
    # Address already proven and an authenticator app enrolled: the sign-in is password + TOTP.
    EmailAddress.objects.create(user=officer, email=officer.email, verified=True, primary=True)
    TOTP.activate(officer, TOTP_SECRET)
    cache.clear()  # used TOTP codes of an earlier test in this process
    profit = ProductFactory(code="profit", name="Profit")
    for n, (name, country, language, model) in enumerate(
        [
            ("Zorggroep Utrecht", "NL", "nl", "boz_2022"),
            ("Stichting Onderwijs Gent", "BE", "nl", "education_4_0"),
            ("Bakkerij Delft B.V.", "NL", "en", "standard"),
        ]
    ):
        customer = customer_create(
            actor=officer,
            name=name,
            customer_number=f"{20000 + n}",
            country=country,
            language=language,
        )
        contract_create(
            actor=officer,
            customer=customer,
            starts_on=datetime.date(2024, 1, 1),
            agreement_model=model,
            products=[profit],
        )
        if n < 2:
            contact_create(
                actor=officer,
                customer=customer,
                name=f"Functionaris {n}",
                email=f"fg{n}@customer.example",
                is_subscription_contact=True,
                receives_breach_notices=True,
            )
    OutboxMessage.objects.create(
        key="smoke:escalated",
        message_id="<smoke-escalated@processor.example>",
        to_email="fg1@customer.example",
        language="nl",
        subject="Melding beveiligingsincident",
        body_text="...",
        status="failed",
        escalated_at=datetime.datetime(2026, 3, 29, 1, 0, tzinfo=datetime.UTC),
        last_reply="550 5.1.1 <fg1@customer.example>: Recipient address rejected",
    )
    return officer


def sign_in(page: Page, base_url: str, email: str, clock) -> None:
    page.goto(f"{base_url}/dashboard/")
    expect(page).to_have_url(f"{base_url}/accounts/login/?next=/dashboard/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    page.locator("#id_code").fill(fresh_totp(clock, TOTP_SECRET))
    page.get_by_role("button", name="Confirm", exact=True).click()


def test_privacy_officer_signs_in_sees_dashboard_and_switches_to_dutch(
    page: Page, live_server, demo_world, clock
):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, demo_world.email, clock)

    expect(page).to_have_url(f"{live_server.url}/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_text("Voorbeeld Software B.V.").first).to_be_visible()
    expect(page.get_by_text("fg1@customer.example", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Recent audit events")).to_be_visible()

    page.get_by_role("button", name="Nederlands").click()
    expect(page).to_have_url(f"{live_server.url}/dashboard/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("button", name="Nederlands")).to_have_attribute("aria-pressed", "true")
    # Dutch month names come from Django's own catalogue, so they show even before the
    # project's translations are complete.
    expect(page.get_by_text("29 maart 2026, 03:00 CEST")).to_be_visible()
    if (Path(settings.BASE_DIR) / "locale" / "nl" / "LC_MESSAGES" / "django.mo").exists():
        expect(page.get_by_role("button", name="Sign out")).to_have_count(0)

    page.locator("form[action='/accounts/logout/'] button").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.get_by_text("Wachtwoord", exact=True)).to_be_visible()


def test_layout_fits_a_phone(page: Page, live_server, demo_world, clock):
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, live_server.url, demo_world.email, clock)
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    # The skip link is the first stop for keyboard users and leads to the main content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    skip.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/dashboard/#main")
