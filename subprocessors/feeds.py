"""Atom feed of changes to the subprocessor register (SP-01, SP-03), in the visitor's language.

Links are absolute from SITE_URL rather than from the request's host, so the cached feed is the
same whichever host name it was first built for.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from compliance.selectors import processor_profile
from subprocessors import selectors
from subprocessors.models import ChangeNoticeState

FEED_ITEMS = 50


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


class RegisterChangesFeed(Feed):
    feed_type = Atom1Feed

    def title(self):
        return _("Changes to our subprocessors")

    def subtitle(self):
        return _(
            "New subprocessors, locations and purposes, announced at least 28 days before "
            "they take effect, and removals."
        )

    def link(self):
        return _absolute(reverse("subprocessors:register"))

    def feed_url(self):
        return _absolute(reverse("subprocessors:feed"))

    def feed_guid(self):
        return self.feed_url()

    def author_name(self):
        # RFC 4287 4.1.1: a feed without an author in every entry names one itself: the
        # processor, whose register this is (ON-03).
        # Before the profile is entered: the site's host name, never an empty <name>.
        profile = processor_profile()
        return (profile and profile.legal_name) or urlsplit(settings.SITE_URL).hostname

    def author_link(self):
        return _absolute(reverse("subprocessors:register"))

    def items(self):
        return selectors.public_changes().order_by("-announced_at", "-id")[:FEED_ITEMS]

    def item_title(self, item):
        if item.state == ChangeNoticeState.WITHDRAWN:
            return _("Withdrawn: %(change)s") % {"change": item}
        if item.state == ChangeNoticeState.EFFECTIVE:
            return _("In effect: %(change)s") % {"change": item}
        return _("Announced: %(change)s") % {"change": item}

    def item_description(self, item):
        return render_to_string("subprocessors/public/_feed_item.html", {"change": item})

    def item_link(self, item):
        return f"{self.link()}#change-{item.pk}"

    def item_guid(self, item):
        # Stable across the item's updates (announced, in effect, withdrawn).
        return self.item_link(item)

    def item_guid_is_permalink(self, item):
        return False

    def item_pubdate(self, item):
        return item.announced_at

    def item_updateddate(self, item):
        return item.withdrawn_at or item.went_live_at or item.announced_at
