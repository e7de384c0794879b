"""Every audit action the product writes, with the words people read (AU-03, BR-02).

The value of each member is the exact string stored in `AuditEvent.action`. It is part of
each row's content hash, and PostgreSQL refuses updates to audit rows: a value is never
renamed. A new action is added here first — `audits.services.event_record` refuses any
other string — with a label in plain words (translated in `locale/`).

Names follow the value: `incident.customers_selected` → `INCIDENT_CUSTOMERS_SELECTED`.
Actions written by the admin for models without a service yet are `<model_name>.created`
/ `.updated` / `.deleted` (`compliance.admin.AuditedAdminMixin`, `save_audited_formset`).

`TIMELINE_ONLY` members are not audit rows: the evidence dossier adds them to its timeline
from the field history (`incident.state:<state>`, `notice.state:<state>`) and from the
published updates (`update.<kind>`). They live here so the dossier shows people words for
them too; `event_record` refuses them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    # --- the audit trail itself ----------------------------------------------------------
    # An event's before/after were replaced by the tombstone at the end of its retention.
    AUDIT_PAYLOAD_ERASED = "audit.payload_erased", _("Personal data erased from an audit event")
    # The Audit section (AU-03): every search and export by its readers is recorded too.
    AUDIT_HISTORY_SEARCHED = "audit.history_searched", _("History searched")
    AUDIT_HISTORY_EXPORTED = "audit.history_exported", _("History exported")
    AUDIT_HISTORY_EXPORT_REQUESTED = (
        "audit.history_export_requested",
        _("History export asked for (built in the background)"),
    )
    AUDIT_HISTORY_EXPORT_FAILED = "audit.history_export_failed", _("History export failed")
    # An auditor drew a reproducible sample (audits.sampling): recipe, chain head, members.
    AUDIT_SAMPLE_DRAWN = "audit.sample_drawn", _("Audit sample drawn")
    AUDIT_SAMPLE_EXPORTED = "audit.sample_exported", _("Audit sample exported")
    AUDIT_EVIDENCE_EXPORTED = "audit.evidence_exported", _("Evidence by control exported")
    AUDIT_KPI_EXPORTED = "audit.kpi_exported", _("KPI report exported")
    # Issue 14, anchoring: the chain head signed and sent outside the database; checks of the
    # whole chain asked for from the Audit section; a recorded database restore.
    AUDIT_CHAIN_ANCHORED = "audit.chain_anchored", _("Audit chain head signed (anchor)")
    AUDIT_CHAIN_ANCHOR_SENT = "audit.chain_anchor_sent", _("Audit chain anchor sent out")
    AUDIT_CHAIN_CHECK_REQUESTED = (
        "audit.chain_check_requested",
        _("Check of the audit chain asked for"),
    )
    AUDIT_CHAIN_CHECKED = "audit.chain_checked", _("Audit chain checked")
    AUDIT_DATABASE_RESTORE_RECORDED = (
        "audit.database_restore_recorded",
        _("Database restore recorded"),
    )
    # Issue 14, retention (compliance.retention): the table confirmed or changed by the
    # privacy officer; what one sweep erased, per kind of record (counts, never content).
    RETENTION_RULE_CONFIRMED = "retention.rule_confirmed", _("Retention period confirmed")
    RETENTION_RULE_CHANGED = "retention.rule_changed", _("Retention period changed")
    RETENTION_ERASED = "retention.erased", _("Personal data erased at the end of its retention")

    # --- sign-in (compliance.auth_signals, compliance.accounts) --------------------------
    AUTH_SIGNED_IN = "auth.signed_in", _("Signed in")
    AUTH_SIGNED_OUT = "auth.signed_out", _("Signed out")
    # Wrong password or unknown address on the sign-in form.
    AUTH_SIGN_IN_FAILED = "auth.sign_in_failed", _("Sign-in failed")
    AUTH_SECOND_FACTOR_FAILED = "auth.second_factor_failed", _("Wrong second-factor code")
    # django-axes locked the account after too many failures.
    AUTH_LOCKED_OUT = "auth.locked_out", _("Locked out after too many failed sign-ins")
    # An e-mailed code (sign-in, address verification, password reset) was wrong.
    AUTH_CODE_REJECTED = "auth.code_rejected", _("Wrong e-mailed code")
    # A sign-in code or password reset was asked for an account without a second factor.
    AUTH_CODE_REFUSED_WITHOUT_FACTOR = (
        "auth.code_refused_without_factor",
        _("Code refused: no second factor set up"),
    )
    AUTH_EMAIL_VERIFIED = "auth.email_verified", _("E-mail address verified")
    AUTH_PASSWORD_SET = "auth.password_set", _("Password set")
    AUTH_PASSWORD_CHANGED = "auth.password_changed", _("Password changed")
    AUTH_PASSWORD_RESET = "auth.password_reset", _("Password reset")
    AUTH_FACTOR_ADDED = "auth.factor_added", _("Second factor added")
    AUTH_FACTOR_REMOVED = "auth.factor_removed", _("Second factor removed")
    AUTH_RECOVERY_CODES_REGENERATED = (
        "auth.recovery_codes_regenerated",
        _("New recovery codes made"),
    )
    # A privacy officer removed every second factor of an account, so it enrols again.
    AUTH_FACTORS_RESET = "auth.factors_reset", _("Second factors reset")
    # The enrolment of a first factor was opened for an account without one.
    AUTH_FACTOR_ENROLMENT_OPENED = (
        "auth.factor_enrolment_opened",
        _("Second-factor set-up opened"),
    )

    # --- confidentiality and standing access (access/, AC-01, AC-02) --------------------
    ACCESS_CONFIDENTIALITY_PUBLISHED = (
        "access.confidentiality.published",
        _("Confidentiality text published"),
    )
    ACCESS_CONFIDENTIALITY_ACKNOWLEDGED = (
        "access.confidentiality.acknowledged",
        _("Confidentiality text acknowledged"),
    )
    ACCESS_STANDING_GRANTED = "access.standing.granted", _("Standing access granted")
    ACCESS_STANDING_ENDED = "access.standing.ended", _("Standing access ended")
    ACCESS_STANDING_REMOVAL_CONFIRMED = (
        "access.standing.removal_confirmed",
        _("Removal of standing access from the systems confirmed"),
    )

    # --- users, invitations and tokens ---------------------------------------------------
    INVITATION_CREATED = "invitation.created", _("Invitation sent")
    INVITATION_ACCEPTED = "invitation.accepted", _("Invitation accepted")
    INVITATION_REVOKED = "invitation.revoked", _("Invitation withdrawn")
    USER_CREATED = "user.created", _("User account created")
    USER_UPDATED = "user.updated", _("User account changed")
    USER_DELETED = "user.deleted", _("User account deleted")
    # The language switch, used by a signed-in person: pages and mail follow it.
    USER_LANGUAGE_CHANGED = "user.language_changed", _("Own language changed")
    # A password set for someone else in the admin.
    USER_PASSWORD_SET = "user.password_set", _("Password set by an administrator")
    API_TOKEN_CREATED = "api_token.created", _("API token created")
    API_TOKEN_REVOKED = "api_token.revoked", _("API token revoked")
    # First use of a token in a period (not every request).
    API_TOKEN_USED = "api_token.used", _("API token used")
    CALENDAR_TOKEN_CREATED = "calendar_token.created", _("Calendar link created")
    CALENDAR_TOKEN_ROTATED = "calendar_token.rotated", _("Calendar link replaced")
    CALENDAR_TOKEN_REVOKED = "calendar_token.revoked", _("Calendar link revoked")

    # --- core data -----------------------------------------------------------------------
    PROCESSOR_PROFILE_UPDATED = "processor_profile.updated", _("Processor profile changed")
    PRODUCT_CREATED = "product.created", _("Product added")
    PRODUCT_UPDATED = "product.updated", _("Product changed")
    PRODUCT_DELETED = "product.deleted", _("Product deleted")
    CUSTOMER_CREATED = "customer.created", _("Customer added")
    CUSTOMER_UPDATED = "customer.updated", _("Customer changed")
    # The customer was asked to confirm its contacts are still right.
    CUSTOMER_CONTACTS_CONFIRMATION_REQUESTED = (
        "customer.contacts_confirmation_requested",
        _("Customer asked to confirm its contacts"),
    )
    CUSTOMER_CONTACTS_CONFIRMED = "customer.contacts_confirmed", _("Contacts confirmed")
    # None of the customer's addresses works any more: the privacy officers were alerted.
    CUSTOMER_CONTACTS_UNREACHABLE = (
        "customer.contacts_unreachable",
        _("No working e-mail address left for the customer"),
    )
    CONTRACT_CREATED = "contract.created", _("Contract added")
    CONTRACT_UPDATED = "contract.updated", _("Contract changed")
    CONTRACT_DELETED = "contract.deleted", _("Contract deleted")
    CONTACT_CREATED = "contact.created", _("Contact added")
    CONTACT_UPDATED = "contact.updated", _("Contact changed")
    CONTACT_DELETED = "contact.deleted", _("Contact deleted")
    # A stored document (PDF/A letter, dossier) was issued with its checksum.
    DOCUMENT_ISSUED = "document.issued", _("Document issued")

    # --- outbox (compliance.outbox, compliance.bounces) -----------------------------------
    OUTBOX_QUEUED = "outbox.queued", _("Message queued")
    # The receiving mail server accepted the message.
    OUTBOX_ACCEPTED = "outbox.accepted", _("Message accepted by the mail server")
    # Temporary failure: tried again later.
    OUTBOX_DEFERRED = "outbox.deferred", _("Message delayed, retrying")
    # Permanent failure at sending.
    OUTBOX_REFUSED = "outbox.refused", _("Message refused by the mail server")
    # A bounce report arrived after the message was accepted.
    OUTBOX_BOUNCED = "outbox.bounced", _("Message bounced")
    # A message undelivered too long: the privacy officers were alerted.
    OUTBOX_ESCALATED = "outbox.escalated", _("Undelivered message escalated")
    OUTBOX_ALERT_RESOLVED = "outbox.alert_resolved", _("Delivery alert resolved")
    # The message of an open alert was accepted after all: the alert closed itself.
    OUTBOX_ALERT_CLOSED = (
        "outbox.alert_closed",
        _("Delivery alert closed: the message was accepted later"),
    )
    # The first connection to the mail server failed: an outage began.
    OUTBOX_MAIL_SERVER_DOWN = "outbox.mail_server_down", _("Mail server unreachable")
    # A connection worked again: the outage ended.
    OUTBOX_MAIL_SERVER_UP = "outbox.mail_server_up", _("Mail server reachable again")

    # --- breaches: incidents -------------------------------------------------------------
    INCIDENT_REPORTED = "incident.reported", _("Incident reported")
    INCIDENT_REPORTED_BY_CUSTOMER = (
        "incident.reported_by_customer",
        _("Incident reported by the customer"),
    )
    INCIDENT_TRIAGED = "incident.triaged", _("Assessment recorded")
    INCIDENT_DISMISSED = "incident.dismissed", _("Dismissed: no security incident")
    INCIDENT_DISCOVERY_CORRECTED = "incident.discovery_corrected", _("Discovery time corrected")
    INCIDENT_CUSTOMERS_SELECTED = "incident.customers_selected", _("Affected customers selected")
    # Four eyes: one officer asked, a second one must confirm.
    INCIDENT_NOTIFY_REQUESTED = (
        "incident.notify_requested",
        _("Notices requested, awaiting a second officer"),
    )
    INCIDENT_NOTIFIED = "incident.notified", _("Customers notified")
    # Every affected customer's notice reached at least one recipient.
    INCIDENT_ALL_CUSTOMERS_INFORMED = (
        "incident.all_customers_informed",
        _("Every affected customer informed"),
    )
    # A reminder to the officers that a deadline is near or passed.
    INCIDENT_REMINDER_SENT = "incident.reminder_sent", _("Deadline reminder sent")
    INCIDENT_UPDATE_PUBLISHED = "incident.update_published", _("Progress update published")
    INCIDENT_RESOLVED = "incident.resolved", _("Incident resolved")
    INCIDENT_CLOSED = "incident.closed", _("Closed with the final report")

    # --- breaches: customer notices ------------------------------------------------------
    # A message of the notice was accepted: the customer counts as informed.
    NOTICE_INFORMED = "notice.informed", _("Customer informed")
    NOTICE_UNDELIVERED = "notice.undelivered", _("Notice not delivered")
    NOTICE_INFORMED_MOVED = (
        "notice.informed_moved",
        _("Moment the customer was informed changed (a message bounced or arrived earlier)"),
    )
    NOTICE_INFORMED_WITHDRAWN = (
        "notice.informed_withdrawn",
        _("Customer no longer counted as informed (its message bounced)"),
    )
    NOTICE_OUT_OF_BAND_RECORDED = (
        "notice.out_of_band_recorded",
        _("Customer informed another way"),
    )
    NOTICE_LATE_REASON_RECORDED = "notice.late_reason_recorded", _("Reason for the delay recorded")
    NOTICE_ACKNOWLEDGED = "notice.acknowledged", _("Notice acknowledged by the customer")
    # The customer said whether it will notify the authority / data subjects.
    NOTICE_INTENTION_ANNOUNCED = (
        "notice.intention_announced",
        _("Customer announced its intention"),
    )
    NOTICE_DECISION_RECORDED = "notice.decision_recorded", _("Customer's decision recorded")
    NOTICE_DECISION_REVISED = "notice.decision_revised", _("Customer's decision revised")
    # A reminder to a customer that has not acknowledged its notice.
    NOTICE_REMINDER_SENT = "notice.reminder_sent", _("Reminder sent to the customer")
    # A version of the notice's PDF letter was asked for: the notice was informed, or the
    # moment it was informed changed (BR-04, BR-06).
    NOTICE_LETTER_REQUESTED = "notice.letter_requested", _("Notice letter requested")
    NOTICE_LETTER_STORED = "notice.letter_stored", _("Notice letter stored")
    NOTICE_LETTER_FAILED = "notice.letter_failed", _("Notice letter could not be rendered")
    DOSSIER_REQUESTED = "dossier.requested", _("Evidence dossier requested")
    DOSSIER_ISSUED = "dossier.issued", _("Evidence dossier ready")
    DOSSIER_FAILED = "dossier.failed", _("Evidence dossier failed")

    # --- subprocessors: the register -----------------------------------------------------
    SUBPROCESSOR_CREATED = "subprocessor.created", _("Subprocessor added")
    SUBPROCESSOR_UPDATED = "subprocessor.updated", _("Subprocessor changed")
    SUBPROCESSOR_DELETED = "subprocessor.deleted", _("Subprocessor deleted")
    SUBPROCESSOR_LOCATION_ADDED = "subprocessor.location_added", _("Processing location added")
    PROCESSINGLOCATION_UPDATED = "processinglocation.updated", _("Processing location changed")
    PROCESSINGLOCATION_DELETED = "processinglocation.deleted", _("Processing location deleted")
    # --- customer audits (processing/, AU-01, AU-02) ---
    PROCESSING_AUDIT_RECORDED = "processing.audit.recorded", _("Audit of the processor recorded")
    PROCESSING_AUDIT_REQUESTED = "processing.audit.requested", _("Audit asked for by the customer")
    PROCESSING_AUDIT_SCHEDULED = "processing.audit.scheduled", _("Audit scheduled")
    PROCESSING_AUDIT_STARTED = "processing.audit.started", _("Audit started")
    PROCESSING_AUDIT_REPORTED = "processing.audit.reported", _("Audit report received")
    PROCESSING_AUDIT_CANCELLED = "processing.audit.cancelled", _("Audit cancelled")
    PROCESSING_AUDIT_REMINDED = "processing.audit.reminded", _("Reminder of an audit sent")
    PROCESSING_AUDIT_ESCALATED = (
        "processing.audit.escalated",
        _("Audit not scheduled in time: escalated"),
    )
    # The announced change took effect: the subprocessor is in use.
    SUBPROCESSOR_ACTIVATED = "subprocessor.activated", _("Subprocessor in use")
    SUBPROCESSOR_PURPOSE_CHANGED = (
        "subprocessor.purpose_changed",
        _("Subprocessor's purpose changed"),
    )
    SUBPROCESSOR_REMOVED = "subprocessor.removed", _("Subprocessor no longer used")

    # --- subprocessors: change notices ---------------------------------------------------
    CHANGE_NOTICE_DRAFTED = "change_notice.drafted", _("Change notice drafted")
    CHANGE_NOTICE_UPDATED = "change_notice.updated", _("Change notice draft changed")
    CHANGE_NOTICE_ANNOUNCED = "change_notice.announced", _("Change announced to customers")
    # Every recipient's message was sent.
    CHANGE_NOTICE_SENT_COMPLETELY = "change_notice.sent_completely", _("Change notice sent to all")
    CHANGE_NOTICE_CUSTOMER_INFORMED = (
        "change_notice.customer_informed",
        _("Customer informed of the change"),
    )
    CHANGE_NOTICE_INFORMED_OUT_OF_BAND = (
        "change_notice.informed_out_of_band",
        _("Customer informed of the change another way"),
    )
    CHANGE_NOTICE_LETTER_STORED = "change_notice.letter_stored", _("Change notice letter stored")
    CHANGE_NOTICE_EFFECTIVE_MOVED = "change_notice.effective_moved", _("Effective date moved")
    CHANGE_NOTICE_EFFECTIVE = "change_notice.effective", _("Change took effect")
    CHANGE_NOTICE_WITHDRAWN = "change_notice.withdrawn", _("Change withdrawn")

    # --- subprocessors: objections and termination ---------------------------------------
    OBJECTION_LODGED = "objection.lodged", _("Objection lodged")
    OBJECTION_REVIEW_STARTED = "objection.review_started", _("Objection under review")
    OBJECTION_UPHELD = "objection.upheld", _("Objection upheld")
    OBJECTION_REJECTED = "objection.rejected", _("Objection rejected")
    # --- support copies (access/, AC-05) ---------------------------------------------------
    ACCESS_SUPPORT_COPY_REGISTERED = (
        "access.support_copy.registered",
        _("Support copy registered"),
    )
    ACCESS_SUPPORT_COPY_TICKET_CLOSED = (
        "access.support_copy.ticket_closed",
        _("Support copy: ticket resolved or cancelled"),
    )
    ACCESS_SUPPORT_COPY_TICKET_REOPENED = (
        "access.support_copy.ticket_reopened",
        _("Support copy: ticket reopened"),
    )
    ACCESS_SUPPORT_COPY_ACCESS_RECORDED = (
        "access.support_copy.access_recorded",
        _("Support copy: access by an employee recorded"),
    )
    ACCESS_SUPPORT_COPY_DELETED = (
        "access.support_copy.deleted",
        _("Support copy: deletion confirmed"),
    )
    ACCESS_SUPPORT_COPY_REMINDED = (
        "access.support_copy.reminded",
        _("Support copy: reminder before the deletion deadline sent"),
    )
    ACCESS_SUPPORT_COPY_ESCALATED = (
        "access.support_copy.escalated",
        _("Support copy: overdue deletion escalated"),
    )
    # The customer may end the contract because of the change.
    TERMINATION_OFFERED = "termination.offered", _("Right to terminate offered")
    TERMINATION_EXERCISED = "termination.exercised", _("Contract terminated by the customer")

    # --- subprocessors: subscribers to the public register (double opt-in) ---------------
    SUBSCRIBER_SUBSCRIBED = "subscriber.subscribed", _("Subscription asked")
    SUBSCRIBER_CONFIRMATION_RESENT = (
        "subscriber.confirmation_resent",
        _("Subscription confirmation sent again"),
    )
    # Someone already subscribed asked again: told so by mail.
    SUBSCRIBER_SUBSCRIBED_NOTE_SENT = (
        "subscriber.subscribed_note_sent",
        _("Already subscribed: note sent"),
    )
    SUBSCRIBER_CONFIRMED = "subscriber.confirmed", _("Subscription confirmed")
    SUBSCRIBER_UNSUBSCRIBED = "subscriber.unsubscribed", _("Unsubscribed")
    # Removed at the end of retention (unconfirmed or unsubscribed long ago).
    SUBSCRIBER_DELETED = "subscriber.deleted", _("Subscriber removed")

    # --- access to customer data: customer consent and uses (AC-04) ----------------------
    ACCESS_CONSENT_REQUESTED = "access.consent.requested", _("Customer consent asked for")
    ACCESS_CONSENT_GRANTED = "access.consent.granted", _("Customer consent granted")
    ACCESS_CONSENT_REFUSED = "access.consent.refused", _("Customer consent refused")
    ACCESS_CONSENT_WITHDRAWN = "access.consent.withdrawn", _("Customer consent withdrawn")
    ACCESS_CONSENT_EXPIRED = "access.consent.expired", _("Customer consent ended (period over)")
    ACCESS_CONSENT_REMOVAL_REMINDED = (
        "access.consent.removal_reminded",
        _("Reminder: confirm access under a consent was removed"),
    )
    ACCESS_CONSENT_REMOVAL_ESCALATED = (
        "access.consent.removal_escalated",
        _("Removal of access under a consent overdue: escalated"),
    )
    ACCESS_CONSENT_REMOVAL_CONFIRMED = (
        "access.consent.removal_confirmed",
        _("Removal of access under a consent confirmed"),
    )
    ACCESS_USE_RECORDED = "access.use.recorded", _("Use of access to customer data recorded")

    # --- processing: instructions (IN-01) and binding instructions (IN-02) ----------------
    PROCESSING_INSTRUCTION_RECORDED = (
        "processing.instruction.recorded",
        _("Customer's instruction recorded"),
    )
    PROCESSING_INSTRUCTION_GIVEN = (
        "processing.instruction.given",
        _("Instruction given by the customer in the portal"),
    )
    PROCESSING_INSTRUCTION_WARNED = (
        "processing.instruction.warned",
        _("Customer warned: the instruction appears to infringe the GDPR"),
    )
    PROCESSING_INSTRUCTION_ANSWERED = (
        "processing.instruction.answered",
        _("Customer's answer to the warning recorded"),
    )
    PROCESSING_INSTRUCTION_CARRIED_OUT = (
        "processing.instruction.carried_out",
        _("Instruction carried out"),
    )
    PROCESSING_INSTRUCTION_DECLINED = (
        "processing.instruction.declined",
        _("Instruction not carried out"),
    )
    PROCESSING_BINDING_REPORTED = (
        "processing.binding.reported",
        _("Binding instruction of the authority reported"),
    )
    PROCESSING_BINDING_TAKEN_ON = (
        "processing.binding.taken_on",
        _("Binding instruction given an owner and a due date"),
    )
    PROCESSING_BINDING_COMPLETED = (
        "processing.binding.completed",
        _("Binding instruction complied with"),
    )
    PROCESSING_BINDING_REMINDED = (
        "processing.binding.reminded",
        _("Reminder sent: binding instruction due soon"),
    )
    PROCESSING_BINDING_ESCALATED = (
        "processing.binding.escalated",
        _("Binding instruction overdue: privacy officer told"),
    )
    PROCESSING_BINDING_TASK_ADDED = (
        "processing.binding.task_added",
        _("Task added to a binding instruction"),
    )
    PROCESSING_BINDING_TASK_DONE = (
        "processing.binding.task_done",
        _("Task of a binding instruction done"),
    )

    # --- access: temporary access (AC-03) -------------------------------------------------
    ACCESS_TEMPORARY_REQUESTED = "access.temporary.requested", _("Temporary access requested")
    ACCESS_TEMPORARY_APPROVED = "access.temporary.approved", _("Temporary access approved")
    ACCESS_TEMPORARY_REFUSED = "access.temporary.refused", _("Temporary access refused")
    ACCESS_TEMPORARY_EXPIRED = (
        "access.temporary.expired",
        _("Temporary access ended at the end of its period"),
    )
    ACCESS_TEMPORARY_REVOKED = "access.temporary.revoked", _("Temporary access revoked")
    ACCESS_TEMPORARY_REMOVAL_CONFIRMED = (
        "access.temporary.removal_confirmed",
        _("Removal of temporary access confirmed"),
    )
    ACCESS_TEMPORARY_REMOVAL_REMINDED = (
        "access.temporary.removal_reminded",
        _("Reminder sent: confirm removal of temporary access"),
    )
    ACCESS_TEMPORARY_REMOVAL_ESCALATED = (
        "access.temporary.removal_escalated",
        _("Removal of temporary access overdue: privacy officer told"),
    )

    # --- processing: contract end and deletion of the environment (RT-01) -----------------
    PROCESSING_DELETION_SCHEDULED = (
        "processing.deletion.scheduled",
        _("Contract end recorded: environment archived, deletion scheduled"),
    )
    PROCESSING_DELETION_EARLY_REQUESTED = (
        "processing.deletion.early_requested",
        _("Early deletion of the environment requested (binding)"),
    )
    PROCESSING_DELETION_REMINDED = (
        "processing.deletion.reminded",
        _("Reminder sent: deletion of a customer environment due"),
    )
    PROCESSING_DELETION_ESCALATED = (
        "processing.deletion.escalated",
        _("Deletion of a customer environment overdue: told"),
    )
    PROCESSING_DELETION_CONFIRMED = (
        "processing.deletion.confirmed",
        _("Deletion of a customer environment confirmed, certificate issued"),
    )
    PROCESSING_EXPORT_DOWNLOADED = (
        "processing.export.downloaded",
        _("Customer's own records exported"),
    )

    # --- processing: data-subject requests (DS-01) ---------------------------------------
    PROCESSING_SUBJECT_REQUEST_RECORDED = (
        "processing.subject_request.recorded",
        _("Data-subject request recorded"),
    )
    PROCESSING_SUBJECT_REQUEST_FORWARDED = (
        "processing.subject_request.forwarded",
        _("Data-subject request forwarded to the customer"),
    )
    PROCESSING_SUBJECT_REQUEST_REPLIED = (
        "processing.subject_request.replied",
        _("Data subject told the request was passed on"),
    )
    PROCESSING_SUBJECT_REQUEST_CLOSED = (
        "processing.subject_request.closed",
        _("Data-subject request closed"),
    )
    PROCESSING_SUBJECT_REQUEST_REMINDED = (
        "processing.subject_request.reminded",
        _("Reminder sent: forward a data-subject request"),
    )
    PROCESSING_SUBJECT_REQUEST_ESCALATED = (
        "processing.subject_request.escalated",
        _("Data-subject request not forwarded in time: privacy officers and ICT manager told"),
    )
    PROCESSING_SUBJECT_REQUEST_TASK_ADDED = (
        "processing.subject_request.task_added",
        _("Task added to a data-subject request"),
    )
    PROCESSING_SUBJECT_REQUEST_TASK_DONE = (
        "processing.subject_request.task_done",
        _("Task of a data-subject request done"),
    )

    # --- access: recertification (ISO 27001 A.5.18) --------------------------------------
    ACCESS_REVIEW_OPENED = "access.review.opened", _("Access review opened")
    ACCESS_REVIEW_ITEM_CONFIRMED = (
        "access.review.item_confirmed",
        _("Access review: access confirmed by its owner"),
    )
    ACCESS_REVIEW_ITEM_REVOKED = (
        "access.review.item_revoked",
        _("Access review: access revoked by its owner (ICT manager told)"),
    )
    ACCESS_REVIEW_REMINDED = "access.review.reminded", _("Access review: owners reminded")
    ACCESS_REVIEW_ESCALATED = (
        "access.review.escalated",
        _("Access review overdue: privacy officer told"),
    )
    ACCESS_REVIEW_CLOSED = "access.review.closed", _("Access review completed")
    ACCESS_REVIEW_REPORT_EXPORTED = (
        "access.review.report_exported",
        _("Access review: report of what was not reviewed in time exported"),
    )

    # --- dossier timeline only (not audit rows; see TIMELINE_ONLY) -----------------------
    INCIDENT_STATE_REPORTED = "incident.state:reported", _("Incident state: reported")
    INCIDENT_STATE_TRIAGE = "incident.state:triage", _("Incident state: in triage")
    INCIDENT_STATE_DISMISSED = "incident.state:dismissed", _("Incident state: dismissed")
    INCIDENT_STATE_NOTIFYING = "incident.state:notifying", _("Incident state: notifying customers")
    INCIDENT_STATE_MONITORING = "incident.state:monitoring", _("Incident state: monitoring")
    INCIDENT_STATE_RESOLVED = "incident.state:resolved", _("Incident state: resolved")
    INCIDENT_STATE_CLOSED = "incident.state:closed", _("Incident state: closed")
    NOTICE_STATE_QUEUED = "notice.state:queued", _("Notice state: queued")
    NOTICE_STATE_SENT = "notice.state:sent", _("Notice state: informed")
    NOTICE_STATE_FAILED = "notice.state:failed", _("Notice state: not delivered")
    NOTICE_STATE_ACKNOWLEDGED = "notice.state:acknowledged", _("Notice state: acknowledged")
    NOTICE_STATE_DECIDED = "notice.state:decided", _("Notice state: decision recorded")
    UPDATE_INITIAL = "update.initial", _("Initial notice published")
    UPDATE_UPDATE = "update.update", _("Progress update published to customers")
    UPDATE_FINAL = "update.final", _("Final report published")
    # --- processing: the record of processing (GDPR Art. 30(2), RP-01) -------------------
    PROCESSING_RECORD_VERSIONED = (
        "processing.record.versioned",
        _("New version of a record of processing"),
    )
    PROCESSING_RECORD_DETAILS_CHANGED = (
        "processing.record.details_changed",
        _("Record of processing details changed"),
    )
    PROCESSING_RECORD_SETTINGS_CHANGED = (
        "processing.record.settings_changed",
        _("Record of processing settings changed"),
    )
    PROCESSING_RECORD_PRODUCT_DESCRIBED = (
        "processing.record.product_described",
        _("Processing description of a product changed"),
    )
    PROCESSING_RECORD_EXPORTED = "processing.record.exported", _("Record of processing exported")


#: Dossier timeline entries built from field history and updates; never audit rows.
TIMELINE_ONLY = frozenset(
    member
    for member in AuditAction
    if member.value.startswith(("incident.state:", "notice.state:", "update."))
)

#: The actions `event_record` accepts.
RECORDABLE = frozenset(AuditAction.values) - {m.value for m in TIMELINE_ONLY}


def audit_action_label(action: str) -> str:
    """The label of an action, or the string itself for one not (or no longer) listed."""
    try:
        return str(AuditAction(action).label)
    except ValueError:
        return action
