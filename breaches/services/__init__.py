"""Writes of the breach workflow (BR-01 … BR-11). Each service is one transaction with its
audit event; side effects (outbox rows, PDF letter versions) are recorded with it and rung
after commit.

There is deliberately no service that notifies a supervisory authority (BR-04): the
processor never does; customers record their own decision.
"""

from breaches.services.closure import incident_dismiss, incident_final_report, incident_resolve
from breaches.services.incidents import (
    incident_discovery_correct,
    incident_report,
    incident_report_by_customer,
    incident_triage,
)
from breaches.services.letters import notice_letter_queue
from breaches.services.notices import (
    notice_acknowledge,
    notice_decision_record,
    notice_intention_announce,
    notice_late_reason_record,
    notice_out_of_band_record,
)
from breaches.services.notify import (
    NotifyResult,
    incident_notify,
    incident_notify_approve,
    update_publish,
)
from breaches.services.rendering import (
    notice_letter_render,
    notice_letters_render,
    notice_letters_sweep,
    notice_preview,
)
from breaches.services.selection import affected_customers_change, affected_select
from breaches.services.sweep import SweepResult, deadline_sweep

__all__ = [
    "NotifyResult",
    "SweepResult",
    "affected_customers_change",
    "affected_select",
    "deadline_sweep",
    "incident_discovery_correct",
    "incident_dismiss",
    "incident_final_report",
    "incident_notify",
    "incident_notify_approve",
    "incident_report",
    "incident_report_by_customer",
    "incident_resolve",
    "incident_triage",
    "notice_acknowledge",
    "notice_decision_record",
    "notice_intention_announce",
    "notice_late_reason_record",
    "notice_letter_queue",
    "notice_letter_render",
    "notice_letters_render",
    "notice_letters_sweep",
    "notice_out_of_band_record",
    "notice_preview",
    "update_publish",
]
