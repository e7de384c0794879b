"""Reminders before the deadlines, each sent once at the right moment (BR-03, BR-04)."""

import datetime

import pytest

from breaches.models import CustomerNotice
from breaches.services import (
    affected_select,
    deadline_sweep,
    incident_discovery_correct,
    incident_notify,
    incident_report,
    notice_decision_record,
    notice_out_of_band_record,
)
from breaches.tests.conftest import START
from compliance.models import OutboxMessage, Role

H = datetime.timedelta(hours=1)
S = datetime.timedelta(seconds=1)


def officer_reminders(officer):
    return sorted(
        OutboxMessage.objects.filter(
            to_email=officer.email, key__contains=":reminder:"
        ).values_list("key", flat=True)
    )


def test_officer_reminders_at_24_12_4_1_hours_once_each(clock, staff, officer):
    """OBL BR-03: the privacy officer is reminded 24, 12, 4 and 1 h before the 48 h
    deadline while customers remain uninformed; each reminder exactly once."""
    incident = incident_report(actor=staff, title="x", description="y")
    due = incident.customer_due_at
    sent = []
    for hours in (24, 12, 4, 1):
        clock.move_to(due - hours * H - S)
        deadline_sweep()
        assert len(officer_reminders(officer)) == len(sent)
        clock.move_to(due - hours * H)
        deadline_sweep()
        deadline_sweep()  # a second sweep at the same moment sends nothing
        sent.append(hours)
        keys = officer_reminders(officer)
        assert len(keys) == len(sent)
        assert any(f":reminder:{hours}h:" in k for k in keys)
    clock.move_to(due + H)
    deadline_sweep()
    assert len(officer_reminders(officer)) == 4
    incident.refresh_from_db()
    assert incident.next_reminder_at is None


def test_no_officer_reminder_once_every_customer_is_informed(
    clock, staff, officer, product, make_customer
):
    incident = incident_report(actor=staff, title="x", description="y")
    customer = make_customer(product, subscription=False, flagged=0)
    affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident)
    notice_out_of_band_record(
        actor=officer, notice=CustomerNotice.objects.get(customer=customer), note="Phoned"
    )
    clock.move_to(incident.customer_due_at - 24 * H)
    deadline_sweep()
    assert officer_reminders(officer) == []


def test_customer_reminders_at_24_and_4_hours_while_undecided(
    clock, staff, officer, product, make_customer, make_user
):
    """OBL BR-04: the customer's contacts are reminded 24 h and 4 h before its own 72 h
    deadline while it has recorded no decision; none after the decision."""
    incident = incident_report(actor=staff, title="x", description="y")
    a = make_customer(product, flagged=1)
    b = make_customer(product, flagged=1)
    affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident)
    for customer in (a, b):
        notice_out_of_band_record(
            actor=officer, notice=CustomerNotice.objects.get(customer=customer), note="Phoned"
        )
    due = CustomerNotice.objects.get(customer=a).authority_due_at
    assert due == START + 72 * H

    def reminders(customer):
        return OutboxMessage.objects.filter(customer=customer, key__contains=":reminder:").count()

    clock.move_to(due - 24 * H - S)
    deadline_sweep()
    assert reminders(a) == 0
    clock.move_to(due - 24 * H)
    deadline_sweep()
    deadline_sweep()
    assert reminders(a) == 2 and reminders(b) == 2  # subscription + flagged contact
    user_b = make_user(Role.CUSTOMER_CONTACT, customer=b)
    notice_decision_record(
        actor=user_b,
        notice=CustomerNotice.objects.get(customer=b),
        is_breach=False,
        breach_reasoning="no",
    )
    clock.move_to(due - 4 * H)
    deadline_sweep()
    assert reminders(a) == 4 and reminders(b) == 2
    clock.move_to(due + H)
    deadline_sweep()
    assert reminders(a) == 4
    assert CustomerNotice.objects.get(customer=a).next_reminder_at is None


def test_corrected_discovery_moves_reminders(clock, staff, officer):
    """OBL BR-03: a corrected discovery time gets reminders for its new deadline."""
    incident = incident_report(actor=staff, title="x", description="y")
    incident = incident_discovery_correct(
        actor=officer, incident=incident, discovered_at=START - 30 * H, reason="earlier in logs"
    )
    # 18 h left: the 24 h reminder is due at once.
    deadline_sweep()
    keys = officer_reminders(officer)
    assert len(keys) == 1 and ":reminder:24h:" in keys[0]


@pytest.mark.django_db
def test_sweep_with_nothing_due_does_nothing():
    result = deadline_sweep()
    assert result.officer_reminders == 0 and result.customer_reminders == 0
