"""Public e-mail subscriptions to register changes: double opt-in; unsubscribing with the mail
program's own button (one click, RFC 8058) or with the link in every message (a page with one
button: opening a link never unsubscribes, so a mail scanner following it changes nothing).

The subscribe form answers every address alike (SP-01): a new or unsubscribed address gets a
confirmation link, a pending one a new link, a subscribed one a note that it is subscribed.
Limits (counted in `SubscribeRequest` rows): `SUBSCRIBE_PER_CLIENT_PER_HOUR` requests per
client address and `SUBSCRIBE_MAILS_PER_ADDRESS_PER_DAY` mails per e-mail address.
"""

from __future__ import annotations

import datetime
import hashlib
import math
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audits.models import AuditEvent
from audits.services import event_payload_erase, event_record, events_record
from compliance.access import SYSTEM
from compliance.models import Language, OutboxMessage, OutboxStatus
from compliance.outbox import message_queue, message_render
from subprocessors.models import Subscriber, SubscribeRequest
from subprocessors.services.common import absolute_url, register_url

CONFIRM_VALID = datetime.timedelta(days=7)
CLIENT_WINDOW = datetime.timedelta(hours=1)
ADDRESS_WINDOW = datetime.timedelta(days=1)

# What the confirmation page shows above its button; stored with the subscriber, in the
# language shown, when it is confirmed.
CONSENT_TEXT = gettext_lazy(
    "I want to receive an e-mail at this address whenever the register of subprocessors "
    "changes. I can unsubscribe at any time with the link in every message."
)


class SubscriptionLimitReached(ValidationError):
    """Too many requests from one client or mails to one address: answered with 429."""

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def consent_text() -> str:
    """The consent text in the active language."""
    return str(CONSENT_TEXT)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def subscriber_unsubscribe_token(subscriber: Subscriber) -> str:
    """`<id>-<hmac>`: valid as long as the subscription, with no secret stored."""
    mac = salted_hmac(
        "subprocessors.unsubscribe",
        f"{subscriber.pk}:{subscriber.email.lower()}",
        algorithm="sha256",
    ).hexdigest()[:32]
    return f"{subscriber.pk}-{mac}"


def subscriber_unsubscribe_url(subscriber: Subscriber) -> str:
    token = subscriber_unsubscribe_token(subscriber)
    return absolute_url(
        "subprocessors:unsubscribe", f"/subprocessors/unsubscribe/{token}/", token=token
    )


def subscriber_list_headers(subscriber: Subscriber) -> dict[str, str]:
    """The header fields of every mail to a subscriber (never of a customer's notice): mail
    programs show their own "Unsubscribe" button, which POSTs `List-Unsubscribe=One-Click` to
    the link (RFC 2369, RFC 8058) and ends the subscription at once."""
    return {
        "List-Unsubscribe": f"<{subscriber_unsubscribe_url(subscriber)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _key(kind: str, value: str) -> str:
    return salted_hmac(f"subprocessors.subscribe.{kind}", value, algorithm="sha256").hexdigest()


def _serialise(*keys: str) -> None:
    """Requests for the same client or address wait for each other, so two at once cannot
    both pass the limit. SQLite's IMMEDIATE transactions already serialise all writers; on
    PostgreSQL a transaction-scoped advisory lock per key does (always client, then
    address: no cycle)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(key[:15], 16)])


def _retry_after(rows, window: datetime.timedelta, now: datetime.datetime) -> int:
    oldest = rows.order_by("created_at").values_list("created_at", flat=True).first()
    return max(1, math.ceil((oldest + window - now).total_seconds()))


def _limits_check(*, client_key: str, email_key: str, now: datetime.datetime) -> None:
    from_client = SubscribeRequest.objects.filter(
        client_key=client_key, created_at__gt=now - CLIENT_WINDOW
    )
    if from_client.count() >= settings.SUBSCRIBE_PER_CLIENT_PER_HOUR:
        raise SubscriptionLimitReached(
            _("Too many subscription requests from your connection. Please try again in an hour."),
            retry_after=_retry_after(from_client, CLIENT_WINDOW, now),
        )
    to_address = SubscribeRequest.objects.filter(
        email_key=email_key, created_at__gt=now - ADDRESS_WINDOW
    )
    if to_address.count() >= settings.SUBSCRIBE_MAILS_PER_ADDRESS_PER_DAY:
        raise SubscriptionLimitReached(
            _(
                "Too many confirmation e-mails were sent to this address today. Please use "
                "the link in the latest one, or try again tomorrow."
            ),
            retry_after=_retry_after(to_address, ADDRESS_WINDOW, now),
        )


def _confirmation_queue(*, subscriber: Subscriber, request: SubscribeRequest) -> None:
    """A new confirmation link: only its hash is stored, valid `CONFIRM_VALID` from now."""
    token = secrets.token_urlsafe(32)
    subscriber.confirm_token_hash = _hash(token)
    subscriber.confirm_sent_at = request.created_at
    subscriber.save(update_fields=["confirm_token_hash", "confirm_sent_at", "language"])
    link = absolute_url(
        "subprocessors:subscription_confirm",
        f"/subprocessors/subscribe/confirm/{token}/",
        token=token,
    )
    subject, text, html = message_render(
        "subprocessor_subscription_confirm",
        language=subscriber.language,
        context={"link": link, "register_url": register_url(), "valid_days": CONFIRM_VALID.days},
    )
    message_queue(
        key=f"subscriber:{subscriber.pk}:confirm:{request.pk}",
        to_email=subscriber.email,
        to_name="",
        language=subscriber.language,
        subject=subject,
        body_text=text,
        body_html=html,
    )


def _subscribed_note_queue(
    *, subscriber: Subscriber, language: str, request: SubscribeRequest
) -> None:
    """The address is subscribed already: say so, with the link to unsubscribe."""
    subject, text, html = message_render(
        "subprocessor_subscription_exists",
        language=language,
        context={
            "register_url": register_url(),
            "unsubscribe_url": subscriber_unsubscribe_url(subscriber),
        },
    )
    message_queue(
        key=f"subscriber:{subscriber.pk}:subscribed:{request.pk}",
        to_email=subscriber.email,
        to_name="",
        language=language,
        subject=subject,
        body_text=text,
        body_html=html,
        headers=subscriber_list_headers(subscriber),
    )


def subscriber_subscribe(*, email: str, language: str, client_address: str) -> Subscriber:
    """Subscribe an address to register changes (SP-01, SP-03); the subscription counts only
    once the link in the confirmation e-mail was opened (double opt-in).

    Every valid address gets the same answer and one mail: a new or unsubscribed address a
    confirmation link, a pending one a new link (the earlier one stops working), a
    subscribed one a note saying so. Raises `SubscriptionLimitReached` (nothing written,
    nothing sent) over either limit.
    """
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}) from None
    if language not in Language.values:
        raise ValidationError({"language": _("Choose Dutch or English.")})
    client_key = _key("client", client_address or "")
    email_key = _key("email", email.lower())
    with transaction.atomic():
        _serialise(client_key, email_key)
        now = timezone.now()
        _limits_check(client_key=client_key, email_key=email_key, now=now)
        request = SubscribeRequest.objects.create(
            created_at=now, client_key=client_key, email_key=email_key
        )
        subscriber = (
            Subscriber.objects.select_for_update()
            .filter(email__iexact=email, unsubscribed_at__isnull=True)
            .first()
        )
        if subscriber is None:
            subscriber = Subscriber.objects.create(
                email=email,
                language=language,
                created_at=now,
                confirm_token_hash=_hash(secrets.token_urlsafe(32)),
            )
            _confirmation_queue(subscriber=subscriber, request=request)
            action = "subscriber.subscribed"
        elif subscriber.confirmed_at is None:
            subscriber.language = language
            _confirmation_queue(subscriber=subscriber, request=request)
            action = "subscriber.confirmation_resent"
        else:
            _subscribed_note_queue(subscriber=subscriber, language=language, request=request)
            action = "subscriber.subscribed_note_sent"
        event_record(actor=None, action=action, obj=subscriber, after={"language": language})
    return subscriber


def subscriber_confirm(*, token: str, client_address: str) -> Subscriber:
    """The confirmation link was opened and its button pressed: the subscription starts
    (double opt-in), and the consent is kept — when, from which client address, and the
    text the page showed (`consent_text()` in the active language)."""
    invalid = ValidationError(_("This confirmation link is invalid or has expired."))
    if not token:
        raise invalid
    with transaction.atomic():
        subscriber = (
            Subscriber.objects.select_for_update()
            .filter(confirm_token_hash=_hash(token), unsubscribed_at__isnull=True)
            .first()
        )
        if subscriber is None:
            raise invalid
        if subscriber.confirmed_at is not None:
            return subscriber
        if timezone.now() - subscriber.confirm_sent_at > CONFIRM_VALID:
            raise invalid
        text = consent_text()
        subscriber.confirmed_at = timezone.now()
        subscriber.consent_client_address = client_address or None
        subscriber.consent_text = text
        subscriber.save(update_fields=["confirmed_at", "consent_client_address", "consent_text"])
        event_record(
            actor=None,
            action="subscriber.confirmed",
            obj=subscriber,
            after={"consent_text_sha256": hashlib.sha256(text.encode()).hexdigest()},
        )
    return subscriber


def invalid_unsubscribe_link() -> str:
    # An unsubscribed address is deleted within the hour (`subscribers_sweep`), and its link
    # with it: a second click must not suggest the address is still subscribed.
    return _(
        "This unsubscribe link is invalid, or its address was unsubscribed already and "
        "has since been removed from our list."
    )


def subscriber_for_unsubscribe_token(token: str) -> Subscriber | None:
    """The subscriber an unsubscribe link names, or None for a forged or unknown one (a
    read: the page shows the address before its button is pressed)."""
    pk, _sep, _mac = (token or "").partition("-")
    if not pk.isdigit():
        return None
    subscriber = Subscriber.objects.filter(pk=int(pk)).first()
    if subscriber is None or not constant_time_compare(
        subscriber_unsubscribe_token(subscriber), token
    ):
        return None
    return subscriber


def subscriber_unsubscribe(*, token: str) -> Subscriber:
    """Unsubscribe with the token of the link in every message (the page's button, or a mail
    program's one-click POST); repeating it is harmless."""
    invalid = ValidationError(invalid_unsubscribe_link())
    pk, _sep, _mac = (token or "").partition("-")
    if not pk.isdigit():
        raise invalid
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(pk=int(pk)).first()
        if subscriber is None or not constant_time_compare(
            subscriber_unsubscribe_token(subscriber), token
        ):
            raise invalid
        if subscriber.unsubscribed_at is not None:
            return subscriber
        subscriber.unsubscribed_at = timezone.now()
        subscriber.save(update_fields=["unsubscribed_at"])
        event_record(actor=None, action="subscriber.unsubscribed", obj=subscriber)
    return subscriber


def _consent_mails(subscriber_ids: list[int]):
    """The confirmation links and notes sent to these subscribers (not change notices)."""
    condition = Q(pk__in=[])
    for pk in subscriber_ids:
        condition |= Q(key__startswith=f"subscriber:{pk}:")
    return OutboxMessage.objects.filter(condition)


def subscribers_sweep(*, batch_size: int = 500) -> int:
    """Beat (hourly): delete confirmations still pending `CONFIRM_VALID` after their latest
    mail, and unsubscribed addresses, with their history, their confirmation mails and the
    addresses in those mails' audit events (erased, the chain stays whole); forget limit
    counts older than a day. Confirmed subscribers stay, with their consent. One
    transaction per batch, each deletion with its audit event. Returns how many were
    deleted."""
    deleted = 0
    while True:
        with transaction.atomic():
            now = timezone.now()
            if deleted == 0:
                SubscribeRequest.objects.filter(created_at__lte=now - ADDRESS_WINDOW).delete()
            stale = list(
                Subscriber.objects.select_for_update(skip_locked=True)
                .filter(
                    Q(unsubscribed_at__isnull=False)
                    | Q(confirmed_at__isnull=True, confirm_sent_at__lt=now - CONFIRM_VALID)
                )
                .order_by("pk")
                .only("pk", "unsubscribed_at")[:batch_size]
            )
            if not stale:
                return deleted
            ids = [subscriber.pk for subscriber in stale]
            mails = list(_consent_mails(ids))
            in_flight = {
                int(mail.key.split(":")[1])
                for mail in mails
                if mail.status in (OutboxStatus.PENDING, OutboxStatus.SENDING)
            }
            stale = [subscriber for subscriber in stale if subscriber.pk not in in_flight]
            ids = [subscriber.pk for subscriber in stale]
            mails = [mail for mail in mails if int(mail.key.split(":")[1]) not in in_flight]
            for event in AuditEvent.objects.filter(
                object_type=OutboxMessage._meta.label,
                object_id__in=[str(mail.pk) for mail in mails],
                erased_at__isnull=True,
            ):
                event_payload_erase(
                    event=event, actor=SYSTEM, reason="subscriber deleted by the sweep"
                )
            OutboxMessage.objects.filter(pk__in=[mail.pk for mail in mails]).delete()
            events_record(
                [
                    {
                        "actor": SYSTEM,
                        "action": "subscriber.deleted",
                        "obj": subscriber,
                        "after": {
                            "reason": "unsubscribed"
                            if subscriber.unsubscribed_at is not None
                            else "not confirmed"
                        },
                    }
                    for subscriber in stale
                ]
            )
            Subscriber.objects.filter(pk__in=ids).delete()
            # simple-history keeps a copy of every version, and one of the deletion.
            Subscriber.history.filter(id__in=ids).delete()
            deleted += len(ids)
            if in_flight and not ids:
                return deleted
