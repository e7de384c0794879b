"""The public side of the register (SP-01): page, Atom feed and e-mail subscription, without
signing in, in Dutch and English, cached and invalidated on every change."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.test import Client

from compliance.access import SYSTEM
from compliance.demo import load_demo
from compliance.outbox import outbox_sweep
from subprocessors.models import Subprocessor, Subscriber
from subprocessors.services import (
    change_notice_announce,
    change_notice_draft,
    location_add,
    subscriber_unsubscribe_token,
)
from subprocessors.tests.conftest import START

ATOM = "{http://www.w3.org/2005/Atom}"
REGISTER = "/subprocessors/"
FEED = "/subprocessors/feed/"


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def demo(db, clock):
    load_demo()
    return Subprocessor.objects.get(legal_entity="LeaseWeb Netherlands B.V.")


@pytest.fixture
def announced(demo, privacy_officer):
    """A new location for LeaseWeb, announced, effective 35 days after START (CEST)."""
    notice = change_notice_draft(
        actor=privacy_officer,
        kind="new_location",
        subprocessor=demo,
        location_city="Frankfurt am Main",
        location_country="DE",
        description="Second datacenter for disaster recovery.",
        effective_at=START + datetime.timedelta(days=35),
    )
    return change_notice_announce(actor=privacy_officer, notice=notice)


def visitor(language: str) -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_register_is_public_and_shows_the_demo_register(demo, language):
    """OBL SP-01: anyone reads the register without signing in, in Dutch and English: legal
    entity, purpose, products, locations with country and EEA, certifications, flow-down
    agreement date and since when."""
    response = visitor(language).get(REGISTER)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    for text in (
        "LeaseWeb Netherlands B.V.",
        "Schiphol-Rijk",
        "Haarlem",
        "ISO 27001",
        "Profit",
        "Pocket",
        "Microsoft Ireland Operations Ltd.",
        "Azure West Europe",
        "SB",
    ):
        assert text in html, text
    assert "2019" in html and "2012" in html  # flow-down date, processing since
    assert "<script" not in html  # works without JavaScript


def test_language_switch_changes_the_register_language(demo):
    """OBL SP-01: the language switch works for an anonymous visitor."""
    client = Client()
    assert '<html lang="en">' in client.get(REGISTER).content.decode()
    response = client.post("/i18n/setlang/", {"language": "nl", "next": REGISTER})
    assert response.status_code == 302
    assert '<html lang="nl">' in client.get(REGISTER).content.decode()


def test_register_shows_announced_change_with_amsterdam_time(announced):
    """OBL SP-01: announced changes are on the register with their effective moment in
    Europe/Amsterdam time (6 October 2026 08:00 UTC is 10:00 CEST)."""
    html = visitor("en").get(REGISTER).content.decode()
    assert "Frankfurt am Main" in html
    assert "6 October 2026, 10:00 CEST" in html
    assert f'id="change-{announced.pk}"' in html
    html_nl = visitor("nl").get(REGISTER).content.decode()
    assert "Frankfurt am Main" in html_nl and "10:00 CEST" in html_nl


def test_register_cache_is_used_and_invalidated_on_every_change(demo, privacy_officer):
    """OBL SP-01: the register is served from the cache, per language, and a change through
    the services shows at the very next request."""
    for language in ("en", "nl"):
        assert "Schiphol-Rijk" in visitor(language).get(REGISTER).content.decode()
    # A write that bypasses the models' signals is not seen: the page comes from the cache.
    Subprocessor.objects.filter(pk=demo.pk).update(purpose="Bypassed the cache")
    for language in ("en", "nl"):
        assert "Bypassed the cache" not in visitor(language).get(REGISTER).content.decode()
    location_add(actor=SYSTEM, subprocessor=demo, city="Utrecht", country="NL")
    for language in ("en", "nl"):
        html = visitor(language).get(REGISTER).content.decode()
        assert "Utrecht" in html and "Bypassed the cache" in html


def test_announcement_invalidates_page_and_feed(demo, privacy_officer):
    """OBL SP-01: announcing a change shows it at once on the cached page and feed."""
    assert "Frankfurt" not in visitor("en").get(REGISTER).content.decode()
    assert "Frankfurt" not in visitor("en").get(FEED).content.decode()
    notice = change_notice_draft(
        actor=privacy_officer,
        kind="new_location",
        subprocessor=demo,
        location_city="Frankfurt",
        location_country="DE",
        effective_at=START + datetime.timedelta(days=30),
    )
    # A draft is not public.
    assert "Frankfurt" not in visitor("en").get(REGISTER).content.decode()
    change_notice_announce(actor=privacy_officer, notice=notice)
    assert "Frankfurt" in visitor("en").get(REGISTER).content.decode()
    assert "Frankfurt" in visitor("en").get(FEED).content.decode()


@pytest.mark.parametrize("language", ["en", "nl"])
def test_atom_feed_is_public_and_lists_announced_changes(announced, language):
    """OBL SP-01: an Atom feed of changes, public, in the visitor's language."""
    response = visitor(language).get(FEED)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == language
    [entry] = root.findall(f"{ATOM}entry")
    assert "LeaseWeb Netherlands B.V." in entry.find(f"{ATOM}title").text
    assert entry.find(f"{ATOM}link").get("href").endswith(f"/subprocessors/#change-{announced.pk}")
    assert "Frankfurt am Main" in entry.find(f"{ATOM}summary").text


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
