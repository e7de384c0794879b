"""Unsubscribing from register changes (SP-01): the List-Unsubscribe header fields of RFC 2369
and RFC 8058 on every mail to a subscriber and on no mail to a customer, the mail program's
one-click POST, and a link whose page asks before it unsubscribes.

The headers are read from the messages the real SMTP server received.
"""

import datetime
import re

import pytest
from django.core.cache import cache
from django.test import Client

from audits.models import AuditEvent
from compliance.models import OutboxMessage
from compliance.outbox import message_queue, outbox_sweep
from subprocessors.models import Subscriber
from subprocessors.services import (
    change_notice_announce,
    change_notice_draft,
    subscriber_subscribe,
    subscriber_unsubscribe_token,
)
from subprocessors.tests.conftest import START, customer_with_contract

DAY = datetime.timedelta(days=1)
ONE_CLICK = "List-Unsubscribe=One-Click"


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def confirmed_subscriber(email="fan@example.org", language="en"):
    return Subscriber.objects.create(
        email=email, language=language, confirm_token_hash=email, confirmed_at=START
    )


def header_link(message) -> str:
    """The https link of a List-Unsubscribe header, as a mail program reads it."""
    [link] = re.findall(r"<(https?://[^>]+)>", message["List-Unsubscribe"])
    return link


@pytest.fixture
def announced_mails(privacy_officer, hosting, product, clock, smtp_server, processor):
    """A change announced to one customer (two notice contacts) and two subscribers, every
    message delivered to the real SMTP server: recipient -> message."""
    customer_with_contract(product, contacts=2, language="nl")
    confirmed_subscriber("fan@example.org", "en")
    confirmed_subscriber("fan@example.nl", "nl")
    notice = change_notice_draft(
        actor=privacy_officer,
        kind="new_location",
        subprocessor=hosting,
        location_city="Frankfurt am Main",
        location_country="DE",
        effective_at=START + 30 * DAY,
    )
    change_notice_announce(actor=privacy_officer, notice=notice)
    outbox_sweep()
    return {r.rcpt_tos[0]: r.message for r in smtp_server.handler.received}


def test_subscriber_mails_carry_one_click_headers_customer_notices_none(announced_mails):
    """OBL SP-01: a subscriber's mail names its unsubscribe link in List-Unsubscribe with
    List-Unsubscribe-Post (RFC 8058); a customer's change notice is contractual and carries
    neither."""
    subscribers = {s.email: s for s in Subscriber.objects.all()}
    customer_mails = {k: m for k, m in announced_mails.items() if k not in subscribers}
    assert len(customer_mails) == 2
    for address, message in customer_mails.items():
        assert message["List-Unsubscribe"] is None, address
        assert message["List-Unsubscribe-Post"] is None, address
        assert "/unsubscribe/" not in message.get_body(("plain",)).get_content()
    for address, subscriber in subscribers.items():
        message = announced_mails[address]
        token = subscriber_unsubscribe_token(subscriber)
        assert header_link(message).startswith("https://") or header_link(message).startswith(
            "http://"
        )
        assert header_link(message).endswith(f"/subprocessors/unsubscribe/{token}/")
        assert message["List-Unsubscribe-Post"] == ONE_CLICK
        text = message.get_body(("plain",)).get_content()
        # The body's link is the same; its words no longer promise "one click".
        assert header_link(message) in text
        assert "one click" not in text.lower() and "één klik" not in text.lower()
    # The headers are stored with the outbox row: the same bytes on every attempt.
    stored = OutboxMessage.objects.get(to_email="fan@example.org")
    assert stored.headers["List-Unsubscribe-Post"] == ONE_CLICK
    assert not OutboxMessage.objects.filter(customer__isnull=False).exclude(headers={}).exists()


def test_the_mail_programs_one_click_post_unsubscribes_without_cookies(announced_mails):
    """OBL SP-01: the mail program POSTs `List-Unsubscribe=One-Click` to the header's link,
    with no cookie and no CSRF token: the subscription ends at once, with its audit event;
    the other subscriber stays."""
    mail_program = Client(enforce_csrf_checks=True)
    link = header_link(announced_mails["fan@example.org"])
    path = "/" + link.split("/", 3)[3]
    assert not mail_program.cookies  # never visited the site: no cookie, no CSRF token
    response = mail_program.post(path, ONE_CLICK, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    gone = Subscriber.objects.get(email="fan@example.org")
    assert gone.unsubscribed_at == START and not gone.is_active
    assert Subscriber.objects.get(email="fan@example.nl").is_active
    assert AuditEvent.objects.filter(
        action="subscriber.unsubscribed", object_id=str(gone.pk)
    ).exists()


@pytest.mark.parametrize("language", ["en", "nl"])
def test_opening_the_link_only_asks(db, clock, language):
    """OBL SP-01: GET never unsubscribes (mail scanners open links): the page names the
    address and says nothing happened yet; its button POSTs and unsubscribes."""
    subscriber = confirmed_subscriber()
    path = f"/subprocessors/unsubscribe/{subscriber_unsubscribe_token(subscriber)}/"
    browser = Client(HTTP_ACCEPT_LANGUAGE=language)
    for _ in range(2):
        page = browser.get(path)
        assert page.status_code == 200
    html = page.content.decode()
    assert "fan@example.org" in html
    assert '<form class="form" method="post">' in html
    if language == "en":
        assert "Opening this page changed nothing" in html
    subscriber.refresh_from_db()
    assert subscriber.is_active
    assert not AuditEvent.objects.filter(action="subscriber.unsubscribed").exists()

    assert browser.post(path).status_code == 200
    subscriber.refresh_from_db()
    assert not subscriber.is_active
    # Opening the link again says so instead of offering the button again.
    again = browser.get(path).content.decode()
    assert "<form" not in again.split("<main", 1)[-1].split("</main>", 1)[0]


def test_a_forged_link_shows_an_error_on_get_and_post(db, clock):
    subscriber = confirmed_subscriber()
    for method in ("get", "post"):
        response = getattr(Client(), method)(f"/subprocessors/unsubscribe/{subscriber.pk}-bad/")
        assert response.status_code == 400
        assert "invalid" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.is_active


def test_headers_on_the_already_subscribed_note_not_on_the_confirmation(db, clock, smtp_server):
    """OBL SP-01: the confirmation link goes to an address not subscribed yet, so it names no
    unsubscribe link; the note to an address already subscribed does."""
    subscriber_subscribe(email="new@example.org", language="en", client_address="192.0.2.1")
    confirmed_subscriber("old@example.org")
    subscriber_subscribe(email="old@example.org", language="en", client_address="192.0.2.2")
    outbox_sweep()
    mails = {r.rcpt_tos[0]: r.message for r in smtp_server.handler.received}
    assert mails["new@example.org"]["List-Unsubscribe"] is None
    assert mails["old@example.org"]["List-Unsubscribe-Post"] == ONE_CLICK
    old = Subscriber.objects.get(email="old@example.org")
    assert header_link(mails["old@example.org"]).endswith(
        f"/unsubscribe/{subscriber_unsubscribe_token(old)}/"
    )


def test_the_outbox_adds_only_list_headers(db, clock):
    """A caller cannot replace what the outbox writes itself (From, To, Message-ID …)."""
    from django.core.exceptions import ValidationError

    for headers in ({"From": "x@example.org"}, {"List-Id": "a\r\nBcc: x@example.org"}):
        with pytest.raises(ValidationError):
            message_queue(
                key=f"k{len(headers)}{list(headers)[0]}",
                to_email="a@example.org",
                to_name="",
                language="en",
                subject="s",
                body_text="t",
                headers=headers,
            )
