"""Delivery: claiming due rows, sending them over SMTP and recording each outcome, the beat
sweep, and its heartbeat (BR-05).

A row is marked accepted only after the server accepted it, in its own commit right then;
a worker that dies between acceptance and that commit leaves its claim behind, the claim
expires within a minute, and that one row is sent again with the same Message-ID.
"""

from __future__ import annotations

import os
import smtplib
import socket
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from audits.services import event_record
from compliance import signals
from compliance.mail import (
    AttachmentCache,
    ConnectionLost,
    envelope_id,
    message_build,
    return_path,
    smtp_open,
    smtp_reply,
    smtp_transaction,
)
from compliance.models import (
    EscalationReason,
    Heartbeat,
    OutboxMessage,
    OutboxStatus,
)
from compliance.outbox.alerts import (
    _escalate,
    _overdue,
    alert_close_by_acceptance,
    outbox_escalate_overdue,
)
from compliance.outbox.outage import (
    connect_reply,
    mail_server_probe,
    mail_server_reachable,
    mail_server_unreachable,
)
from compliance.outbox.queueing import batch_size

SWEEP_HEARTBEAT = "outbox_sweep"
# Retries back off 30 s, 1 min, 2 min, ... and never wait longer than 30 min, so a mail server
# that comes back is used again within half an hour.
BACKOFF_FIRST_SECONDS = 30
BACKOFF_MAX_SECONDS = 30 * 60

# Called with the row right after the server accepted it and before that is recorded. Tests set
# it to simulate a worker that dies in exactly that window.
after_acceptance_hook: Callable[[OutboxMessage], None] | None = None


def claim_seconds() -> int:
    """How long a claim holds a row; after that another worker may take it over. Short, so
    that the rows of a worker that died go out again within a minute; a living worker
    renews the lease of its remaining rows as it goes (`_Lease`)."""
    return getattr(settings, "OUTBOX_CLAIM_SECONDS", 60)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:60]


def backoff_seconds(attempts: int) -> int:
    return min(BACKOFF_FIRST_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS)


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
    message.last_reply = reply
    values = {name: getattr(message, name) for name in _outcome_fields(message)}
    rows = OutboxMessage.objects.filter(pk=message.pk)
    # A row is accepted twice only when it was sent again after a crash or a lease that ran
    # out; the first recorded acceptance is the one that counts (BR-03).
    resent = not rows.filter(accepted_at__isnull=True).update(accepted_at=accepted_at, **values)
    if resent:
        rows.update(**values)
        message.accepted_at = rows.values_list("accepted_at", flat=True).first()
    else:
        message.accepted_at = accepted_at
    event_record(
        actor=None,
        action="outbox.accepted",
        obj=message,
        after={
            "message_id": message.message_id,
            "to": message.to_email,
            "accepted_at": accepted_at.isoformat(),
            "reply": reply,
            **({"sent_again": True} if resent else {}),
        },
        customer_id=message.customer_id,
    )
    closed = alert_close_by_acceptance(message, accepted_at)
    if closed:
        OutboxMessage.objects.filter(pk=message.pk).update(
            **{name: getattr(message, name) for name in closed}
        )
    if message.cause_type:
        signals.message_accepted.send(sender=OutboxMessage, message=message)


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


class _Lease:
    """Keeps a living worker's claim from running out while it sends: every third of the
    lease it moves `claimed_until` of the rows it still holds (one UPDATE)."""

    def __init__(self, token: str):
        self.token = token
        self.renewed = time.monotonic()

    def keep(self) -> None:
        if time.monotonic() - self.renewed < claim_seconds() / 3:
            return
        OutboxMessage.objects.filter(claimed_by=self.token, status=OutboxStatus.SENDING).update(
            claimed_until=timezone.now() + timedelta(seconds=claim_seconds())
        )
        self.renewed = time.monotonic()


def _commit_lazily() -> None:
    """On PostgreSQL, let this transaction's commit return before its WAL is on disk.

    Only for outcome records: a record lost in a database crash means one message is sent
    again with the same Message-ID, which at-least-once delivery allows, and not waiting for
    the disk per message is what makes a commit per message affordable."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _record(outcomes: Sequence[tuple[str, OutboxMessage, str, datetime]]) -> None:
    with transaction.atomic():
        _commit_lazily()
        for outcome, message, reply, at in outcomes:
            if outcome == "accepted":
                _record_accepted(message, at, reply)
            elif outcome == "failed":
                _record_failed(message, at, reply)
            else:
                _record_deferred(message, at, reply)


def outbox_send_claimed(*, claim: Claim) -> SendResult:
    """Send the claimed rows over one SMTP connection and record each outcome (BR-05).

    A row is marked accepted only after the server's 250 for its DATA, and that is committed
    at once (OUTBOX_COMMIT_GROUP, default 1, messages per commit), so a worker that dies
    sends again only the message that was in flight, with the same Message-ID: the
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
    attachments = AttachmentCache().load([m.pk for m in messages])
    group_size = max(getattr(settings, "OUTBOX_COMMIT_GROUP", 1), 1)
    lease = _Lease(claim.token)
    pending: list[tuple[str, OutboxMessage, str, datetime]] = []

    def flush():
        if pending:
            _record(pending)
            pending.clear()
        lease.keep()

    try:
        conn = smtp_open()
    except (smtplib.SMTPException, OSError) as exc:
        now = timezone.now()
        reply = connect_reply(exc)
        pending.extend(("deferred", m, reply, now) for m in messages)
        result.deferred = len(messages)
        result.server_down = True
        flush()
        mail_server_unreachable(reply=reply)
        return result
    mail_server_reachable()
    dsn = conn.has_extn("dsn")

    # A batch is not held for ever: what is left after this long is released to the next
    # claim (the lease is renewed meanwhile, so nobody else sends it in between).
    deadline = time.monotonic() + claim_seconds() / 2
    sent_upto = 0
    try:
        for index, message in enumerate(messages):
            if time.monotonic() > deadline:
                break
            data = message_build(message, attachments.get(message.pk, ()))
            options = [f"ENVID={envelope_id(message)}"] if dsn else []
            try:
                code, reply = smtp_transaction(
                    conn, return_path(message), message.to_email, data, options
                )
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
            if len(pending) >= group_size:
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


# --------------------------------------------------------------------------- sweeping


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
    # During an outage rows back off for up to 30 minutes; one connection per sweep notices
    # at once that the server is back (and makes them due again).
    mail_server_probe()
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
