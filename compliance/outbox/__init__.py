"""The notice outbox: every e-mail the product sends, one row per recipient (BR-05).

A row is written in the same transaction as its cause (`message_queue`), so a notice exists
exactly when its cause does. Celery is only the doorbell: on commit a task is asked to deliver
the new rows, and a beat sweep every 30 s claims whatever is due by itself, so a lost task, a
dead worker or a mail server that is down for hours loses nothing.

Delivery is at least once, which is the best SMTP allows. A row is marked accepted only after
the server accepted it; a worker that dies between acceptance and recording leaves its claim
behind, the claim expires, and the row is sent again with the same Message-ID (the only case
in which a recipient can get a message twice).

The parts: `queueing` (writing rows, rendering templates, the doorbell), `delivery` (claiming,
sending, the sweep and its heartbeat), `alerts` (escalation and the privacy officer's
alerts, open and closed) and `outage` (whether the mail server can be reached). Callers
import from `compliance.outbox`.
"""

from compliance.outbox.alerts import (
    alert_close_by_acceptance,
    alert_resolve,
    closed_alerts,
    open_alerts,
    outbox_escalate_overdue,
)
from compliance.outbox.delivery import (
    BACKOFF_FIRST_SECONDS,
    BACKOFF_MAX_SECONDS,
    SWEEP_HEARTBEAT,
    Claim,
    SendResult,
    backoff_seconds,
    claim_seconds,
    heartbeat_age,
    heartbeat_record,
    outbox_claim,
    outbox_deliver_ids,
    outbox_send_claimed,
    outbox_sweep,
    worker_name,
)
from compliance.outbox.outage import (
    MailServerState,
    mail_outage_open,
    mail_outages_recent,
    mail_server_probe,
    mail_server_reachable,
    mail_server_state,
    mail_server_unreachable,
)
from compliance.outbox.queueing import (
    DELIVER_TASK,
    FilledTemplate,
    QueuedRow,
    batch_size,
    message_id_new,
    message_queue,
    message_render,
    messages_queue_bulk,
)

__all__ = [
    "BACKOFF_FIRST_SECONDS",
    "BACKOFF_MAX_SECONDS",
    "DELIVER_TASK",
    "SWEEP_HEARTBEAT",
    "Claim",
    "FilledTemplate",
    "MailServerState",
    "QueuedRow",
    "SendResult",
    "alert_close_by_acceptance",
    "alert_resolve",
    "backoff_seconds",
    "batch_size",
    "claim_seconds",
    "closed_alerts",
    "heartbeat_age",
    "heartbeat_record",
    "mail_outage_open",
    "mail_outages_recent",
    "mail_server_probe",
    "mail_server_reachable",
    "mail_server_state",
    "mail_server_unreachable",
    "message_id_new",
    "message_queue",
    "message_render",
    "messages_queue_bulk",
    "open_alerts",
    "outbox_claim",
    "outbox_deliver_ids",
    "outbox_escalate_overdue",
    "outbox_send_claimed",
    "outbox_sweep",
    "worker_name",
]
