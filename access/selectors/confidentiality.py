"""Reads of the confidentiality register (AC-01), scoped by the reader's access."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import OuterRef, Q, Subquery

from access.models import ConfidentialityAcknowledgement, ConfidentialityText
from compliance.access import require
from compliance.models import STAFF_ROLES, Role, User


def staff_bound():
    """The accounts that acknowledge the text: the processor's active staff (not an auditor
    engaged by one customer, not customer users)."""
    return (
        User.objects.filter(role__in=STAFF_ROLES, is_active=True)
        .exclude(Q(role=Role.AUDITOR) & Q(customer__isnull=False))
        .order_by("full_name", "email")
    )


@dataclass
class RegisterRow:
    user: User
    version: int | None
    acknowledged_at: object
    current: bool


def register_rows(user, text: ConfidentialityText | None) -> list[RegisterRow]:
    """Every staff member with the latest version they acknowledged and when; whether that
    is the current version (AC-01)."""
    require(user, "confidentiality.view")
    latest = ConfidentialityAcknowledgement.objects.filter(user=OuterRef("pk")).order_by(
        "-text__version"
    )
    staff = staff_bound().annotate(
        ack_version=Subquery(latest.values("text__version")[:1]),
        ack_at=Subquery(latest.values("acknowledged_at")[:1]),
    )
    current_version = text.version if text else None
    return [
        RegisterRow(
            user=person,
            version=person.ack_version,
            acknowledged_at=person.ack_at,
            current=current_version is not None and person.ack_version == current_version,
        )
        for person in staff
    ]


def missing_count(text: ConfidentialityText | None = None) -> int:
    """How many staff members have not acknowledged the current version."""
    if text is None:
        text = ConfidentialityText.objects.order_by("-version").first()
    if text is None:
        return 0
    return staff_bound().exclude(confidentiality_acknowledgements__text=text).count()


def texts_for(user):
    require(user, "confidentiality.view")
    return ConfidentialityText.objects.select_related("published_by").order_by("-version")
