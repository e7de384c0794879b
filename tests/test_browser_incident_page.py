"""In a real browser (Debian's Chromium): the privacy officer's incident page with 50
customers, in both languages, at 1280 and 390 px wide (issue 17).

Each tab fits the width (no horizontal scrolling), and at 1280 × 800 the first screen holds
the deadlines and the next step. The notify journey asks first, with the counts, and the
delivery figures refresh in place without a reload. Screenshots of every tab go to
`$SHOTS_DIR` when it is set.

Run with `pytest -m browser`.
"""

from __future__ import annotations

import datetime
import os
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from playwright.sync_api import Browser, expect

from breaches.models import CustomerNotice
from breaches.services import affected_select, incident_report
from compliance.models import OutboxMessage, OutboxStatus, ProcessorProfile, Role
from tests.auth import sign_in
from tests.factories import (
    ContactFactory,
    ContractFactory,
    CustomerFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABS = ("summary", "customers", "updates", "evidence")
WIDTHS = (1280, 390)


@pytest.fixture
def site(live_server, settings):
    base = f"http://localhost:{urlsplit(live_server.url).port}"
    settings.SITE_URL = base
    if "localhost" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    cache.clear()
    yield base
    cache.clear()


@pytest.fixture
def world(transactional_db):
    """50 customers of Profit, half Dutch, half English, each with a subscription and a
    breach contact, all selected by hand; a staff member reported the incident."""
    ProcessorProfile.objects.create(
        legal_name="Voorbeeld Software B.V.",
        privacy_team_name="Privacy Office",
        privacy_email="privacy@processor.example",
        privacy_phone="+31 20 123 4567",
    )
    officer = UserFactory(
        email="officer@processor.example", full_name="Priya Officer", role=Role.PRIVACY_OFFICER
    )
    staff = UserFactory(email="dev@processor.example", full_name="Sam Developer")
    profit = ProductFactory(code="profit", name="Profit")
    customers = []
    for n in range(50):
        language = "nl" if n % 2 else "en"
        customer = CustomerFactory(
            name=f"Klant {n:02d} Bakkerij en Zorggroep B.V.",
            customer_number=f"{40000 + n}",
            language=language,
        )
        ContractFactory(customer=customer, starts_on=datetime.date(2024, 1, 1)).products.add(profit)
        for flag in (False, True):
            ContactFactory(
                customer=customer,
                email=f"c{n}-{int(flag)}@customer.example",
                language=language,
                is_subscription_contact=not flag,
                receives_breach_notices=flag,
            )
        customers.append(customer)
    incident = incident_report(
        actor=staff,
        title="Customer database export readable from the internet",
        description="A nightly export of the Profit database sat in a public storage bucket.",
        products=[profit],
    )
    affected_select(actor=officer, incident=incident, rule="hand", customers=customers)
    return {"officer": officer, "incident": incident, "customers": customers}


def officer_page(browser: Browser, base: str, officer, language: str, width: int):
    officer.language = language
    officer.save(update_fields=["language"])
    client = sign_in(Client(), officer)
    context = browser.new_context(
        base_url=base, locale=language, viewport={"width": width, "height": 800}
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


def shoot(page, name: str) -> None:
    folder = os.environ.get("SHOTS_DIR")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def assert_fits(page, what: str) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{what}: {overflow} px wider than the window"


def assert_on_first_screen(page, selector: str, what: str) -> None:
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{what}: {selector} not shown"
    assert box["x"] >= 0 and box["y"] >= 0, (what, selector, box)
    assert box["x"] + box["width"] <= 1280 and box["y"] + box["height"] <= 800, (
        what,
        selector,
        box,
    )


@pytest.mark.parametrize("language", ["en", "nl"])
def test_incident_page_fits_and_its_first_screen_holds_deadlines_and_next_step(
    browser: Browser, site, world, language
):
    """OBL BR-03: every tab of the incident page with 50 customers fits 1280 and 390 px
    without horizontal scrolling; at 1280 × 800 the deadlines and the next step are on the
    first screen, before any scrolling, with the next step's button."""
    incident = world["incident"]
    url = f"/incidents/{incident.pk}/"
    for width in WIDTHS:
        page = officer_page(browser, site, world["officer"], language, width)
        for tab in TABS:
            page.goto(url if tab == "summary" else f"{url}?tab={tab}")
            expect(page.locator("#next-step")).to_be_visible()
            assert_fits(page, f"{tab} at {width} px ({language})")
            if width == 1280:
                for selector in ("#next-step", "#deadline-48", "#next-step a.button"):
                    assert_on_first_screen(page, selector, f"{tab} ({language})")
            shoot(page, f"C-incident-{tab}-{language}-{width}")
        page.goto(f"/incidents/{incident.pk}/notify/")
        assert_fits(page, f"notify confirmation at {width} px ({language})")
        shoot(page, f"C-notify-confirm-{language}-{width}")
        page.goto("/dashboard/")
        assert_fits(page, f"dashboard at {width} px ({language})")
        shoot(page, f"C-dashboard-{language}-{width}")
        page.context.close()
    assert not CustomerNotice.objects.exists()


def test_notify_asks_first_then_figures_refresh_in_place(browser: Browser, site, world):
    """OBL BR-03, BR-05: "Notify 50 customers…" leads to the question with the counts
    ("Notify 50 customers (100 messages, English and Dutch)?"); only "Yes" sends. The
    customers' tab then drops the button and the selection form, keeps the chosen
    customers' numbers, and its delivery figures refresh without a reload."""
    incident, customers = world["incident"], world["customers"]
    page = officer_page(browser, site, world["officer"], "en", 1280)
    page.goto(f"/incidents/{incident.pk}/?tab=customers")
    page.locator("#notify").get_by_role("link", name="Notify 50 customers…").click()
    question = page.get_by_role("heading", level=2, name="Notify 50 customers")
    expect(question).to_have_text("Notify 50 customers (100 messages, English and Dutch)?")
    expect(page.locator("#notify-confirm")).to_contain_text("English: 50, Dutch: 50")
    assert_fits(page, "confirmation")
    assert not CustomerNotice.objects.exists()
    page.get_by_role("button", name="Yes, notify 50 customers").click()
    expect(page.get_by_text("50 customers notified; 100 messages queued.")).to_be_visible()
    assert CustomerNotice.objects.filter(incident=incident).count() == 50

    expect(page.locator("#notify")).to_have_count(0)
    expect(page.get_by_role("button", name="Save selection")).to_have_count(0)
    chosen = page.locator("#customers")
    for customer in customers[:50]:
        expect(chosen).to_contain_text(customer.customer_number)
    progress = page.locator("#fanout-progress")
    expect(progress).to_contain_text("100queued")
    shoot(page, "C-incident-customers-after-notify-en-1280")

    # The mail server accepts every message: the figures change in place (htmx polls the
    # progress fragment every 5 s), the page itself is not reloaded.
    page.evaluate("window.__notReloaded = true")
    OutboxMessage.objects.filter(status=OutboxStatus.PENDING).update(status=OutboxStatus.ACCEPTED)
    # Wait for the accepted figure: "0queued" alone would match inside "100queued".
    expect(progress).to_contain_text("100accepted by the mail server", timeout=15_000)
    expect(progress).not_to_contain_text("100queued")
    assert page.evaluate("window.__notReloaded === true")
