"""A customer is informed at the earliest acceptance among its messages that did not bounce
(BR-03, BR-04): a bounce arriving later withdraws or moves the informed moment and with it
the 72 hours, unless the customer showed it is aware in the portal.

Real parts: the outbox sends to a real aiosmtpd server that defers one recipient; bounce
reports go over SMTP to the product's own bounce receiver (`manage.py bounce_receiver`) in
a separate process on the test's database, named only by the VERP return path or by the
DSN's Original-Envelope-Id (neither quotes the Message-ID).
"""

from __future__ import annotations

import os
import smtplib
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from audits.models import AuditEvent
from breaches.deadlines import AUTHORITY_DECISION_HOURS
from breaches.models import CustomerNotice, NoticeLetter, NoticeState
from breaches.services import (
    affected_select,
    incident_notify,
    incident_report,
    incident_triage,
    notice_acknowledge,
)
from breaches.tests.processes import wait_for
from compliance.mail import envelope_id, return_path
from compliance.models import OutboxMessage, OutboxStatus, Role
from compliance.outbox import outbox_sweep
from compliance.tests.conftest import free_port
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("temporary_broker")]

DEFERRED = "451 4.2.1 Mailbox busy, try again later"


@pytest.fixture
def bounce_receiver(shared_database, tmp_path):
    """`manage.py bounce_receiver` in its own process, on the test's database."""
    port = free_port()
    log = tmp_path / "bounce_receiver.log"
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "bounce_receiver",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": shared_database,
            "CELERY_BROKER_URL": "memory://",
        },
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    wait_for(
        lambda: b"listening" in log.read_bytes() or process.poll() is not None, what="receiver"
    )
    assert process.poll() is None, log.read_text()
    yield port
    process.terminate()
    process.wait(timeout=30)


def bounce_send(port: int, message: OutboxMessage, *, verp: bool) -> None:
    """A delivery-status report for `message` that quotes no Message-ID: the VERP return
    path names the message, or (sent to the plain bounce address) its Original-Envelope-Id."""
    per_message = "Reporting-MTA: dns; mx.customer.example\r\n"
    if not verp:
        per_message += f"Original-Envelope-Id: {envelope_id(message)}\r\n"
    report = (
        "From: MAILER-DAEMON@mx.customer.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        f"{per_message}\r\n"
        f"Final-Recipient: rfc822; {message.to_email}\r\nAction: failed\r\nStatus: 5.2.1\r\n"
        "Diagnostic-Code: smtp; 550 5.2.1 Mailbox disabled\r\n\r\n"
        "--B--\r\n"
    ).encode()
    to = return_path(message) if verp else settings.BOUNCE_ADDRESS
    with smtplib.SMTP("127.0.0.1", port) as conn:
        assert conn.sendmail("", [to], report) == {}


@pytest.fixture
def notice(shared_database, smtp_server, staff, officer, processor, product, make_customer):
    """A notified customer with two recipients; nothing sent yet."""
    customer = make_customer(product, language="en")
    incident = incident_report(actor=staff, title="Mailbox export", description="Exported.")
    incident = incident_triage(
        actor=officer,
        incident=incident,
        personal_data_involved=True,
        data_categories="Names",
        likely_consequences="Phishing",
    )
    incident = affected_select(actor=officer, incident=incident, rule="product", products=[product])
    incident_notify(actor=officer, incident=incident)
    return CustomerNotice.objects.get(incident=incident, customer=customer)


def messages_of(notice):
    rows = OutboxMessage.objects.filter(cause_type="breaches.CustomerNotice", cause_id=notice.pk)
    first, second = rows.order_by("pk")
    return first, second


def bounced(message: OutboxMessage) -> bool:
    return OutboxMessage.objects.get(pk=message.pk).status == OutboxStatus.FAILED


def letter_moments(notice):
    return list(
        NoticeLetter.objects.filter(notice=notice)
        .order_by("version")
        .values_list("informed_at", flat=True)
    )


def test_bounce_withdraws_informed_until_the_other_message_arrives(
    notice,
    smtp_server,
    bounce_receiver,
):
    """OBL BR-03, BR-04: one contact's message is accepted and then bounces (named by its
    VERP return path) while the other's is deferred: the customer is no longer informed and
    no 72 hours run; when the deferred message is accepted, the customer is informed from
    then, its deadline counted from then, and a new letter states it (the first kept)."""
    first, second = messages_of(notice)
    smtp_server.handler.rcpt_replies[second.to_email] = DEFERRED
    outbox_sweep()
    first.refresh_from_db()
    notice.refresh_from_db()
    assert first.status == OutboxStatus.ACCEPTED
    assert notice.informed_at == first.accepted_at
    assert letter_moments(notice) == [first.accepted_at]

    bounce_send(bounce_receiver, first, verp=True)
    wait_for(lambda: bounced(first), what="the bounce")
    notice.refresh_from_db()
    assert notice.informed_at is None
    assert notice.aware_at is None and notice.authority_due_at is None
    assert notice.state == NoticeState.QUEUED
    assert AuditEvent.objects.filter(action="notice.informed_withdrawn").count() == 1

    del smtp_server.handler.rcpt_replies[second.to_email]
    with time_machine.travel(timezone.now() + timedelta(minutes=2), tick=True):
        outbox_sweep()
    second.refresh_from_db()
    notice.refresh_from_db()
    assert second.status == OutboxStatus.ACCEPTED
    assert notice.informed_at == second.accepted_at
    assert notice.authority_due_at == second.accepted_at + timedelta(hours=AUTHORITY_DECISION_HOURS)
    assert notice.state == NoticeState.SENT
    assert letter_moments(notice) == [first.accepted_at, second.accepted_at]


def test_bounce_moves_informed_to_the_next_acceptance_until_acknowledged(
    notice,
    smtp_server,
    bounce_receiver,
):
    """OBL BR-03, BR-04: both messages accepted at different times; the earlier one bounces
    (named by the DSN's Original-Envelope-Id): informed moves to the later acceptance, with
    its deadline and a new letter. Once the customer acknowledged the notice in the portal, a
    bounce of the remaining message no longer undoes it."""
    first, second = messages_of(notice)
    smtp_server.handler.rcpt_replies[second.to_email] = DEFERRED
    outbox_sweep()
    del smtp_server.handler.rcpt_replies[second.to_email]
    with time_machine.travel(timezone.now() + timedelta(minutes=2), tick=True):
        outbox_sweep()
    first.refresh_from_db()
    second.refresh_from_db()
    notice.refresh_from_db()
    assert first.accepted_at < second.accepted_at
    assert notice.informed_at == first.accepted_at

    bounce_send(bounce_receiver, first, verp=False)
    wait_for(lambda: bounced(first), what="the bounce")
    notice.refresh_from_db()
    assert notice.informed_at == second.accepted_at
    assert notice.aware_at == second.accepted_at
    assert notice.authority_due_at == second.accepted_at + timedelta(hours=AUTHORITY_DECISION_HOURS)
    assert AuditEvent.objects.filter(action="notice.informed_moved").count() == 1
    assert letter_moments(notice) == [first.accepted_at, second.accepted_at]

    admin = UserFactory(role=Role.CUSTOMER_ADMIN, customer=notice.customer)
    notice_acknowledge(actor=admin, notice=notice)
    bounce_send(bounce_receiver, second, verp=True)
    wait_for(lambda: bounced(second), what="the bounce")
    notice.refresh_from_db()
    assert notice.state == NoticeState.ACKNOWLEDGED
    assert notice.informed_at == second.accepted_at
    assert notice.authority_due_at == second.accepted_at + timedelta(hours=AUTHORITY_DECISION_HOURS)
    assert letter_moments(notice) == [first.accepted_at, second.accepted_at]
