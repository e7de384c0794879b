"""The notice outbox: every e-mail the product sends, one row per recipient (BR-05).

A row is written in the same transaction as its cause (`message_queue`), so a notice exists
exactly when its cause does. Celery is only the doorbell: on commit a task is asked to deliver
the new rows, and a beat sweep every 30 s claims whatever is due by itself, so a lost task, a
dead worker or a mail server that is down for hours loses nothing.

Delivery is at least once, which is the best SMTP allows. A row is marked accepted only after
the server accepted it; a worker that dies between acceptance and recording leaves its claim
behind, the claim expires, and the row is sent again with the same Message-ID (the only case
in which a recipient can get a message twice).
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.mime.base import MIMEBase

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from audits.services import event_record, events_record
from compliance import signals
from compliance.access import can, customer_scope, require
from compliance.after_commit import after_commit_add
from compliance.doorbell import task_ring
from compliance.mail import (
    ConnectionLost,
    attachment_part,
    message_build,
    smtp_open,
    smtp_reply,
    smtp_transaction,
)
from compliance.models import (
    Contact,
    Customer,
    EscalationReason,
    Heartbeat,
    Language,
    OutboxMessage,
    OutboxStatus,
    StoredDocument,
)
from compliance.text import bidi_strip

log = logging.getLogger(__name__)

SWEEP_HEARTBEAT = "outbox_sweep"
# The Celery task that delivers the rows queued in one transaction (compliance.tasks).
DELIVER_TASK = "compliance.tasks.outbox_deliver"
# Retries back off 30 s, 1 min, 2 min, ... and never wait longer than 30 min, so a mail server
# that comes back is used again within half an hour.
BACKOFF_FIRST_SECONDS = 30
BACKOFF_MAX_SECONDS = 30 * 60

# Called with the row right after the server accepted it and before that is recorded. Tests set
# it to simulate a worker that dies in exactly that window.
after_acceptance_hook: Callable[[OutboxMessage], None] | None = None


def claim_seconds() -> int:
    """How long a claim holds a row; after that another worker may take it over."""
    return getattr(settings, "OUTBOX_CLAIM_SECONDS", 300)


def batch_size() -> int:
    return getattr(settings, "OUTBOX_BATCH_SIZE", 200)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:60]


def message_id_new() -> str:
    return f"<{uuid.uuid4().hex}@{settings.MESSAGE_ID_DOMAIN}>"


def backoff_seconds(attempts: int) -> int:
    return min(BACKOFF_FIRST_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS)


# --------------------------------------------------------------------------- queuing


def _render_plain(template_name: str, context: dict) -> str:
    """A template rendered without HTML autoescaping (and so are its includes): a subject
    or a plain-text part is not HTML, so `O'Brien <b>` must stay as typed."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


def message_render(template: str, *, language: str, context: dict) -> tuple[str, str, str]:
    """Subject, text and HTML of `templates/emails/<template>.*` in the recipient's language.

    Only the HTML part is escaped; no part carries bidi controls (`compliance.text`)."""
    with translation.override(language):
        subject = _render_plain(f"emails/{template}.subject.txt", context)
        text = _render_plain(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    subject, text, html = (bidi_strip(part) for part in (subject, text, html))
    return " ".join(subject.split()), text.strip() + "\n", html


class FilledTemplate:
    """An e-mail template rendered once per language (and per `variant` of the shared
    context) with placeholders for what differs per recipient, then filled in per recipient.

    Rendering the template for each of thousands of recipients would dominate a fan-out or a
    sweep; a string replacement costs next to nothing. Placeholders are flat context
    variables; their values are escaped for the HTML part and kept on one line in the subject.
    """

    def __init__(self, template: str, placeholders: Iterable[str]):
        self.template = template
        self.marks = {name: f"@@{name}@@" for name in placeholders}
        self.rendered: dict[tuple, tuple[str, str, str]] = {}

    def render(
        self,
        *,
        language: str,
        context: dict,
        values: dict[str, str] | None = None,
        variant: tuple = (),
    ) -> tuple[str, str, str]:
        """Subject, text and HTML for one recipient. `context` must be the same for every
        call with the same language and `variant`."""
        key = (language, *variant)
        if key not in self.rendered:
            self.rendered[key] = message_render(
                self.template, language=language, context={**context, **self.marks}
            )
        subject, text, html = self.rendered[key]
        for name, mark in self.marks.items():
            value = bidi_strip((values or {}).get(name, ""))
            subject = subject.replace(mark, " ".join(value.split()))
            text = text.replace(mark, value)
            html = html.replace(mark, escape(value))
        return subject, text, html


def _ring(ids: list[int]) -> None:
    """Hand the rows queued in one transaction to one Celery task per batch (after commit)."""
    size = batch_size()
    for start in range(0, len(ids), size):
        try:
            task_ring(DELIVER_TASK, ids[start : start + size])
        except Exception:  # noqa: BLE001 - a broker outage must not fail the committed cause
            log.warning("outbox doorbell failed; the beat sweep will send", exc_info=True)


def _doorbell_add(pk: int) -> None:
    # One task per transaction instead of one per row.
    after_commit_add("_outbox_doorbell", pk, _ring)


def _single_line(value: str, label: str) -> str:
    if "\n" in value or "\r" in value:
        raise ValidationError(_("%(field)s must be a single line.") % {"field": label})
    return value


def message_queue(
    *,
    key: str,
    to_email: str,
    to_name: str,
    language: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    customer: Customer | None = None,
    contact: Contact | None = None,
    attachments: Iterable[StoredDocument] = (),
    actor=None,
    cause=None,
) -> OutboxMessage:
    """Queue one e-mail to one recipient inside the caller's transaction (BR-05).

    Idempotent on `key`: queuing the same key again returns the row already there. The
    recipient is resolved now and recorded with the row. `cause` (a saved model instance)
    is told of acceptance and failure through `compliance.signals`. Bidi controls are
    removed from every part (`compliance.text`).
    """
    subject, to_name, body_text, body_html = (
        bidi_strip(part) for part in (subject, to_name, body_text, body_html)
    )
    validate_email(to_email)
    _single_line(subject, _("Subject"))
    _single_line(to_name, _("Recipient name"))
    if language not in Language.values:
        raise ValidationError(_("Unknown language %(language)s.") % {"language": language})
    with transaction.atomic():
        try:
            # A savepoint, so that losing a race on the unique key leaves the caller's
            # transaction usable.
            with transaction.atomic():
                message = OutboxMessage.objects.create(
                    key=key,
                    message_id=message_id_new(),
                    customer=customer,
                    contact=contact,
                    to_email=to_email,
                    to_name=to_name,
                    language=language,
                    subject=subject,
                    body_text=body_text,
                    body_html=body_html,
                    next_attempt_at=timezone.now(),
                    cause_type=cause._meta.label if cause is not None else "",
                    cause_id=cause.pk if cause is not None else None,
                )
        except IntegrityError:
            existing = OutboxMessage.objects.filter(key=key).first()
            if existing is None:
                raise
            return existing
        documents = list(attachments)
        if documents:
            message.attachments.add(*documents)
        event_record(
            actor=actor,
            action="outbox.queued",
            obj=message,
            after={
                "key": key,
                "message_id": message.message_id,
                "to": to_email,
                "subject": subject,
                "language": language,
                "attachments": [d.pk for d in documents],
            },
            customer_id=message.customer_id,
        )
        _doorbell_add(message.pk)
    return message


@dataclass
class QueuedRow:
    """One message for `messages_queue_bulk`; same meaning as `message_queue`'s arguments."""

    key: str
    to_email: str
    to_name: str
    language: str
    subject: str
    body_text: str
    body_html: str = ""
    customer_id: int | None = None
    contact_id: int | None = None
    cause_type: str = ""
    cause_id: int | None = None

    @classmethod
    def to_contact(
        cls,
        *,
        key: str,
        contact: Contact,
        language: str,
        rendered: tuple[str, str, str],
        cause_type: str = "",
        cause_id: int | None = None,
    ) -> QueuedRow:
        """A message to a customer's contact: `rendered` is (subject, text, HTML)."""
        subject, text, html = rendered
        return cls(
            key=key,
            to_email=contact.email,
            to_name=contact.name,
            language=language,
            subject=subject,
            body_text=text,
            body_html=html,
            customer_id=contact.customer_id,
            contact_id=contact.pk,
            cause_type=cause_type,
            cause_id=cause_id,
        )


def _outbox_rows(rows: Sequence[QueuedRow], at: datetime) -> list[OutboxMessage]:
    return [
        OutboxMessage(
            key=row.key,
            message_id=message_id_new(),
            customer_id=row.customer_id,
            contact_id=row.contact_id,
            to_email=row.to_email,
            # Rendered parts come from `message_render`/`FilledTemplate` without bidi
            # controls already; a fan-out does not scan thousands of bodies again.
            to_name=bidi_strip(row.to_name),
            language=row.language,
            subject=bidi_strip(row.subject),
            body_text=row.body_text,
            body_html=row.body_html,
            created_at=at,
            next_attempt_at=at,
            cause_type=row.cause_type,
            cause_id=row.cause_id,
        )
        for row in rows
    ]


def _bulk_insert(messages: list[OutboxMessage]) -> list[OutboxMessage] | None:
    """The rows, inserted; None when a key was already queued (nothing inserted)."""
    try:
        with transaction.atomic():
            return OutboxMessage.objects.bulk_create(messages)
    except IntegrityError:
        return None


def messages_queue_bulk(
    *,
    rows: Sequence[QueuedRow],
    actor=None,
    chunk_size: int = 500,
    cause_events: Sequence[dict] = (),
) -> list[OutboxMessage]:
    """Queue many e-mails inside the caller's transaction (a fan-out to thousands) (BR-05).

    Same guarantees as `message_queue`: each row validated, idempotent on `key` (keys
    already queued are skipped and their rows returned), an explicit Message-ID per row, an
    audit event in the same transaction — one per customer per chunk, listing its rows, so
    a customer's own audit view still shows every message to it — and one doorbell per
    transaction. Rows are written with bulk INSERTs instead of a savepoint each.
    `cause_events` (`events_record` dicts of the caller's own change) are written in the
    same INSERT as the first chunk's events.
    """
    for row in rows:
        validate_email(row.to_email)
        _single_line(row.subject, _("Subject"))
        _single_line(row.to_name, _("Recipient name"))
        if row.language not in Language.values:
            raise ValidationError(_("Unknown language %(language)s.") % {"language": row.language})
    out: list[OutboxMessage] = []
    pending_events = list(cause_events)
    # No savepoint of its own: an error here fails the caller's transaction anyway.
    with transaction.atomic(savepoint=False):
        for start in range(0, len(rows), chunk_size):
            chunk = rows[start : start + chunk_size]
            keys = [row.key for row in chunk]
            if len(set(keys)) != len(keys):
                raise ValidationError(_("The same message key was queued twice in one batch."))
            at = timezone.now()
            existing: dict[str, OutboxMessage] = {}
            # Optimistic: a fresh fan-out or sweep has no key queued yet, so INSERT first and
            # look up the keys already queued only when one collides (a retried task).
            new = _outbox_rows(chunk, at)
            created = _bulk_insert(new)
            if created is None:
                existing = {m.key: m for m in OutboxMessage.objects.filter(key__in=keys)}
                new = _outbox_rows([row for row in chunk if row.key not in existing], at)
                created = _bulk_insert(new)
            if created is None:
                # Lost a race on a key with a concurrent writer: fall back to one by one.
                created = []
                for m in new:
                    row = message_queue(
                        key=m.key,
                        to_email=m.to_email,
                        to_name=m.to_name,
                        language=m.language,
                        subject=m.subject,
                        body_text=m.body_text,
                        body_html=m.body_html,
                        customer=Customer(pk=m.customer_id) if m.customer_id else None,
                        contact=Contact(pk=m.contact_id) if m.contact_id else None,
                        actor=actor,
                    )
                    if m.cause_type and not row.cause_type:
                        OutboxMessage.objects.filter(pk=row.pk).update(
                            cause_type=m.cause_type, cause_id=m.cause_id
                        )
                    out.append(row)
            if created and created[0].pk is None:  # backends without RETURNING
                by_key = dict(
                    OutboxMessage.objects.filter(key__in=[m.key for m in created]).values_list(
                        "key", "pk"
                    )
                )
                for m in created:
                    m.pk = by_key[m.key]
            by_customer: dict[int | None, list[OutboxMessage]] = {}
            for m in created:
                by_customer.setdefault(m.customer_id, []).append(m)
            events, pending_events = pending_events, []
            events_record(
                events
                + [
                    {
                        "actor": actor,
                        "action": "outbox.queued",
                        "obj": messages[0] if len(messages) == 1 else None,
                        "after": {
                            "messages": [
                                {
                                    "key": m.key,
                                    "message_id": m.message_id,
                                    "to": m.to_email,
                                    "subject": m.subject,
                                    "language": m.language,
                                }
                                for m in messages
                            ]
                        },
                        "customer_id": customer_id,
                    }
                    for customer_id, messages in by_customer.items()
                ]
            )
            for m in created:
                _doorbell_add(m.pk)
            out.extend(created)
            out.extend(existing.values())
        events_record(pending_events)
    return out


# --------------------------------------------------------------------------- claiming


@dataclass
class Claim:
    token: str
    ids: list[int] = field(default_factory=list)


def _due(now: datetime) -> Q:
    return Q(status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING], next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
    )


def outbox_claim(
    *, worker: str | None = None, limit: int | None = None, ids: Sequence[int] | None = None
) -> Claim:
    """Take a lease on due rows so that no other worker sends them meanwhile (BR-05).

    A claim is a lease, not a record of anything that happened, so it is not audited. If the
    worker dies, the lease runs out and a later sweep takes the rows over.
    """
    now = timezone.now()
    claim = Claim(token=f"{worker or worker_name()}:{uuid.uuid4().hex[:12]}")
    limit = limit or batch_size()
    due = OutboxMessage.objects.filter(_due(now)).order_by("next_attempt_at", "id")
    if ids is not None:
        due = due.filter(id__in=list(ids))
    lease = {
        "status": OutboxStatus.SENDING,
        "claimed_until": now + timedelta(seconds=claim_seconds()),
        "claimed_by": claim.token,
    }
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            # PostgreSQL: rows another worker is claiming right now are skipped, not waited on.
            picked = list(
                due.select_for_update(skip_locked=True).values_list("id", flat=True)[:limit]
            )
            if picked:
                OutboxMessage.objects.filter(id__in=picked).update(**lease)
            claim.ids = picked
        else:
            # SQLite: the UPDATE repeats the due condition, so of two workers that picked the
            # same candidates only one gets each row; the token tells us which ones are ours.
            candidates = list(due.values_list("id", flat=True)[:limit])
            if candidates:
                OutboxMessage.objects.filter(_due(now), id__in=candidates).update(**lease)
                claim.ids = list(
                    OutboxMessage.objects.filter(claimed_by=claim.token).values_list(
                        "id", flat=True
                    )
                )
    return claim


# --------------------------------------------------------------------------- sending


class _AttachmentCache:
    """MIME parts of stored documents, built once per batch and shared by its messages."""

    def __init__(self):
        self.parts: dict[int, MIMEBase] = {}

    def load(self, message_ids: Sequence[int]) -> dict[int, list[MIMEBase]]:
        through = OutboxMessage.attachments.through
        pairs = list(
            through.objects.filter(outboxmessage_id__in=message_ids)
            .order_by("id")
            .values_list("outboxmessage_id", "storeddocument_id")
        )
        missing = {doc_id for _, doc_id in pairs} - self.parts.keys()
        for doc in StoredDocument.objects.filter(id__in=missing):
            self.parts[doc.pk] = attachment_part(doc)
        by_message: dict[int, list[MIMEBase]] = {}
        for message_id, doc_id in pairs:
            by_message.setdefault(message_id, []).append(self.parts[doc_id])
        return by_message


@dataclass
class SendResult:
    accepted: int = 0
    deferred: int = 0
    failed: int = 0
    server_down: bool = False


def _outcome_fields(message: OutboxMessage) -> list[str]:
    message.attempts += 1
    message.claimed_until = None
    return ["status", "attempts", "last_reply", "claimed_until"]


def _record_accepted(message: OutboxMessage, accepted_at: datetime, reply: str) -> None:
    message.status = OutboxStatus.ACCEPTED
    message.accepted_at = accepted_at
    message.last_reply = reply
    fields = _outcome_fields(message) + ["accepted_at"]
    OutboxMessage.objects.filter(pk=message.pk).update(
        **{name: getattr(message, name) for name in fields}
    )
    event_record(
        actor=None,
        action="outbox.accepted",
        obj=message,
        after={
            "message_id": message.message_id,
            "to": message.to_email,
            "accepted_at": accepted_at.isoformat(),
            "reply": reply,
        },
        customer_id=message.customer_id,
    )
    if message.cause_type:
        signals.message_accepted.send(sender=OutboxMessage, message=message)


def _escalate(message: OutboxMessage, now: datetime, reason: str) -> list[str]:
    if message.escalated_at is not None:
        return []
    message.escalated_at = now
    message.escalation_reason = reason
    message.alert_resolved_at = None
    event_record(
        actor=None,
        action="outbox.escalated",
        obj=message,
        after={
            "message_id": message.message_id,
            "to": message.to_email,
            "reason": reason,
            "reply": message.last_reply,
        },
        customer_id=message.customer_id,
    )
    return ["escalated_at", "escalation_reason", "alert_resolved_at"]


def _overdue(message: OutboxMessage, now: datetime) -> bool:
    limit = timedelta(seconds=settings.OUTBOX_ESCALATE_AFTER_SECONDS)
    return now - message.created_at >= limit


def _record_deferred(message: OutboxMessage, now: datetime, reply: str) -> None:
    message.status = OutboxStatus.PENDING
    message.last_reply = reply
    fields = _outcome_fields(message) + ["next_attempt_at"]
    message.next_attempt_at = now + timedelta(seconds=backoff_seconds(message.attempts))
    event_record(
        actor=None,
        action="outbox.deferred",
        obj=message,
        after={
            "message_id": message.message_id,
            "attempt": message.attempts,
            "reply": reply,
            "next_attempt_at": message.next_attempt_at.isoformat(),
        },
        customer_id=message.customer_id,
    )
    if _overdue(message, now):
        fields += _escalate(message, now, EscalationReason.OVERDUE)
    message.save(update_fields=fields)


def _record_failed(message: OutboxMessage, now: datetime, reply: str) -> None:
    message.status = OutboxStatus.FAILED
    message.failed_at = now
    message.last_reply = reply
    fields = _outcome_fields(message) + ["failed_at"]
    event_record(
        actor=None,
        action="outbox.refused",
        obj=message,
        after={"message_id": message.message_id, "to": message.to_email, "reply": reply},
        customer_id=message.customer_id,
    )
    fields += _escalate(message, now, EscalationReason.REFUSED)
    message.save(update_fields=fields)
    if message.cause_type:
        signals.message_failed.send(sender=OutboxMessage, message=message, reason="refused")


def _release(token: str, ids: Iterable[int]) -> None:
    OutboxMessage.objects.filter(
        id__in=list(ids), claimed_by=token, status=OutboxStatus.SENDING
    ).update(status=OutboxStatus.PENDING, claimed_until=None)


def outbox_send_claimed(*, claim: Claim) -> SendResult:
    """Send the claimed rows over one SMTP connection and record each outcome (BR-05).

    A row is marked accepted only after the server's 250 for its DATA. Outcomes are written
    in small groups rather than one transaction per message: one commit (an fsync) per
    message would cap throughput at the disk's fsync rate, while a group costs only that the
    at most OUTBOX_COMMIT_GROUP messages accepted since the last commit are sent a second
    time, with the same Message-ID, if the worker dies before the next commit. That is the
    at-least-once window SMTP imposes anyway. The database is never written (or, on SQLite,
    locked) while waiting for the mail server.
    """
    result = SendResult()
    if not claim.ids:
        return result
    messages = list(
        OutboxMessage.objects.filter(
            id__in=claim.ids, claimed_by=claim.token, status=OutboxStatus.SENDING
        ).order_by("next_attempt_at", "id")
    )
    if not messages:
        return result
    attachments = _AttachmentCache().load([m.pk for m in messages])
    group_size = getattr(settings, "OUTBOX_COMMIT_GROUP", 50)
    group_seconds = getattr(settings, "OUTBOX_COMMIT_SECONDS", 1.0)
    # Stop early rather than outlive the lease: another worker would take the rows over.
    deadline = time.monotonic() + claim_seconds() / 2
    pending: list[tuple[str, OutboxMessage, str, datetime]] = []
    last_flush = time.monotonic()

    def flush():
        nonlocal last_flush
        if pending:
            with transaction.atomic():
                for outcome, message, reply, at in pending:
                    if outcome == "accepted":
                        _record_accepted(message, at, reply)
                    elif outcome == "failed":
                        _record_failed(message, at, reply)
                    else:
                        _record_deferred(message, at, reply)
            pending.clear()
        last_flush = time.monotonic()

    sender = settings.BOUNCE_ADDRESS
    try:
        conn = smtp_open()
    except (smtplib.SMTPException, OSError) as exc:
        now = timezone.now()
        reply = _connectionsmtp_reply(exc)
        pending.extend(("deferred", m, reply, now) for m in messages)
        result.deferred = len(messages)
        result.server_down = True
        flush()
        return result

    sent_upto = 0
    try:
        for index, message in enumerate(messages):
            if time.monotonic() > deadline:
                break
            data = message_build(message, attachments.get(message.pk, ()))
            try:
                code, reply = smtp_transaction(conn, sender, message.to_email, data)
            except ConnectionLost as exc:
                now = timezone.now()
                reply = smtp_reply(0, f"connection lost: {exc}")
                pending.extend(("deferred", m, reply, now) for m in messages[index:])
                result.deferred += len(messages) - index
                result.server_down = True
                sent_upto = len(messages)
                break
            now = timezone.now()
            if 200 <= code < 300:
                if after_acceptance_hook is not None:
                    after_acceptance_hook(message)
                pending.append(("accepted", message, reply, now))
                result.accepted += 1
            elif 500 <= code < 600:
                pending.append(("failed", message, reply, now))
                result.failed += 1
            else:
                pending.append(("deferred", message, reply, now))
                result.deferred += 1
            sent_upto = index + 1
            if code == 421:  # the server is closing the connection
                rest = messages[sent_upto:]
                pending.extend(("deferred", m, reply, now) for m in rest)
                result.deferred += len(rest)
                sent_upto = len(messages)
                break
            if len(pending) >= group_size or time.monotonic() - last_flush >= group_seconds:
                flush()
        flush()
        if sent_upto < len(messages):
            _release(claim.token, (m.pk for m in messages[sent_upto:]))
    finally:
        try:
            conn.quit()
        except (smtplib.SMTPException, OSError):
            conn.close()
    return result


def _connectionsmtp_reply(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return smtp_reply(exc.smtp_code, exc.smtp_error)
    return smtp_reply(0, f"cannot connect to {settings.EMAIL_HOST}:{settings.EMAIL_PORT}: {exc}")


# --------------------------------------------------------------------------- sweeping


def outbox_escalate_overdue() -> int:
    """Alert the privacy officer about rows still not accepted after the configured time."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.OUTBOX_ESCALATE_AFTER_SECONDS)
    count = 0
    overdue = OutboxMessage.objects.filter(
        status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING],
        escalated_at__isnull=True,
        created_at__lte=cutoff,
    )
    for pk in overdue.values_list("id", flat=True)[:1000]:
        with transaction.atomic():
            message = (
                OutboxMessage.objects.select_for_update()
                .filter(pk=pk, escalated_at__isnull=True)
                .first()
            )
            if message is None:
                continue
            fields = _escalate(message, now, EscalationReason.OVERDUE)
            message.save(update_fields=fields)
            count += 1
    return count


def outbox_deliver_ids(*, ids: Sequence[int]) -> SendResult:
    """Deliver the given rows now, if they are still due (the on-commit doorbell)."""
    total = SendResult()
    remaining = list(ids)
    size = batch_size()
    while remaining:
        chunk, remaining = remaining[:size], remaining[size:]
        result = outbox_send_claimed(claim=outbox_claim(ids=chunk, limit=size))
        _add(total, result)
        if result.server_down:
            break
    return total


def _add(total: SendResult, result: SendResult) -> None:
    total.accepted += result.accepted
    total.deferred += result.deferred
    total.failed += result.failed
    total.server_down = total.server_down or result.server_down


def outbox_sweep(*, worker: str | None = None, max_seconds: float | None = None) -> SendResult:
    """Claim and send every due row in batches, escalate overdue rows, note the time (BR-05).

    Runs in-process from tests at a moved clock, and every 30 s from Celery beat.
    """
    outbox_escalate_overdue()
    total = SendResult()
    budget = (
        max_seconds if max_seconds is not None else getattr(settings, "OUTBOX_SWEEP_SECONDS", 25)
    )
    started = time.monotonic()
    while time.monotonic() - started < budget:
        claim = outbox_claim(worker=worker)
        if not claim.ids:
            break
        result = outbox_send_claimed(claim=claim)
        _add(total, result)
        if result.server_down or not (result.accepted or result.failed):
            break  # do not hammer a server that defers everything
    heartbeat_record(name=SWEEP_HEARTBEAT)
    return total


def heartbeat_record(*, name: str) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": timezone.now()})


def heartbeat_age(name: str = SWEEP_HEARTBEAT) -> float | None:
    beat = Heartbeat.objects.filter(name=name).values_list("beat_at", flat=True).first()
    if beat is None:
        return None
    return max((timezone.now() - beat).total_seconds(), 0.0)


# --------------------------------------------------------------------------- alerts


def open_alerts(user) -> QuerySet[OutboxMessage]:
    """Escalated messages the privacy officer has not dealt with yet, newest first."""
    if not can(user, "outbox.view"):
        return OutboxMessage.objects.none()
    alerts = OutboxMessage.objects.filter(
        escalated_at__isnull=False, alert_resolved_at__isnull=True
    ).select_related("customer")
    scope = customer_scope(user)
    if scope is not None:
        alerts = alerts.filter(customer_id=scope)
    return alerts.order_by("-escalated_at")


def alert_resolve(*, message: OutboxMessage, actor) -> OutboxMessage:
    """The privacy officer has dealt with a failed delivery (for example by phone) (BR-05)."""
    require(actor, "outbox.resolve_alert", message)
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
        if message.escalated_at is None or message.alert_resolved_at is not None:
            return message
        message.alert_resolved_at = timezone.now()
        message.save(update_fields=["alert_resolved_at"])
        event_record(
            actor=actor,
            action="outbox.alert_resolved",
            obj=message,
            after={"message_id": message.message_id, "reason": message.escalation_reason},
            customer_id=message.customer_id,
        )
    return message
