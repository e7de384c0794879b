"""Reads, always scoped by the user asking (customers see only their own organisation)."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from audits.models import AuditEvent
from audits.selectors import audit_events
from compliance.access import can, customer_scope, require
from compliance.models import Contact, Customer, ProcessorProfile, StoredDocument

# --- customers and contacts -------------------------------------------------------------


def customers_for(user) -> QuerySet[Customer]:
    require(user, "customer.view")
    scope = customer_scope(user)
    qs = Customer.objects.all()
    return qs.filter(pk=scope) if scope is not None else qs


def customer_get(user, pk) -> Customer:
    """A customer the user may see, else 404 (never reveal that another customer exists)."""
    return get_object_or_404(customers_for(user), pk=pk)


def contacts_for(user, *, customer: Customer | None = None) -> QuerySet[Contact]:
    require(user, "contact.view")
    scope = customer_scope(user)
    qs = Contact.objects.select_related("customer")
    if scope is not None:
        qs = qs.filter(customer_id=scope)
    if customer is not None:
        qs = qs.filter(customer=customer)
    return qs


def contact_get(user, pk) -> Contact:
    return get_object_or_404(contacts_for(user), pk=pk)


# --- stored documents (owned by the PDF service, compliance/documents.py) ---------------


def documents_for(user) -> QuerySet[StoredDocument]:
    """Documents the user may see: customer users and customer-engaged auditors only their
    own organisation's (never processor-wide ones); processor staff all of them; audit
    evidence only those who may read the audit trail.

    The PDF bytes are deferred: lists never need them.
    """
    require(user, "document.view")
    scope = customer_scope(user)
    qs = StoredDocument.objects.select_related("customer").defer("content")
    if scope is not None:
        qs = qs.filter(customer_id=scope)
    if not can(user, "audit.view"):
        qs = qs.filter(audit_only=False)
    return qs


def document_get(user, uuid) -> StoredDocument:
    """One document with its bytes, else 404 (another customer's document is not revealed)."""
    return get_object_or_404(documents_for(user).defer(None), uuid=uuid)


# --- end of stored documents ------------------------------------------------------------


def processor_profile() -> ProcessorProfile | None:
    """The processor's own details (ON-03), or None before the officer entered them."""
    return ProcessorProfile.objects.order_by("pk").first()


# --- the audit trail --------------------------------------------------------------------


def audit_events_for_user(*, user) -> QuerySet[AuditEvent]:
    """The events a privacy officer or auditor may read; a customer's auditor sees only
    events about that customer (AU-03)."""
    require(user, "audit.view")
    return audit_events(customer_id=customer_scope(user))
