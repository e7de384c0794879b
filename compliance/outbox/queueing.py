"""Queuing: one outbox row per recipient, written in the caller's transaction (BR-05).

`message_queue` for one message, `messages_queue_bulk` for a fan-out to thousands, the
rendering of the e-mail templates (`message_render`, `FilledTemplate`), and the doorbell that
asks a Celery task to deliver the new rows after commit (`DELIVER_TASK`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from audits.services import event_record, events_record
from compliance.after_commit import after_commit_add
from compliance.doorbell import task_ring
from compliance.models import Contact, Customer, Language, OutboxMessage, StoredDocument
from compliance.text import bidi_strip

log = logging.getLogger(__name__)

# The Celery task that delivers the rows queued in one transaction (compliance.tasks).
DELIVER_TASK = "compliance.tasks.outbox_deliver"


def batch_size() -> int:
    return getattr(settings, "OUTBOX_BATCH_SIZE", 200)


def message_id_new() -> str:
    return f"<{uuid.uuid4().hex}@{settings.MESSAGE_ID_DOMAIN}>"


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


# Header fields a caller may add to a message (`headers`): the list fields of RFC 2369 and
# RFC 8058, nothing that could replace what the outbox itself writes (From, To, Message-ID…).
EXTRA_HEADERS = frozenset({"List-Unsubscribe", "List-Unsubscribe-Post", "List-Id"})


def _headers_check(headers: dict[str, str]) -> dict[str, str]:
    for name, value in headers.items():
        if name not in EXTRA_HEADERS:
            raise ValidationError(_("Unknown header field %(name)s.") % {"name": name})
        if not value.isascii():
            raise ValidationError(_("%(field)s must be ASCII.") % {"field": name})
        _single_line(value, name)
    return dict(headers)


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
    headers: dict[str, str] | None = None,
) -> OutboxMessage:
    """Queue one e-mail to one recipient inside the caller's transaction (BR-05).

    Idempotent on `key`: queuing the same key again returns the row already there. The
    recipient is resolved now and recorded with the row. `cause` (a saved model instance)
    is told of acceptance and failure through `compliance.signals`. Bidi controls are
    removed from every part (`compliance.text`). `headers` adds header fields (only
    `EXTRA_HEADERS`), stored with the row.
    """
    headers = _headers_check(headers or {})
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
                    headers=headers,
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
    headers: dict[str, str] = field(default_factory=dict)

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
            headers=row.headers,
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
        _headers_check(row.headers)
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
                        headers=m.headers,
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
