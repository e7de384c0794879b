"""The Audit section's search and its streamed exports (AU-03): filters, people words and
Amsterdam times, exports read back and equal to the search, formula cells neutralised,
every search and export recorded, and a customer's own auditor never sees another
customer."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json

import openpyxl
import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from audits.models import AuditEvent
from audits.services import event_record
from breaches.models import CustomerNotice
from breaches.services import affected_select, incident_notify, incident_report, incident_triage
from compliance.models import ExportState, HistoryExport, OutboxMessage, ProcessorProfile, Role
from compliance.services import contact_update
from tests.auth import sign_in
from tests.factories import ContactFactory, ContractFactory, CustomerFactory, ProductFactory
from web.audit import exports
from web.audit.exports import history_export_build, history_exports_sweep

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
# Monday 2 November 2026, 10:00 in Amsterdam (CET, UTC+1).
NOW = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(make_user):
    with time_machine.travel(NOW, tick=False):
        return _world(make_user)


def _world(make_user):
    ProcessorProfile.objects.create(
        legal_name="Processor B.V.", privacy_email="privacy@processor.example"
    )
    product = ProductFactory()
    acme = CustomerFactory(name="Acme Zorg B.V.", language="en")
    other = CustomerFactory(name='=HYPERLINK("http://evil.example")', language="en")
    for customer in (acme, other):
        ContractFactory(customer=customer).products.set([product])
    acme_contact = ContactFactory(
        customer=acme, email="jan@acme.example", receives_breach_notices=True
    )
    other_contact = ContactFactory(
        customer=other, email="piet@other.example", receives_breach_notices=True
    )
    officer = make_user(Role.PRIVACY_OFFICER, email="officer@processor.example")
    staff = make_user(Role.STAFF_MEMBER, email="staff@processor.example")
    incident = incident_report(actor=staff, title="Backup exposed", description="Public.")
    incident = incident_triage(
        actor=officer,
        incident=incident,
        personal_data_involved=True,
        data_categories="Names",
        likely_consequences="Phishing",
    )
    incident = affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident)
    with time_machine.travel(NOW + datetime.timedelta(days=3), tick=False):
        contact_update(actor=officer, contact=acme_contact, phone="+31 30 000 0000")
    return {
        "acme": acme,
        "other": other,
        "acme_contact": acme_contact,
        "other_contact": other_contact,
        "officer": officer,
        "staff": staff,
        "incident": incident,
        "auditor": make_user(Role.AUDITOR, email="auditor@firm.example"),
        "acme_auditor": make_user(Role.AUDITOR, email="acme-auditor@firm.example", customer=acme),
    }


def signed_in(client, user):
    return sign_in(client, user)


def csv_rows(response) -> list[dict]:
    body = b"".join(response.streaming_content)
    return list(csv.DictReader(io.StringIO(body.decode()))), body


def test_search_filters_by_period_incident_and_action_in_words(client, world):
    """OBL AU-03: the auditor finds a period's events of an incident, in people words and
    Amsterdam times, and the search itself is recorded."""
    signed_in(client, world["auditor"])
    response = client.get(
        reverse("audit_search"),
        {"period_from": "2026-11-02", "period_to": "2026-11-02", "incident": world["incident"].pk},
    )
    assert response.status_code == 200
    table = response.content.decode().split("<tbody>")[1].split("</tbody>")[0]
    assert "Incident reported" in table
    assert "2 November 2026, 10:00" in table  # Amsterdam time, not UTC
    assert "incident.reported" not in table  # no codes for people
    assert "Contact changed" not in table  # another day and another record
    searched = AuditEvent.objects.filter(action="audit.history_searched").get()
    assert searched.actor_id == world["auditor"].pk
    assert searched.after["selection"]["incident"] == world["incident"].pk
    assert searched.after["rows_shown"] > 0


def test_invalid_selection_is_a_form_error_not_a_500(client, world):
    signed_in(client, world["officer"])
    response = client.get(
        reverse("audit_search"), {"period_from": "2026-11-05", "period_to": "2026-11-01"}
    )
    assert response.status_code == 200
    assert "The end of the period lies before its start." in response.content.decode()
    response = client.get(reverse("audit_export_csv"), {"incident": "999999"})
    assert response.status_code == 400


def test_csv_and_json_exports_equal_the_search_and_are_recorded(client, world):
    """OBL AU-03: the CSV and JSON exports of a selection hold exactly the search's events,
    a formula-like name reads back as text, and each export is recorded with the SHA-256
    of the bytes sent."""
    signed_in(client, world["officer"])
    selection = {"incident": world["incident"].pk}
    notices = CustomerNotice.objects.filter(incident=world["incident"])
    messages = OutboxMessage.objects.filter(
        cause_type="breaches.CustomerNotice", cause_id__in=notices.values("pk")
    )
    objects = {("breaches.Incident", str(world["incident"].pk))}
    objects |= {("breaches.CustomerNotice", str(n)) for n in notices.values_list("pk", flat=True)}
    objects |= {("compliance.OutboxMessage", str(m)) for m in messages.values_list("pk", flat=True)}
    expected = {e.pk for e in AuditEvent.objects.all() if (e.object_type, e.object_id) in objects}
    assert len(expected) >= 6
    response = client.get(reverse("audit_export_csv"), selection)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows, body = csv_rows(response)
    assert {int(r["id"]) for r in rows} == expected
    other_rows = [r for r in rows if r["customer_id"] == str(world["other"].pk)]
    assert other_rows and {r["customer"] for r in other_rows} == {
        f"'{world['other'].name} ({world['other'].customer_number})"
    }
    exported = AuditEvent.objects.filter(action="audit.history_exported").get()
    assert exported.after["sha256"] == hashlib.sha256(body).hexdigest()
    assert exported.after["rows"] == len(rows)
    assert exported.after["complete"] is True

    response = client.get(reverse("audit_export_json"), selection)
    body = b"".join(response.streaming_content)
    document = json.loads(body)
    assert {e["id"] for e in document["events"]} == expected
    assert document["selection"] == {"incident": world["incident"].pk}
    notified = next(e for e in document["events"] if e["action"] == "incident.notified")
    assert notified["after"]["notices_created"] == 2
    assert (
        hashlib.sha256(body).hexdigest()
        == (AuditEvent.objects.filter(action="audit.history_exported").latest("id").after["sha256"])
    )


def test_customer_auditor_never_sees_another_customer(client, world):
    """OBL AU-03, ON-02: an auditor engaged by one customer sees its events and, of the
    incident-wide events, only that they happened; staff by role; never the other
    customer's id, name or contact, on the page or in either export."""
    signed_in(client, world["acme_auditor"])
    other = world["other"]
    forbidden = [
        other.name,
        other.customer_number,
        world["other_contact"].email,
        "officer@processor.example",
        "staff@processor.example",
    ]
    page = client.get(reverse("audit_search")).content.decode()
    csv_body = b"".join(client.get(reverse("audit_export_csv")).streaming_content).decode()
    json_body = b"".join(client.get(reverse("audit_export_json")).streaming_content).decode()
    for text in (page, csv_body, json_body):
        for secret in forbidden:
            assert secret not in text
    document = json.loads(json_body)
    assert {e["customer_id"] for e in document["events"]} <= {world["acme"].pk, None}
    assert str(other.pk) not in {str(e["customer_id"]) for e in document["events"]}
    shared = [e for e in document["events"] if e["customer_id"] is None]
    assert shared and all(e["before"] is None and e["after"] is None for e in shared)
    assert {e["actor"] for e in shared} <= {"Privacy officer", "Staff member", "System"}
    assert "Concerns several customers; details not shown." in page
    assert world["acme_contact"].email in csv_body  # its own contact's events are there
    # Another customer's number in the filter is no customer at all.
    response = client.get(reverse("audit_search"), {"customer": other.customer_number})
    assert response.status_code == 200


def test_a_record_at_a_past_moment(client, world):
    """OBL AU-03: each event links to its record's history and its state at that moment."""
    signed_in(client, world["auditor"])
    contact = world["acme_contact"]
    url = reverse("audit_object_history", args=["compliance.Contact", str(contact.pk)])
    before = client.get(url, {"at": (NOW + datetime.timedelta(days=1)).isoformat()})
    assert before.status_code == 200
    assert "+31 30 000 0000" not in before.content.decode().split("Every change")[0]
    now = client.get(url).content.decode()
    assert "+31 30 000 0000" in now.split("Every change")[0]
    assert (
        client.get(reverse("audit_object_history", args=["compliance.Nothing", "1"])).status_code
        == 404
    )


def test_customer_auditor_cannot_open_another_customers_record(client, world):
    signed_in(client, world["acme_auditor"])
    url = reverse(
        "audit_object_history", args=["compliance.Contact", str(world["other_contact"].pk)]
    )
    assert client.get(url).status_code == 404


# --- exports built in the background ------------------------------------------------------


def _request_export(client, fmt: str, **filters):
    return client.post(reverse("audit_export_request"), {"format": fmt, **filters})


def test_xlsx_export_equals_the_csv_split_over_sheets_and_neutralised(client, world, settings):
    """OBL AU-03: the Excel workbook is built in the background, split over sheets past the
    row limit, holds exactly the CSV export's rows, reads a formula-like name back as text,
    and is downloadable only by its requester, with the SHA-256 in its audit event."""
    settings.AUDIT_XLSX_SHEET_ROWS = 4
    signed_in(client, world["officer"])
    filters = {"incident": world["incident"].pk}
    response = _request_export(client, "xlsx", **filters)
    assert response.status_code == 302
    export = HistoryExport.objects.get()
    assert export.state == ExportState.PENDING and export.rows_total >= 6
    assert history_export_build(export_id=export.pk) is not None
    export.refresh_from_db()
    assert export.state == ExportState.DONE
    page = client.get(reverse("audit_search"), filters).content.decode()
    assert reverse("audit_export_download", args=[export.pk]) in page

    download = client.get(reverse("audit_export_download", args=[export.pk]))
    assert download.status_code == 200
    body = download.content
    workbook = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
    sheets = workbook.worksheets
    assert len(sheets) == -(-export.rows_total // 4)
    rows = []
    for sheet in sheets:
        values = list(sheet.iter_rows(values_only=True))
        assert values[0][:3] == ("seq", "id", "occurred_at")
        rows += values[1:]
    csv_export_rows, _body = csv_rows(client.get(reverse("audit_export_csv"), filters))
    assert sorted(int(r[1]) for r in rows) == sorted(int(r["id"]) for r in csv_export_rows)
    names = {r[11] for r in rows if r[11]}
    assert f"'{world['other'].name} ({world['other'].customer_number})" in names
    exported = AuditEvent.objects.filter(
        action="audit.history_exported", after__format="xlsx"
    ).get()
    assert exported.after["sha256"] == hashlib.sha256(body).hexdigest()
    # Nobody else's: another officer does not even see it.
    other_officer = world["auditor"]
    client.logout()
    signed_in(client, other_officer)
    assert client.get(reverse("audit_export_download", args=[export.pk])).status_code == 404


def test_pdf_report_up_to_its_limit_and_refused_beyond(client, world, monkeypatch):
    """OBL AU-03: a PDF report for a small selection (title, selection, table, page x of
    y); a selection over the limit is refused with a message offering CSV or Excel."""
    signed_in(client, world["auditor"])
    filters = {"incident": world["incident"].pk, "action": "incident."}
    _request_export(client, "pdf", **filters)
    export = HistoryExport.objects.get()
    history_export_build(export_id=export.pk)
    export.refresh_from_db()
    assert export.state == ExportState.DONE
    reader = PdfReader(io.BytesIO(bytes(export.document.content)))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Audit history" in text
    assert f"Page 1 of {len(reader.pages)}" in text
    assert "Incident reported" in text and "Incidents" in text  # the selection in words
    assert "incident.reported" not in text

    monkeypatch.setattr("web.audit.exports.PDF_MAX_ROWS", 2)
    response = _request_export(client, "pdf", **filters)
    assert response.status_code == 302
    assert HistoryExport.objects.count() == 1
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("export it as CSV or Excel" in m for m in messages)


def test_an_export_whose_worker_died_is_built_by_the_sweep(client, world):
    """OBL AU-03: an export whose doorbell was lost, or whose worker died holding it, is
    built by the sweep once its lease ran out; never twice."""
    signed_in(client, world["officer"])
    _request_export(client, "xlsx")
    export = HistoryExport.objects.get()
    assert exports._claim(export.pk) is not None  # a worker took it and died
    assert history_exports_sweep() == []  # its lease still holds
    with time_machine.travel(timezone.now() + exports.LEASE + datetime.timedelta(seconds=1)):
        assert history_exports_sweep() == [export.pk]
        assert history_exports_sweep() == []
    export.refresh_from_db()
    assert export.state == ExportState.DONE and export.attempts == 2


def test_pages_go_back_in_time_without_gaps_or_repeats(client, world, monkeypatch):
    """OBL AU-03: the history reads newest first by time (an event recorded later with an
    earlier moment sorts by its moment), and the pages together hold every event once."""
    monkeypatch.setattr("web.audit.search.PAGE_SIZE", 2)
    # Recorded last, but of the earliest moment: it belongs on the last page.
    with time_machine.travel(NOW - datetime.timedelta(days=1)), transaction.atomic():
        late = event_record(actor=world["officer"], action="customer.updated", after={})
    signed_in(client, world["officer"])
    seen, url = [], reverse("audit_search") + "?role=privacy_officer"
    for _ in range(20):
        response = client.get(url)
        rows = response.context["rows"]
        seen += [(row.event.occurred_at, row.event.pk) for row in rows]
        if not response.context["next_url"]:
            break
        url = reverse("audit_search") + response.context["next_url"]
    expected = sorted(
        AuditEvent.objects.filter(role="privacy_officer")
        .exclude(action__startswith="audit.")  # the searches themselves, recorded meanwhile
        .values_list("occurred_at", "pk"),
        reverse=True,
    )
    assert [s for s in seen if s[1] in {pk for _t, pk in expected}] == expected
    assert len(expected) >= 4 and expected[-1][1] == late.pk
