"""The public subscribe form cannot be used to probe addresses or to mail-bomb them (SP-01,
SP-03): one answer for every address, limits per client and per address counted in the
database, re-sent confirmations, and a sweep that keeps only confirmed consent."""

import datetime
import re

import pytest
from django.test import Client

from audits.models import AuditEvent
from compliance.outbox import outbox_sweep
from subprocessors.models import Subscriber
from subprocessors.services import subscriber_unsubscribe_token
from subprocessors.tests.conftest import START

SUBSCRIBE = "/subprocessors/subscribe/"
CONFIRM_LINK = re.compile(r"https?://\S+/subprocessors/subscribe/confirm/[^/\s]+/")
CSRF_VALUE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
SECOND = datetime.timedelta(seconds=1)


def visitor(address: str = "198.51.100.1") -> Client:
    return Client(REMOTE_ADDR=address)


def subscribe(client: Client, email: str, **headers):
    return client.post(SUBSCRIBE, {"email": email, "language": "en"}, **headers)


def mails_to(smtp_server, email: str) -> list:
    outbox_sweep()
    return [mail for mail in smtp_server.handler.received if mail.rcpt_tos == [email]]


def plain(mail) -> str:
    return mail.message.get_body(("plain",)).get_content()


def confirm_path(mail) -> str:
    return "/" + CONFIRM_LINK.search(plain(mail)).group(0).split("/", 3)[3]


def make_confirmed(smtp_server, email: str, client_address: str = "198.51.100.2") -> Subscriber:
    client = visitor(client_address)
    assert subscribe(client, email).status_code == 302
    [mail] = mails_to(smtp_server, email)
    assert client.post(confirm_path(mail)).status_code == 200
    subscriber = Subscriber.objects.get(email=email)
    assert subscriber.is_active
    return subscriber


def make_unsubscribed(smtp_server, email: str) -> Subscriber:
    subscriber = make_confirmed(smtp_server, email, client_address="198.51.100.3")
    token = subscriber_unsubscribe_token(subscriber)
    assert visitor("198.51.100.3").post(f"/subprocessors/unsubscribe/{token}/").status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is not None
    return subscriber


def answer(response) -> tuple:
    """What a visitor can see: status, redirects, and the page without its CSRF token."""
    page = CSRF_VALUE.sub("", response.content.decode())
    return response.status_code, tuple(response.redirect_chain), page


def test_same_answer_for_new_pending_confirmed_and_unsubscribed_addresses(db, clock, smtp_server):
    """OBL SP-01: the subscribe form answers every address alike — new, waiting for its
    confirmation, subscribed, unsubscribed — so it cannot tell anyone whether an address is
    subscribed; each address gets one mail (a new link, or a note that it is subscribed)."""
    assert subscribe(visitor("198.51.100.1"), "pending@example.org").status_code == 302
    make_confirmed(smtp_server, "confirmed@example.org")
    make_unsubscribed(smtp_server, "gone@example.org")
    before = {
        email: len(mails_to(smtp_server, email))
        for email in (
            "new@example.org",
            "pending@example.org",
            "confirmed@example.org",
            "gone@example.org",
        )
    }

    answers = {}
    for index, email in enumerate(before):
        client = visitor(f"203.0.113.{index + 10}")
        response = client.post(SUBSCRIBE, {"email": email, "language": "en"}, follow=True)
        answers[email] = answer(response)
    assert len(set(answers.values())) == 1, {email: a[:2] for email, a in answers.items()}
    status, chain, _page = answers["new@example.org"]
    assert status == 200 and chain == (("/subprocessors/subscribe/sent/", 302),)

    for email, count in before.items():
        mails = mails_to(smtp_server, email)
        assert len(mails) == count + 1, email
    assert CONFIRM_LINK.search(plain(mails_to(smtp_server, "new@example.org")[-1]))
    assert CONFIRM_LINK.search(plain(mails_to(smtp_server, "pending@example.org")[-1]))
    assert CONFIRM_LINK.search(plain(mails_to(smtp_server, "gone@example.org")[-1]))
    note = plain(mails_to(smtp_server, "confirmed@example.org")[-1])
    assert not CONFIRM_LINK.search(note) and "/subprocessors/unsubscribe/" in note
    assert Subscriber.objects.get(email="confirmed@example.org").is_active
    assert Subscriber.objects.filter(email="pending@example.org").count() == 1


def test_sixth_subscription_from_one_client_in_an_hour_is_refused(db, clock, smtp_server):
    """OBL SP-01: at most SUBSCRIBE_PER_CLIENT_PER_HOUR (5) subscriptions per client address
    per hour; the sixth gets a clear message and 429 and sends no mail, until the hour since
    the first has passed."""
    client = visitor("203.0.113.9")
    for i in range(5):
        assert subscribe(client, f"fan{i}@example.org").status_code == 302
    refused = subscribe(client, "fan5@example.org")
    assert refused.status_code == 429
    assert "Too many subscription requests" in refused.content.decode()
    assert not Subscriber.objects.filter(email="fan5@example.org").exists()
    assert mails_to(smtp_server, "fan5@example.org") == []
    assert len(smtp_server.handler.received) == 5
    # Another client is not held back.
    assert subscribe(visitor("203.0.113.10"), "other@example.org").status_code == 302

    clock.move_to(START + HOUR - SECOND)
    assert subscribe(client, "fan5@example.org").status_code == 429
    clock.move_to(START + HOUR + SECOND)
    assert subscribe(client, "fan5@example.org").status_code == 302
    assert len(mails_to(smtp_server, "fan5@example.org")) == 1


def test_fourth_confirmation_mail_to_one_address_in_a_day_is_refused(db, clock, smtp_server):
    """OBL SP-01: at most SUBSCRIBE_MAILS_PER_ADDRESS_PER_DAY (3) mails per address per day,
    whoever asks; the fourth request gets a clear message and 429 and sends nothing."""
    for i in range(3):
        assert subscribe(visitor(f"203.0.113.{20 + i}"), "target@example.org").status_code == 302
    refused = subscribe(visitor("203.0.113.30"), "TARGET@example.org")
    assert refused.status_code == 429
    assert "Too many confirmation e-mails" in refused.content.decode()
    assert len(mails_to(smtp_server, "target@example.org")) == 3

    clock.move_to(START + DAY - SECOND)
    assert subscribe(visitor("203.0.113.31"), "target@example.org").status_code == 429
    assert len(mails_to(smtp_server, "target@example.org")) == 3
    clock.move_to(START + DAY + SECOND)
    assert subscribe(visitor("203.0.113.32"), "target@example.org").status_code == 302
    assert len(mails_to(smtp_server, "target@example.org")) == 4


def test_x_forwarded_for_is_ignored_unless_from_a_trusted_proxy(db, clock, smtp_server, settings):
    """OBL SP-01: the client address is REMOTE_ADDR; X-Forwarded-For counts only when
    REMOTE_ADDR is one of TRUSTED_PROXIES (empty by default), and then its right-most
    address not a proxy itself, so a client cannot step around the limit by sending one."""
    assert settings.TRUSTED_PROXIES == []
    client = visitor("10.0.0.1")
    for i in range(5):
        forged = {"HTTP_X_FORWARDED_FOR": f"192.0.2.{i}"}
        assert subscribe(client, f"a{i}@example.org", **forged).status_code == 302
    forged = {"HTTP_X_FORWARDED_FOR": "192.0.2.99"}
    assert subscribe(client, "a5@example.org", **forged).status_code == 429

    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    proxy = visitor("10.0.0.2")
    real = {"HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    for i in range(5):
        assert subscribe(proxy, f"b{i}@example.org", **real).status_code == 302
    assert subscribe(proxy, "b5@example.org", **real).status_code == 429
    # Prepending a made-up address does not make another client.
    spoofed = {"HTTP_X_FORWARDED_FOR": "192.0.2.50, 198.51.100.7"}
    assert subscribe(proxy, "b5@example.org", **spoofed).status_code == 429
    # Another client behind the same proxy is not held back.
    other = {"HTTP_X_FORWARDED_FOR": "198.51.100.8, 10.0.0.3"}
    assert subscribe(proxy, "c0@example.org", **other).status_code == 302

    # The consent keeps the client's address, not the proxy's.
    [mail] = mails_to(smtp_server, "c0@example.org")
    assert proxy.post(confirm_path(mail), **other).status_code == 200
    assert Subscriber.objects.get(email="c0@example.org").consent_client_address == "198.51.100.8"


def test_pending_confirmation_is_resent_on_a_new_request(db, clock, smtp_server):
    """OBL SP-01: subscribing again while the confirmation is pending sends a new link (the
    same answer page); the new link confirms, and the consent is kept with the subscriber."""
    client = visitor("198.51.100.40")
    assert subscribe(client, "slow@example.org").status_code == 302
    clock.move_to(START + 3 * DAY)
    again = client.post(SUBSCRIBE, {"email": "slow@example.org", "language": "en"}, follow=True)
    assert again.redirect_chain == [("/subprocessors/subscribe/sent/", 302)]
    first, second = mails_to(smtp_server, "slow@example.org")
    assert confirm_path(first) != confirm_path(second)
    assert Subscriber.objects.filter(email="slow@example.org").count() == 1

    clock.move_to(START + 9 * DAY)  # 7 days after the first link, 6 after the second
    page = client.get(confirm_path(second)).content.decode()
    assert client.post(confirm_path(second)).status_code == 200
    subscriber = Subscriber.objects.get(email="slow@example.org")
    assert subscriber.is_active and subscriber.confirmed_at == START + 9 * DAY
    assert subscriber.consent_client_address == "198.51.100.40"
    assert subscriber.consent_text and subscriber.consent_text in page
    assert "subscriber.confirmation_resent" in set(
        AuditEvent.objects.values_list("action", flat=True)
    )


def _payloads(actions=None) -> str:
    events = AuditEvent.objects.all()
    if actions:
        events = events.filter(action__startswith=actions)
    return " ".join(f"{before} {after}" for before, after in events.values_list("before", "after"))


@pytest.mark.parametrize("which", ["pending", "unsubscribed"])
def test_audit_payloads_hold_no_address(db, clock, smtp_server, which):
    """OBL SP-01: the subscription's audit events hold no e-mail or client address; once the
    sweep deletes the subscriber, the outbox's events of its confirmation mails are erased
    too (the chain still verifies), so the address leaves the trail with the row."""
    from audits.selectors import chain_verify
    from audits.services import audit_seal

    if which == "pending":
        subscribe(visitor("198.51.100.50"), "private@example.org")
        subscribe(visitor("198.51.100.50"), "private@example.org")
    else:
        make_unsubscribed(smtp_server, "private@example.org")
    outbox_sweep()
    subscription_events = _payloads("subscriber.")
    assert "private" not in subscription_events and "198.51.100" not in subscription_events
    assert "private@example.org" in _payloads("outbox.")  # the outbox's delivery evidence

    clock.move_to(START + 7 * DAY + SECOND)
    from subprocessors.services import subscribers_sweep

    assert subscribers_sweep() == 1
    assert "private" not in _payloads() and "198.51.100" not in _payloads()
    audit_seal()
    assert chain_verify().ok, chain_verify().breaks


def test_sweep_deletes_stale_pending_and_unsubscribed_and_keeps_consent(db, clock, smtp_server):
    """OBL SP-01: the periodic sweep deletes a confirmation still pending 7 days + 1 s after
    its mail (not at 7 days − 1 s) and every unsubscribed address, with their history; a
    confirmed subscriber is kept with its consent: when, from which client address, which
    text."""
    from config.celery import app
    from subprocessors.tasks import subscribers_sweep

    assert any(
        entry["task"] == "subprocessors.tasks.subscribers_sweep"
        for entry in app.conf.beat_schedule.values()
    )
    assert subscribe(visitor("198.51.100.60"), "pending@example.org").status_code == 302
    confirmed = make_confirmed(smtp_server, "confirmed@example.org", "198.51.100.61")
    make_unsubscribed(smtp_server, "gone@example.org")

    clock.move_to(START + 7 * DAY - SECOND)
    subscribers_sweep()
    assert set(Subscriber.objects.values_list("email", flat=True)) == {
        "pending@example.org",
        "confirmed@example.org",
    }
    assert not Subscriber.history.filter(email="gone@example.org").exists()

    clock.move_to(START + 7 * DAY + SECOND)
    subscribers_sweep()
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["confirmed@example.org"]
    assert not Subscriber.history.filter(email="pending@example.org").exists()
    kept = Subscriber.objects.get()
    assert kept.pk == confirmed.pk and kept.is_active
    assert kept.confirmed_at == START
    assert kept.consent_client_address == "198.51.100.61"
    assert "register of subprocessors" in kept.consent_text
    deleted = AuditEvent.objects.filter(action="subscriber.deleted")
    assert deleted.count() == 2
    assert all("example.org" not in str(event.after) for event in deleted)
