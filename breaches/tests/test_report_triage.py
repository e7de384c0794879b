"""Reporting (BR-01, BR-08, BR-10), triage (BR-11), dismissal and discovery correction."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audits.models import AuditEvent
from breaches import selectors
from breaches.models import Incident, IncidentState
from breaches.services import (
    incident_discovery_correct,
    incident_dismiss,
    incident_report,
    incident_report_by_customer,
    incident_triage,
)
from breaches.tests.conftest import START
from compliance.models import OutboxMessage, Role
from tests.factories import UserFactory

H = datetime.timedelta(hours=1)


def report(actor, **kw):
    return incident_report(
        actor=actor,
        title=kw.pop("title", "Laptop stolen"),
        description=kw.pop("description", "A laptop with a database export was stolen."),
        **kw,
    )


def test_any_staff_member_reports_and_officer_is_alerted(clock, staff, officer, second_officer):
    """OBL BR-01: any staff member reports; the 48 h clock runs from discovery; every
    privacy officer gets an e-mail at once and the report shows on the dashboard."""
    incident = report(
        staff, discovered_at=START - 2 * H, systems="CRM", personal_data_possible=True
    )
    assert incident.state == IncidentState.REPORTED
    assert incident.customer_due_at == START - 2 * H + 48 * H
    assert incident.reported_at == START
    alerts = OutboxMessage.objects.filter(key__startswith=f"incident:{incident.pk}:reported")
    assert sorted(a.to_email for a in alerts) == sorted([officer.email, second_officer.email])
    assert incident.title in alerts[0].subject
    assert list(selectors.incidents_awaiting_triage(officer)) == [incident]
    # The reporter sees their own reports, not others'.
    assert list(selectors.incidents_for(staff)) == [incident]
    other = UserFactory(role=Role.STAFF_MEMBER)
    assert list(selectors.incidents_for(other)) == []
    assert AuditEvent.objects.filter(
        action="incident.reported", object_id=str(incident.pk)
    ).exists()


def test_discovery_defaults_to_now_and_future_is_refused(clock, staff):
    """OBL BR-01: discovered_at is the report's arrival unless given; never in the future."""
    assert report(staff).discovered_at == START
    with pytest.raises(ValidationError) as exc:
        report(staff, discovered_at=START + datetime.timedelta(seconds=1))
    assert "discovered_at" in exc.value.message_dict
    assert Incident.objects.count() == 1


def test_customers_and_auditors_cannot_report_as_staff(clock, customer_contact, auditor):
    for user in (customer_contact, auditor):
        with pytest.raises(PermissionDenied):
            report(user)


def test_subprocessor_report_needs_the_subprocessor(clock, staff, subprocessor):
    """OBL BR-08: an incident can originate at a subprocessor; found-at time kept beside."""
    with pytest.raises(ValidationError):
        report(staff, source="subprocessor")
    incident = report(
        staff,
        source="subprocessor",
        source_subprocessor=subprocessor,
        found_at_source=START - 30 * H,
    )
    # The processor's clock starts when it became aware, not when the subprocessor found it.
    assert incident.discovered_at == START
    assert incident.found_at_source == START - 30 * H


def test_customer_reports_and_is_aware_from_its_report(clock, customer_contact, officer):
    """OBL BR-10: a customer reports from the portal; same workflow; the customer's notice
    exists at once, aware from its own report, with its own 72 h running (BR-04)."""
    incident = incident_report_by_customer(
        actor=customer_contact,
        title="Strange export",
        description="We saw our data on a paste site.",
        found_at_source=START - 5 * H,
    )
    assert incident.source == "customer"
    assert incident.source_customer == customer_contact.customer
    assert incident.discovered_at == START
    notice = incident.notices.get()
    assert notice.customer_reported
    assert notice.aware_at == START
    assert notice.authority_due_at == START + 72 * H
    assert notice.informed_at is None
    assert list(selectors.notices_for(customer_contact)) == [notice]
    assert OutboxMessage.objects.filter(to_email=officer.email).exists()
    assert AuditEvent.objects.filter(action="incident.reported_by_customer").exists()


def test_staff_cannot_use_the_customer_form(clock, staff):
    with pytest.raises(PermissionDenied):
        incident_report_by_customer(actor=staff, title="x", description="y")


def test_triage_records_assessment_and_score(clock, staff, officer):
    """OBL BR-11: structured assessment plus the ENISA score stored with its inputs."""
    incident = report(staff)
    incident = incident_triage(
        actor=officer,
        incident=incident,
        personal_data_involved=True,
        data_categories="Names, e-mail addresses, salaries",
        special_categories=False,
        data_subject_categories="Employees of customers",
        subjects_min=100,
        subjects_max=500,
        records_min=1000,
        records_max=5000,
        identifiability="Names directly identify",
        likely_consequences="Phishing, embarrassment",
        data_unintelligible=False,
        enisa_dpc=3,
        enisa_ei="0.75",
        enisa_cb_confidentiality="0.5",
        enisa_cb_malicious=True,
        measures_taken="Laptop wiped remotely",
    )
    assert incident.state == IncidentState.TRIAGE
    assert incident.severity_score == Decimal("3.25")
    assert incident.severity_band == "high"
    assert incident.enisa_ei == Decimal("0.75")
    assert incident.measures_taken == "Laptop wiped remotely"
    assert AuditEvent.objects.filter(action="incident.triaged").exists()
    # Revisable; the history keeps both.
    incident = incident_triage(actor=officer, incident=incident, enisa_dpc=1, enisa_ei="0.25")
    assert incident.severity_band == "low"
    assert incident.history.count() >= 3


def test_triage_refuses_bad_inputs(clock, staff, officer):
    """OBL BR-11: inputs outside ENISA's scales are clear field errors; nothing written."""
    incident = report(staff)
    with pytest.raises(ValidationError) as exc:
        incident_triage(
            actor=officer,
            incident=incident,
            enisa_dpc=5,
            enisa_ei="0.3",
            subjects_min=10,
            subjects_max=5,
        )
    assert {"enisa_dpc", "enisa_ei", "subjects_max"} <= set(exc.value.message_dict)
    incident.refresh_from_db()
    assert incident.state == IncidentState.REPORTED


def test_staff_member_cannot_triage(clock, staff, ict_manager):
    incident = report(staff)
    with pytest.raises(PermissionDenied):
        incident_triage(actor=staff, incident=incident)
    incident_triage(actor=ict_manager, incident=incident, personal_data_involved=False)


def test_dismiss_needs_reasoning_and_is_on_record(clock, staff, officer):
    """OBL BR-02: a false alarm is closed without notices, with reasoning, on record."""
    incident = report(staff)
    with pytest.raises(ValidationError):
        incident_dismiss(actor=officer, incident=incident, reason="  ")
    incident = incident_dismiss(
        actor=officer, incident=incident, reason="Laptop was found in the office."
    )
    assert incident.state == IncidentState.DISMISSED
    assert incident.next_reminder_at is None
    assert AuditEvent.objects.filter(action="incident.dismissed").exists()
    with pytest.raises(ValidationError):
        incident_dismiss(actor=officer, incident=incident, reason="again")


def test_state_cannot_be_assigned_directly(clock, staff):
    """OBL BR-02: the one procedure: the state changes only through transitions."""
    incident = report(staff)
    with pytest.raises(AttributeError):
        incident.state = IncidentState.CLOSED


def test_discovery_correction_needs_a_reason_and_moves_the_deadline(clock, staff, officer):
    """OBL BR-03: changing discovered_at needs a reason, rewrites customer_due_at, and the
    history shows both times."""
    incident = report(staff)
    with pytest.raises(ValidationError) as exc:
        incident_discovery_correct(
            actor=officer, incident=incident, discovered_at=START - 10 * H, reason=""
        )
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError):
        incident_discovery_correct(
            actor=officer, incident=incident, discovered_at=START + H, reason="typo"
        )
    incident = incident_discovery_correct(
        actor=officer, incident=incident, discovered_at=START - 10 * H, reason="Logs show earlier"
    )
    assert incident.customer_due_at == START + 38 * H
    times = {h.discovered_at for h in incident.history.all()}
    assert {START, START - 10 * H} <= times
    assert AuditEvent.objects.filter(action="incident.discovery_corrected").exists()
