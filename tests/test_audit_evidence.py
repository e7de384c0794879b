"""OBL AU-03: evidence by ISO/IEC 27001:2022 control — the page (English and Dutch) and its
CSV and JSON exports, with the records that show each control working and failing, scoped
for an auditor engaged by one customer."""

import csv
import datetime
import hashlib
import io
import json
import re

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audits.models import AuditEvent
from audits.services import audit_seal, event_record
from audits.tests.conftest import tamper
from compliance.models import OutboxMessage, Role
from tests.auth import language_stored, sign_in
from tests.factories import CustomerFactory, UserFactory
from web.audit.controls import CHECKS, CONTROLS, OBLIGATIONS
from web.audit.evidence_checks import RECORD_QUERIES

OBLIGATION_ID = re.compile(r"\b(?:BR|SP|AC|AU|ON|RT|DS|IN|CT)-\d\d\b")
OTHER_NAME = "Anderzijds Onderwijs B.V."
FORMULA_TITLE = "=HYPERLINK(evil) backup bucket public"


@pytest.fixture
def audit_world(db):
    """Two customers; an incident that informed Acme late and never reached the other
    customer (every message failed, an open delivery alert); an announced change whose
    effective moment passed with each customer's objection still open."""
    from breaches.models import CustomerNotice, Incident
    from breaches.services.common import NOTICE_CAUSE
    from subprocessors.models import (
        ChangeNotice,
        ChangeNoticeRecipient,
        ChangeNoticeState,
        Objection,
        Subprocessor,
    )

    now = timezone.now()
    acme = CustomerFactory(name="Acme Zorg B.V.", customer_number="80001")
    other = CustomerFactory(name=OTHER_NAME, customer_number="80002")
    officer = UserFactory(role=Role.PRIVACY_OFFICER)
    auditor = UserFactory(role=Role.AUDITOR)
    engaged = UserFactory(role=Role.AUDITOR, customer=acme)
    acme_admin = UserFactory(role=Role.CUSTOMER_ADMIN, customer=acme)
    other_admin = UserFactory(role=Role.CUSTOMER_ADMIN, customer=other)
    discovered = now - datetime.timedelta(days=10)
    incident = Incident.objects.create(
        title=FORMULA_TITLE,
        description="A backup bucket was public.",
        reported_by=officer,
        discovered_at=discovered,
        reported_at=discovered,
        customer_due_at=discovered + datetime.timedelta(hours=48),
        triaged_at=discovered + datetime.timedelta(hours=2),
        notified_at=discovered + datetime.timedelta(hours=60),
    )
    incident.affected_customers.set([acme, other])
    late = CustomerNotice.objects.create(
        incident=incident,
        customer=acme,
        notified_at=discovered + datetime.timedelta(hours=60),
        informed_at=discovered + datetime.timedelta(hours=61),
        aware_at=discovered + datetime.timedelta(hours=61),
        authority_due_at=discovered + datetime.timedelta(hours=133),
        late=True,
        late_reason="The mail server was down.",
    )
    undelivered = CustomerNotice.objects.create(
        incident=incident,
        customer=other,
        notified_at=discovered + datetime.timedelta(hours=60),
        undelivered_at=discovered + datetime.timedelta(hours=70),
    )
    CustomerNotice.objects.filter(pk=undelivered.pk).update(state="failed")
    alert = OutboxMessage.objects.create(
        key=f"evidence:notice:{undelivered.pk}",
        message_id="<evidence.1@processor.example>",
        customer=other,
        to_email="privacy@other.example",
        language="nl",
        subject="Beveiligingsincident",
        body_text="Beveiligingsincident",
        status="failed",
        failed_at=discovered + datetime.timedelta(hours=70),
        escalated_at=discovered + datetime.timedelta(hours=70),
        escalation_reason="refused",
        cause_type=NOTICE_CAUSE,
        cause_id=undelivered.pk,
    )
    subprocessor = Subprocessor.objects.create(
        legal_entity="Evidence Hosting B.V.",
        purpose="Hosting",
        flow_down_reference="DPA-E",
        flow_down_signed_on=datetime.date(2024, 1, 1),
    )
    change = ChangeNotice.objects.create(
        kind="new_purpose",
        subprocessor=subprocessor,
        new_purpose="Backups",
        planned_effective_at=now - datetime.timedelta(days=1),
        effective_at=now - datetime.timedelta(days=1),
    )
    ChangeNotice.objects.filter(pk=change.pk).update(
        state=ChangeNoticeState.ANNOUNCED, announced_at=now - datetime.timedelta(days=30)
    )
    for customer in (acme, other):
        ChangeNoticeRecipient.objects.create(
            change_notice=change,
            customer=customer,
            reason="active",
            informed_at=now - datetime.timedelta(days=30),
        )
    objections = {
        customer.pk: Objection.objects.create(
            customer=customer,
            subprocessor=subprocessor,
            change_notice=change,
            reasons="We object.",
            lodged_by=admin,
            lodged_at=now - datetime.timedelta(days=20),
        )
        for customer, admin in ((acme, acme_admin), (other, other_admin))
    }
    return {
        "acme": acme,
        "other": other,
        "officer": officer,
        "auditor": auditor,
        "engaged": engaged,
        "incident": incident,
        "late": late,
        "undelivered": undelivered,
        "alert": alert,
        "change": change,
        "objections": objections,
    }


def _client(user, language="en") -> Client:
    return sign_in(Client(), language_stored(user, language))


def _page(user, language="en", **params) -> str:
    response = _client(user, language).get(reverse("audit_evidence"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_mapping_is_complete_and_every_check_has_a_query():
    """OBL AU-03: every control of the issue is mapped, each names duties that exist, and
    each check it lists is either an events check or has its records query."""
    codes = {control.code for control in CONTROLS}
    assert codes == {
        *(f"A.5.{n}" for n in (18, 19, 20, 21, 22, 24, 25, 26, 27, 28, 33, 34)),
        "A.6.6",
        "A.8.10",
        "A.8.13",
        "A.8.15",
        "A.8.17",
    }
    for control in CONTROLS:
        assert set(control.obligations) <= set(OBLIGATIONS), control.code
        assert control.working or control.failing or control.not_recorded, control.code
        for key in (*control.working, *control.failing):
            check = CHECKS[key]
            assert check.actions or key.startswith("chain_") or key in RECORD_QUERIES, key


@pytest.mark.parametrize("role", ["officer", "auditor"])
def test_page_shows_each_control_working_and_failing_in_english(audit_world, role):
    """OBL AU-03: a late notice, an undelivered message with its open alert and an open
    objection past due appear as the failing records of their controls, with links to
    their pages; controls the product does not record say so; no obligation IDs."""
    w = audit_world
    page = _page(w[role])
    assert "A.5.26 Response to information security incidents" in page
    assert "Customers informed after the 48 hours" in page
    assert "Notices not delivered: every message failed" in page
    assert "Delivery alerts still open: undelivered mail" in page
    assert "Objections still open after the change" in page
    assert reverse("incident_notice_messages", args=[w["incident"].pk, w["late"].pk]) in page
    assert reverse("subprocessors:objection_detail", args=[w["objections"][w["other"].pk].pk]) in (
        page
    )
    assert "Affected customers hear of an incident within 48 hours of its discovery" in page
    assert "does not record staff&#x27;s confidentiality agreements yet" in page
    assert "does not record backups or support copies yet" in page
    assert OBLIGATION_ID.findall(page) == []


def test_page_in_dutch_has_dutch_dates_and_no_codes(audit_world):
    """OBL AU-03: the page in Dutch: Dutch interface and dates, no obligation IDs."""
    page = _page(audit_world["auditor"], "nl", by="duty")
    assert '<html lang="nl">' in page
    informed = audit_world["late"].informed_at.astimezone(
        datetime.timezone(datetime.timedelta(hours=1))
    )
    dutch_months = (
        "januari februari maart april mei juni juli augustus september oktober november december"
    ).split()
    assert any(month in page for month in dutch_months), informed
    assert OBLIGATION_ID.findall(page) == []


def test_engaged_auditor_sees_only_its_own_customers_records(audit_world):
    """OBL AU-03: an auditor engaged by one customer sees its own notices, alerts and
    objections only — never another customer's name or records — in page and exports."""
    w = audit_world
    client = _client(w["engaged"])
    page = client.get(reverse("audit_evidence"), {"by": "duty"}).content.decode()
    page += client.get(reverse("audit_evidence")).content.decode()
    exported = client.get(reverse("audit_evidence_csv")).content.decode()
    exported += client.get(reverse("audit_evidence_json")).content.decode()
    for text in (page, exported):
        assert OTHER_NAME not in text
        assert "Beveiligingsincident" not in text
    assert reverse("portal_notice_detail", args=[w["late"].pk]) in page
    assert reverse("subprocessors:objection_detail", args=[w["objections"][w["acme"].pk].pk]) in (
        page
    )
    assert (
        reverse("subprocessors:objection_detail", args=[w["objections"][w["other"].pk].pk])
        not in page
    )
    assert reverse("incident_detail", args=[w["incident"].pk]) not in page


def test_csv_export_reads_back_with_ids_and_neutralised_cells(audit_world):
    """OBL AU-03: the CSV export parsed back: one row per record with the control, its
    obligation IDs and the check; a formula-like incident title is neutralised; the export
    is itself an audit event with the file's SHA-256."""
    w = audit_world
    response = _client(w["auditor"]).get(reverse("audit_evidence_csv"))
    assert response.status_code == 200
    content = b"".join([response.content])
    rows = list(csv.DictReader(io.StringIO(content.decode())))
    late = [r for r in rows if r["check"] == "notices_late"]
    assert late and late[0]["control"] == "A.5.26"
    assert "BR-03" in late[0]["obligations"].split(";")
    assert late[0]["record_id"] == str(w["late"].pk)
    assert late[0]["record_label"].startswith("'=HYPERLINK")
    undelivered = {r["record_id"] for r in rows if r["check"] == "notices_undelivered"}
    assert undelivered == {str(w["undelivered"].pk)}
    assert {r["record_id"] for r in rows if r["check"] == "alerts_open"} == {str(w["alert"].pk)}
    past_due = {r["record_id"] for r in rows if r["check"] == "objections_open_past_due"}
    assert past_due == {str(o.pk) for o in w["objections"].values()}
    assert {r["side"] for r in rows if r["control"] == "A.8.13"} == {"not_recorded"}
    event = AuditEvent.objects.filter(action="audit.evidence_exported").get()
    assert event.after["sha256"] == hashlib.sha256(content).hexdigest()
    assert event.after["rows"] == len(rows)


def test_json_export_carries_controls_and_obligations(audit_world):
    """OBL AU-03: the JSON export: every control with its obligation IDs and checks, and the
    grouping by obligation ID."""
    w = audit_world
    response = _client(w["officer"]).get(
        reverse("audit_evidence_json"), {"period_from": "2000-01-01"}
    )
    document = json.loads(response.content)
    assert document["period"]["period_from"] == "2000-01-01"
    controls = {c["control"]: c for c in document["controls"]}
    failing = {f["check"]: f for f in controls["A.5.26"]["failing"]}
    assert failing["notices_late"]["count"] == 1
    assert failing["notices_late"]["records"][0]["id"] == w["late"].pk
    assert [o["id"] for o in controls["A.5.26"]["obligations"]][0] == "BR-03"
    duties = {d["id"]: d for d in document["obligations"]}
    assert "A.5.26" in duties["BR-03"]["controls"]
    assert "notices_late" in duties["BR-03"]["failing"]


def test_period_filter_leaves_out_records_outside_it(audit_world):
    """OBL AU-03: the period filter: a period before the incident shows none of it."""
    w = audit_world
    response = _client(w["auditor"]).get(
        reverse("audit_evidence_json"), {"period_from": "2001-01-01", "period_to": "2001-12-31"}
    )
    controls = {c["control"]: c for c in json.loads(response.content)["controls"]}
    assert all(r["count"] == 0 for r in controls["A.5.26"]["failing"])
    page = _page(w["auditor"], period_from="2001-01-01", period_to="2001-12-31")
    assert reverse("incident_notice_messages", args=[w["incident"].pk, w["late"].pk]) not in page


def test_a_broken_chain_shows_the_logging_control_failing(audit_world):
    """OBL AU-03: a sealed event whose content changed shows as a failure of logging and
    protection of records (changed behind the application's back: on PostgreSQL past the
    append-only trigger, as a database superuser could)."""
    with transaction.atomic():
        event = event_record(actor="system", action="customer.updated", after={"x": 1})
    audit_seal()
    tamper("UPDATE audits_auditevent SET role = %s WHERE id = %s", ["tampered", event.pk])
    response = _client(audit_world["auditor"]).get(reverse("audit_evidence_json"))
    controls = {c["control"]: c for c in json.loads(response.content)["controls"]}
    breaks = {f["check"]: f for f in controls["A.8.15"]["failing"]}["chain_breaks"]
    assert breaks["count"] >= 1


LINK = re.compile(r'href="(/[^"]*)"')


@pytest.mark.parametrize("role", ["officer", "auditor", "engaged"])
def test_no_link_on_the_evidence_page_leads_to_a_refusal(audit_world, role):
    """OBL AU-03, ON-02: every record the page links to opens for the reader: an engaged
    auditor gets its portal's notice pages, never the staff pages it may not open."""
    from html import unescape

    client = _client(audit_world[role])
    links = set()
    for params in ({}, {"by": "duty"}):
        body = client.get(reverse("audit_evidence"), params).content.decode()
        links |= {unescape(link) for link in LINK.findall(body)}
    refused = []
    for link in sorted(links):
        if link.startswith(("/static/", "/accounts/logout", "/logout")) or "/export." in link:
            continue
        status = client.get(link, follow=True).status_code
        if status != 200:
            refused.append(f"{link}: {status}")
    assert refused == []
