"""Bounce reports (RFC 3464) through the real bounce receiver."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from compliance.bounces import BounceHandler, dsn_parse
from compliance.models import EscalationReason, OutboxMessage, OutboxStatus
from compliance.outbox import message_queue, open_alerts, outbox_sweep
from compliance.tests.conftest import free_port


def delivery_status_report(
    *,
    recipient: str,
    original: bytes,
    action: str = "failed",
    status: str = "5.1.1",
    headers_only: bool = True,
    original_message_id: str | None = None,
) -> bytes:
    """A delivery-status notification as Postfix writes it."""
    per_message = "Reporting-MTA: dns; mx.customer.example\r\nArrival-Date: Mon, 3 Mar 2025\r\n"
    if original_message_id:
        per_message += f"Original-Message-ID: {original_message_id}\r\n"
    per_recipient = (
        f"Final-Recipient: rfc822; {recipient}\r\n"
        f"Original-Recipient: rfc822;{recipient}\r\n"
        f"Action: {action}\r\n"
        f"Status: {status}\r\n"
        f"Diagnostic-Code: smtp; 550 {status} <{recipient}>: Recipient address\r\n"
        " rejected: User unknown in virtual mailbox table\r\n"
    )
    if headers_only:
        returned_type = "text/rfc822-headers"
        returned = original.split(b"\r\n\r\n", 1)[0].decode() + "\r\n"
    else:
        returned_type = "message/rfc822"
        returned = original.decode()
    boundary = "B0UNDARY-42"
    return (
        "From: MAILER-DAEMON@mx.customer.example (Mail Delivery System)\r\n"
        "To: bounces@processor.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n'
        "\r\n"
        f"--{boundary}\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
        "I'm sorry to have to inform you that your message could not be delivered.\r\n\r\n"
        f"--{boundary}\r\n"
        "Content-Type: message/delivery-status\r\n\r\n"
        f"{per_message}\r\n{per_recipient}\r\n"
        f"--{boundary}\r\n"
        f"Content-Type: {returned_type}\r\n\r\n"
        f"{returned}\r\n"
        f"--{boundary}--\r\n"
    ).encode()


ORIGINAL = (
    b"From: privacy@processor.example\r\nTo: a@customer.example\r\n"
    b"Subject: Notice\r\nMessage-ID: <abc123@processor.example>\r\n\r\nBody\r\n"
)


def test_parse_report_with_returned_headers():
    [failure] = dsn_parse(delivery_status_report(recipient="a@customer.example", original=ORIGINAL))
    assert failure.message_id == "<abc123@processor.example>"
    assert failure.recipient == "a@customer.example"
    assert failure.status == "5.1.1"
    assert "User unknown" in failure.diagnostic


def test_parse_report_with_returned_message():
    raw = delivery_status_report(
        recipient="a@customer.example", original=ORIGINAL, headers_only=False
    )
    [failure] = dsn_parse(raw)
    assert failure.message_id == "<abc123@processor.example>"


def test_parse_prefers_original_message_id_field():
    raw = delivery_status_report(
        recipient="a@customer.example",
        original=ORIGINAL,
        original_message_id="<other@processor.example>",
    )
    assert dsn_parse(raw)[0].message_id == "<other@processor.example>"


def test_delayed_report_and_ordinary_mail_are_not_failures():
    delayed = delivery_status_report(
        recipient="a@customer.example", original=ORIGINAL, action="delayed", status="4.4.1"
    )
    assert dsn_parse(delayed) == []
    plain = EmailMessage()
    plain["Subject"] = "Out of office"
    plain.set_content("I am away until Monday.")
    assert dsn_parse(plain.as_bytes()) == []
    assert dsn_parse(b"garbage") == []


@pytest.fixture
def bounce_receiver():
    controller = Controller(BounceHandler(), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


@pytest.mark.django_db(transaction=True)
def test_bounce_arriving_later_marks_recipient_failed(
    smtp_server, bounce_receiver, temporary_broker, privacy_officer
):
    """OBL BR-05: a bounce after acceptance marks that recipient failed and alerts."""
    rows = [
        message_queue(
            key=f"bounce:{i}",
            to_email=f"r{i}@customer.example",
            to_name="",
            language="en",
            subject="Notice",
            body_text="Text\n",
        )
        for i in range(2)
    ]
    outbox_sweep()
    assert all(r.status == OutboxStatus.ACCEPTED for r in OutboxMessage.objects.all())
    received = next(r for r in smtp_server.handler.received if r.rcpt_tos == [rows[1].to_email])
    report = delivery_status_report(recipient=rows[1].to_email, original=received.content)

    with smtplib.SMTP(bounce_receiver.hostname, bounce_receiver.port) as conn:
        conn.sendmail("", ["bounces@processor.example"], report)

    ok, bounced = (OutboxMessage.objects.get(pk=r.pk) for r in rows)
    assert ok.status == OutboxStatus.ACCEPTED
    assert bounced.status == OutboxStatus.FAILED
    assert bounced.accepted_at is not None  # the acceptance stays on record
    assert bounced.escalation_reason == EscalationReason.BOUNCED
    assert "5.1.1" in bounced.last_reply
    assert list(open_alerts(privacy_officer)) == [bounced]


@pytest.mark.django_db(transaction=True)
def test_bounce_for_unknown_message_is_accepted_and_ignored(bounce_receiver):
    report = delivery_status_report(recipient="x@customer.example", original=ORIGINAL)
    with smtplib.SMTP(bounce_receiver.hostname, bounce_receiver.port) as conn:
        assert conn.sendmail("", ["bounces@processor.example"], report) == {}
    assert not OutboxMessage.objects.exists()
