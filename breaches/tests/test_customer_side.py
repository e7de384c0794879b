"""The customer's side of a notice: acknowledge, announce, decide (BR-04, BR-09); updates
and the final report (BR-07); the processor never notifies an authority (BR-04)."""

import datetime
import inspect

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audits.models import AuditEvent
from breaches import selectors, services
from breaches.models import CustomerNotice, IncidentState, NoticeState
from breaches.services import (
    affected_select,
    incident_final_report,
    incident_notify,
    incident_report,
    incident_resolve,
    notice_acknowledge,
    notice_decision_record,
    notice_intention_announce,
    update_publish,
)
from breaches.tests.conftest import START
from compliance import access
from compliance.models import OutboxMessage, Role
from compliance.outbox import outbox_sweep

H = datetime.timedelta(hours=1)


@pytest.fixture
def notified(clock, staff, officer, processor, product, make_customer, make_user):
    """An incident notified to two customers; a contact user for each."""
    incident = incident_report(actor=staff, title="Ransomware", description="Files encrypted.")
    a = make_customer(product, language="en")
    b = make_customer(product, language="nl")
    affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident)
    return {
        "incident": incident,
        "a": CustomerNotice.objects.get(customer=a),
        "b": CustomerNotice.objects.get(customer=b),
        "user_a": make_user(Role.CUSTOMER_CONTACT, customer=a),
        "user_b": make_user(Role.CUSTOMER_ADMIN, customer=b),
    }


def test_acknowledge(notified):
    """OBL BR-04: the customer's contact acknowledges its own notice."""
    notice = notice_acknowledge(actor=notified["user_a"], notice=notified["a"])
    assert notice.state == NoticeState.ACKNOWLEDGED
    assert notice.acknowledged_by == notified["user_a"]
    # Seeing it in the portal proves awareness if no e-mail was accepted yet.
    assert notice.informed_how == "portal" and notice.authority_due_at is not None
    assert AuditEvent.objects.filter(action="notice.acknowledged").exists()
    with pytest.raises(PermissionDenied):
        notice_acknowledge(actor=notified["user_a"], notice=notified["b"])


def test_intention_alerts_the_officer_at_once(notified, officer):
    """OBL BR-09: the customer announces an intended (preliminary) notification; every
    privacy officer is e-mailed at once and it shows on the dashboard."""
    notice = notice_intention_announce(
        actor=notified["user_a"],
        notice=notified["a"],
        kind="preliminary",
        recipients=["ap"],
        planned_at=START + 20 * H,
        note="We will file a preliminary notice",
    )
    assert notice.intention_kind == "preliminary" and notice.intention_by == notified["user_a"]
    alert = OutboxMessage.objects.get(
        key__startswith=f"notice:{notice.pk}:intention", to_email=officer.email
    )
    assert notice.customer.name in alert.subject
    assert list(selectors.intentions_announced(officer)) == [notice]
    with pytest.raises(ValidationError):
        notice_intention_announce(
            actor=notified["user_a"], notice=notice, kind="x", recipients=["ap"]
        )
    with pytest.raises(PermissionDenied):
        notice_intention_announce(
            actor=notified["user_b"], notice=notified["a"], kind="complete", recipients=["ap"]
        )


def test_decision_recorded_and_revisable_with_history(notified, clock):
    """OBL BR-04: the customer records its decision (breach or not with reasoning; the
    authority notified with date and reference, or why not; data subjects informed or
    why not); revisable, with history."""
    user, notice = notified["user_a"], notified["a"]
    with pytest.raises(ValidationError) as exc:
        notice_decision_record(actor=user, notice=notice, is_breach=True, breach_reasoning="")
    assert {"breach_reasoning", "authority_status", "subjects_status"} <= set(
        exc.value.message_dict
    )
    notice = notice_decision_record(
        actor=user,
        notice=notice,
        is_breach=True,
        breach_reasoning="Names of patients involved",
        authority_notified=True,
        authority="ap",
        authority_notified_on=datetime.date(2026, 9, 1),
        authority_reference="AP-2026-123",
        authority_kind="preliminary",
        subjects_informed=False,
        subjects_reasoning="Data was encrypted",
    )
    assert notice.state == NoticeState.DECIDED
    assert notice.decision_authority_reference == "AP-2026-123"
    assert notice.next_reminder_at is None
    notice = notice_decision_record(
        actor=user,
        notice=notice,
        is_breach=True,
        breach_reasoning="Names of patients involved",
        authority_notified=True,
        authority="ap",
        authority_notified_on=datetime.date(2026, 9, 1),
        authority_reference="AP-2026-123",
        authority_kind="complete",
        subjects_informed=True,
        subjects_informed_on=datetime.date(2026, 9, 1),
        subjects_how="Letter",
    )
    assert notice.decision_authority_kind == "complete"
    kinds = [h.decision_authority_kind for h in notice.history.order_by("history_date")]
    assert "preliminary" in kinds and kinds[-1] == "complete"
    assert AuditEvent.objects.filter(action="notice.decision_revised").exists()


def test_not_a_breach_needs_only_reasoning(notified):
    notice = notice_decision_record(
        actor=notified["user_b"],
        notice=notified["b"],
        is_breach=False,
        breach_reasoning="Test data",
    )
    assert notice.decision_is_breach is False and notice.decision_authority_notified is None


def test_decision_on_another_customers_notice_is_refused(notified, officer):
    """OBL BR-04: a decision on another customer's notice is refused; staff cannot decide
    for a customer."""
    with pytest.raises(PermissionDenied):
        notice_decision_record(
            actor=notified["user_a"], notice=notified["b"], is_breach=False, breach_reasoning="x"
        )
    with pytest.raises(PermissionDenied):
        notice_decision_record(
            actor=officer, notice=notified["b"], is_breach=False, breach_reasoning="x"
        )
    assert CustomerNotice.objects.get(pk=notified["b"].pk).decided_at is None


def test_no_authority_notification_exists_for_the_processor():
    """OBL BR-04: no service, action or permission lets the processor notify an authority;
    the decision records only what the customer did itself."""
    names = [name for name, _ in inspect.getmembers(services, inspect.isfunction)]
    assert not [n for n in names if "authority" in n]
    assert not [a for a in access.PERMISSIONS if "authority" in a]
    assert access.PERMISSIONS["notice.respond"] <= {Role.CUSTOMER_CONTACT, Role.CUSTOMER_ADMIN}
    fields = [f.name for f in CustomerNotice._meta.get_fields()]
    assert "decision_authority_notified" in fields  # the customer's own notification
    assert not any(f.startswith("processor_notified_authority") for f in fields)


def test_update_fans_out_to_every_affected_customer(notified, officer, smtp_server):
    """OBL BR-07: a progress update goes to every notified customer as a further message
    on the same notice, with its own delivery evidence."""
    update = update_publish(
        actor=officer,
        incident=notified["incident"],
        summary="Backups restored",
        measures="New keys",
    )
    assert update.number == 1 and update.kind == "update"
    for notice in (notified["a"], notified["b"]):
        keys = set(
            OutboxMessage.objects.filter(
                cause_type="breaches.CustomerNotice", cause_id=notice.pk
            ).values_list("key", flat=True)
        )
        assert any(":update:1:" in k for k in keys) and any(":update:0:" in k for k in keys)
    assert update.recipients_count == 4
    msg = OutboxMessage.objects.filter(
        key__contains=":update:1:", customer=notified["a"].customer
    ).first()
    assert "Backups restored" in msg.body_text and "Update" in msg.subject
    outbox_sweep()
    assert OutboxMessage.objects.filter(key__contains=":update:1:", status="accepted").count() == 4
    with pytest.raises(ValidationError):
        update_publish(actor=officer, incident=notified["incident"], summary="")


def test_final_report_closes_and_is_sent(notified, officer):
    """OBL BR-07: the final report with root cause and lessons learned closes the incident
    and reaches every notified customer."""
    incident = incident_resolve(actor=officer, incident=notified["incident"])
    assert incident.state == IncidentState.RESOLVED
    with pytest.raises(ValidationError):
        incident_final_report(actor=officer, incident=incident, root_cause="", lessons_learned="x")
    incident = incident_final_report(
        actor=officer,
        incident=incident,
        root_cause="Unpatched VPN",
        lessons_learned="Patch within 48 hours",
    )
    assert incident.state == IncidentState.CLOSED
    finals = OutboxMessage.objects.filter(key__contains=":update:1:")
    assert finals.count() == 4
    assert all("Unpatched VPN" in m.body_text for m in finals)
    assert AuditEvent.objects.filter(action="incident.closed").exists()


def test_closing_unnotified_affected_incident_is_refused(
    clock, staff, officer, product, make_customer
):
    incident = incident_report(actor=staff, title="x", description="y")
    make_customer(product)
    affected_select(actor=officer, incident=incident, rule="all")
    with pytest.raises(ValidationError):
        incident_final_report(actor=officer, incident=incident, root_cause="a", lessons_learned="b")
