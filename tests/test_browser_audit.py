"""In a real browser (Debian's Chromium): the ISO auditor's journey through the Audit
section (AU-03) — a period's incidents and sign-in failures found, exported as CSV and as
an Excel workbook built in the background — in English and Dutch. Screenshots go to
/tmp/shots13/ for a person to look at. Run with `pytest -m browser`.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from urllib.parse import urlsplit

import openpyxl
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser, expect

from breaches.services import affected_select, incident_notify, incident_report, incident_triage
from compliance.models import HistoryExport, ProcessorProfile, Role
from tests.auth import language_stored, sign_in
from tests.factories import ContactFactory, ContractFactory, CustomerFactory, ProductFactory
from web.audit.exports import history_export_build
from web.audit.kpi import local_today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots13")


@pytest.fixture
def site(live_server, settings, temporary_broker):
    base = f"http://localhost:{urlsplit(live_server.url).port}"
    settings.SITE_URL = base
    if "localhost" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    return base


@pytest.fixture
def history(make_user):
    """An incident notified to two customers, and two failed sign-ins."""
    ProcessorProfile.objects.create(legal_name="Processor B.V.", privacy_email="p@p.example")
    product = ProductFactory()
    for name in ("Bakkerij Utrecht B.V.", "Zorg Noord B.V."):
        customer = CustomerFactory(name=name, language="nl")
        ContractFactory(customer=customer).products.set([product])
        ContactFactory(customer=customer, receives_breach_notices=True)
    officer = make_user(Role.PRIVACY_OFFICER, email="officer@processor.example")
    staff = make_user(Role.STAFF_MEMBER, email="staff@processor.example")
    incident = incident_report(actor=staff, title="Backup bucket public", description="Open.")
    incident = incident_triage(
        actor=officer,
        incident=incident,
        personal_data_involved=True,
        data_categories="Names",
        likely_consequences="Phishing",
    )
    incident = affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident)
    for _ in range(2):
        Client().post(
            reverse("account_login"), {"login": "staff@processor.example", "password": "wrong"}
        )
    return {"auditor": make_user(Role.AUDITOR, email="auditor@firm.example")}


def page_for(browser: Browser, base: str, user, language: str):
    """A page signed in as `user`, who has chosen `language` (stored on the account, as the
    language switch does: it wins over the browser's)."""
    client = sign_in(Client(), language_stored(user, language))
    context = browser.new_context(
        base_url=base,
        locale=language,
        viewport={"width": 1280, "height": 1000},
        accept_downloads=True,
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


LABELS = {
    "en": {
        "menu": "Audit",
        "search": "Search the history",
        "from": "From",
        "to": "To (inclusive)",
        "what": "What happened",
        "button": "Search",
        "failed": "Sign-in failed",
        "incidents": "All: Incidents",
        "reported": "Incident reported",
        "excel": "Excel workbook",
        "download": "Download",
    },
    "nl": {
        "menu": "Audit",
        "search": "Geschiedenis doorzoeken",
        "from": "Van",
        "to": "Tot en met",
        "what": "Wat er is gebeurd",
        "button": "Zoeken",
        "failed": "Inloggen mislukt",
        "incidents": "Alles: Incidenten",
        "reported": "Incident gemeld",
        "excel": "Excel-werkmap",
        "download": "Downloaden",
    },
}


@pytest.mark.parametrize("language", ["en", "nl"])
def test_auditor_finds_and_exports_a_periods_sign_in_failures(
    site, history, browser: Browser, language
):
    """OBL AU-03: from the menu, the auditor finds today's incident events and failed
    sign-ins, downloads the failures as CSV, and asks for an Excel workbook that is built
    in the background and downloaded from the same page."""
    SHOTS.mkdir(exist_ok=True)
    words = LABELS[language]
    page = page_for(browser, site, history["auditor"], language)
    page.goto("/dashboard/")
    page.get_by_role("link", name=words["menu"], exact=True).first.click()
    page.get_by_role("link", name=words["search"]).click()
    today = local_today().isoformat()  # an Amsterdam day, as the search reads it
    page.get_by_role("textbox", name=words["from"] + ":", exact=True).fill(today)
    page.get_by_role("textbox", name=words["to"] + ":", exact=True).fill(today)
    # The period's incidents first: the whole family of incident events.
    page.get_by_label(words["what"]).select_option(label=words["incidents"])
    page.get_by_role("button", name=words["button"], exact=True).click()
    table = page.locator("table.audit-history tbody")
    expect(table).to_contain_text(words["reported"])
    page.screenshot(path=str(SHOTS / f"audit-search-incidents-{language}.png"), full_page=True)
    # Then the same day's failed sign-ins.
    page.get_by_label(words["what"]).select_option("auth.sign_in_failed")
    page.get_by_role("button", name=words["button"], exact=True).click()
    expect(table.locator("tr")).to_have_count(2)
    expect(table).to_contain_text(words["failed"])
    page.screenshot(path=str(SHOTS / f"audit-search-{language}.png"), full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV", exact=True).click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert [r["action"] for r in rows] == ["auth.sign_in_failed"] * 2

    page.get_by_role("button", name=words["excel"]).click()
    export = HistoryExport.objects.get()
    history_export_build(export_id=export.pk)  # the worker's part
    page.reload()
    with page.expect_download() as download:
        page.get_by_role("link", name=words["download"], exact=True).click()
    assert download.value.suggested_filename.endswith(".xlsx")
    workbook = openpyxl.load_workbook(
        io.BytesIO(Path(download.value.path()).read_bytes()), read_only=True
    )
    values = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert [row[6] for row in values[1:]] == ["auth.sign_in_failed"] * 2
    page.screenshot(path=str(SHOTS / f"audit-search-exports-{language}.png"), full_page=True)
    page.context.close()
