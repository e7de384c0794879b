"""In a real browser (Debian's Chromium): the privacy officer goes from an incident and from
a change notice to its audit history and asks there for a sealed evidence bundle; an
auditor does the same from a customer's history (AU-03). In English and Dutch; screenshots
go to /tmp/shots14/C2/. Run with `pytest -m browser`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import Browser, expect

from audits.seal import seal
from compliance.models import ExportState, HistoryExport
from tests.test_audit_search import NOW, _world
from tests.test_browser_audit import LABELS, page_for, site  # noqa: F401 - a fixture
from tests.test_evidence_bundle_requests import _change_notice
from tests.test_evidence_bundles import _letter
from web.audit.exports import history_export_build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots14/C2")


@pytest.fixture(autouse=True)
def _seal_files(settings, tmp_path):
    settings.EVIDENCE_SEAL_KEY_FILE = str(tmp_path / "seal" / "key.pem")
    settings.EVIDENCE_SEAL_CERT_FILE = str(tmp_path / "seal" / "certificate.pem")
    settings.EVIDENCE_TSA_URL = ""


def _history_link(page, label: str, pk: int):
    return page.locator(f'a[href="{reverse("audit_object_history", args=[label, pk])}"]')


@pytest.mark.parametrize("language", ["en", "nl"])
def test_bundle_asked_for_from_the_record_pages(
    site,  # noqa: F811
    make_user,
    browser: Browser,
    language,
):
    """OBL AU-03: from the incident page and the change notice page the privacy officer
    reaches the record's audit history, asks there for its sealed evidence bundle, lands on
    the search page with that selection and downloads the bundle when the worker built it;
    an auditor asks for a customer's bundle from the customer's history."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    with time_machine.travel(NOW, tick=False):
        world = _world(make_user)
        _letter(world)
        change = _change_notice(world)
    fingerprint = seal().fingerprint
    words = LABELS[language]
    incident = world["incident"]
    page = page_for(browser, site, world["officer"], language)

    page.goto(reverse("incident_detail", args=[incident.pk]))
    # The history link is in the incident page's Evidence tab.
    evidence_tab = reverse("incident_detail", args=[incident.pk]) + "?tab=evidence"
    page.locator(f'nav.tabs a[href="{evidence_tab}"]').click()
    expect(page.locator("nav.tabs a[aria-current=page]")).to_have_attribute("href", evidence_tab)
    link = _history_link(page, "breaches.Incident", incident.pk)
    expect(link).to_be_visible()
    link.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"incident-link-{language}.png"))
    link.click()
    expect(page.locator("code", has_text=fingerprint)).to_be_visible()
    page.screenshot(path=str(SHOTS / f"incident-history-{language}.png"), full_page=True)
    page.locator("button[name=format][value=zip]").click()
    expect(page.locator("#audit-exports")).to_be_visible()
    page.screenshot(path=str(SHOTS / f"incident-bundle-requested-{language}.png"), full_page=True)
    expect(page.locator("#id_incident")).to_have_value(str(incident.pk))
    export = HistoryExport.objects.get(requested_by=world["officer"])
    assert export.params == {"incident": [str(incident.pk)]}
    assert history_export_build(export_id=export.pk) is not None
    export.refresh_from_db()
    assert export.state == ExportState.DONE, export.error
    page.reload()
    with page.expect_download() as download:
        page.get_by_role("link", name=words["download"], exact=True).click()
    assert download.value.suggested_filename.startswith("evidence-bundle-")

    page.goto(reverse("subprocessors:change_notice_detail", args=[change.pk]))
    link = _history_link(page, "subprocessors.ChangeNotice", change.pk)
    expect(link).to_be_visible()
    link.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"change-notice-link-{language}.png"))
    link.click()
    page.screenshot(path=str(SHOTS / f"change-notice-history-{language}.png"), full_page=True)
    page.locator("button[name=format][value=zip]").click()
    expect(page.locator("#audit-exports")).to_be_visible()
    latest = HistoryExport.objects.filter(requested_by=world["officer"]).latest("pk")
    assert latest.params == {
        "object_type": ["subprocessors.ChangeNotice"],
        "object_id": [str(change.pk)],
    }
    page.context.close()

    auditor = page_for(browser, site, world["auditor"], language)
    acme = world["acme"]
    auditor.goto(reverse("audit_object_history", args=["compliance.Customer", acme.pk]))
    expect(auditor.locator("button[name=format][value=zip]")).to_be_visible()
    auditor.screenshot(path=str(SHOTS / f"customer-history-{language}.png"), full_page=True)
    auditor.locator("button[name=format][value=zip]").click()
    expect(auditor.locator("#audit-exports")).to_be_visible()
    mine = HistoryExport.objects.get(requested_by=world["auditor"])
    assert mine.params == {"customer": [acme.customer_number]}
    auditor.context.close()
