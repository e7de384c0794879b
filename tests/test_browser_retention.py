"""In a real browser (Debian's Chromium): the privacy officer confirms a retention period in
the Audit section; the auditor reads the table (AU-03). Screenshots go to /tmp/shots14/A/.
Run with `pytest -m browser`."""

from pathlib import Path

import pytest
from django.db import transaction
from playwright.sync_api import Browser, expect

from audits.models import AuditEvent
from audits.services import audit_seal, event_payload_erase, event_record
from compliance.models import Role
from compliance.models.retention import RetentionRule
from tests.test_browser_audit import page_for, site  # noqa: F401 - a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots14/A")
CONFIRM = {"en": "Confirm", "nl": "Bevestigen"}


@pytest.mark.parametrize("language", ["en", "nl"])
def test_privacy_officer_confirms_and_auditor_reads(
    site,  # noqa: F811
    make_user,
    browser: Browser,
    language,
):
    """OBL AU-03: the privacy officer confirms the period of stored documents from the
    Audit section; the auditor then sees it confirmed, without forms."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    officer = make_user(Role.PRIVACY_OFFICER, email="officer@processor.example")
    auditor = make_user(Role.AUDITOR, email="auditor@audit.example")
    page = page_for(browser, site, officer, language)
    page.goto("/audit/")
    page.locator("a[href='/audit/retention/']").click()
    page.screenshot(path=str(SHOTS / f"retention-officer-{language}.png"), full_page=True)
    section = page.locator("section[aria-labelledby=rule-documents]")
    section.get_by_role("button", name=CONFIRM[language]).click()
    expect(page.locator("section[aria-labelledby=rule-documents]")).to_contain_text("officer@")
    page.screenshot(path=str(SHOTS / f"retention-confirmed-{language}.png"), full_page=True)
    assert RetentionRule.objects.get(kind="documents").confirmed_by == officer
    assert AuditEvent.objects.filter(action="retention.rule_confirmed").count() == 1

    # An event of the officer erased by the sweep, as the history shows it afterwards.
    with transaction.atomic():
        event = event_record(
            actor=officer, action="customer.updated", after={"name": "Jan de Vries", "count": 2}
        )
    audit_seal()
    event_payload_erase(event=event, actor=None, reason="retention")
    audit_seal()

    reader = page_for(browser, site, auditor, language)
    reader.goto("/audit/retention/")
    expect(reader.locator("section.panel form")).to_have_count(0)
    reader.screenshot(path=str(SHOTS / f"retention-auditor-{language}.png"), full_page=True)
    reader.goto("/audit/history/")
    reader.screenshot(path=str(SHOTS / f"history-after-erasure-{language}.png"), full_page=True)
