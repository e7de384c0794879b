"""Helpers shared by the breach services: officer alerts, validation, snapshots."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from breaches.models import Incident
from compliance.outbox import QueuedRow, message_render, messages_queue_bulk
from compliance.recipients import AlertRecipient, alert_recipients

NOTICE_CAUSE = "breaches.CustomerNotice"


def now() -> datetime.datetime:
    return timezone.now()


def error(field: str, message: str, code: str) -> ValidationError:
    """A field error that keeps its code (pages and API can react to, e.g., "already_notified")."""
    return ValidationError({field: ValidationError(message, code=code)})


def required_text(value: str | None, field: str, message: str | None = None) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message or _("This field is required.")})
    return value


def not_in_future(value: datetime.datetime | None, field: str, at: datetime.datetime) -> None:
    if value is None:
        return
    if timezone.is_naive(value):
        raise ValidationError({field: _("Enter the time with its time zone.")})
    if value > at:
        raise ValidationError({field: _("This time is in the future.")})


def officer_alert_rows(
    *,
    key: str,
    kind: str,
    context: dict,
    customer=None,
    recipients: Iterable[AlertRecipient] | None = None,
) -> list[QueuedRow]:
    """One outbox row per member of the privacy team (`compliance.recipients`) for an alert
    of `kind`, rendered once per language.

    `kind` selects the wording in `emails/breach_officer_alert.*`: new_incident,
    undelivered, intention, reminder, notify_request.
    """
    rendered: dict[str, tuple[str, str, str]] = {}
    rows = []
    for recipient in recipients if recipients is not None else alert_recipients():
        language = recipient.language
        if language not in rendered:
            rendered[language] = message_render(
                "breach_officer_alert", language=language, context={"kind": kind, **context}
            )
        subject, text, html = rendered[language]
        rows.append(
            QueuedRow(
                key=f"{key}:{recipient.key}",
                to_email=recipient.email,
                to_name=recipient.name,
                language=language,
                subject=subject,
                body_text=text,
                body_html=html,
                customer_id=customer.pk if customer is not None else None,
            )
        )
    return rows


def officers_alert(
    *,
    key: str,
    kind: str,
    context: dict,
    actor=None,
    customer=None,
    recipients: Iterable[AlertRecipient] | None = None,
) -> int:
    """E-mail the privacy team at once (outbox rows; the key makes it happen once)."""
    rows = officer_alert_rows(
        key=key, kind=kind, context=context, customer=customer, recipients=recipients
    )
    messages_queue_bulk(rows=rows, actor=actor)
    return len(rows)


def iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def chunks(items, size: int = 2000):
    """Slices of at most `size` ids, so IN lists stay within the database's limits."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def incident_lock(incident):
    return Incident.objects.select_for_update().get(pk=incident.pk)
