"""The Atom feed of register changes (SP-01) against RFC 4287, parsed by feedparser.

Every element RFC 4287 requires of a feed (4.1.1: id, title, updated, an author unless every
entry has one; a rel="self" link is recommended) and of each entry (4.1.2: id, title,
updated, and content or a rel="alternate" link; a summary where the content is not inline).
"""

import datetime
import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.core.cache import cache
from django.test import Client

from compliance.models import ProcessorProfile
from subprocessors.services import (
    change_notice_announce,
    change_notice_draft,
    change_notice_withdraw,
)
from subprocessors.tests.conftest import START

ATOM = "{http://www.w3.org/2005/Atom}"
FEED = "/subprocessors/feed/"
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def changes(privacy_officer, hosting, processor, clock):
    """Two announced changes, one of them withdrawn a day later."""

    def announce(city):
        notice = change_notice_draft(
            actor=privacy_officer,
            kind="new_location",
            subprocessor=hosting,
            location_city=city,
            location_country="DE",
            effective_at=START + 35 * DAY,
        )
        return change_notice_announce(actor=privacy_officer, notice=notice)

    kept = announce("Frankfurt am Main")
    withdrawn = announce("Berlin")
    clock.move_to(START + DAY)
    change_notice_withdraw(actor=privacy_officer, notice=withdrawn, reason="Not needed.")
    return kept, withdrawn


@pytest.mark.parametrize("language", ["en", "nl"])
def test_feed_has_every_element_rfc_4287_requires(changes, language):
    """OBL SP-01: the feed parses without error and has, in both languages, every element
    RFC 4287 requires of a feed and its entries; its author is the processor."""
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get(FEED)
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    feed = parsed.feed
    assert feed.id.endswith(FEED)
    assert feed.title
    assert feed.updated_parsed is not None
    assert feed.author_detail.name == "Processor B.V."
    assert {link.rel: link.href for link in feed.links}["self"].endswith(FEED)
    assert feed.language == language

    assert len(parsed.entries) == 2
    for entry in parsed.entries:
        assert entry.id and entry.title and entry.updated_parsed is not None
        alternate = [link for link in entry.links if link.rel == "alternate"]
        assert alternate and "/subprocessors/#change-" in alternate[0].href
        # No inline content: the summary says what changed.
        assert entry.summary and "LeaseWeb Netherlands B.V." in entry.summary
        assert entry.published_parsed <= entry.updated_parsed
    assert len({entry.id for entry in parsed.entries}) == 2

    # The raw XML too: exactly one of each required single element, author at feed level.
    root = ET.fromstring(response.content)
    for name in ("id", "title", "updated", "author"):
        assert len(root.findall(f"{ATOM}{name}")) == 1, name
    assert root.find(f"{ATOM}author/{ATOM}name").text == "Processor B.V."
    for entry in root.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, name


def test_withdrawn_entry_is_updated_later_than_announced(changes):
    """OBL SP-01: a withdrawal updates its entry (same id, later `updated`)."""
    kept, withdrawn = changes
    parsed = feedparser.parse(Client().get(FEED).content)
    by_change = {e.link.rsplit("-", 1)[1]: e for e in parsed.entries}
    gone, still = by_change[str(withdrawn.pk)], by_change[str(kept.pk)]
    assert gone.updated_parsed > still.updated_parsed
    assert gone.title.startswith("Withdrawn") and still.title.startswith("Announced")


def test_feed_author_follows_the_processor_profile(changes):
    """The author is read from the processor profile; editing it shows at once."""
    ProcessorProfile.objects.update(legal_name="Renamed B.V.")
    # `update()` sends no signal: save one row as the admin would.
    profile = ProcessorProfile.objects.get()
    profile.save()
    parsed = feedparser.parse(Client().get(FEED).content)
    assert parsed.bozo == 0
    assert parsed.feed.author_detail.name == "Renamed B.V."


def test_feed_without_a_processor_profile_still_names_an_author(privacy_officer, hosting, clock):
    parsed = feedparser.parse(Client().get(FEED).content)
    assert parsed.bozo == 0
    assert parsed.feed.author_detail.name  # the site's host name until the profile exists
