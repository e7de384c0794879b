"""The notice outbox against a real SMTP server (aiosmtpd), a real broker and a moved clock."""

from __future__ import annotations

import hashlib
import io
import threading
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from audits.models import AuditEvent
from compliance import outbox
from compliance.models import (
    EscalationReason,
    OutboxMessage,
    OutboxStatus,
    Role,
    StoredDocument,
)
from compliance.outbox import (
    alert_resolve,
    message_queue,
    message_render,
    open_alerts,
    outbox_claim,
    outbox_sweep,
)
from tests.factories import ContactFactory

START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def pdf_bytes(text: str = "Incident report") -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": text})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def stored_pdf(customer=None) -> StoredDocument:
    content = pdf_bytes()
    return StoredDocument.objects.create(
        customer=customer,
        title="Incident report",
        filename="incident-report.pdf",
        content=content,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        template_name="pdf/test.html",
        template_version="1",
        language="en",
    )


def queue(n: int = 1, *, prefix: str = "test", customer=None, **overrides) -> list[OutboxMessage]:
    rows = []
    for i in range(n):
        fields = {
            "key": f"{prefix}:{i}",
            "to_email": f"{prefix}-{i}@customer.example",
            "to_name": f"Recipient {i}",
            "language": "en",
            "subject": f"Notice {i}",
            "body_text": "Plain text body.\n",
            "body_html": "<p>HTML body.</p>",
            "customer": customer,
        }
        fields.update(overrides)
        rows.append(message_queue(**fields))
    return rows


def refresh(rows):
    return [OutboxMessage.objects.get(pk=r.pk) for r in rows]


def assert_no_duplicates(handler):
    counts = Counter(handler.message_ids())
    assert all(c == 1 for c in counts.values()), counts


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


# --------------------------------------------------------------------------- queuing


def test_same_key_queued_twice_gives_one_row(db, customer):
    """OBL BR-05: a notice can never be queued twice."""
    first = queue(1, customer=customer)[0]
    second = queue(1, customer=customer, subject="Changed")[0]
    assert first.pk == second.pk
    assert OutboxMessage.objects.filter(key="test:0").count() == 1
    assert second.subject == "Notice 0"
    assert AuditEvent.objects.filter(action="outbox.queued").count() == 1


def test_message_id_is_explicit_and_unique(db, settings):
    settings.MESSAGE_ID_DOMAIN = "notices.example"
    a, b = queue(2)
    assert a.message_id.startswith("<") and a.message_id.endswith("@notices.example>")
    assert a.message_id != b.message_id


def test_bad_address_is_refused_and_nothing_saved(db):
    with pytest.raises(ValidationError):
        queue(1, to_email="not an address")
    with pytest.raises(ValidationError):
        queue(1, subject="two\nlines")
    assert not OutboxMessage.objects.exists()


def test_rows_queued_in_a_rolled_back_transaction_vanish(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        queue(3)
        raise RuntimeError("the cause failed")
    assert not OutboxMessage.objects.exists()


def test_one_doorbell_per_transaction(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            queue(5)
    assert len(callbacks) == 1


def test_render_in_recipient_language(db):
    subject, text, html = message_render(
        "delivery_test", language="nl", context={"name": "Eva", "sender": "Processor B.V."}
    )
    assert "Processor B.V." in subject
    assert "Eva" in text
    assert 'lang="nl"' in html


# --------------------------------------------------------------------------- delivery


def test_accepted(db, smtp_server, customer, settings):
    """OBL BR-05: a queued notice reaches the mail server with its attachment."""
    settings.BOUNCE_ADDRESS = "bounces@processor.example"
    contact = ContactFactory(customer=customer)
    document = stored_pdf(customer)
    row = message_queue(
        key="incident:1:contact:1",
        to_email=contact.email,
        to_name=contact.name,
        language="nl",
        subject="Melding datalek — Incident 1",
        body_text="Tekst.\n",
        body_html="<p>Tekst.</p>",
        customer=customer,
        contact=contact,
        attachments=[document],
    )

    result = outbox_sweep()

    row.refresh_from_db()
    assert result.accepted == 1, row.last_reply
    assert row.status == OutboxStatus.ACCEPTED
    assert row.accepted_at is not None
    assert row.attempts == 1
    assert row.last_reply.startswith("250")
    [received] = smtp_server.handler.received
    # VERP: the return path names the message, so a bounce does too.
    token = row.message_id.strip("<>").split("@")[0]
    assert received.mail_from == f"bounces+{token}@processor.example"
    assert received.rcpt_tos == [contact.email]
    message = received.message
    assert message["Message-ID"] == row.message_id
    assert message["Subject"] == "Melding datalek — Incident 1"
    assert message["Content-Language"] == "nl"
    assert message.get_body(("plain",)).get_content().strip() == "Tekst."
    assert "<p>Tekst.</p>" in message.get_body(("html",)).get_content()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "incident-report.pdf"
    pdf = attachment.get_content()
    assert hashlib.sha256(pdf).hexdigest() == document.sha256
    assert PdfReader(io.BytesIO(pdf)).metadata.title == "Incident report"
    assert AuditEvent.objects.filter(action="outbox.accepted", object_id=str(row.pk)).exists()


def test_temporary_4xx_then_accepted(db, smtp_server, clock):
    """OBL BR-05: a temporary refusal is retried later with the same Message-ID."""
    [row] = queue(1)
    smtp_server.handler.rcpt_replies[row.to_email] = "451 4.2.1 Mailbox busy, try later"

    outbox_sweep()
    row.refresh_from_db()
    assert row.status == OutboxStatus.PENDING
    assert row.attempts == 1
    assert row.last_reply.startswith("451")
    assert row.next_attempt_at == START + timedelta(seconds=outbox.BACKOFF_FIRST_SECONDS)
    assert smtp_server.handler.received == []

    smtp_server.handler.rcpt_replies.clear()
    outbox_sweep()  # not due yet
    assert smtp_server.handler.received == []

    clock.shift(timedelta(seconds=outbox.BACKOFF_FIRST_SECONDS))
    outbox_sweep()
    row.refresh_from_db()
    assert row.status == OutboxStatus.ACCEPTED
    assert row.attempts == 2
    assert smtp_server.handler.message_ids() == [row.message_id]


def test_backoff_grows(db, smtp_server, clock):
    [row] = queue(1)
    smtp_server.handler.rcpt_replies[row.to_email] = "452 4.3.1 Insufficient storage"
    waits = []
    for _ in range(4):
        outbox_sweep()
        row.refresh_from_db()
        waits.append(row.next_attempt_at - START)
        clock.move_to(row.next_attempt_at)
    deltas = [b - a for a, b in zip([timedelta(0)] + waits, waits, strict=False)]
    assert deltas == sorted(deltas) and deltas[0] < deltas[-1]


def test_permanent_5xx_for_one_recipient_of_several(db, smtp_server, privacy_officer):
    """OBL BR-05: a permanent refusal fails that recipient and alerts the privacy officer."""
    rows = queue(3)
    smtp_server.handler.rcpt_replies[rows[1].to_email] = "550 5.1.1 No such user"

    outbox_sweep()

    ok1, refused, ok2 = refresh(rows)
    assert ok1.status == ok2.status == OutboxStatus.ACCEPTED
    assert refused.status == OutboxStatus.FAILED
    assert refused.last_reply.startswith("550")
    assert refused.escalated_at is not None
    assert refused.escalation_reason == EscalationReason.REFUSED
    assert list(open_alerts(privacy_officer)) == [refused]
    assert sorted(smtp_server.handler.message_ids()) == sorted([ok1.message_id, ok2.message_id])
    assert smtp_server.handler.connections == 1


def test_refused_at_data_is_not_accepted(db, smtp_server):
    [row] = queue(1)
    smtp_server.handler.data_reply = "554 5.7.1 Message rejected"
    outbox_sweep()
    row.refresh_from_db()
    assert row.status == OutboxStatus.FAILED
    assert row.accepted_at is None


def test_nothing_marked_accepted_before_acceptance(db, smtp_server, monkeypatch):
    """OBL BR-05: at the moment the server accepts, the row is not yet marked; after, it is."""
    rows = queue(3)
    seen = []

    def observe(message):
        current = OutboxMessage.objects.get(pk=message.pk)
        seen.append((current.status, current.accepted_at))
        assert message.message_id in smtp_server.handler.message_ids()

    monkeypatch.setattr(outbox.delivery, "after_acceptance_hook", observe)
    smtp_server.handler.data_reply = "451 4.3.0 Temporary failure"
    outbox_sweep()
    assert seen == []
    assert all(r.accepted_at is None for r in refresh(rows))

    smtp_server.handler.data_reply = "250 OK"
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=1)):
        outbox_sweep()
    assert seen == [(OutboxStatus.SENDING, None)] * 3
    assert all(r.status == OutboxStatus.ACCEPTED for r in refresh(rows))


def test_one_connection_carries_many_messages(db, smtp_server):
    rows = queue(40)
    outbox_sweep()
    assert len(smtp_server.handler.received) == 40
    assert smtp_server.handler.connections == 1
    assert all(r.status == OutboxStatus.ACCEPTED for r in refresh(rows))
    assert_no_duplicates(smtp_server.handler)


def test_server_down_then_up_an_hour_later(db, smtp_server, clock):
    """OBL BR-05: a mail server that is down loses nothing; the sweep sends when it is back."""
    smtp_server.stop()
    rows = queue(3)

    result = outbox_sweep()

    assert result.server_down
    for row in refresh(rows):
        assert row.status == OutboxStatus.PENDING
        assert row.attempts == 1
        assert "cannot connect" in row.last_reply
        assert row.accepted_at is None

    clock.shift(timedelta(hours=1))
    smtp_server.start()
    outbox_sweep()

    for row in refresh(rows):
        assert row.status == OutboxStatus.ACCEPTED
        assert row.accepted_at == START + timedelta(hours=1)
        assert row.escalated_at is None
    assert sorted(smtp_server.handler.message_ids()) == sorted(r.message_id for r in rows)


def test_failing_longer_than_the_limit_escalates(db, smtp_server, clock, settings, privacy_officer):
    """OBL BR-05: a notice not delivered within the configured time alerts the officer."""
    settings.OUTBOX_ESCALATE_AFTER_SECONDS = 2 * 3600
    smtp_server.stop()
    [row] = queue(1)
    for _ in range(5):
        outbox_sweep()
        clock.shift(timedelta(minutes=30))
    row.refresh_from_db()
    assert row.status == OutboxStatus.PENDING
    assert row.escalated_at is not None
    assert row.escalation_reason == EscalationReason.OVERDUE
    assert list(open_alerts(privacy_officer)) == [row]

    smtp_server.start()
    clock.shift(timedelta(hours=1))
    outbox_sweep()
    row.refresh_from_db()
    assert row.status == OutboxStatus.ACCEPTED


def test_worker_killed_between_claim_and_send(db, smtp_server, clock, settings):
    """OBL BR-05: rows claimed by a worker that died are sent once its claim runs out."""
    rows = queue(5)
    claim = outbox_claim(worker="doomed")
    assert sorted(claim.ids) == sorted(r.pk for r in rows)
    # The worker dies here: the rows stay claimed and nothing was sent.

    outbox_sweep()
    assert smtp_server.handler.received == []

    clock.shift(timedelta(seconds=outbox.claim_seconds() + 1))
    outbox_sweep()
    for row in refresh(rows):
        assert row.status in (OutboxStatus.ACCEPTED,) or row.escalated_at is not None
        assert row.status == OutboxStatus.ACCEPTED
    assert_no_duplicates(smtp_server.handler)
    assert len(smtp_server.handler.received) == 5


class WorkerDied(BaseException):
    """Stands for the process dying: nothing after it runs, no handler catches it."""


def test_killed_after_acceptance_resends_with_the_same_message_id(
    db, smtp_server, clock, monkeypatch
):
    """OBL BR-05: the only duplicate is a resend after a crash between acceptance and record,
    and it is only the message that was in flight: each acceptance is committed as it
    happens, and the first recorded acceptance keeps its time."""
    rows = queue(3)

    def die(message):
        if message.pk == rows[1].pk:
            raise WorkerDied

    monkeypatch.setattr(outbox.delivery, "after_acceptance_hook", die)
    with pytest.raises(WorkerDied):
        outbox_sweep()

    assert len(smtp_server.handler.received) == 2  # rows 0 and 1 reached the server
    first, in_flight, untouched = refresh(rows)
    assert first.status == OutboxStatus.ACCEPTED  # committed right after its 250
    first_accepted_at = first.accepted_at
    for row in (in_flight, untouched):
        assert row.status == OutboxStatus.SENDING  # nothing recorded, claim left behind
        assert row.accepted_at is None
        assert row.claimed_until <= timezone.now() + timedelta(seconds=60)

    monkeypatch.setattr(outbox.delivery, "after_acceptance_hook", None)
    outbox_sweep()
    assert len(smtp_server.handler.received) == 2  # the claim still holds

    clock.shift(timedelta(seconds=outbox.claim_seconds() + 1))
    outbox_sweep()
    for row in refresh(rows):
        assert row.status == OutboxStatus.ACCEPTED
    assert refresh(rows)[0].accepted_at == first_accepted_at
    counts = Counter(smtp_server.handler.message_ids())
    assert counts == {rows[0].message_id: 1, rows[1].message_id: 2, rows[2].message_id: 1}


def test_every_row_ends_accepted_or_escalated(db, smtp_server, clock, settings):
    """OBL BR-05: through outages, refusals and dead workers no row is lost."""
    settings.OUTBOX_ESCALATE_AFTER_SECONDS = 3 * 3600
    rows = queue(12)
    handler = smtp_server.handler
    handler.rcpt_replies[rows[0].to_email] = "550 5.1.1 No such user"
    handler.rcpt_replies[rows[1].to_email] = "451 4.2.1 Busy"
    outbox_claim(worker="doomed", limit=4)  # dies
    smtp_server.stop()
    outbox_sweep()
    clock.shift(timedelta(hours=1))
    smtp_server.start()
    outbox_sweep()
    clock.shift(timedelta(hours=3))
    outbox_sweep()
    for row in refresh(rows):
        assert row.status == OutboxStatus.ACCEPTED or row.escalated_at is not None, row
    assert_no_duplicates(handler)


def test_claims_are_disjoint(db):
    queue(6)
    a = outbox_claim(worker="a", limit=4)
    b = outbox_claim(worker="b", limit=4)
    assert len(a.ids) == 4 and len(b.ids) == 2
    assert not set(a.ids) & set(b.ids)
    assert outbox_claim(worker="c").ids == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_claim_skips_locked_rows():
    """On PostgreSQL a claim skips rows another worker is claiming instead of waiting."""
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED is PostgreSQL behaviour")
    rows = queue(4)
    locked = threading.Event()
    release = threading.Event()

    def hold():
        with transaction.atomic():
            list(OutboxMessage.objects.select_for_update().filter(pk__in=[r.pk for r in rows[:2]]))
            locked.set()
            release.wait(10)
        connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert locked.wait(10)
        claim = outbox_claim(worker="b")
        assert sorted(claim.ids) == sorted(r.pk for r in rows[2:])
    finally:
        release.set()
        thread.join()


# --------------------------------------------------------------------------- alerts


def test_alert_resolved_by_privacy_officer(db, smtp_server, privacy_officer, make_user):
    [row] = queue(1)
    smtp_server.handler.rcpt_replies[row.to_email] = "550 5.1.1 No such user"
    outbox_sweep()
    row.refresh_from_db()

    auditor = make_user(Role.AUDITOR)
    assert list(open_alerts(auditor)) == [row]
    with pytest.raises(PermissionDenied):
        alert_resolve(message=row, actor=auditor)
    staff = make_user(Role.STAFF_MEMBER)
    assert list(open_alerts(staff)) == []

    alert_resolve(message=row, actor=privacy_officer)
    assert list(open_alerts(privacy_officer)) == []
    event = AuditEvent.objects.get(action="outbox.alert_resolved")
    assert event.actor == privacy_officer


def test_customer_scoped_auditor_sees_only_own_alerts(
    db, smtp_server, customer, other_customer, make_user
):
    mine = queue(1, prefix="mine", customer=customer)[0]
    theirs = queue(1, prefix="theirs", customer=other_customer)[0]
    for row in (mine, theirs):
        smtp_server.handler.rcpt_replies[row.to_email] = "550 5.1.1 No such user"
    outbox_sweep()
    auditor = make_user(Role.AUDITOR, customer=customer)
    assert [m.pk for m in open_alerts(auditor)] == [mine.pk]


# --------------------------------------------------------------------------- real broker


@pytest.mark.django_db(transaction=True)
def test_on_commit_task_delivers_through_the_real_broker(smtp_server, temporary_broker):
    """OBL BR-05: the doorbell task sent on commit delivers the message via a Celery worker."""
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun

    done = threading.Event()

    def finished(sender=None, **kwargs):
        if sender is not None and sender.name == "compliance.tasks.outbox_deliver":
            done.set()

    task_postrun.connect(finished, weak=False)
    try:
        with start_worker(temporary_broker, perform_ping_check=False, shutdown_timeout=20):
            with transaction.atomic():
                [row] = queue(1, prefix=f"broker-{uuid.uuid4().hex[:6]}")
                assert OutboxMessage.objects.filter(pk=row.pk).exists()
            assert done.wait(30), "the worker did not run outbox_deliver"
    finally:
        task_postrun.disconnect(finished)
    row.refresh_from_db()
    assert row.status == OutboxStatus.ACCEPTED
    assert smtp_server.handler.message_ids() == [row.message_id]


def test_cause_hears_of_acceptance_and_refusal(db, smtp_server, customer):
    """OBL BR-05: the workflow that queued a message learns of its outcome in the same
    transaction that records it (how a notice knows its customer was informed)."""
    from compliance import signals

    heard = []

    def on_accepted(sender, message, **kwargs):
        heard.append(("accepted", message.pk, message.cause_type, message.cause_id))

    def on_failed(sender, message, reason, **kwargs):
        heard.append((reason, message.pk, message.cause_type, message.cause_id))

    signals.message_accepted.connect(on_accepted)
    signals.message_failed.connect(on_failed)
    try:
        rows = [
            message_queue(
                key=f"cause:{i}",
                to_email=f"cause{i}@customer.example",
                to_name="",
                language="en",
                subject="Notice",
                body_text="Text",
                customer=customer,
                cause=customer,
            )
            for i in range(2)
        ]
        plain = message_queue(
            key="no-cause",
            to_email="x@customer.example",
            to_name="",
            language="en",
            subject="Notice",
            body_text="Text",
        )
        smtp_server.handler.rcpt_replies[rows[1].to_email] = "550 5.1.1 No such user"
        outbox_sweep()
    finally:
        signals.message_accepted.disconnect(on_accepted)
        signals.message_failed.disconnect(on_failed)
    assert sorted(heard) == sorted(
        [
            ("accepted", rows[0].pk, "compliance.Customer", customer.pk),
            ("refused", rows[1].pk, "compliance.Customer", customer.pk),
        ]
    )
    assert plain.pk not in [pk for _, pk, _, _ in heard]


def test_officer_marks_an_alert_as_dealt_with_on_the_dashboard(
    db, smtp_server, privacy_officer, auditor, client
):
    """OBL BR-05: a refused delivery stays on the dashboard until the officer has dealt with
    it; the auditor can see it but not resolve it; resolving is audited."""
    from audits.models import AuditEvent
    from tests.auth import sign_in

    [row] = queue(1)
    smtp_server.handler.rcpt_replies[row.to_email] = "550 5.1.1 No such user"
    outbox_sweep()
    url = f"/outbox/{row.pk}/resolve/"
    assert (
        "Mark as dealt with" in sign_in(client, privacy_officer).get("/dashboard/").content.decode()
    )
    sign_in(client, auditor)
    assert "Mark as dealt with" not in client.get("/dashboard/").content.decode()
    assert client.post(url).status_code == 403
    assert list(open_alerts(privacy_officer)) == [row]
    sign_in(client, privacy_officer)
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    assert list(open_alerts(privacy_officer)) == []
    assert AuditEvent.objects.filter(action="outbox.alert_resolved").count() == 1
    assert client.post(url).status_code == 404
