"""Access to customer data (AC-01 … AC-05, ISO 27001 A.5.15–A.5.18): one module per duty."""

from access.models.confidentiality import ConfidentialityAcknowledgement, ConfidentialityText
from access.models.consent import (
    AccessBasis,
    AccessConsent,
    AccessUse,
    ConsentLevel,
    ConsentState,
)
from access.models.reviews import (
    AccessReview,
    AccessReviewItem,
    ReviewDecision,
    ReviewState,
    ReviewSubject,
)
from access.models.standing import StandingGrant, StandingPurpose
from access.models.support_copies import (
    AFTER_TICKET,
    AT_THE_LATEST,
    CopyState,
    SupportCopy,
    SupportCopyAccess,
    TicketStatus,
)
from access.models.temporary import TemporaryAccess, TemporaryState

__all__ = [
    "AFTER_TICKET",
    "AT_THE_LATEST",
    "AccessBasis",
    "AccessConsent",
    "AccessReview",
    "AccessReviewItem",
    "AccessUse",
    "ConfidentialityAcknowledgement",
    "ConfidentialityText",
    "ConsentLevel",
    "ConsentState",
    "CopyState",
    "ReviewDecision",
    "ReviewState",
    "ReviewSubject",
    "StandingGrant",
    "StandingPurpose",
    "SupportCopy",
    "SupportCopyAccess",
    "TemporaryAccess",
    "TemporaryState",
    "TicketStatus",
]
