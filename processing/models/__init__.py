"""Processing on the customer's behalf (IN-01, IN-02, DS-01, AU-01, AU-02, RT-01,
GDPR Art. 30(2)): one module per duty."""

from processing.models.audits import AuditKind, CustomerAudit, CustomerAuditState
from processing.models.contract_end import DeletionState, EnvironmentDeletion
from processing.models.instructions import (
    Authority,
    BindingInstruction,
    BindingState,
    Instruction,
    InstructionChannel,
    InstructionState,
)
from processing.models.record import ProcessingRecordVersion
from processing.models.subject_requests import (
    FORWARD_WITHIN,
    SubjectRequest,
    SubjectRequestState,
    SubjectRight,
)
from processing.models.tasks import ProcessingTask

__all__ = [
    "FORWARD_WITHIN",
    "AuditKind",
    "Authority",
    "BindingInstruction",
    "BindingState",
    "CustomerAudit",
    "CustomerAuditState",
    "DeletionState",
    "EnvironmentDeletion",
    "Instruction",
    "InstructionChannel",
    "InstructionState",
    "ProcessingRecordVersion",
    "ProcessingTask",
    "SubjectRequest",
    "SubjectRequestState",
    "SubjectRight",
]
