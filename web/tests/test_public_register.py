"""The public side of the register (SP-01) with the demo register: page and Atom feed,
without signing in, in Dutch and English, cached and invalidated on every change.

Here and not in `subprocessors/tests/` because the demo data is the top layer's (`web.demo`);
the subscription tests stay with the register.
"""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.test import Client

from compliance.access import SYSTEM
from subprocessors.models import Subprocessor
from subprocessors.services import change_notice_announce, change_notice_draft, location_add
from subprocessors.tests.conftest import START
from web.demo import load_demo

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
