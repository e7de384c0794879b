"""Reads of temporary access (AC-03), scoped by the user.

Processor-wide readers (privacy officer, ICT manager, auditor of the processor) see every
request; a staff member sees their own; a customer's users (and an auditor engaged by that
customer) see the approved and ended access to their own organisation only, so another
organisation's id is a 404.
"""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _

from access.models.temporary import TemporaryAccess, TemporaryState
from compliance.access import customer_scope
from compliance.models import Role

# The register's filters: what is still to be decided or running, what runs, what ended.
FILTERS = {
    "open": (TemporaryState.REQUESTED, TemporaryState.ACTIVE),
    "active": (TemporaryState.ACTIVE,),
    "ended": (TemporaryState.EXPIRED, TemporaryState.REVOKED, TemporaryState.REFUSED),
}
CUSTOMER_VISIBLE = (TemporaryState.ACTIVE, TemporaryState.EXPIRED, TemporaryState.REVOKED)


def temporary_access_for(user, *, show: str = "") -> QuerySet[TemporaryAccess]:
    rows = TemporaryAccess.objects.select_related(
        "customer", "requester", "decided_by", "ended_by", "removal_confirmed_by"
    )
    scope = customer_scope(user)
    if scope is not None:
        rows = rows.filter(customer_id=scope, state__in=CUSTOMER_VISIBLE)
    elif getattr(user, "role", None) == Role.STAFF_MEMBER:
        rows = rows.filter(requester_id=user.pk)
    if show in FILTERS:
        rows = rows.filter(state__in=FILTERS[show])
    return rows.order_by("-requested_at", "-id")


def temporary_access_get(user, pk) -> TemporaryAccess:
    access = temporary_access_for(user).filter(pk=pk).first()
    if access is None:
        raise Http404
    return access


def deadline_words(access: TemporaryAccess, now: datetime.datetime | None = None) -> str:
    """The next deadline of one row in words ("ends in 3 days, 2 hours")."""
    now = now or timezone.now()
    if access.state == TemporaryState.REQUESTED:
        if access.ends_at <= now:
            return _("period over before a decision")
        return (
            _("waiting for a decision; period starts in %(span)s")
            % {"span": timeuntil(access.starts_at, now)}
            if access.starts_at > now
            else _("waiting for a decision")
        )
    if access.state == TemporaryState.ACTIVE:
        if access.starts_at > now:
            return _("starts in %(span)s") % {"span": timeuntil(access.starts_at, now)}
        return _("ends in %(span)s") % {"span": timeuntil(access.ends_at, now)}
    if access.removal_open:
        if access.removal_due_at >= now:
            return _("removal to be confirmed within %(span)s") % {
                "span": timeuntil(access.removal_due_at, now)
            }
        return _("removal overdue by %(span)s") % {"span": timeuntil(now, access.removal_due_at)}
    if access.removal_confirmed_at is not None:
        return _("removal confirmed")
    return _("no deadline")
