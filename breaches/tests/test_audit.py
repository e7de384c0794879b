"""Every action of the breach journey is an audit event in the same transaction (BR-02)."""

import datetime

from audits.models import AuditEvent
from breaches.models import CustomerNotice
from breaches.services import (
    affected_select,
    incident_discovery_correct,
    incident_final_report,
    incident_notify,
    incident_report,
    incident_resolve,
    incident_triage,
    notice_acknowledge,
    notice_decision_record,
    notice_intention_announce,
    notice_late_reason_record,
    notice_out_of_band_record,
    update_publish,
)
from breaches.tests.conftest import START
from compliance.models import Role

H = datetime.timedelta(hours=1)


def test_every_service_writes_its_audit_event(
    clock, staff, officer, processor, product, make_customer, make_user
):
    """OBL BR-02: each step of the journey is recorded with who did it."""
    incident = incident_report(actor=staff, title="x", description="y")
    incident_triage(actor=officer, incident=incident, personal_data_involved=True)
    incident_discovery_correct(
        actor=officer, incident=incident, discovered_at=START - 50 * H, reason="logs"
    )
    customer = make_customer(product)
    user = make_user(Role.CUSTOMER_CONTACT, customer=customer)
    affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident, late_reason="found late")
    notice = CustomerNotice.objects.get()
    notice_out_of_band_record(actor=officer, notice=notice, note="Phoned", late_reason="late")
    notice_late_reason_record(actor=officer, notice=notice, reason="Found late")
    notice_acknowledge(actor=user, notice=notice)
    notice_intention_announce(actor=user, notice=notice, kind="preliminary", recipients=["ap"])
    notice_decision_record(actor=user, notice=notice, is_breach=False, breach_reasoning="no")
    update_publish(actor=officer, incident=incident, summary="Progress")
    incident_resolve(actor=officer, incident=incident)
    incident_final_report(actor=officer, incident=incident, root_cause="a", lessons_learned="b")
    actions = list(AuditEvent.objects.values_list("action", "actor_id"))
    expected = {
        ("incident.reported", staff.pk),
        ("incident.triaged", officer.pk),
        ("incident.discovery_corrected", officer.pk),
        ("incident.customers_selected", officer.pk),
        ("incident.notified", officer.pk),
        ("notice.out_of_band_recorded", officer.pk),
        ("notice.late_reason_recorded", officer.pk),
        ("notice.acknowledged", user.pk),
        ("notice.intention_announced", user.pk),
        ("notice.decision_recorded", user.pk),
        ("incident.update_published", officer.pk),
        ("incident.resolved", officer.pk),
        ("incident.closed", officer.pk),
    }
    assert expected <= set(actions)
