"""Core data of the processor: its profile, customers, contracts, contacts, users, and the
notice outbox and stored documents that every workflow uses.

One module per concern; every model is imported here (in the order they were always
registered) so that Django finds them and `from compliance.models import X` works.
"""

# Imported in the order the models have always been registered in (the app registry, and so
# the content types and permissions created for them, follow this order), not alphabetically.
from compliance.models.organisation import (  # noqa: I001
    ADDRESS_MAX_CHARACTERS,
    ADDRESS_MAX_LINES,
    AgreementModel,
    Contact,
    Contract,
    Country,
    Customer,
    Language,
    ProcessorProfile,
    Product,
)
from compliance.models.people import CUSTOMER_ROLES, STAFF_ROLES, Role, User, UserManager
from compliance.models.documents import (
    DocumentImmutableError,
    StoredDocument,
    StoredDocumentQuerySet,
)
from compliance.models.outbox import (
    BREACH_NOTICE_CAUSE,
    AlertResolution,
    EscalationReason,
    Heartbeat,
    MailOutage,
    OutboxMessage,
    OutboxStatus,
)
from compliance.models.tokens import ApiToken, CalendarToken, Invitation, InvitationQuerySet
from compliance.models.exports import ExportFormat, ExportState, HistoryExport
from compliance.models.retention import RetentionKind, RetentionRule

__all__ = [
    "ADDRESS_MAX_CHARACTERS",
    "ADDRESS_MAX_LINES",
    "BREACH_NOTICE_CAUSE",
    "CUSTOMER_ROLES",
    "STAFF_ROLES",
    "AgreementModel",
    "AlertResolution",
    "ApiToken",
    "CalendarToken",
    "Contact",
    "Contract",
    "Country",
    "Customer",
    "DocumentImmutableError",
    "EscalationReason",
    "ExportFormat",
    "ExportState",
    "Heartbeat",
    "HistoryExport",
    "Invitation",
    "InvitationQuerySet",
    "Language",
    "MailOutage",
    "OutboxMessage",
    "OutboxStatus",
    "ProcessorProfile",
    "Product",
    "RetentionKind",
    "RetentionRule",
    "Role",
    "StoredDocument",
    "StoredDocumentQuerySet",
    "User",
    "UserManager",
]
