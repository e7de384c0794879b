"""After a refusal or a bounce: the "confirm your contacts" mail never goes to an address that
failed, the privacy officer is told when no working address is left, and every list keeps
breach notices apart from other mail (BR-05; issue 12, item 6).

Real parts: an aiosmtpd server that refuses chosen recipients, the bounce receiver (aiosmtpd
with the product's handler) receiving a delivery-status report over SMTP, the outbox's sweep,
the dashboard and the alerts page through the Django test client.
"""

from __future__ import annotations

import smtplib

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse

from audits.models import AuditEvent
from breaches.models import CustomerNotice, NoticeState
from compliance.bounces import BounceHandler
from compliance.models import BREACH_NOTICE_CAUSE, OutboxMessage, OutboxStatus, Role
from compliance.outbox import open_alerts, outbox_sweep
from compliance.tests.conftest import free_port
from compliance.tests.test_bounces import delivery_status_report
from tests.auth import sign_in
from tests.factories import ContactFactory, UserFactory
from tests.outage_helpers import customer_with, notify, world

PHONE = "+31 6 1234 5678"
UNREACHABLE = "No working e-mail address is left for this customer"


def confirmations(customer) -> OutboxMessage:
    return OutboxMessage.objects.filter(
        customer=customer, key__startswith="contacts-confirmation:", key__contains=":to:"
    )


def received_by(smtp_server, address: str) -> list[str]:
    return [r.message["Subject"] for r in smtp_server.handler.received if address in r.rcpt_tos]


@pytest.fixture
def bounce_receiver():
    controller = Controller(BounceHandler(), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


@pytest.mark.django_db
def test_only_contact_refused_gets_no_confirmation_and_officer_is_told(smtp_server, client):
    """OBL BR-05: the mail server refuses the only address of a customer (its subscription
    and breach contact). The request to confirm its contacts is not sent to that address;
    with no working address left the privacy officer gets an e-mail to phone the customer
    (with the contact's phone number), once, and the dashboard marks the breach notice's
    alert with the same advice and a link to the notice's page for the out-of-band notice."""
    officer, staff, product = world()
    solo = customer_with(product, language="en", subscription=False, flagged=0, name="Solo B.V.")
    ContactFactory(
        customer=solo,
        email="only@solo.example",
        phone=PHONE,
        is_subscription_contact=True,
        receives_breach_notices=True,
    )
    smtp_server.handler.rcpt_replies["only@solo.example"] = "550 5.1.1 User unknown"
    incident = notify(officer, staff, product, "Mailbox export leaked")

    outbox_sweep()
    notice = CustomerNotice.objects.get(incident=incident)
    assert notice.state == NoticeState.FAILED
    assert not confirmations(solo).exists()
    outbox_sweep()  # the officer's alerts go out
    assert received_by(smtp_server, "only@solo.example") == []
    subjects = received_by(smtp_server, officer.email)
    assert "No e-mail reaches Solo B.V. any more: please phone" in subjects
    phone_mail = next(
        r.message for r in smtp_server.handler.received if "please phone" in r.message["Subject"]
    )
    body = phone_mail.get_body(preferencelist=("plain",)).get_content()
    assert "only@solo.example" in body and PHONE in body
    event = AuditEvent.objects.get(action="customer.contacts_unreachable")
    assert event.after["not_working"] == ["only@solo.example"]

    # Another refusal in the same period alerts nobody twice.
    from compliance.contact_confirmation import Reason, contacts_confirmation_request

    contacts_confirmation_request(customer=solo, reason=Reason.BOUNCE)
    assert AuditEvent.objects.filter(action="customer.contacts_unreachable").count() == 1
    assert not confirmations(solo).exists()

    sign_in(client, officer)
    groups = client.get(reverse("dashboard")).context["outbox_alert_groups"]
    [alert] = groups["breach_notices"]["alerts"]
    assert alert.to_email == "only@solo.example" and alert.unreachable
    page = client.get(reverse("dashboard")).content.decode()
    assert UNREACHABLE in page
    notice_url = reverse("incident_notice_messages", args=[incident.pk, notice.pk])
    assert f'href="{notice_url}"' in page
    assert client.get(notice_url).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_bounce_confirmation_goes_only_to_the_working_contact(
    smtp_server, bounce_receiver, temporary_broker
):
    """OBL BR-05: a customer with two contacts; the subscription contact's notice is
    accepted, then bounces (a real delivery report through the bounce receiver). The
    request to confirm the contacts goes to the breach contact that still works, never to
    the address that bounced; nobody is told to phone, since an address works."""
    officer, staff, product = world()
    duo = customer_with(product, language="en", subscription=False, flagged=0, name="Duo B.V.")
    ContactFactory(
        customer=duo,
        email="first@duo.example",
        is_subscription_contact=True,
        receives_breach_notices=False,
    )
    ContactFactory(customer=duo, email="second@duo.example", receives_breach_notices=True)
    notify(officer, staff, product, "Backup tape lost")
    outbox_sweep()
    notice_to_first = OutboxMessage.objects.get(
        cause_type=BREACH_NOTICE_CAUSE, to_email="first@duo.example"
    )
    received = next(
        r for r in smtp_server.handler.received if r.message_id == notice_to_first.message_id
    )
    report = delivery_status_report(recipient="first@duo.example", original=received.content)
    with smtplib.SMTP(bounce_receiver.hostname, bounce_receiver.port) as conn:
        conn.sendmail("", ["bounces@processor.example"], report)

    notice_to_first.refresh_from_db()
    assert notice_to_first.status == OutboxStatus.FAILED
    assert [m.to_email for m in confirmations(duo)] == ["second@duo.example"]
    before = len(received_by(smtp_server, "first@duo.example"))
    outbox_sweep()
    assert "Please confirm your breach notification contacts for Duo B.V." in received_by(
        smtp_server, "second@duo.example"
    )
    assert len(received_by(smtp_server, "first@duo.example")) == before == 1
    assert not AuditEvent.objects.filter(action="customer.contacts_unreachable").exists()
    assert not any("please phone" in s for s in received_by(smtp_server, officer.email))


@pytest.mark.django_db
def test_lists_keep_breach_notices_apart_from_other_mail(smtp_server, client):
    """OBL BR-05: a refused breach notice and a refused request to confirm the contacts are
    both alerts, but the dashboard and the alerts page list them under separate headings,
    breach notices first, and the selectors separate them too."""
    officer, staff, product = world()
    org = customer_with(product, language="en", subscription=False, flagged=0, name="Org B.V.")
    ContactFactory(
        customer=org,
        email="desk@org.example",
        is_subscription_contact=True,
        receives_breach_notices=False,
    )
    ContactFactory(customer=org, email="security@org.example", receives_breach_notices=True)
    UserFactory(role=Role.CUSTOMER_ADMIN, customer=org, email="admin@org.example")
    for address in ("security@org.example", "admin@org.example"):
        smtp_server.handler.rcpt_replies[address] = "550 5.1.1 User unknown"
    notify(officer, staff, product, "Printer queue exposed")

    outbox_sweep()  # the notice to security@ is refused: confirmation asked of desk@, admin@
    assert sorted(m.to_email for m in confirmations(org)) == [
        "admin@org.example",
        "desk@org.example",
    ]
    outbox_sweep()  # the confirmation to admin@ is refused
    breach = list(open_alerts(officer, breach_notices=True))
    other = list(open_alerts(officer, breach_notices=False))
    assert [m.to_email for m in breach] == ["security@org.example"]
    assert [m.to_email for m in other] == ["admin@org.example"]
    assert other[0].key.startswith("contacts-confirmation:")

    sign_in(client, officer)
    for url, section_id in (
        (reverse("dashboard"), "outbox-alerts"),
        (reverse("outbox_alerts"), "open-alerts"),
    ):
        page = client.get(url).content.decode()
        section = page.split(f'id="{section_id}"')[1].split("</section>")[0]
        section = section.split("</article>")[0]
        breach_part, other_part = section.split("Other mail (1)")
        assert "Breach notices (1)" in breach_part
        assert "security@org.example" in breach_part and "admin@org.example" not in breach_part
        assert "admin@org.example" in other_part and "security@org.example" not in other_part
        assert UNREACHABLE not in section  # desk@ still works
