"""The evidence dossier of an incident: PDF/A-3b with its data attached (AU-03, BR-02)."""

import csv
import hashlib
import io
import json
import os
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from pypdf import PdfReader

from breaches.dossier.files import incident_dossier_render
from breaches.dossier.selection import dossiers_for
from breaches.models import DossierRequest
from breaches.tests import dossier_fixtures
from compliance.models import OutboxMessage, Role, StoredDocument
from tests.auth import sign_in

# Fixtures shared with test_dossier_requests.py.
handled = dossier_fixtures.handled
celery_eager = dossier_fixtures.celery_eager


def _read(document):
    reader = PdfReader(io.BytesIO(bytes(document.content)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, text


def test_dossier_has_timeline_notices_decisions_and_attached_data(handled, officer):
    """OBL AU-03: the dossier is a stored PDF/A-3b with the timeline, every notice with its
    recipients, Message-ID and server reply, every decision, and CSV/JSON attached."""
    incident = handled["incident"]
    document = incident_dossier_render(actor=officer, incident=incident)
    assert isinstance(document, StoredDocument) and document.customer is None
    assert document.template_name == "pdf/incident_dossier.html"
    reader, text = _read(document)
    # PDF/A-3b: WeasyPrint writes the PDF/A identification into the XMP metadata.
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"pdfaid:part" in xmp and b"pdfaid:conformance" in xmp
    assert "Timeline" in text
    # People words, not codes: the actions' labels, the customers, the decision's reference
    # is in the attached data (only exceptions are listed per customer).
    assert "Incident reported" in text and "Customers notified" in text
    assert "incident.reported" not in text and "notice.decision_revised" not in text
    assert "Customer's decision revised" in text
    message = (
        OutboxMessage.objects.filter(
            cause_type="breaches.CustomerNotice", cause_id=handled["notice_a"].pk
        )
        .order_by("created_at", "pk")
        .first()
    )
    assert message.accepted_at is not None
    if os.environ.get("DOSSIER_DUMP"):
        Path(os.environ["DOSSIER_DUMP"]).write_bytes(bytes(document.content))

    attachments = reader.attachments
    assert {"dossier.json", "timeline.csv", "messages.csv", "decisions.csv"} <= set(attachments)
    data = json.loads(attachments["dossier.json"][0])
    assert data["incident"]["id"] == incident.pk
    assert {n["customer"]["name"] for n in data["notices"]} == {"Alpha B.V.", "Beta B.V."}
    notice_a = next(n for n in data["notices"] if n["id"] == handled["notice_a"].pk)
    sent = next(m for m in notice_a["messages"] if m["message_id"] == message.message_id)
    assert sent["accepted_at"] and sent["last_reply"]
    assert [d["decision_authority_notified"] for d in notice_a["decision_history"]] == [
        False,
        True,
    ]
    assert data["timeline"] == "timeline.csv"  # the timeline is written once, as CSV
    events = {
        e["event"] for e in csv.DictReader(io.StringIO(attachments["timeline.csv"][0].decode()))
    }
    assert {"incident.reported", "incident.state:notifying", "outbox.accepted"} <= events
    assert "update.update" in events

    rows = list(csv.DictReader(io.StringIO(attachments["messages.csv"][0].decode())))
    assert message.message_id in {r["message_id"] for r in rows}
    timeline = list(csv.DictReader(io.StringIO(attachments["timeline.csv"][0].decode())))
    assert any(r["event"] == "incident.reported" for r in timeline)
    decisions = list(csv.DictReader(io.StringIO(attachments["decisions.csv"][0].decode())))
    assert [r["revision"] for r in decisions] == ["1", "2"]


def test_stored_and_downloadable_by_officer_and_auditor(
    handled, officer, make_user, celery_eager, django_capture_on_commit_callbacks
):
    """OBL AU-03: the processor's auditor downloads the stored dossier; bytes match SHA-256."""
    incident = handled["incident"]
    auditor = make_user(Role.AUDITOR)
    client = sign_in(Client(), auditor)
    # The POST only records the request; the task queued on commit renders it (eager here).
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/incidents/{incident.pk}/dossier/")
    assert response.status_code == 302
    document = dossiers_for(auditor, incident).get()
    assert DossierRequest.objects.get(incident=incident).document == document
    listing = client.get(f"/incidents/{incident.pk}/dossier/")
    assert listing.status_code == 200 and str(document.uuid) in listing.content.decode()
    response = client.get(f"/incidents/{incident.pk}/dossier/{document.uuid}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert hashlib.sha256(response.content).hexdigest() == document.sha256
    # The officer sees the same stored dossier.
    assert dossiers_for(officer, incident).filter(pk=document.pk).exists()


def test_customer_engaged_auditor_gets_only_its_customer(handled, officer, make_user):
    """OBL AU-03: an auditor engaged by a customer gets a dossier filtered to that customer."""
    incident = handled["incident"]
    full = incident_dossier_render(actor=officer, incident=incident)
    auditor = make_user(Role.AUDITOR, customer=handled["a"])
    document = incident_dossier_render(actor=auditor, incident=incident)
    assert document.customer == handled["a"]
    reader, text = _read(document)
    assert "Alpha B.V." in text and "Beta B.V." not in text
    data = json.loads(reader.attachments["dossier.json"][0])
    assert [n["id"] for n in data["notices"]] == [handled["notice_a"].pk]
    timeline = csv.DictReader(io.StringIO(reader.attachments["timeline.csv"][0].decode()))
    assert all(e["customer_id"] in ("", str(handled["a"].pk)) for e in timeline)
    assert "affected_customer_ids" not in data["incident"]
    # It sees its own dossier only, never the full one.
    assert list(dossiers_for(auditor, incident)) == [document]
    client = sign_in(Client(), auditor)
    assert client.get(f"/incidents/{incident.pk}/dossier/{full.uuid}/").status_code == 404
    # Another customer's auditor: the incident does not exist for it.
    other = make_user(Role.AUDITOR, customer=handled["b"])
    client = sign_in(Client(), other)
    assert client.get(f"/incidents/{incident.pk}/dossier/{document.uuid}/").status_code == 404


def test_refused_for_customer_users_and_other_staff(handled, officer, staff, make_user):
    """OBL AU-03: customer users (and staff without audit rights) get no dossier."""
    incident = handled["incident"]
    document = incident_dossier_render(actor=officer, incident=incident)
    for user in (handled["user_a"], make_user(Role.CUSTOMER_ADMIN, customer=handled["a"]), staff):
        with pytest.raises(PermissionDenied):
            incident_dossier_render(actor=user, incident=incident)
        client = sign_in(Client(), user)
        assert client.get(f"/incidents/{incident.pk}/dossier/").status_code == 403
        assert client.post(f"/incidents/{incident.pk}/dossier/").status_code == 403
        url = f"/incidents/{incident.pk}/dossier/{document.uuid}/"
        assert client.get(url).status_code == 403


def test_incident_page_links_to_the_dossier(handled, officer):
    """OBL AU-03: the incident page's Evidence tab links the privacy officer to the dossier
    (the page opens on its summary; the evidence has its own tab)."""
    incident = handled["incident"]
    page = sign_in(Client(), officer).get(f"/incidents/{incident.pk}/?tab=evidence")
    assert page.status_code == 200
    body = page.content.decode()
    assert f'href="/incidents/{incident.pk}/dossier/"' in body
    assert "Evidence dossier (PDF/A with data)" in body


def test_general_document_download_withholds_dossiers(handled, officer, staff, make_user):
    """OBL AU-03: a dossier's UUID opens nothing through the general document download for
    users who may not read the audit trail: not staff members, board members, nor the users
    of the customer a customer-engaged auditor's dossier concerns."""
    incident = handled["incident"]
    full = incident_dossier_render(actor=officer, incident=incident)
    scoped = incident_dossier_render(
        actor=make_user(Role.AUDITOR, customer=handled["a"]), incident=incident
    )
    # A staff member opens no stored documents at all (ON-02 role table): 403.
    for user, document, status in [
        (staff, full, 403),
        (make_user(Role.BOARD_MEMBER), full, 404),
        (handled["user_a"], scoped, 404),
        (make_user(Role.CUSTOMER_ADMIN, customer=handled["a"]), scoped, 404),
    ]:
        client = sign_in(Client(), user)
        assert client.get(f"/documents/{document.uuid}/download/").status_code == status
    client = sign_in(Client(), make_user(Role.AUDITOR))
    assert client.get(f"/documents/{full.uuid}/download/").status_code == 200
