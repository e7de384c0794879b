"""The access hub (issue 15): the six registers of access to customer data, each with what
needs attention, for the roles that may see it.

A register is listed when the reader may open it; its count is what waits for someone:
a decision, a confirmed removal, a deletion, a review.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access.models import (
    AccessConsent,
    AccessReviewItem,
    ConsentState,
    CopyState,
    ReviewDecision,
    SupportCopy,
    TemporaryAccess,
    TemporaryState,
)
from access.selectors.confidentiality import missing_count
from access.selectors.standing import removal_pending_count
from compliance.access import can


@dataclass
class HubEntry:
    title: str
    description: str
    url: str | None
    attention: int | None
    attention_label: str


def _temporary_attention(user) -> int:
    # Requests waiting for the ICT manager, and ended access whose removal is unconfirmed.
    return TemporaryAccess.objects.filter(
        Q(state=TemporaryState.REQUESTED)
        | Q(removal_due_at__isnull=False, removal_confirmed_at__isnull=True)
    ).count()


def _consent_attention(user) -> int:
    return AccessConsent.objects.filter(
        Q(state=ConsentState.REQUESTED)
        | Q(removal_due_at__isnull=False, removal_confirmed_at__isnull=True)
    ).count()


def _support_copy_attention(user) -> int:
    # Held copies whose ticket is closed (the 48-hour deadline runs) or whose latest
    # deadline has passed.
    now = timezone.now()
    return SupportCopy.objects.filter(
        Q(due_after_ticket_at__isnull=False) | Q(due_latest_at__lte=now), state=CopyState.HELD
    ).count()


def _review_attention(user) -> int:
    return AccessReviewItem.objects.filter(
        decision=ReviewDecision.PENDING, review__due_at__lte=timezone.now()
    ).count()


# (route, the action that opens it, title, description, what needs attention, its count)
PARTS = (
    (
        "access:confidentiality",
        "confidentiality.view",
        _("Confidentiality"),
        _("Who acknowledged which version of the confidentiality text."),
        _("not acknowledged the current version"),
        lambda user: missing_count(),
    ),
    (
        "access:standing",
        "standing.view",
        _("Standing access"),
        _("System administrators: for which purposes, since when, granted by whom."),
        _("ended, removal not yet confirmed"),
        lambda user: removal_pending_count(),
    ),
    (
        "access:temporary_list",
        "temporary_access.view",
        _("Temporary access"),
        _("Product development, with the ICT manager's approval, for a limited period."),
        _("waiting for a decision or removal"),
        _temporary_attention,
    ),
    (
        "access:consent_list",
        "consent.view",
        _("Customer consent"),
        _("Access by other staff with the customer's explicit consent, and every use."),
        _("need attention"),
        _consent_attention,
    ),
    (
        "access:support_copy_list",
        "support_copy.view",
        _("Support copies"),
        _("Copies of customer environments for support, and their deletion deadlines."),
        _("to be deleted"),
        _support_copy_attention,
    ),
    (
        "access:review_list",
        "access_review.view",
        _("Access reviews"),
        _("Periodic recertification of every grant, consent and account."),
        _("not reviewed in time"),
        _review_attention,
    ),
)


def hub_entries(user) -> list[HubEntry]:
    """The registers this user may open, each with its count of what needs attention."""
    return [
        HubEntry(
            title=str(title),
            description=str(description),
            url=reverse(route),
            attention=attention(user),
            attention_label=str(label),
        )
        for route, action, title, description, label, attention in PARTS
        if can(user, action)
    ]
