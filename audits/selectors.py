"""Reads of the audit trail: listings and the chain verification (AU-03).

Who may read the trail is the access layer's rule, above this app: the caller decides it and
passes the customer a reader is limited to (`compliance.selectors.audit_events_for_user`)."""

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from audits.models import AuditEvent


def audit_events(*, customer_id: int | None) -> QuerySet[AuditEvent]:
    """Every event with its actor, or only the events about one customer when `customer_id`
    is given (a reader the caller's access rule limits to that customer)."""
    events = AuditEvent.objects.select_related("actor")
    if customer_id is not None:
        events = events.filter(customer_id=customer_id)
    return events


@dataclass(frozen=True)
class EventFilter:
    """A selection of the audit trail (AU-03): every field optional, all of them combined.

    `objects` limits the events to these objects: pairs of an object type and the ids (a
    list or a subquery of text ids) — how an incident's own events and those of its
    notices, updates and letters are found without this app knowing what an incident is.
    `incident_wide` adds, for a reader limited to one customer, the events about these
    objects that concern several customers (recorded without a customer)."""

    occurred_from: datetime.datetime | None = None
    occurred_before: datetime.datetime | None = None
    actor_id: int | None = None
    role: str = ""
    actions: tuple[str, ...] = ()
    object_type: str = ""
    object_id: str = ""
    customer_id: int | None = None
    objects: tuple = ()


# The role an event of the system (a task, a sweep, the mail server's answer) is recorded with.
SYSTEM_ROLE = "system"


# The order of a search and its exports; every filter has an index in this order.
NEWEST_FIRST = ("-occurred_at", "-id")


def audit_search(
    *, scope: int | None, selection: EventFilter, shared: tuple = ()
) -> QuerySet[AuditEvent]:
    """The events of a selection, newest first; with `scope`, only those about that one
    customer (the caller's access rule decides the scope) and, from `shared` (pairs as in
    `EventFilter.objects`), the events about those objects recorded without a customer
    because they concern several (the caller shows them without their payload)."""
    events = AuditEvent.objects.all()
    if scope is not None:
        visible = Q(customer_id=scope)
        for object_type, ids in shared:
            visible |= Q(customer_id__isnull=True, object_type=object_type, object_id__in=ids)
        events = events.filter(visible)
    if selection.customer_id is not None:
        events = events.filter(customer_id=selection.customer_id)
    if selection.occurred_from is not None:
        events = events.filter(occurred_at__gte=selection.occurred_from)
    if selection.occurred_before is not None:
        events = events.filter(occurred_at__lt=selection.occurred_before)
    if selection.actor_id is not None:
        events = events.filter(actor_id=selection.actor_id)
    if selection.role:
        events = events.filter(role=selection.role)
    if selection.actions:
        exact = [a for a in selection.actions if not a.endswith(".")]
        groups = [a for a in selection.actions if a.endswith(".")]
        match = Q(action__in=exact) if exact else Q()
        for prefix in groups:
            match |= Q(action__startswith=prefix)
        events = events.filter(match)
    if selection.object_type:
        events = events.filter(object_type=selection.object_type)
        if selection.object_id:
            events = events.filter(object_id=selection.object_id)
    if selection.objects:
        match = Q(pk__in=[])
        for object_type, ids in selection.objects:
            match |= Q(object_type=object_type, object_id__in=ids)
        events = events.filter(match)
    return events.order_by(*NEWEST_FIRST)


# The chain verification lives in `audits.verification`; `chain_verify` is read from here.
from audits.verification import (  # noqa: E402
    UNSEALED_GRACE,
    AnchorOutcome,
    ChainBreak,
    ChainVerification,
    Problem,
    chain_verify,
    row_check,
)

__all__ = [
    "UNSEALED_GRACE",
    "AnchorOutcome",
    "ChainBreak",
    "ChainVerification",
    "EventFilter",
    "Problem",
    "audit_events",
    "audit_search",
    "chain_verify",
    "row_check",
]
