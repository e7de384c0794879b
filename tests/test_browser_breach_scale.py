"""In a real browser (Debian's Chromium): the officer's incident pages with many customers.

The selection by hand is searched and paged while ticks made on one page or search stay
chosen (BR-08); the fan-out progress is filtered and paged with htmx, and its live refresh
keeps the page and filter shown (BR-03).

Run with `pytest -m browser`.
"""

from __future__ import annotations

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, expect

from breaches.models import Incident, IncidentState
from breaches.tests.test_scale_pages import bulk_customers, notified_incident
from compliance.models import OutboxMessage, OutboxStatus, ProcessorProfile, Role
from tests.auth import sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(live_server, settings):
    base = f"http://localhost:{urlsplit(live_server.url).port}"
    if "localhost" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    cache.clear()
    yield base
    cache.clear()


@pytest.fixture
def officer(transactional_db):
    ProcessorProfile.objects.create(
        legal_name="Voorbeeld Software B.V.",
        privacy_team_name="Privacy Office",
        privacy_email="privacy@processor.example",
        privacy_phone="+31 20 123 4567",
    )
    return UserFactory(
        email="officer@processor.example", full_name="Priya Officer", role=Role.PRIVACY_OFFICER
    )


@pytest.fixture
def officer_page(browser: Browser, site, officer):
    """The officer's page, closed at teardown: an open page keeps polling (htmx live refresh)
    and would reach the live server while later tests run."""
    client = sign_in(Client(), officer)
    context: BrowserContext = browser.new_context(base_url=site)
    context.set_default_timeout(10_000)
    name = settings.SESSION_COOKIE_NAME
    context.add_cookies([{"name": name, "value": client.cookies[name].value, "url": site}])
    yield context.new_page()
    context.close()


def rows(locator) -> list[str]:
    return re.findall(r"Scale \d{4} B\.V\.", locator.inner_text())


def test_officer_chooses_customers_by_hand_across_pages_and_searches(officer_page, officer):
    """OBL BR-08: 130 customers, 50 a page: the officer ticks customers on page 1, turns the
    page, ticks another, searches and ticks one more, reviews the chosen ones and unticks
    one; every choice stays chosen across pages and searches."""
    bulk_customers(130)
    incident = Incident.objects.create(
        title="Backup bucket readable",
        description="Something happened",
        reported_by=officer,
        discovered_at=timezone.now(),
        customer_due_at=timezone.now() + datetime.timedelta(hours=48),
        state=IncidentState.TRIAGE,
    )
    page = officer_page
    page.goto(f"/incidents/{incident.pk}/?tab=customers")
    page.get_by_role("link", name="Choose customers by hand: search and tick, page by page").click()
    table = page.locator("#selection table")
    expect(table).to_contain_text("1–50 of 130 customers")
    assert rows(table) == [f"Scale {i:04d} B.V." for i in range(50)]

    page.get_by_label("Scale 0001 B.V.", exact=True).check()
    page.get_by_label("Scale 0002 B.V.", exact=True).check()
    page.get_by_role("button", name="Next").click()
    expect(table).to_contain_text("51–100 of 130 customers")
    page.get_by_label("Scale 0060 B.V.", exact=True).check()
    search = page.get_by_label("Name or customer number:", exact=True)
    search.fill("scale 012")
    search.press("Enter")
    expect(table).to_contain_text("1–10 of 10 customers")
    page.get_by_label("Scale 0125 B.V.", exact=True).check()
    page.get_by_role("button", name=re.compile(r"^Show only the \d+ chosen$")).click()
    expect(table).to_contain_text("chosen only")
    assert rows(table) == [
        "Scale 0001 B.V.",
        "Scale 0002 B.V.",
        "Scale 0060 B.V.",
        "Scale 0125 B.V.",
    ]
    for name in rows(table):
        expect(page.get_by_label(name, exact=True)).to_be_checked()

    page.get_by_label("Scale 0002 B.V.", exact=True).uncheck()
    page.get_by_role("button", name="Save selection").click()
    expect(page.get_by_text("Selection saved: 3 customers chosen.")).to_be_visible()
    chosen = set(incident.affected_customers.values_list("name", flat=True))
    assert chosen == {"Scale 0001 B.V.", "Scale 0060 B.V.", "Scale 0125 B.V."}

    page.get_by_role("link", name="Back to the incident").click()
    expect(page.locator("#customers")).to_contain_text("3 customers selected (By hand).")


def test_progress_is_filtered_and_paged_and_refreshes_in_place(officer_page, officer):
    """OBL BR-03: the progress of 120 customers shows 50 a page; the officer filters to the
    customers not informed yet and pages through everyone without leaving the incident
    page, and the live refresh keeps the page shown while the figures change."""
    customers = bulk_customers(120)
    incident = notified_incident(
        officer, customers, failed=customers[10:15], uninformed=customers[60:67]
    )
    page = officer_page
    page.goto(f"/incidents/{incident.pk}/?tab=customers")
    progress = page.locator("#fanout-progress")
    expect(progress.locator("caption")).to_have_text("1–50 of 120 customers")
    expect(progress).to_contain_text("14queued")

    opened = page.url
    progress.get_by_role("link", name="Not informed yet (7)").click()
    expect(progress.locator("caption")).to_have_text("1–7 of 7 customers")
    assert rows(progress.locator("tbody")) == [c.name for c in customers[60:67]]
    assert page.url == opened  # swapped in place by htmx, no page load
    assert urlsplit(page.url).query == "tab=customers"
    expect(progress).to_have_attribute("hx-get", re.compile(r"show=uninformed"))

    progress.get_by_role("link", name="All customers (120)").click()
    expect(progress.locator("caption")).to_have_text("1–50 of 120 customers")
    progress.get_by_role("navigation", name="Pages of customers").get_by_role(
        "link", name="2", exact=True
    ).click()
    expect(progress.locator("caption")).to_have_text("51–100 of 120 customers")
    expect(progress).to_have_attribute("hx-get", re.compile(r"page=2"))

    # The mail server accepts the queued messages; the next refresh shows it on page 2.
    OutboxMessage.objects.filter(status=OutboxStatus.PENDING).update(status=OutboxStatus.ACCEPTED)
    expect(progress).to_contain_text("0queued", timeout=15_000)
    expect(progress.locator("caption")).to_have_text("51–100 of 120 customers")
