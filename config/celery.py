import os

from celery import Celery

from compliance.broker import register as broker_register

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
broker_register()

app = Celery("compliance")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Beat is only a doorbell: the sweeps claim due rows themselves, so a lost tick loses nothing.
app.conf.beat_schedule = {
    # RP-01 (GDPR Art. 30(2)): a new version of each record of processing that changed.
    "processing-record-sweep": {
        "task": "processing.tasks.record.sweep",
        "schedule": 24 * 60 * 60.0,
    },
    "outbox-sweep": {"task": "compliance.tasks.outbox_sweep", "schedule": 30.0},
    "audit-seal": {"task": "audits.tasks.audit_seal", "schedule": 5.0},
    "breach-deadline-sweep": {"task": "breaches.tasks.deadline_sweep", "schedule": 60.0},
    # AC-04: consents whose period is over; removals to confirm (reminder, escalation).
    "access-consent-sweep": {"task": "access.tasks.consent.sweep", "schedule": 60.0},
    # AC-05: support copies whose deletion deadline is near or past.
    "access-support-copies-sweep": {
        "task": "access.tasks.support_copies_sweep",
        "schedule": 300.0,
    },
    # AU-03: evidence dossiers whose task was lost or whose worker died.
    "breach-dossier-requests-sweep": {
        "task": "breaches.tasks.dossier_requests_sweep",
        "schedule": 60.0,
    },
    # BR-06: letter versions whose doorbell was lost or whose worker died.
    "breach-notice-letters-sweep": {
        "task": "breaches.tasks.notice_letters_sweep",
        "schedule": 60.0,
    },
    # AU-03: the day's chain anchor; rung hourly, made once per Amsterdam day.
    "audit-chain-anchor-daily": {
        "task": "compliance.tasks.chain_anchor_daily",
        "schedule": 60 * 60.0,
    },
    # AU-03: chain checks of the Audit section whose task was lost or whose worker died.
    "audit-chain-checks-sweep": {"task": "web.tasks.chain_checks_sweep", "schedule": 60.0},
    # AU-03: Audit section exports whose task was lost or whose worker died.
    "audit-history-exports-sweep": {
        "task": "web.tasks.history_exports_sweep",
        "schedule": 60.0,
    },
    # BR-05: yearly request to confirm breach contacts; the sweep itself skips the recent ones.
    "contacts-confirmation-sweep": {
        "task": "compliance.tasks.contacts_confirmation_sweep",
        "schedule": 24 * 60 * 60.0,
    },
    # AU-03: personal data past its retention period erased (compliance.retention).
    "retention-sweep": {
        "task": "compliance.tasks.retention_sweep",
        "schedule": 24 * 60 * 60.0,
    },
    # IN-02: binding instructions: reminder before the due date, escalation after.
    "processing-binding-sweep": {
        "task": "processing.tasks.instructions.binding_sweep",
        "schedule": 60.0,
    },
    # RT-01: environment deletions of ended contracts: missing ones scheduled, reminder
    # before the due moment, escalation after.
    "processing-deletion-sweep": {
        "task": "processing.tasks.contract_end.deletion_sweep",
        "schedule": 60 * 60.0,
    },
    # AC-03: temporary access ends at its `ends_at`; removal reminders and escalation.
    "access-temporary-sweep": {"task": "access.tasks.temporary.sweep", "schedule": 60.0},
    # AU-02: reminders of audits starting soon; asked-for audits not scheduled escalate.
    "processing-audits-sweep": {"task": "processing.tasks.audits.sweep", "schedule": 3600.0},
    # DS-01: data-subject requests forwarded within 24 hours; reminder and escalation.
    "processing-subject-request-sweep": {
        "task": "processing.tasks.subject_requests.sweep",
        "schedule": 60.0,
    },
    # A.5.18: the quarter's access review opened (once), reminders and escalation.
    "access-review-quarter-open": {
        "task": "access.tasks.reviews.review_quarter_open",
        "schedule": 60 * 60.0,
    },
    "access-reviews-sweep": {"task": "access.tasks.reviews.reviews_sweep", "schedule": 60 * 60.0},
    "subprocessor-changes-go-live": {
        "task": "subprocessors.tasks.change_notices_go_live",
        "schedule": 60.0,
    },
    # SP-01: confirmations pending over 7 days and unsubscribed addresses are deleted.
    "subprocessor-subscribers-sweep": {
        "task": "subprocessors.tasks.subscribers_sweep",
        "schedule": 60 * 60.0,
    },
}
