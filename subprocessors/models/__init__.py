"""The subprocessor register (SP-01, SP-02). Change notices and objections build on it.

One module per entity: `register` (subprocessors, processing locations), `change_notices`
(change notices and the customers they inform), `subscribers` (public subscriptions and the
subscribe form's request counts), `objections` (objections and termination rights). Every
model is imported here, in the order they were always registered in, so that Django finds
them and `from subprocessors.models import X` works.
"""

# Imported in the order the models have always been registered in (the app registry, and so
# the content types and permissions created for them, follow this order), not alphabetically.
from subprocessors.models.register import (  # noqa: I001
    EEA_COUNTRIES,
    ISO_COUNTRIES,
    NOTICE_PERIOD,
    ProcessingLocation,
    Subprocessor,
    SubprocessorStatus,
)
from subprocessors.models.change_notices import (
    ChangeKind,
    ChangeNotice,
    ChangeNoticeRecipient,
    ChangeNoticeState,
    RecipientReason,
)
from subprocessors.models.subscribers import SubscribeRequest, Subscriber
from subprocessors.models.objections import (
    OPEN_OBJECTION_STATES,
    Objection,
    ObjectionState,
    TerminationRight,
    UpheldOutcome,
)

__all__ = [
    "EEA_COUNTRIES",
    "ISO_COUNTRIES",
    "NOTICE_PERIOD",
    "OPEN_OBJECTION_STATES",
    "ChangeKind",
    "ChangeNotice",
    "ChangeNoticeRecipient",
    "ChangeNoticeState",
    "Objection",
    "ObjectionState",
    "ProcessingLocation",
    "RecipientReason",
    "SubscribeRequest",
    "Subscriber",
    "Subprocessor",
    "SubprocessorStatus",
    "TerminationRight",
    "UpheldOutcome",
]
