"""Public e-mail subscriptions to register changes: double opt-in, one-click unsubscribe."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from audits.services import event_record
from compliance.models import Language
from compliance.outbox import message_queue, message_render
from subprocessors.models import Subscriber
from subprocessors.services.common import absolute_url, register_url

CONFIRM_VALID = datetime.timedelta(days=7)


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


def subscriber_subscribe(*, email: str, language: str) -> Subscriber:
    """Subscribe an address to register changes (SP-01, SP-03); the subscription counts only
    once the link in the confirmation e-mail was opened (double opt-in)."""
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}) from None
    if language not in Language.values:
        raise ValidationError({"language": _("Choose Dutch or English.")})
    duplicate = ValidationError(
        {
            "email": _(
                "This address is already subscribed, or waiting for its confirmation: "
                "please use the link in the e-mail we sent."
            )
        }
    )
    if Subscriber.objects.filter(email__iexact=email, unsubscribed_at__isnull=True).exists():
        raise duplicate
    token = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            subscriber = Subscriber.objects.create(
                email=email, language=language, confirm_token_hash=_hash(token)
            )
            link = absolute_url(
                "subprocessors:subscription_confirm",
                f"/subprocessors/subscribe/confirm/{token}/",
                token=token,
            )
            subject, text, html = message_render(
                "subprocessor_subscription_confirm",
                language=language,
                context={
                    "link": link,
                    "register_url": register_url(),
                    "valid_days": CONFIRM_VALID.days,
                },
            )
            message_queue(
                key=f"subscriber:{subscriber.pk}:confirm",
                to_email=email,
                to_name="",
                language=language,
                subject=subject,
                body_text=text,
                body_html=html,
            )
            event_record(
                actor=None,
                action="subscriber.subscribed",
                obj=subscriber,
                after={"language": language},
            )
    except IntegrityError:
        # Lost a race with the same address (the partial unique constraint).
        raise duplicate from None
    return subscriber


def subscriber_confirm(*, token: str) -> Subscriber:
    """The confirmation link was opened: the subscription starts (double opt-in)."""
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
        if timezone.now() - subscriber.created_at > CONFIRM_VALID:
            raise invalid
        subscriber.confirmed_at = timezone.now()
        subscriber.save(update_fields=["confirmed_at"])
        event_record(actor=None, action="subscriber.confirmed", obj=subscriber)
    return subscriber


def subscriber_unsubscribe(*, token: str) -> Subscriber:
    """One-click unsubscribe from the link in every message; repeating it is harmless."""
    invalid = ValidationError(_("This unsubscribe link is invalid."))
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
