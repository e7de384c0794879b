"""Reads of customer consent and uses of access (AC-04), scoped by the user: a customer's
users see their own organisation's only, so another organisation's id is a 404."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from access.models.consent import AccessConsent, AccessUse, ConsentState
from compliance.access import customer_scope, require
from compliance.models import STAFF_ROLES, Role, User

# Who may be named in a request for consent or a use: processor staff, never an auditor.
EMPLOYEE_ROLES = STAFF_ROLES - {Role.AUDITOR}


def consents_for(user, *, state: str = "") -> QuerySet[AccessConsent]:
    require(user, "consent.view")
    qs = AccessConsent.objects.select_related(
        "customer", "employee", "requested_by", "decided_by", "ended_by", "removal_confirmed_by"
    )
    scope = customer_scope(user)
    if scope is not None:
        qs = qs.filter(customer_id=scope)
    if state in ConsentState.values:
        qs = qs.filter(state=state)
    return qs


def consent_get(user, pk) -> AccessConsent:
    return get_object_or_404(consents_for(user), pk=pk)


def uses_for(user, *, customer_id: int | None = None) -> QuerySet[AccessUse]:
    require(user, "access_use.view")
    qs = AccessUse.objects.select_related("customer", "user", "recorded_by")
    scope = customer_scope(user)
    if scope is not None:
        qs = qs.filter(customer_id=scope)
    elif customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    return qs


def use_get(user, pk) -> AccessUse:
    return get_object_or_404(uses_for(user), pk=pk)


def employees() -> QuerySet[User]:
    """Who may be named in a request or a use: active processor staff, auditors excepted."""
    return User.objects.filter(role__in=EMPLOYEE_ROLES, is_active=True).order_by(
        "full_name", "email"
    )


def open_removals_for(user) -> QuerySet[AccessConsent]:
    return consents_for(user).filter(
        removal_due_at__isnull=False, removal_confirmed_at__isnull=True
    )
