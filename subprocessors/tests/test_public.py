"""The public side of the register (SP-01): e-mail subscription, without signing in.

The page and the Atom feed, shown with the demo register, are proven in
`web/tests/test_public_register.py`: the demo data belongs to the top layer.
"""

import re

import pytest
from django.core.cache import cache
from django.test import Client

from compliance.outbox import outbox_sweep
from subprocessors.models import Subscriber
from subprocessors.services import subscriber_unsubscribe_token


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


# --------------------------------------------------------------------------- subscriptions


def test_subscribe_confirm_and_unsubscribe_through_a_real_smtp_server(db, clock, smtp_server):
    """OBL SP-01: subscribing (double opt-in) sends a confirmation link through the mail
    server; only confirming starts the subscription; one click ends it."""
    client = Client(enforce_csrf_checks=False)
    response = client.post(
        "/subprocessors/subscribe/", {"email": "fan@example.org", "language": "nl"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/subprocessors/subscribe/sent/"
    assert "e-mail" in client.get(response["Location"]).content.decode()
    subscriber = Subscriber.objects.get()
    assert subscriber.confirmed_at is None

    outbox_sweep()
    [mail] = smtp_server.handler.received
    assert mail.rcpt_tos == ["fan@example.org"]
    body = mail.message.get_body(("plain",)).get_content()
    link = re.search(r"https?://\S+/subprocessors/subscribe/confirm/[^/\s]+/", body).group(0)
    path = "/" + link.split("/", 3)[3]

    # Opening the link (as a mail scanner would) confirms nothing: it shows a button.
    page = client.get(path)
    assert page.status_code == 200 and "<form" in page.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is None
    assert client.post(path).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.is_active

    unsubscribe = f"/subprocessors/unsubscribe/{subscriber_unsubscribe_token(subscriber)}/"
    assert client.get(unsubscribe).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.is_active  # GET only asks
    response = client.post(unsubscribe)
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is not None and not subscriber.is_active


def test_one_click_unsubscribe_from_a_mail_client(db, clock):
    """OBL SP-01: RFC 8058 one-click: a mail client POSTs List-Unsubscribe=One-Click without
    any CSRF token, and the subscription ends."""
    from subprocessors.services import subscriber_subscribe

    subscriber = subscriber_subscribe(
        email="fan@example.org", language="en", client_address="198.51.100.1"
    )
    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(
        f"/subprocessors/unsubscribe/{subscriber_unsubscribe_token(subscriber)}/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is not None


def test_bad_links_answer_with_a_message(db, clock):
    client = Client()
    response = client.post("/subprocessors/subscribe/confirm/not-a-token/")
    assert response.status_code == 400
    assert "invalid" in response.content.decode()
    response = client.post("/subprocessors/unsubscribe/12-forged/")
    assert response.status_code == 400
    assert "invalid" in response.content.decode()


def test_second_subscription_on_the_form_gets_the_same_answer(db, clock):
    """OBL SP-01: a second subscription for the same address gets the same answer as the
    first (see test_subscribe_abuse for all four kinds of address); one subscriber."""
    client = Client()
    data = {"email": "fan@example.org", "language": "en"}
    first = client.post("/subprocessors/subscribe/", data)
    again = client.post("/subprocessors/subscribe/", {**data, "email": "FAN@example.org"})
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == "/subprocessors/subscribe/sent/"
    assert Subscriber.objects.count() == 1


def test_invalid_address_is_refused_on_the_form(db):
    response = Client().post("/subprocessors/subscribe/", {"email": "nope", "language": "en"})
    assert response.status_code == 400
    assert not Subscriber.objects.exists()
