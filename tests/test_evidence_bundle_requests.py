"""Sealed evidence bundles asked for where people look at one record, and bundles of a
change notice and of a period (AU-03): built by the worker, verified by the bundled script
with the system's Python alone; the sealed PDF copies validate as PAdES seals."""

from __future__ import annotations

import datetime
import io
import json
import zipfile

import pytest
import time_machine
from django.urls import reverse

from audits.seal import seal
from compliance.models import ExportFormat, HistoryExport
from compliance.tests.test_seals import _validate, dummy_timestamper
from tests.auth import sign_in
from tests.test_audit_search import NOW, _world
from tests.test_evidence_bundles import _bundle, _letter, _seal_files, run_verifier  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    with time_machine.travel(NOW, tick=False):
        data = _world(make_user)
        data["letter"] = _letter(data)
        data["change"] = _change_notice(data)
        return data


def _change_notice(data):
    """A change notice announced to the world's customers, with their letters stored."""
    from compliance.access import SYSTEM
    from subprocessors.services import (
        change_notice_announce,
        change_notice_draft,
        change_notice_letters_render,
        location_add,
        subprocessor_create,
    )

    product = data["acme"].contracts.first().products.first()
    hosting = subprocessor_create(
        actor=SYSTEM,
        legal_entity="LeaseWeb Netherlands B.V.",
        purpose="Hosting",
        certifications="ISO 27001",
        flow_down_reference="DPA-LW-1",
        flow_down_signed_on=datetime.date(2020, 1, 1),
        products=[product],
        active_since=datetime.date(2012, 1, 1),
    )
    location_add(actor=SYSTEM, subprocessor=hosting, city="Haarlem", country="NL")
    notice = change_notice_draft(
        actor=data["officer"],
        kind="new_location",
        subprocessor=hosting,
        location_city="Amsterdam",
        location_country="NL",
        effective_at=NOW + datetime.timedelta(days=40),
    )
    notice = change_notice_announce(actor=data["officer"], notice=notice)
    assert change_notice_letters_render(notice_id=notice.pk) >= 1
    return notice


def _content(bundle: bytes) -> zipfile.ZipFile:
    outer = zipfile.ZipFile(io.BytesIO(bundle))
    return zipfile.ZipFile(io.BytesIO(outer.read("evidence-bundle.zip")))


@pytest.mark.parametrize("role", ["officer", "auditor"])
def test_the_record_pages_offer_a_bundle_through_the_one_request_route(client, world, role):
    """OBL AU-03: the privacy officer and the auditor find a link from the incident and the
    change notice page to their audit history, where a sealed evidence bundle of that
    record is asked for (the search page's request route, format zip, with the record's
    selection); a customer's history page offers the customer's bundle."""
    user = world[role]
    sign_in(client, user)
    incident, change, acme = world["incident"], world["change"], world["acme"]
    cases = [
        ("breaches.Incident", incident.pk, {"incident": str(incident.pk)}),
        (
            "subprocessors.ChangeNotice",
            change.pk,
            {"object_type": "subprocessors.ChangeNotice", "object_id": str(change.pk)},
        ),
        ("compliance.Customer", acme.pk, {"customer": acme.customer_number}),
    ]
    pages = {
        # On the incident page, the link is in its Evidence tab.
        "breaches.Incident": reverse("incident_detail", args=[incident.pk]) + "?tab=evidence",
        "subprocessors.ChangeNotice": reverse(
            "subprocessors:change_notice_detail", args=[change.pk]
        ),
    }
    for label, pk, selection in cases:
        history_url = reverse("audit_object_history", args=[label, pk])
        if label in pages:
            page = client.get(pages[label]).content.decode()
            assert f'href="{history_url}"' in page, label
        page = client.get(history_url)
        assert page.status_code == 200
        text = page.content.decode()
        assert 'name="format" value="zip"' in text
        assert seal().fingerprint in text
        for name, value in selection.items():
            assert f'name="{name}" value="{value}"' in text, (label, name)
        response = client.post(reverse("audit_export_request"), {"format": "zip", **selection})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("audit_search") + "?")
        export = HistoryExport.objects.filter(requested_by=user).latest("pk")
        assert export.format == ExportFormat.BUNDLE
        assert export.params == {k: [v] for k, v in selection.items()}
    # Records a bundle is not made for (a contact) offer none.
    contact_history = client.get(
        reverse("audit_object_history", args=["compliance.Contact", world["acme_contact"].pk])
    )
    assert 'value="zip"' not in contact_history.content.decode()


def test_staff_without_audit_rights_see_no_link(client, world, make_user):
    """OBL AU-03: whether the link shows is decided by the right to read the audit section."""
    from compliance.models import Role

    sign_in(client, make_user(Role.BOARD_MEMBER, email="board@processor.example"))
    page = client.get(reverse("subprocessors:change_notice_detail", args=[world["change"].pk]))
    assert page.status_code == 200
    assert "audit_object_history" not in page.content.decode()
    assert "/audit/history/" not in page.content.decode()


def test_customer_auditor_history_page_offers_its_own_customer_only(client, world):
    """OBL AU-03: an auditor engaged by one customer is offered that customer's bundle (its
    scope is the selection) and none for another customer's record."""
    from audits.services import event_record

    event_record(
        actor=world["officer"],
        action="customer.updated",
        obj=world["acme"],
        after={"name": world["acme"].name},
        customer_id=world["acme"].pk,
    )
    sign_in(client, world["acme_auditor"])
    own = client.get(
        reverse("audit_object_history", args=["compliance.Customer", world["acme"].pk])
    )
    assert own.status_code == 200 and 'value="zip"' in own.content.decode()
    other = client.get(
        reverse("audit_object_history", args=["compliance.Customer", world["other"].pk])
    )
    assert other.status_code == 404


def test_change_notice_bundle_verifies_with_the_system_python(client, world, tmp_path):
    """OBL AU-03: a bundle for a change notice holds its events and every customer's letter;
    the bundled script, run by /usr/bin/python3 -I, verifies it."""
    change = world["change"]
    export, bundle = _bundle(
        client,
        world["officer"],
        object_type="subprocessors.ChangeNotice",
        object_id=str(change.pk),
    )
    content = _content(bundle)
    manifest = json.loads(content.read("manifest.json"))
    letters = set(change.recipients.values_list("letter__sha256", flat=True))
    assert letters and letters <= {d["sha256"] for d in manifest["documents"]}
    events = [json.loads(x) for x in content.read("events.jsonl").decode().splitlines()]
    assert events and all(e["object_type"] == "subprocessors.ChangeNotice" for e in events)
    assert {e["action"] for e in events} >= {"change_notice.announced"}
    result = run_verifier(bundle, tmp_path, seal().fingerprint)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "VERIFIED: every check passed." in result.stdout


def test_period_bundle_verifies_and_holds_the_period_only(client, world, tmp_path):
    """OBL AU-03: a bundle for a period (Amsterdam days) holds that period's events and the
    documents made in it, and verifies with the system's Python."""
    export, bundle = _bundle(
        client, world["auditor"], period_from="2026-11-02", period_to="2026-11-02"
    )
    content = _content(bundle)
    events = [json.loads(x) for x in content.read("events.jsonl").decode().splitlines()]
    assert events
    day_start = datetime.datetime(2026, 11, 1, 23, 0, tzinfo=datetime.UTC)
    assert all(
        day_start
        <= datetime.datetime.fromisoformat(e["occurred_at"])
        < day_start + datetime.timedelta(days=1)
        for e in events
    )
    assert "contact.updated" not in {e["action"] for e in events}  # three days later
    manifest = json.loads(content.read("manifest.json"))
    assert manifest["documents"]  # the incident's letter and the change notice's letters
    result = run_verifier(bundle, tmp_path, seal().fingerprint)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "VERIFIED: every check passed." in result.stdout


def test_sealed_copies_in_a_bundle_validate_as_pades_seals(client, world, monkeypatch):
    """OBL AU-03: every sealed PDF beside the content, sealed with a timestamping service
    (pyHanko's DummyTimeStamper here), validates with pyhanko.sign.validation against the
    seal certificate, holds its original unchanged and carries a valid timestamp."""
    import compliance.seals

    timestamper, tsa_cert = dummy_timestamper()
    monkeypatch.setattr(compliance.seals, "configured_timestamper", lambda: timestamper)
    _, bundle = _bundle(client, world["officer"], incident=world["incident"].pk)
    outer = zipfile.ZipFile(io.BytesIO(bundle))
    content = _content(bundle)
    sealed = [n for n in outer.namelist() if n.startswith("sealed/")]
    assert sealed
    for name in sealed:
        data = outer.read(name)
        assert data.startswith(content.read("documents/" + name.removeprefix("sealed/")))
        _, status = _validate(data, tsa_cert=tsa_cert)
        assert status.intact and status.valid and status.trusted, status.pretty_print_details()
        assert status.timestamp_validity is not None and status.timestamp_validity.valid


def _other_letter(data, issued_at) -> int:
    """A letter for the other customer's notice of the incident, issued (and recorded in the
    chain) now, with the given moment as its creation time."""
    from weasyprint import HTML

    from breaches.models import CustomerNotice
    from compliance.documents import document_build, documents_store

    notice = CustomerNotice.objects.get(incident=data["incident"], customer=data["other"])
    document = document_build(
        content=HTML(string="<h1>Late letter</h1>").write_pdf(),
        title="Late letter",
        filename="late-letter.pdf",
        template_name="test",
        template_version="1",
        language="en",
        issued_at=issued_at,
        customer=data["other"],
        actor=data["officer"],
    )
    [stored] = documents_store(documents=[document], actor=data["officer"])
    CustomerNotice.objects.filter(pk=notice.pk).update(letter=stored)
    return stored.pk


def test_documents_are_limited_by_their_own_chain_position(world):
    """OBL AU-03: a document is in a bundle when the event recording its issue sits at or
    before the head; one issued after the head is left out even when its stated creation
    time lies before the head's moment."""
    from audits.models import AuditEvent, ChainHead
    from audits.services import audit_seal
    from compliance.models import StoredDocument
    from web.audit.bundle_content import bundle_content
    from web.audit.history import HistoryFilterForm

    audit_seal()
    head = ChainHead.objects.get()
    head_time = AuditEvent.objects.get(seq=head.seq).occurred_at
    late = _other_letter(world, issued_at=head_time - datetime.timedelta(days=1))
    audit_seal()
    issued = AuditEvent.objects.get(action="document.issued", object_id=str(late))
    assert issued.seq > head.seq
    form = HistoryFilterForm.for_params(
        {"incident": [str(world["incident"].pk)]}, user=world["officer"]
    )
    assert form.is_valid()
    content = bundle_content(
        form=form, head_seq=head.seq, head_hash=head.chain_hash, language="en", words=[]
    )
    listed = {d["sha256"]: d for d in content.manifest["documents"]}
    assert StoredDocument.objects.get(pk=late).sha256 not in listed
    letter = world["letter"]
    assert listed[letter.sha256]["issued_seq"] <= head.seq
    later = bundle_content(
        form=form, head_seq=issued.seq, head_hash=issued.chain_hash, language="en", words=[]
    )
    assert StoredDocument.objects.get(pk=late).sha256 in {
        d["sha256"] for d in later.manifest["documents"]
    }


def test_an_erased_document_is_named_in_words_and_reported_not_failed(client, world, tmp_path):
    """OBL AU-03: a document whose content was erased at the end of its retention is listed
    in the manifest with its SHA-256, size and a note saying so in words; the verifier
    reports it as erased, and the bundle still verifies."""
    from compliance.models import StoredDocument

    letter = world["letter"]
    erased_at = NOW + datetime.timedelta(days=400)
    assert StoredDocument.objects.filter(pk=letter.pk).content_erase(at=erased_at) == 1
    _, bundle = _bundle(client, world["officer"], incident=world["incident"].pk)
    content = _content(bundle)
    manifest = json.loads(content.read("manifest.json"))
    [entry] = [d for d in manifest["documents"] if d["sha256"] == letter.sha256]
    assert entry["erased"] is True and entry["file"] is None and entry["size"] == letter.size
    assert entry["note"] == (
        "The content was erased on 7 December 2027, 10:00 CET at the end of its retention "
        "period; the SHA-256 and size identify what was issued."
    )
    assert not any(letter.filename in n for n in content.namelist())
    result = run_verifier(bundle, tmp_path, seal().fingerprint)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "FAIL" not in result.stdout
    assert "NOTE  1 document(s) listed without content: erased at the end of their " in (
        result.stdout
    )
    assert letter.sha256 in result.stdout
    assert "VERIFIED: every check passed." in result.stdout
