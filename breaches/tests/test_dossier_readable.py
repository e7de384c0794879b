"""The evidence dossier reads in a minute and costs the same for many customers (AU-03,
BR-02): a summary first, contents and numbered pages, people words and Amsterdam times,
per-customer rows only for exceptions, every recipient in the attachments, sealed."""

import csv
import datetime
import hashlib
import io
import json
import os
import re
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from audits.actions import AuditAction
from audits.models import AuditEvent, ChainHead
from audits.seal import seal
from breaches.dossier.files import dossier_build, incident_dossier_render
from breaches.models import CustomerNotice, NoticeState
from breaches.services import (
    affected_select,
    incident_notify,
    incident_report,
    incident_triage,
    notice_out_of_band_record,
)
from breaches.tests import dossier_fixtures
from compliance.models import Contact, OutboxMessage, Role
from compliance.outbox import outbox_sweep
from compliance.seals import outside_event_loop
from tests.factories import ProductFactory

handled = dossier_fixtures.handled
read_pdf = dossier_fixtures.read_pdf

REASON = "The only contact address bounced; the director was phoned on day three."
# Codes people never read: audit actions, notice states and how a customer was informed.
CODES = [a.value for a in AuditAction] + ["out_of_band", "informed_how", "notice.state"]
MICROSECONDS = re.compile(r"\d{2}:\d{2}:\d{2}[.,]\d+")
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@pytest.fixture(autouse=True)
def _seal_files(settings, tmp_path):
    settings.EVIDENCE_SEAL_KEY_FILE = str(tmp_path / "seal" / "key.pem")
    settings.EVIDENCE_SEAL_CERT_FILE = str(tmp_path / "seal" / "certificate.pem")
    settings.EVIDENCE_TSA_URL = ""


def _notified(*, staff, officer, product, make_customer, count: int):
    """An incident whose `count` customers (with `product`) are selected."""
    incident = incident_report(actor=staff, title="Ransomware", description="Files encrypted.")
    incident_triage(actor=officer, incident=incident, personal_data_involved=True)
    customers = [
        make_customer(product, language="en" if i % 2 else "nl", name=f"Customer {i:02d} B.V.")
        for i in range(count)
    ]
    affected_select(actor=officer, incident=incident, rule="product", products=[product])
    return incident, customers


@pytest.fixture
def troubled(clock, staff, officer, processor, product, make_customer, smtp_server):
    """Three customers: two informed by mail in time, one whose address was refused and who
    was phoned 50 hours after discovery (late, with its reason, informed another way)."""
    incident, customers = _notified(
        staff=staff, officer=officer, product=product, make_customer=make_customer, count=3
    )
    refused = customers[2]
    for contact in Contact.objects.filter(customer=refused):
        smtp_server.handler.rcpt_replies[contact.email.lower()] = "550 5.1.1 No such user"
    incident_notify(actor=officer, incident=incident)
    outbox_sweep()
    clock.shift(datetime.timedelta(hours=50))
    notice = CustomerNotice.objects.get(customer=refused)
    assert notice.informed_at is None
    notice_out_of_band_record(
        actor=officer, notice=notice, note="Phoned J. Jansen", late_reason=REASON
    )
    incident.refresh_from_db()
    return {"incident": incident, "customers": customers, "refused": refused}


def _dump(name: str, document) -> None:
    """DOSSIER_DUMP_DIR=/some/folder keeps the PDFs to look at (pdftoppm -png -r 60)."""
    folder = os.environ.get("DOSSIER_DUMP_DIR")
    if folder:
        (Path(folder) / f"{name}.pdf").write_bytes(bytes(document.content))


def _lines(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_summary_says_share_in_time_and_names_the_late_with_reasons(troubled, officer):
    """OBL AU-03, BR-02: the first page tells who was informed when — the share of the
    affected customers informed within 48 hours of discovery — and names each late one with
    its reason; decisions and the audit chain head (position and hash) are on it too."""
    document = incident_dossier_render(actor=officer, incident=troubled["incident"])
    reader, _ = read_pdf(bytes(document.content))
    first = _lines(reader.pages[0].extract_text())
    assert "2 of 3 affected customers (66.7 %) were informed within 48 hours" in first
    assert "1 customer was informed late:" in first
    assert troubled["refused"].name in first and REASON[:40] in first
    assert "after the deadline" in first
    assert "customers recorded a decision" in first or "customers recorded a decision" in _lines(
        reader.pages[1].extract_text()
    )
    head = ChainHead.objects.get()
    issued = AuditEvent.objects.get(action="document.issued", object_id=str(document.pk))
    summary = _lines(" ".join(p.extract_text() for p in reader.pages[:2]))
    built_from = int(re.search(r"up to position (\d+)", summary).group(1))
    assert built_from <= head.seq
    # The chain hash printed is the sealed head's hash at that position.
    sealed = AuditEvent.objects.get(seq=built_from)
    assert sealed.chain_hash in summary.replace(" ", "")
    # The dossier's own issue comes after the position it was built from.
    issued_seq = issued.seq or (head.seq + 1)
    assert issued_seq > built_from


def test_no_codes_no_microseconds_and_pages_numbered(troubled, officer):
    """OBL AU-03: people words and Amsterdam times — no action codes, states or UTC
    timestamps with microseconds in the PDF — and every page says "page x of y"; the
    contents point at the sections' pages."""
    document = incident_dossier_render(actor=officer, incident=troubled["incident"])
    reader, text = read_pdf(bytes(document.content))
    for code in CODES:
        assert code not in text, code
    assert not MICROSECONDS.search(text) and not ISO_MOMENT.search(text)
    assert "UTC" not in text.replace("in UTC", "")  # only the attachments' note names UTC
    assert "CEST" in text or "CET" in text
    pages = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        assert f"page {number} of {pages}" in page.extract_text()
    assert "Contents" in text and re.search(r"1\. The incident\s*\.+\s*\d", text)


def test_dossier_in_dutch(troubled, officer):
    """OBL AU-03: the reader's language: a Dutch-speaking officer's dossier has Dutch month
    names and the Amsterdam zone."""
    officer.language = "nl"
    officer.save()
    document = incident_dossier_render(actor=officer, incident=troubled["incident"])
    _dump("troubled-nl", document)
    _, text = read_pdf(bytes(document.content))
    assert document.language == "nl"
    assert "september 2026" in text and "CEST" in text
    assert not MICROSECONDS.search(text)


def test_per_customer_rows_only_for_exceptions(troubled, officer):
    """OBL AU-03, BR-02: customers informed in time by mail have no row of their own; the
    late one, its refused message and its out-of-band notice are listed with the server's
    reply and the reason."""
    document = incident_dossier_render(actor=officer, incident=troubled["incident"])
    _dump("troubled-en", document)
    _, text = read_pdf(bytes(document.content))
    flat = _lines(text)
    fine = [c for c in troubled["customers"] if c != troubled["refused"]]
    for customer in fine:
        assert customer.name not in text
    refused = troubled["refused"]
    assert flat.count(refused.name) >= 3  # late, refused message, informed another way
    assert "550 5.1.1 No such user" in flat
    assert "Phoned J. Jansen" in flat


def test_nothing_went_wrong_lists_no_customer(handled, officer):
    """OBL AU-03: when nothing went wrong the sections say so and name no customer."""
    document = incident_dossier_render(actor=officer, incident=handled["incident"])
    _, text = read_pdf(bytes(document.content))
    assert "Nothing went wrong" in _lines(text)
    assert "Alpha B.V." not in text and "Beta B.V." not in text


def test_attachments_hold_every_recipient(troubled, officer):
    """OBL AU-03, BR-02: every notice and every message (recipient, Message-ID, reply) is in
    the attached JSON and CSV, and the PDF lists each file's SHA-256."""
    incident = troubled["incident"]
    document = incident_dossier_render(actor=officer, incident=incident)
    reader, text = read_pdf(bytes(document.content))
    files = {name: content[0] for name, content in reader.attachments.items()}
    assert set(files) == {"dossier.json", "timeline.csv", "messages.csv", "decisions.csv"}
    flat = _lines(text).replace(" ", "")
    for content in files.values():
        assert hashlib.sha256(content).hexdigest() in flat
    data = json.loads(files["dossier.json"])
    assert data["format_version"] == 2
    assert {n["id"] for n in data["notices"]} == set(incident.notices.values_list("pk", flat=True))
    messages = OutboxMessage.objects.filter(
        cause_type="breaches.CustomerNotice", cause_id__in=incident.notices.values("pk")
    )
    rows = list(csv.DictReader(io.StringIO(files["messages.csv"].decode())))
    assert sorted(r["message_id"] for r in rows) == sorted(
        messages.values_list("message_id", flat=True)
    )
    assert {r["to_email"] for r in rows} == set(messages.values_list("to_email", flat=True))
    in_json = [m["message_id"] for n in data["notices"] for m in n["messages"]]
    assert sorted(in_json) == sorted(r["message_id"] for r in rows)
    timeline = list(csv.DictReader(io.StringIO(files["timeline.csv"].decode())))
    assert {r["event"] for r in timeline} >= {"incident.reported", "notice.out_of_band_recorded"}
    assert all(r["event_label"] for r in timeline)
    assert data["chain_head"]["seq"] >= max(
        json.loads(e["detail"])["seq"] for e in timeline if e["source"] == "audit"
    )


def test_sealed_with_the_processors_seal(troubled, officer):
    """OBL AU-03: the stored dossier is the sealed PDF: its PAdES seal validates against the
    processor's seal certificate, its SHA-256 is of the sealed bytes, and the attachments
    are still in it."""
    document = incident_dossier_render(actor=officer, incident=troubled["incident"])
    content = bytes(document.content)
    assert hashlib.sha256(content).hexdigest() == document.sha256
    pdf = PdfFileReader(io.BytesIO(content))
    [signature] = pdf.embedded_signatures
    certificate = asn1_x509.Certificate.load(
        seal().certificate.public_bytes(serialization.Encoding.DER)
    )
    status = outside_event_loop(
        lambda: validate_pdf_signature(
            signature, signer_validation_context=ValidationContext(trust_roots=[certificate])
        )
    )
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name in ("ENTIRE_FILE", "ENTIRE_REVISION")
    reader, _ = read_pdf(content)
    assert {"dossier.json", "messages.csv"} <= set(reader.attachments)


def test_cost_is_flat_in_the_number_of_customers(
    clock, staff, officer, processor, product, make_customer, smtp_server
):
    """OBL AU-03: the same number of queries and the same number of pages for 2 customers
    and for 8, when nothing went wrong (bulk reads, no query per notice)."""
    measured = []
    for count in (2, 8):
        own = ProductFactory(code=f"p{count}", name=f"Product {count}")
        incident, _ = _notified(
            staff=staff, officer=officer, product=own, make_customer=make_customer, count=count
        )
        incident_notify(actor=officer, incident=incident)
        outbox_sweep()
        incident.refresh_from_db()
        assert incident.notices.filter(informed_at__isnull=False).count() == count
        with CaptureQueriesContext(connection) as queries:
            document = dossier_build(actor=officer, incident=incident)
        reader, _ = read_pdf(bytes(document.content))
        measured.append((len(queries), len(reader.pages)))
    assert measured[0] == measured[1], measured


def test_headings_keep_their_first_rows(troubled, officer):
    """OBL AU-03: a section heading never ends a page: every page's last line of text (above
    the footer) is not a heading."""
    document = incident_dossier_render(actor=officer, incident=troubled["incident"])
    reader, _ = read_pdf(bytes(document.content))
    headings = re.compile(
        r"^(\d\. .+|Informed late|Not informed \(yet\)|Messages not delivered|"
        r"Informed another way|Events about single customers)$"
    )
    for page in reader.pages:
        lines = [ln.strip() for ln in page.extract_text().splitlines() if ln.strip()]
        body = [ln for ln in lines if not ln.startswith("Reference ") and " of " not in ln[-12:]]
        assert body and not headings.match(body[-1]), body[-3:]
        # A heading with an introduction keeps its table's first rows on the same page.
        if "6. Timeline" in body:
            assert any(ln.startswith("Time Event By") for ln in body), body[-3:]


def test_state_labels_are_words(troubled):
    """OBL AU-03: every notice state has a label in words (the exceptions show them)."""
    assert all(str(label) != value for value, label in NoticeState.choices)


def test_customer_engaged_auditor_sees_its_notice_in_detail(troubled, make_user):
    """OBL AU-03: a dossier limited to one customer shows that customer's notice in detail
    (messages with their Message-ID, decisions), still in people words."""
    refused = troubled["refused"]
    auditor = make_user(Role.AUDITOR, customer=refused)
    document = incident_dossier_render(actor=auditor, incident=troubled["incident"])
    _, text = read_pdf(bytes(document.content))
    message = OutboxMessage.objects.filter(customer=refused).first()
    assert message.message_id in _lines(text).replace(" ", "")
    assert "The customer's notice" in text
    others = [c for c in troubled["customers"] if c != refused]
    assert all(c.name not in text for c in others)
