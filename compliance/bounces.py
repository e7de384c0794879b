"""Bounce reports: delivery-status notifications (RFC 3464) that arrive after acceptance.

A mail server that accepted a message may still fail to deliver it and send a report to the
envelope sender, settings.BOUNCE_ADDRESS with the message's envelope id after a "+" (VERP,
`compliance.mail.return_path`). The product runs its own SMTP endpoint for that address
(`manage.py bounce_receiver`); it finds the original row by the Message-ID the report
quotes, by the report's Original-Envelope-Id, or by the return path it was sent to, and
marks that recipient failed, which raises an alert to the privacy officer.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import Message

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from audits.services import event_record
from compliance import signals
from compliance.contact_confirmation import contacts_confirmation_after_bounce
from compliance.models import EscalationReason, OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

_MESSAGE_ID = re.compile(r"<[^<>@\s]+@[^<>\s]+>")
_ENVELOPE_ID = re.compile(r"[0-9a-fA-F]{32}")


@dataclass(frozen=True)
class DeliveryFailure:
    message_id: str
    recipient: str
    status: str
    diagnostic: str
    envelope_id: str = ""


def _fields_blocks(part: Message) -> list[Message]:
    """The field groups of a message/delivery-status part (per-message, then per-recipient)."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return payload
    # Some parsers leave the part as text; parse the groups ourselves.
    text = payload if isinstance(payload, str) else ""
    return [email.message_from_string(block) for block in re.split(r"\r?\n\r?\n", text) if block]


def _address(value: str | None) -> str:
    if not value:
        return ""
    # "rfc822; someone@example.com"
    return value.split(";", 1)[-1].strip().strip("<>").lower()


def _original_message_id(report: Message, per_message: Message | None) -> str:
    candidates: list[str | None] = []
    if per_message is not None:
        candidates.append(per_message.get("Original-Message-ID"))
    for part in report.walk():
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner:
                candidates.append(inner[0].get("Message-ID"))
        elif content_type == "text/rfc822-headers":
            headers = email.message_from_string(
                part.get_payload(decode=True).decode(
                    part.get_content_charset() or "utf-8", "replace"
                )
            )
            candidates.append(headers.get("Message-ID"))
    for candidate in candidates:
        if candidate:
            match = _MESSAGE_ID.search(str(candidate))
            if match:
                return match.group(0)
    return ""


def envelope_ids_from(addresses: Sequence[str]) -> list[str]:
    """The envelope ids in VERP return paths (`bounces+<id>@domain`) a report was sent to."""
    local = settings.BOUNCE_ADDRESS.rpartition("@")[0].lower()
    found = []
    for address in addresses:
        mailbox = address.strip("<>").rpartition("@")[0]
        base, plus, token = mailbox.partition("+")
        if plus and base.lower() == local and _ENVELOPE_ID.fullmatch(token):
            found.append(token.lower())
    return found


def dsn_parse(raw: bytes, *, envelope_id: str = "") -> list[DeliveryFailure]:
    """The failed recipients a delivery-status notification reports; [] if it is none.

    Only `Action: failed` counts: `delayed` reports mean the server is still trying. The
    message is named by the Message-ID the report quotes, its Original-Envelope-Id, or
    `envelope_id` (from the return path the report was sent to).
    """
    report = email.message_from_bytes(raw, policy=email.policy.compat32)
    if report.get_content_type() != "multipart/report":
        return []
    status_part = next(
        (p for p in report.walk() if p.get_content_type() == "message/delivery-status"), None
    )
    if status_part is None:
        return []
    blocks = _fields_blocks(status_part)
    if not blocks:
        return []
    per_message, per_recipient = blocks[0], blocks[1:]
    if per_message.get("Final-Recipient") or per_message.get("Action"):
        per_message, per_recipient = None, blocks  # no per-message group
    message_id = _original_message_id(report, per_message)
    quoted = (per_message.get("Original-Envelope-Id") or "").strip() if per_message else ""
    envelope_id = quoted if _ENVELOPE_ID.fullmatch(quoted) else envelope_id
    if not (message_id or envelope_id):
        return []
    failures = []
    for block in per_recipient:
        if (block.get("Action") or "").strip().lower() != "failed":
            continue
        failures.append(
            DeliveryFailure(
                message_id=message_id,
                recipient=_address(block.get("Original-Recipient") or block.get("Final-Recipient")),
                status=(block.get("Status") or "").strip(),
                diagnostic=" ".join((block.get("Diagnostic-Code") or "").split())[:500],
                envelope_id=envelope_id.lower(),
            )
        )
    return failures


def _bounced_message(failure: DeliveryFailure) -> OutboxMessage | None:
    rows = OutboxMessage.objects.select_for_update()
    message = None
    if failure.message_id:
        message = rows.filter(message_id=failure.message_id).first()
    if message is None and failure.envelope_id:
        # The envelope id is the random part of the Message-ID (compliance.mail.envelope_id).
        message = (
            rows.filter(message_id=f"<{failure.envelope_id}@{settings.MESSAGE_ID_DOMAIN}>").first()
            or rows.filter(message_id__startswith=f"<{failure.envelope_id}@").first()
        )
    return message


def bounce_record(*, failure: DeliveryFailure) -> OutboxMessage | None:
    """Mark the recipient of a bounced message failed and alert the privacy officer (BR-05)."""
    with transaction.atomic():
        message = _bounced_message(failure)
        if message is None:
            log.warning(
                "bounce for unknown message %s (envelope id %s)",
                failure.message_id,
                failure.envelope_id,
            )
            return None
        if failure.recipient and failure.recipient != message.to_email.lower():
            # Forwarded mail bounces with the final address; Message-ID is per recipient.
            log.info("bounce of %s names %s", message.message_id, failure.recipient)
        if message.status == OutboxStatus.FAILED and message.escalation_reason:
            return message
        now = timezone.now()
        before = {"status": message.status}
        message.status = OutboxStatus.FAILED
        message.failed_at = now
        message.claimed_until = None
        message.last_reply = f"bounce {failure.status} {failure.diagnostic}".strip()[:1000]
        message.escalated_at = now
        message.escalation_reason = EscalationReason.BOUNCED
        message.alert_resolved_at = None
        message.alert_resolution = ""
        message.alert_resolved_by = None
        message.save(
            update_fields=[
                "status",
                "failed_at",
                "claimed_until",
                "last_reply",
                "escalated_at",
                "escalation_reason",
                "alert_resolved_at",
                "alert_resolution",
                "alert_resolved_by",
            ]
        )
        event_record(
            actor=None,
            action="outbox.bounced",
            obj=message,
            before=before,
            after={
                "message_id": message.message_id,
                "to": message.to_email,
                "status": failure.status,
                "diagnostic": failure.diagnostic,
            },
            customer_id=message.customer_id,
        )
        if message.cause_type:
            signals.message_failed.send(sender=OutboxMessage, message=message, reason="bounced")
        else:
            # BR-05: the customer confirms its contacts after any bounce; messages with a
            # cause reach the same request through the signal's receiver.

            contacts_confirmation_after_bounce(message=message)
    return message


def bounce_process(raw: bytes, recipients: Sequence[str] = ()) -> list[OutboxMessage]:
    """Record every failure a received report names; reports of other kinds are ignored.
    `recipients` are the addresses the report was sent to (a VERP return path names the
    message when the report does not)."""
    close_old_connections()
    verp = envelope_ids_from(recipients)
    try:
        failures = dsn_parse(raw, envelope_id=verp[0] if len(verp) == 1 else "")
        return [m for f in failures if (m := bounce_record(failure=f)) is not None]
    finally:
        close_old_connections()


class BounceHandler:
    """aiosmtpd handler for the bounce address: accepts everything, records failures.

    Everything gets 250, also mail that is not a report: refusing would only make the
    reporting server send a report about the report.
    """

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        loop = asyncio.get_running_loop()
        try:
            marked = await loop.run_in_executor(
                None, bounce_process, envelope.original_content, list(envelope.rcpt_tos)
            )
        except Exception:
            log.exception("could not process a bounce report")
            return "451 4.3.0 Could not process the report now, try again later"
        for message in marked:
            log.info("bounce: %s to %s marked failed", message.message_id, message.to_email)
        return "250 OK"
