"""The private calendar feed of open deadlines (BR-03, BR-04; issue step 8).

An iCalendar feed a user subscribes to in their calendar app: the 48-hour customer
deadlines of open incidents (staff), each customer's 72-hour decision deadline (staff see
all, a customer user only its own organisation's), and the effective moments of announced
subprocessor changes. It is read through the same selectors as the pages, as the token's
user, so a customer's feed holds only its own notices.

Calendar apps cannot sign in, let alone with a second factor, so the feed is a public route
that answers only to a secret in its URL: a per-user calendar token, separate from API
tokens (it can read this one feed and nothing else), hashed (SHA-256) in the database, shown
once, revocable and rotatable. A wrong, revoked or rotated secret, or a deactivated user,
is a 404 that says nothing about why.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event

from audits.services import event_record
from breaches import selectors
from breaches.links import incident_link, notice_link, site_link
from compliance.access import customer_scope, is_signed_in
from compliance.models import CalendarToken, User
from subprocessors.models import ChangeNoticeState
from subprocessors.selectors import change_notices_for

SECRET_PREFIX = "cal_"
PREFIX_LENGTH = len(SECRET_PREFIX) + 6
FEED_LIMIT = 1000
# Calendar apps poll; this is how often we ask them to (they may poll less often).
REFRESH = datetime.timedelta(minutes=15)
ALARM_BEFORE = datetime.timedelta(hours=1)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _uid_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def calendar_feed_url(secret: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("calendar_feed", args=[secret])


# ------------------------------------------------------------------------------ services


def calendar_token_rotate(*, actor) -> tuple[CalendarToken, str]:
    """BR-03/BR-04: create the user's calendar token, revoking the one it had (the old feed
    URL stops working at once). Returns the token and its secret, shown once."""
    if not is_signed_in(actor) or not isinstance(actor, User):
        raise PermissionDenied(_("You do not have permission to do this."))
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        revoked = list(
            CalendarToken.objects.select_for_update().filter(user=actor, revoked_at__isnull=True)
        )
        for old in revoked:
            old.revoked_at = now
            old.save(update_fields=["revoked_at"])
        token = CalendarToken.objects.create(
            user=actor, prefix=secret[:PREFIX_LENGTH], token_hash=_hash(secret), created_at=now
        )
        event_record(
            actor=actor,
            action="calendar_token.rotated" if revoked else "calendar_token.created",
            obj=token,
            customer_id=actor.customer_id,
            after={"prefix": token.prefix, "revoked": [t.prefix for t in revoked]},
        )
    return token, secret


def calendar_token_revoke(*, actor) -> int:
    """Revoke the user's calendar token; its feed URL answers 404 from now on."""
    if not is_signed_in(actor) or not isinstance(actor, User):
        raise PermissionDenied(_("You do not have permission to do this."))
    now = timezone.now()
    with transaction.atomic():
        tokens = list(
            CalendarToken.objects.select_for_update().filter(user=actor, revoked_at__isnull=True)
        )
        for token in tokens:
            token.revoked_at = now
            token.save(update_fields=["revoked_at"])
            event_record(
                actor=actor,
                action="calendar_token.revoked",
                obj=token,
                customer_id=actor.customer_id,
                after={"prefix": token.prefix},
            )
    return len(tokens)


# ------------------------------------------------------------------------------ selectors


def calendar_token_active(user) -> CalendarToken | None:
    return CalendarToken.objects.filter(user=user, revoked_at__isnull=True).first()


def calendar_token_user(secret: str) -> User | None:
    """The active user whose current token this secret is, else None."""
    if not secret or not secret.startswith(SECRET_PREFIX) or len(secret) > 200:
        return None
    token = (
        CalendarToken.objects.select_related("user")
        .filter(token_hash=_hash(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    return token.user


def calendar_events(user) -> list[dict]:
    """Every open deadline the user may see, as plain data (UTC), nearest first."""
    customer_user = customer_scope(user) is not None
    events: list[dict] = []
    for deadline in selectors.open_deadlines(user, limit=FEED_LIMIT):
        incident = deadline.incident
        if deadline.kind == "customer_notice":
            events.append(
                {
                    "uid": f"incident-{incident.pk}-customers-due@{_uid_domain()}",
                    "due_at": deadline.due_at,
                    "summary": _("48 h: inform customers of incident #%(number)s: %(title)s")
                    % {"number": incident.pk, "title": incident.title},
                    "url": incident_link(incident.pk),
                }
            )
        else:
            notice = deadline.notice
            if customer_user:
                summary = _("72 h: your decision on security incident %(number)s: %(title)s")
                url = notice_link(notice.pk)
            else:
                summary = _("72 h: %(customer)s decides on incident #%(number)s: %(title)s")
                url = incident_link(incident.pk)
            events.append(
                {
                    "uid": f"notice-{notice.pk}-authority-due@{_uid_domain()}",
                    "due_at": deadline.due_at,
                    "summary": summary
                    % {
                        "number": incident.pk,
                        "title": incident.title,
                        "customer": notice.customer.name,
                    },
                    "url": url,
                }
            )
    events += _subprocessor_changes(user)
    events.sort(key=lambda e: e["due_at"])
    return events


def _subprocessor_changes(user) -> list[dict]:
    """Announced subprocessor changes and when they take effect (SP-03)."""

    notices = (
        change_notices_for(user)
        .filter(state=ChangeNoticeState.ANNOUNCED, effective_at__gte=timezone.now())
        .order_by("effective_at")[:FEED_LIMIT]
    )
    return [
        {
            "uid": f"change-notice-{notice.pk}-effective@{_uid_domain()}",
            "due_at": notice.effective_at,
            "summary": _("Subprocessor change takes effect: %(subprocessor)s")
            % {"subprocessor": notice.subprocessor},
            "url": site_link("subprocessors:register", "/subprocessors/"),
        }
        for notice in notices
    ]


def calendar_feed(*, user) -> bytes:
    """BR-03/BR-04: the user's deadlines as an iCalendar (RFC 5545) feed, times in UTC."""
    with translation.override(getattr(user, "language", None) or settings.LANGUAGE_CODE):
        events = calendar_events(user)
        calendar = Calendar()
        calendar.add("prodid", "-//Processor compliance//Deadlines//EN")
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("x-wr-calname", _("Deadlines (processor compliance)"))
        calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", REFRESH)
        stamp = timezone.now().astimezone(datetime.UTC)
        for item in events:
            event = Event()
            event.add("uid", item["uid"])
            event.add("dtstamp", stamp)
            due = item["due_at"].astimezone(datetime.UTC)
            # A deadline is a moment: start and end at it (RFC 5545 allows a zero span).
            event.add("dtstart", due)
            event.add("dtend", due)
            event.add("summary", item["summary"])
            event.add("description", item["url"])
            event.add("url", item["url"])
            event.add("transp", "TRANSPARENT")
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", item["summary"])
            alarm.add("trigger", -ALARM_BEFORE)
            event.add_component(alarm)
            calendar.add_component(event)
    return calendar.to_ical()
