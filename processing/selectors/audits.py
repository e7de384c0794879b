"""Reads of customer audits (AU-01, AU-02), always through the reader's scope.

A reader limited to one customer (its users, an auditor it engaged) sees only that
customer's audits it knows of: those it asked for and those it was informed of (AU-01);
another customer's id, or an audit kept from the customer, is a 404."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from compliance.access import can, customer_scope
from processing.models.audits import AuditKind, CustomerAudit, CustomerAuditState

OPEN_STATES = (
    CustomerAuditState.REQUESTED,
    CustomerAuditState.SCHEDULED,
    CustomerAuditState.IN_PROGRESS,
)
FILTERS = ("", "open", "ended")

KNOWN_TO_CUSTOMER = Q(customer_informed_at__isnull=False) | Q(kind=AuditKind.REQUESTED)


def audits_for(user, *, show: str = "") -> QuerySet[CustomerAudit]:
    rows = CustomerAudit.objects.select_related("customer", "requested_by")
    scope = customer_scope(user)
    if scope is not None:
        rows = rows.filter(KNOWN_TO_CUSTOMER, customer_id=scope)
    if show == "open":
        rows = rows.filter(state__in=OPEN_STATES)
    elif show == "ended":
        rows = rows.exclude(state__in=OPEN_STATES)
    return rows


def audit_get(user, pk) -> CustomerAudit:
    audit = audits_for(user).filter(pk=pk).first()
    if audit is None:
        raise Http404
    return audit


def ground_visible(user) -> bool:
    """AU-01: the legal ground for not informing, only for the processor's own people."""
    return customer_scope(user) is None and can(user, "customer_audit.view_ground")
