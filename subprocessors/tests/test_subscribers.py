"""Public subscriptions to register changes: double opt-in, one-click unsubscribe."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError

from audits.models import AuditEvent
from compliance.models import OutboxMessage
from compliance.outbox import outbox_sweep
from subprocessors.models import Subscriber
from subprocessors.services import (
    subscriber_confirm,
    subscriber_subscribe,
    subscriber_unsubscribe,
    subscriber_unsubscribe_token,
)
from subprocessors.tests.conftest import START

CLIENT = "198.51.100.1"


def test_double_opt_in_then_one_click_unsubscribe(db, clock, smtp_server):
    """OBL SP-01: a visitor subscribes; only the link in the confirmation e-mail starts the
    subscription; the unsubscribe link ends it."""
    subscriber = subscriber_subscribe(email="fan@example.org", language="nl", client_address=CLIENT)
    assert not subscriber.is_active
    outbox_sweep()
    [mail] = smtp_server.handler.received
    body = mail.message.get_body(("plain",)).get_content()
    token = re.search(r"/confirm/([^/\s]+)/", body).group(1)
    assert token not in subscriber.confirm_token_hash  # only the hash is stored

    confirmed = subscriber_confirm(token=token, client_address=CLIENT)
    assert confirmed.is_active and confirmed.confirmed_at == START

    gone = subscriber_unsubscribe(token=subscriber_unsubscribe_token(confirmed))
    assert gone.unsubscribed_at == START and not gone.is_active
    subscriber_unsubscribe(token=subscriber_unsubscribe_token(confirmed))  # harmless twice
    assert {"subscriber.subscribed", "subscriber.confirmed", "subscriber.unsubscribed"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )
    # After unsubscribing, the same address may subscribe again.
    subscriber_subscribe(email="fan@example.org", language="en", client_address=CLIENT)


def test_second_request_for_an_address_sends_a_new_link_and_keeps_one_subscriber(db, clock):
    """OBL SP-01: a second request for a pending address (any case) is not refused — that
    would tell whether the address is subscribed — but sends a new link; one subscriber."""
    first = subscriber_subscribe(email="fan@example.org", language="en", client_address=CLIENT)
    again = subscriber_subscribe(email="FAN@example.org", language="nl", client_address=CLIENT)
    assert again.pk == first.pk and again.language == "nl"
    assert Subscriber.objects.count() == 1
    assert (
        OutboxMessage.objects.filter(key__startswith=f"subscriber:{first.pk}:confirm").count() == 2
    )


@pytest.mark.parametrize(("email", "language"), [("not-an-address", "en"), ("a@b.nl", "de")])
def test_bad_subscription_input_is_refused(db, email, language):
    with pytest.raises(ValidationError):
        subscriber_subscribe(email=email, language=language, client_address=CLIENT)
    assert not Subscriber.objects.exists()


def test_bad_or_expired_tokens_are_refused(db, clock):
    subscriber = subscriber_subscribe(email="fan@example.org", language="en", client_address=CLIENT)
    body = OutboxMessage.objects.get(
        key__startswith=f"subscriber:{subscriber.pk}:confirm"
    ).body_text
    token = re.search(r"/confirm/([^/\s]+)/", body).group(1)
    with pytest.raises(ValidationError):
        subscriber_confirm(token="wrong", client_address=CLIENT)
    with pytest.raises(ValidationError):
        subscriber_unsubscribe(token=f"{subscriber.pk}-forged")
    with pytest.raises(ValidationError):
        subscriber_unsubscribe(token="nonsense")
    clock.move_to(START + datetime.timedelta(days=7, seconds=1))
    with pytest.raises(ValidationError) as excinfo:
        subscriber_confirm(token=token, client_address=CLIENT)
    assert "expired" in str(excinfo.value)
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is None
