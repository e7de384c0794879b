"""People never see internal codes, and read every moment one way (issue 17), in the PDFs the
page sweep (tests/test_no_codes.py) cannot open because they are built on request or in the
background: the evidence dossier, the audit history export and the KPI report, the audit
samples' pages, the authority draft, the customer's own records, the record of processing and
the deletion certificate. Each is built through its real service or view, in English and in
Dutch, from the sweep's world, read back with pypdf and checked with the sweep's checker.

A moment printed for people reads "4 December 2026, 16:49 CET" (`compliance.moments`): never
an ISO timestamp, microseconds or UTC. The dossier's embedded JSON and CSV files keep machine
formats; only the pages' text is read here.
"""

import datetime
import io
import os
import re
from pathlib import Path

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from breaches.dossier.files import dossier_build
from breaches.models import CustomerNotice
from compliance.models import Contract, Customer, Role, User
from processing.services.contract_end import contract_end_record, deletion_confirm
from processing.services.record_export import record_export
from tests import test_no_codes as sweep
from tests.auth import sign_in
from tests.no_codes_world import person
from tests.test_no_codes import LANGUAGES, _client, codes_in, visible_text
from web.audit.exports import history_export_build, history_export_request

world = sweep.world  # the sweep's world, built once for this module too

MONTHS = {
    "en": "January|February|March|April|May|June|July|August|September|October|November|December",
    "nl": "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december",
}
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
ISO_DAY = re.compile(r"(?<![\w-])\d{4}-\d{2}-\d{2}(?![\w-])")
MICROSECONDS = re.compile(r"\d{2}:\d{2}:\d{2}[.,]\d")
UTC = re.compile(r"\d:\d{2}(?::\d{2})? ?(?:UTC|GMT|Z)\b|\+00:00")
TIME = re.compile(r"(?<![\d:])\d{1,2}:\d{2}(?::\d{2})?(?![\d:])")


def moment_problems(text: str, language: str) -> list[str]:
    """Moments not written "4 December 2026, 16:49 CET" (seconds allowed for evidence)."""
    text = " ".join(text.split())
    found = [f"ISO: {m}" for m in ISO_MOMENT.findall(text) + ISO_DAY.findall(text)]
    found += [f"microseconds: {m}" for m in MICROSECONDS.findall(text)]
    found += [f"UTC: {m}" for m in UTC.findall(text)]
    moment = re.compile(
        rf"\d{{1,2}} (?:{MONTHS[language]}) \d{{4}},? ?(\d{{1,2}}:\d{{2}}(?::\d{{2}})?) CES?T"
    )
    proper = {match.start(1) for match in moment.finditer(text)}
    found += [
        f"moment not in the one format: {text[max(0, m.start() - 30) : m.end() + 8]!r}"
        for m in TIME.finditer(text)
        if m.start() not in proper
    ]
    return found


def check(text: str, language: str) -> list[str]:
    return [f"code: {code}" for code in codes_in(text)] + moment_problems(text, language)


def people_text(content: bytes) -> str:
    """The PDF's text without what is set in the monospaced font: a stored audit payload (an
    event's before/after as recorded, `.payload`) and hashes are evidence shown verbatim, left
    out as the page sweep leaves out `<pre class="payload">`."""
    parts = []

    def visit(text, _cm, _tm, font, _size):
        name = str((font or {}).get("/BaseFont", ""))
        parts.append(" " if "Mono" in name else text)

    for page in PdfReader(io.BytesIO(content)).pages:
        page.extract_text(visitor_text=visit)
        parts.append("\n")
    return "".join(parts)


def pdf_checked(content: bytes, language: str, name: str) -> list[str]:
    """The problems of one PDF; kept in $NO_CODES_PDF_DIR (if set) to be looked at."""
    if folder := os.environ.get("NO_CODES_PDF_DIR"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / f"{name}-{language}.pdf").write_bytes(content)
    return [f"{name}: {problem}" for problem in check(people_text(content), language)]


@pytest.fixture
def sealed(settings, tmp_path):
    settings.EVIDENCE_SEAL_KEY_FILE = str(tmp_path / "seal" / "key.pem")
    settings.EVIDENCE_SEAL_CERT_FILE = str(tmp_path / "seal" / "certificate.pem")
    settings.EVIDENCE_TSA_URL = ""


def _speaking(role: str, language: str) -> User:
    user = person(role)
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language
    return user


def _pdf(response) -> bytes:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/pdf")
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_dossier_shows_words_and_moments(world, sealed, language):
    """OBL AU-03: the evidence dossier's pages (the processor's full one and a closed
    incident's) show words and moments written one way, never a code."""
    officer = _speaking(Role.PRIVACY_OFFICER, language)
    problems = []
    for incident in (world["incident"], world["closed"]):
        document = dossier_build(actor=officer, incident=incident)
        problems += pdf_checked(bytes(document.content), language, f"dossier-{incident.pk}")
    assert problems == [], "\n".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_history_export_pdf_shows_words(world, language):
    """OBL AU-03: the audit history's PDF export (built as the worker does) shows each
    event's action, kind of record and selection in words and its moment in the one format.
    One customer's history (its notices, decisions, objections, records of processing and
    instructions) keeps the report short; the page sweep reads the whole trail."""
    officer = _speaking(Role.PRIVACY_OFFICER, language)
    number = world["customers"][0].customer_number
    params = QueryDict(f"customer={number}")
    export = history_export_request(actor=officer, params=params, format="pdf")
    export = history_export_build(export_id=export.pk)
    assert export is not None and export.document is not None
    problems = pdf_checked(bytes(export.document.content), language, "audit-history")
    assert problems == [], "\n".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_kpi_report_pdf_shows_words(world, language):
    """OBL AU-03: the KPI report's PDF for the last year shows words, never a code."""
    client = _client(Role.PRIVACY_OFFICER, language)
    today = timezone.localdate()
    query = {"date_from": (today - datetime.timedelta(days=365)).isoformat()}
    content = _pdf(client.get(reverse("audit_kpi_pdf"), {**query, "date_to": today.isoformat()}))
    problems = pdf_checked(content, language, "audit-kpi")
    assert problems == [], "\n".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_audit_samples_show_words(world, language):
    """OBL AU-03: a drawn sample of each population, as its page shows it, names its members
    in words (the sample's CSV and JSON keep codes for machines)."""
    client = _client(Role.AUDITOR, language)
    today = timezone.localdate()
    problems = []
    for kind in ("incident", "notice", "change_notice"):
        response = client.post(
            reverse("audit_samples"),
            {
                "kind": kind,
                "period_from": (today - datetime.timedelta(days=30)).isoformat(),
                "period_to": today.isoformat(),
                "size": 5,
                "seed": "issue-17",
            },
        )
        assert response.status_code == 302, kind
        page = client.get(response["Location"])
        assert page.status_code == 200
        text = visible_text(page.content.decode())
        problems += [f"{kind}: {problem}" for problem in check(text, language)]
    assert problems == [], "\n".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_authority_draft_pdf_shows_words(world, language):
    """OBL BR-04: the authority draft, in the customer's language, shows words, never a
    code (the authority's name, not "ap")."""
    notice = CustomerNotice.objects.filter(
        incident=world["incident"], customer__users__role=Role.CUSTOMER_ADMIN
    ).first()
    Customer.objects.filter(pk=notice.customer_id).update(language=language)
    admin = User.objects.filter(customer=notice.customer, role=Role.CUSTOMER_ADMIN).first()
    User.objects.filter(pk=admin.pk).update(language=language)
    client = sign_in(_client(None, language), admin)
    content = _pdf(client.get(reverse("authority_draft_pdf", args=[notice.pk])))
    problems = pdf_checked(content, language, "authority-draft")
    assert problems == [], "\n".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_customer_export_pdf_shows_words(world, language):
    """OBL DS-01: a customer's own records as PDF show words (the CSV keeps codes)."""
    client = _client(Role.CUSTOMER_ADMIN, language)
    content = _pdf(client.get(reverse("portal_customer_export_pdf")))
    problems = pdf_checked(content, language, "customer-export")
    assert problems == [], "\n".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_record_of_processing_pdf_shows_words(world, language):
    """OBL RP-01: the record of processing (all customers, and one) shows words."""
    officer = _speaking(Role.PRIVACY_OFFICER, language)
    problems = []
    for customer in (None, world["customers"][0]):
        content, kind, _name = record_export(
            actor=officer, customer=customer, format="pdf", language=language
        )
        assert kind == "application/pdf"
        problems += pdf_checked(content, language, f"record-{customer.pk if customer else 'all'}")
    assert problems == [], "\n".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_deletion_certificate_shows_words(world, language):
    """OBL RT-01: the certificate of deletion, in the customer's language, shows words and
    moments written one way."""
    contract = Contract.objects.select_related("customer").order_by("pk")[LANGUAGES.index(language)]
    Customer.objects.filter(pk=contract.customer_id).update(language=language)
    deletion = contract_end_record(
        actor=person(Role.PRIVACY_OFFICER),
        contract_id=contract.pk,
        ends_on=timezone.localdate() - datetime.timedelta(days=400),
    )
    deletion = deletion_confirm(
        actor=person(Role.ICT_MANAGER), deletion=deletion, what="Database and file store"
    )
    assert deletion.certificate.language == language
    problems = pdf_checked(bytes(deletion.certificate.content), language, "deletion-certificate")
    assert problems == [], "\n".join(problems)
