"""In a real browser (Debian's Chromium): the privacy officer's audit register and an
audit kept from the customer with its ground; the customer's administrator asks for an
audit and sees the register without that audit (AU-01, AU-02). Screenshots go to
/tmp/shots16/L/. Run with `pytest -m browser`."""

import datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from compliance.models import Role
from processing.models.audits import AuditKind
from processing.services import audits as services
from tests.factories import CustomerFactory, UserFactory
from tests.test_browser_access_e import _page
from tests.test_browser_audit import site  # noqa: F401 - a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots16/L")
GROUND = "The regulator's investigation order forbids informing the customer."


@pytest.mark.parametrize("language", ["en", "nl"])
def test_officer_and_customer_see_audits(site, browser: Browser, language):  # noqa: F811
    """OBL AU-01 AU-02: the officer sees the ground; the customer asks for an audit and
    never sees the audit kept from it."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    customer = CustomerFactory(name="Bakkerij Jansen")
    officer = UserFactory(role=Role.PRIVACY_OFFICER, full_name="Priya Officer")
    admin = UserFactory(role=Role.CUSTOMER_ADMIN, customer=customer, full_name="Anna Admin")
    hidden = services.audit_record(
        actor=officer,
        customer_id=customer.pk,
        kind=AuditKind.REGULATOR,
        auditor="Forensic Auditors BV",
        scope="Security measures of the hosting platform.",
        starts_on=datetime.date(2026, 7, 1),
        ends_on=datetime.date(2026, 7, 3),
        inform=False,
        ground=GROUND,
    )
    services.audit_record(
        actor=officer,
        customer_id=customer.pk,
        kind=AuditKind.CUSTOMER_AUDITOR,
        auditor="Known Auditors",
        scope="Processing under the agreement.",
        starts_on=datetime.date(2026, 8, 1),
        ends_on=datetime.date(2026, 8, 2),
        inform=True,
    )
    page = _page(browser, site, admin, language)
    page.goto("/portal/processing/audits/request/")
    page.locator("textarea[name=scope]").fill("Backups and logging.")
    page.locator("input[name=preferred_period]").fill("September")
    page.locator("form.form button.button-primary").click()
    expect(page.locator(".form-errors, .errorlist").first).to_be_visible()
    page.screenshot(path=str(SHOTS / f"portal-request-refused-{language}.png"), full_page=True)
    page.locator("input[name=cost_acknowledged]").check()
    page.locator("form.form button.button-primary").click()
    page.wait_for_url("**/portal/processing/audits/")
    assert "Forensic Auditors" not in page.content() and GROUND not in page.content()
    page.screenshot(path=str(SHOTS / f"portal-audits-{language}.png"), full_page=True)
    page = _page(browser, site, officer, language)
    page.goto("/processing/audits/")
    page.screenshot(path=str(SHOTS / f"staff-list-{language}.png"), full_page=True)
    page.goto(f"/processing/audits/{hidden.pk}/")
    expect(page.get_by_text(GROUND)).to_be_visible()
    page.screenshot(path=str(SHOTS / f"staff-detail-hidden-{language}.png"), full_page=True)
    page.goto("/processing/audits/record/")
    page.screenshot(path=str(SHOTS / f"staff-record-form-{language}.png"), full_page=True)
