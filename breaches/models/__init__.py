"""Incidents, their triage, the affected customers, per-customer notices and updates.

One state machine for every incident (BR-02). Deadlines are columns written by the service
that sets their cause (BR-03, BR-04); `next_reminder_at` columns let the sweep find due
reminders through small partial indexes, however many rows are stored.

Transitions only change fields; every side effect (outbox rows, PDF letters) is queued by
the service in `breaches/services/` that calls the transition.

One module per entity; every model is imported here (in the order they were always
registered) so that Django finds them and `from breaches.models import X` works.
"""

# Imported in the order the models have always been registered in (the app registry, and so
# the content types and permissions created for them, follow this order), not alphabetically.
from breaches.models.incident import (  # noqa: I001
    ASSESSMENT_FIELDS,
    OPEN_INCIDENT_STATES,
    Consequences,
    Identifiability,
    Incident,
    IncidentSource,
    IncidentState,
    SelectionRule,
    SeverityBand,
)
from breaches.models.updates import IncidentUpdate, IncidentUpdateKind
from breaches.models.notice import (
    DECISION_FIELDS,
    Authority,
    AuthorityDecision,
    CustomerNotice,
    InformedHow,
    IntentionRecipient,
    NoticeState,
    NotificationKind,
    SubjectsDecision,
)
from breaches.models.dossier import DossierRequest, DossierRequestState
from breaches.models.letters import NoticeLetter

__all__ = [
    "ASSESSMENT_FIELDS",
    "DECISION_FIELDS",
    "OPEN_INCIDENT_STATES",
    "Authority",
    "AuthorityDecision",
    "CustomerNotice",
    "DossierRequest",
    "DossierRequestState",
    "Consequences",
    "Identifiability",
    "Incident",
    "IncidentSource",
    "IncidentState",
    "IncidentUpdate",
    "IncidentUpdateKind",
    "InformedHow",
    "IntentionRecipient",
    "NoticeLetter",
    "NoticeState",
    "NotificationKind",
    "SubjectsDecision",
    "SelectionRule",
    "SeverityBand",
]
