"""Customers confirm their breach contacts once a year and after a bounce (BR-05)."""

from __future__ import annotations

import datetime
import smtplib
import uuid

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from audits.models import AuditEvent
from compliance.bounces import BounceHandler, bounce_record, dsn_parse
from compliance.contact_confirmation import (
    confirmation_due,
    contacts_confirm,
    contacts_confirmation_sweep,
)
from compliance.models import Customer, OutboxMessage, OutboxStatus, Role
from compliance.outbox import message_queue, outbox_sweep
from compliance.tests.conftest import free_port
from compliance.tests.test_bounces import delivery_status_report
from tests.factories import ContactFactory, CustomerFactory, UserFactory

START = datetime.datetime(2026, 2, 2, 9, 0, tzinfo=datetime.UTC)
BANNER = "Please confirm your breach notification contacts are current"


def confirmation_rows(customer) -> list[OutboxMessage]:
    return list(
        OutboxMessage.objects.filter(
            customer=customer, key__startswith="contacts-confirmation:"
        ).order_by("to_email")
    )


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def org(db, clock):
    """A customer registered at START with a subscription contact, a breach contact and an
    administrator."""
    customer = CustomerFactory(language="nl")
    ContactFactory(
        customer=customer,
        email="subscription@org.example",
        is_subscription_contact=True,
        receives_breach_notices=False,
    )
    ContactFactory(customer=customer, email="security@org.example")
    return customer


@pytest.fixture
def org_admin(org):
    return UserFactory(role=Role.CUSTOMER_ADMIN, customer=org, email="admin@org.example")


def test_yearly_sweep_requests_once_not_twice(org, org_admin, clock):
    """OBL BR-05: a year after the last confirmation the sweep asks once; later sweeps in the
    same year (also after the 30 quiet days) do not ask again."""
    clock.move_to(START + datetime.timedelta(days=365) - datetime.timedelta(seconds=1))
    assert contacts_confirmation_sweep() == 0
    assert not confirmation_due(Customer.objects.get(pk=org.pk))

    clock.move_to(START + datetime.timedelta(days=365, seconds=1))
    assert contacts_confirmation_sweep() == 1
    rows = confirmation_rows(org)
    assert [r.to_email for r in rows] == ["admin@org.example", "subscription@org.example"]
    subscription = rows[1]
    assert subscription.language == "nl"
    assert reverse("portal_contacts") in subscription.body_text
    org.refresh_from_db()
    assert org.contacts_confirmation_requested_at == START + datetime.timedelta(days=365, seconds=1)
    assert confirmation_due(org)
    assert (
        AuditEvent.objects.filter(
            action="customer.contacts_confirmation_requested", customer_id=org.pk
        ).count()
        == 1
    )

    assert contacts_confirmation_sweep() == 0
    clock.shift(datetime.timedelta(days=31))
    assert contacts_confirmation_sweep() == 0
    assert len(confirmation_rows(org)) == 2


def test_confirmed_customer_is_asked_again_a_year_later(org, org_admin, clock):
    """OBL BR-05: a confirmation restarts the year; the next request comes a year after it."""
    clock.move_to(START + datetime.timedelta(days=400))
    contacts_confirmation_sweep()
    contacts_confirm(actor=org_admin, customer=org)
    confirmed_at = START + datetime.timedelta(days=400)

    clock.move_to(confirmed_at + datetime.timedelta(days=365) - datetime.timedelta(seconds=1))
    assert contacts_confirmation_sweep() == 0
    clock.move_to(confirmed_at + datetime.timedelta(days=365, seconds=1))
    assert contacts_confirmation_sweep() == 1
    assert len(confirmation_rows(org)) == 4


def test_sweep_skips_customer_asked_in_the_last_30_days(org, org_admin, clock):
    """OBL BR-05: a customer asked after a bounce is not asked again by the yearly sweep
    within 30 days."""
    clock.move_to(START + datetime.timedelta(days=360))
    _bounce(org)
    assert len(confirmation_rows(org)) == 2
    clock.move_to(START + datetime.timedelta(days=366))
    assert contacts_confirmation_sweep() == 0
    clock.move_to(START + datetime.timedelta(days=391))
    assert contacts_confirmation_sweep() == 1


def _notice_to(org, email: str, *, cause=None) -> OutboxMessage:
    return message_queue(
        key=f"test-notice:{org.pk}:{email}:{uuid.uuid4().hex}",
        to_email=email,
        to_name="",
        language="en",
        subject="Security incident",
        body_text="Text\n",
        customer=org,
        contact=org.contacts.get(email=email),
        cause=cause,
    )


def _bounce(org, *, cause=None) -> OutboxMessage:
    """A message to the breach contact bounces (recorded in-process from a real report)."""
    message = _notice_to(org, "security@org.example", cause=cause)
    original = (
        f"From: privacy@processor.example\r\nTo: {message.to_email}\r\n"
        f"Subject: Notice\r\nMessage-ID: {message.message_id}\r\n\r\nBody\r\n"
    ).encode()
    [failure] = dsn_parse(delivery_status_report(recipient=message.to_email, original=original))
    bounce_record(failure=failure)
    return message


def test_bounce_of_a_message_without_cause_requests_confirmation(org, org_admin, clock):
    """OBL BR-05: a bounce of any message to a customer's contact asks the customer to
    confirm its contacts; a second bounce before a confirmation does not ask again."""
    clock.shift(datetime.timedelta(days=10))
    assert not confirmation_due(org)
    _bounce(org)
    org.refresh_from_db()
    assert confirmation_due(org)
    rows = confirmation_rows(org)
    assert [r.to_email for r in rows] == ["admin@org.example", "subscription@org.example"]
    assert "could not be delivered" in rows[0].body_text

    _bounce(org)
    assert len(confirmation_rows(org)) == 2

    # After a confirmation the next bounce asks again.
    contacts_confirm(actor=org_admin, customer=org)
    clock.shift(datetime.timedelta(days=2))
    _bounce(org)
    assert len(confirmation_rows(org)) == 4


def test_bounce_of_a_message_with_cause_requests_confirmation(org, org_admin, clock):
    """OBL BR-05: a bounce reported through compliance.signals.message_failed (messages of
    a workflow) asks the customer to confirm its contacts."""
    _bounce(org, cause=org)
    org.refresh_from_db()
    assert confirmation_due(org)
    assert len(confirmation_rows(org)) == 2


def test_refused_message_with_cause_requests_confirmation(org, org_admin, smtp_server):
    """OBL BR-05: the mail server refusing a contact's address (a bounce at sending time)
    asks the customer to confirm its contacts."""
    smtp_server.handler.rcpt_replies["security@org.example"] = "550 5.1.1 User unknown"
    refused = _notice_to(org, "security@org.example", cause=org)
    outbox_sweep()
    refused.refresh_from_db()
    assert refused.status == OutboxStatus.FAILED
    org.refresh_from_db()
    assert confirmation_due(org)
    assert len(confirmation_rows(org)) == 2


@pytest.fixture
def bounce_receiver():
    controller = Controller(BounceHandler(), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


@pytest.mark.django_db(transaction=True)
def test_bounce_through_the_receiver_asks_for_confirmation(
    smtp_server, bounce_receiver, temporary_broker
):
    """OBL BR-05: end to end: a notice is accepted by a real SMTP server, a delivery report
    arrives at the bounce receiver, the customer is asked to confirm by e-mail."""
    customer = CustomerFactory()
    ContactFactory(
        customer=customer,
        email="subscription@org.example",
        is_subscription_contact=True,
        receives_breach_notices=False,
    )
    ContactFactory(customer=customer, email="security@org.example")
    message = _notice_to(customer, "security@org.example")
    outbox_sweep()
    received = next(r for r in smtp_server.handler.received if r.rcpt_tos == [message.to_email])
    report = delivery_status_report(recipient=message.to_email, original=received.content)
    with smtplib.SMTP(bounce_receiver.hostname, bounce_receiver.port) as conn:
        conn.sendmail("", ["bounces@processor.example"], report)

    customer.refresh_from_db()
    assert customer.contacts_confirmation_requested_at is not None
    [request] = confirmation_rows(customer)
    assert request.to_email == "subscription@org.example"
    outbox_sweep()
    assert any(r.rcpt_tos == ["subscription@org.example"] for r in smtp_server.handler.received)


def test_confirm_clears_banner_and_records_who_and_when(org, org_admin, client_for, clock):
    """OBL BR-05: the portal asks until the customer admin confirms; the confirmation is
    recorded with who and when, and audited."""
    clock.move_to(START + datetime.timedelta(days=366))
    client = client_for(org_admin)
    assert BANNER in client.get(reverse("portal")).content.decode()
    page = client.get(reverse("portal_contacts")).content.decode()
    assert BANNER in page
    assert "Confirm contacts" in page

    response = client.post(reverse("portal_contacts_confirm"))
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.contacts_confirmed_by == org_admin
    assert org.contacts_confirmed_at == START + datetime.timedelta(days=366)
    assert AuditEvent.objects.filter(
        action="customer.contacts_confirmed", customer_id=org.pk, actor_id=org_admin.pk
    ).exists()
    assert BANNER not in client.get(reverse("portal")).content.decode()
    assert BANNER not in client.get(reverse("portal_contacts")).content.decode()


def test_customer_contact_sees_banner_without_button(org, client_for, clock):
    """OBL BR-05: a customer contact sees the request but only an admin confirms."""
    clock.move_to(START + datetime.timedelta(days=366))
    contact_user = UserFactory(role=Role.CUSTOMER_CONTACT, customer=org)
    client = client_for(contact_user)
    page = client.get(reverse("portal_contacts")).content.decode()
    assert BANNER in page
    assert "Confirm contacts" not in page
    assert client.post(reverse("portal_contacts_confirm")).status_code == 403
    org.refresh_from_db()
    assert org.contacts_confirmed_at is None


def test_another_customers_admin_cannot_confirm(org, client_for, clock, privacy_officer):
    """OBL BR-05: only an admin of the customer itself confirms: another customer's admin
    is refused by the service and confirms only its own organisation in the portal; staff
    cannot confirm on a customer's behalf."""
    clock.move_to(START + datetime.timedelta(days=366))
    other = CustomerFactory()
    other_admin = UserFactory(role=Role.CUSTOMER_ADMIN, customer=other)
    with pytest.raises(PermissionDenied):
        contacts_confirm(actor=other_admin, customer=org)
    with pytest.raises(PermissionDenied):
        contacts_confirm(actor=privacy_officer, customer=org)

    assert client_for(other_admin).post(reverse("portal_contacts_confirm")).status_code == 302
    org.refresh_from_db()
    other.refresh_from_db()
    assert org.contacts_confirmed_at is None
    assert other.contacts_confirmed_by == other_admin
    assert client_for(privacy_officer).post(reverse("portal_contacts_confirm")).status_code == 404
    assert confirmation_due(org)


def test_confirm_needs_post(org_admin, client_for):
    assert client_for(org_admin).get(reverse("portal_contacts_confirm")).status_code == 405


def test_officer_filters_customers_with_overdue_confirmation(
    org, org_admin, privacy_officer, client_for, clock
):
    """OBL BR-05: the privacy officer lists the customers whose confirmation is overdue."""
    clock.move_to(START + datetime.timedelta(days=200))
    recent = CustomerFactory(name="Recently registered B.V.")
    clock.move_to(START + datetime.timedelta(days=366))
    client = client_for(privacy_officer)
    everyone = client.get(reverse("customer_list")).content.decode()
    assert org.name in everyone and recent.name in everyone
    overdue = client.get(reverse("customer_list"), {"confirmation": "overdue"}).content.decode()
    assert org.name in overdue
    assert recent.name not in overdue
    assert "Confirmation overdue" in overdue

    contacts_confirm(actor=org_admin, customer=org)
    overdue = client.get(reverse("customer_list"), {"confirmation": "overdue"}).content.decode()
    assert org.name not in overdue


def test_confirm_through_the_api(org, org_admin, client_for, clock, privacy_officer):
    """OBL BR-05: the API shows whether a confirmation is due and takes an administrator's
    confirmation of its own organisation; staff and other customers are refused."""
    now = START + datetime.timedelta(days=366)
    clock.move_to(now)
    url = f"/api/customers/{org.pk}/"
    assert client_for(org_admin).get(url).json()["contacts_confirmation_due"] is True
    other_admin = UserFactory(role=Role.CUSTOMER_ADMIN, customer=CustomerFactory())
    assert client_for(other_admin).post(f"{url}confirm-contacts/").status_code == 404
    refused = client_for(privacy_officer).post(f"{url}confirm-contacts/")
    assert refused.status_code == 403
    assert "Only an administrator" in refused.json()["detail"]
    confirmed = client_for(org_admin).post(f"{url}confirm-contacts/")
    assert confirmed.status_code == 200, confirmed.json()
    assert confirmed.json()["contacts_confirmation_due"] is False
    assert datetime.datetime.fromisoformat(confirmed.json()["contacts_confirmed_at"]) == now
    org.refresh_from_db()
    assert org.contacts_confirmed_by == org_admin
