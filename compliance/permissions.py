"""The role table (ON-02): which roles may take each action. The access layer
(`compliance.access`) applies it, with a customer user's own organisation and the rule that
auditors never write; the table per role is in docs/ARCHITECTURE.md (Access) and
tests/test_role_matrix.py."""

from compliance.models import CUSTOMER_ROLES, Role

STAFF_READERS = {
    Role.PRIVACY_OFFICER,
    Role.ICT_MANAGER,
    Role.BOARD_MEMBER,
    Role.AUDITOR,
    Role.STAFF_MEMBER,
}
# Processor staff whose work needs the customers (names and numbers): not the staff member,
# who reports incidents and sees their own reports.
CUSTOMER_READERS = {
    Role.PRIVACY_OFFICER,
    Role.ICT_MANAGER,
    Role.BOARD_MEMBER,
    Role.AUDITOR,
}
# Contacts' names and addresses (AC-01): the privacy officer, the auditor (read only) and
# the customer's own users; never the staff member, the ICT manager or the board.
CONTACT_READERS = {Role.PRIVACY_OFFICER, Role.AUDITOR} | set(CUSTOMER_ROLES)

# action -> roles allowed. Customer users are further limited to their own organisation by
# `_same_customer`; auditors never write. The table per role is in docs/ARCHITECTURE.md
# (Access) and tests/test_role_matrix.py.
PERMISSIONS: dict[str, set[str]] = {
    "dashboard.view": STAFF_READERS,
    "portal.view": set(CUSTOMER_ROLES) | {Role.AUDITOR},
    # The staff list of all customers; a customer user reaches its own organisation only.
    "customer.view_list": CUSTOMER_READERS,
    # One customer: name, number, contracts; its contacts need `contact.view` as well.
    "customer.view": CUSTOMER_READERS | set(CUSTOMER_ROLES),
    "customer.change": {Role.PRIVACY_OFFICER},
    "contact.view": CONTACT_READERS,
    "contact.change": {Role.PRIVACY_OFFICER, Role.CUSTOMER_ADMIN},
    "profile.change": {Role.PRIVACY_OFFICER},
    "user.create": {Role.PRIVACY_OFFICER},
    "subprocessor.view": STAFF_READERS,
    "subprocessor.change": {Role.PRIVACY_OFFICER},
    "document.view": CUSTOMER_READERS | set(CUSTOMER_ROLES),
    "document.create": {Role.PRIVACY_OFFICER},
    "outbox.view": {Role.PRIVACY_OFFICER, Role.AUDITOR},
    "outbox.resolve_alert": {Role.PRIVACY_OFFICER},
    "audit.view": {Role.PRIVACY_OFFICER, Role.AUDITOR},
    # Access to customer data (access/, issue 15): the hub lists the registers a role may see.
    "access.view": STAFF_READERS,
    # AC-01: the register of acknowledgements; the privacy officer publishes a new version.
    # Acknowledging is each staff member's own act, like their own account (no action here):
    # `access.services.confidentiality.acknowledge`.
    "confidentiality.view": {Role.PRIVACY_OFFICER, Role.AUDITOR},
    "confidentiality.publish": {Role.PRIVACY_OFFICER},
    # AC-02: standing access of system administrators; the ICT manager grants and ends it.
    "standing.view": {Role.PRIVACY_OFFICER, Role.ICT_MANAGER, Role.AUDITOR},
    "standing.change": {Role.ICT_MANAGER},
    # The retention table (AU-03): the privacy officer confirms it; readers of the Audit
    # section see it (`audit.view`).
    "retention.change": {Role.PRIVACY_OFFICER},
    "admin.view": {Role.PRIVACY_OFFICER, Role.AUDITOR},
    # ON-01: the privacy officer invites anyone; a customer admin its own organisation's users.
    "invitation.create": {Role.PRIVACY_OFFICER, Role.CUSTOMER_ADMIN},
    "factors.reset": {Role.PRIVACY_OFFICER},
    # Everyone manages their own API tokens; this is revoking another user's.
    "api_token.revoke_any": {Role.PRIVACY_OFFICER},
    # Breach workflow (breaches/). Staff members see only incidents they reported (selector).
    "incident.report": {
        Role.PRIVACY_OFFICER,
        Role.ICT_MANAGER,
        Role.BOARD_MEMBER,
        Role.STAFF_MEMBER,
    },
    "incident.report_as_customer": set(CUSTOMER_ROLES),
    "incident.view": STAFF_READERS,
    "incident.triage": {Role.PRIVACY_OFFICER, Role.ICT_MANAGER},
    "incident.manage": {Role.PRIVACY_OFFICER},
    # Notices and the customers' responses; who received them (addresses) is `contact.view`.
    "notice.view": {Role.PRIVACY_OFFICER, Role.ICT_MANAGER, Role.AUDITOR} | set(CUSTOMER_ROLES),
    "notice.respond": set(CUSTOMER_ROLES),
    # Subprocessor change notices, objections and termination (subprocessors/, SP-03..06).
    "change_notice.view": {Role.PRIVACY_OFFICER, Role.BOARD_MEMBER, Role.AUDITOR}
    | set(CUSTOMER_ROLES),
    "change_notice.change": {Role.PRIVACY_OFFICER},
    "objection.view": {Role.PRIVACY_OFFICER, Role.BOARD_MEMBER, Role.AUDITOR} | set(CUSTOMER_ROLES),
    "objection.lodge": set(CUSTOMER_ROLES),
    "objection.review": {Role.PRIVACY_OFFICER, Role.BOARD_MEMBER},
    "objection.decide": {Role.BOARD_MEMBER},
    # Recertification (ISO 27001 A.5.18): staff readers see reviews (a staff member only the
    # items it owns, by selector); the privacy officer and the ICT manager open one by hand;
    # each owner decides its own items (checked by the service), a customer's administrator
    # those of its own organisation's accounts in the portal.
    "access_review.view": STAFF_READERS,
    "access_review.open": {Role.PRIVACY_OFFICER, Role.ICT_MANAGER},
    "access_review.decide": {
        Role.PRIVACY_OFFICER,
        Role.ICT_MANAGER,
        Role.BOARD_MEMBER,
        Role.STAFF_MEMBER,
        Role.CUSTOMER_ADMIN,
    },
    "access_review.decide_as_customer": {Role.CUSTOMER_ADMIN},
    "termination.view": {Role.PRIVACY_OFFICER, Role.BOARD_MEMBER, Role.AUDITOR}
    | set(CUSTOMER_ROLES),
    "termination.exercise": {Role.CUSTOMER_ADMIN},
    # Customer consent and uses of access (access/, AC-04): staff ask, the customer's
    # administrator decides and withdraws; the customer's users see every consent and use.
    "consent.view": {Role.PRIVACY_OFFICER, Role.ICT_MANAGER, Role.AUDITOR} | set(CUSTOMER_ROLES),
    "consent.request": {Role.PRIVACY_OFFICER, Role.ICT_MANAGER},
    "consent.decide": {Role.CUSTOMER_ADMIN},
    "consent.confirm_removal": {Role.PRIVACY_OFFICER, Role.ICT_MANAGER},
    "access_use.view": {Role.PRIVACY_OFFICER, Role.ICT_MANAGER, Role.AUDITOR} | set(CUSTOMER_ROLES),
    # The employee records their own use; the privacy officer and ICT manager anyone's.
    "access_use.record": {Role.PRIVACY_OFFICER, Role.ICT_MANAGER, Role.STAFF_MEMBER},
    # Support copies (access/, AC-05): the register and its steps; a staff member sees and
    # acts on the copies it took (selector); a customer's users see their own in the portal.
    "support_copy.view": STAFF_READERS - {Role.BOARD_MEMBER},
    "support_copy.change": {Role.PRIVACY_OFFICER, Role.ICT_MANAGER, Role.STAFF_MEMBER},
    "support_copy.view_own": set(CUSTOMER_ROLES) | {Role.AUDITOR},
    # DS-01 data-subject requests: staff record them (a staff member sees its own, selector),
    # the privacy officer forwards, replies, closes and adds tasks; a task's assignee (or the
    # privacy officer) marks it done (service); the customer reads those forwarded to it.
    "subject_request.view": STAFF_READERS - {Role.BOARD_MEMBER},
    "subject_request.record": {Role.PRIVACY_OFFICER, Role.STAFF_MEMBER},
    "subject_request.manage": {Role.PRIVACY_OFFICER},
    "subject_request.task_done": {Role.PRIVACY_OFFICER, Role.ICT_MANAGER, Role.STAFF_MEMBER},
    "subject_request.view_own": set(CUSTOMER_ROLES) | {Role.AUDITOR},
    # AC-03 temporary access: a staff member (product development) or the ICT manager asks;
    # only the ICT manager decides and revokes, never on their own request (the service
    # checks); the staff member sees their own requests (selector); the customer its own.
    "temporary_access.view": {
        Role.PRIVACY_OFFICER,
        Role.ICT_MANAGER,
        Role.AUDITOR,
        Role.STAFF_MEMBER,
    }
    | set(CUSTOMER_ROLES),
    "temporary_access.request": {Role.STAFF_MEMBER, Role.ICT_MANAGER},
    # Processing on the customer's behalf (processing/, issue 16): the hub of its registers.
    "processing.view": STAFF_READERS,
    # IN-01 written instructions: staff record and handle them (warn, answer by hand, carry
    # out); a customer's users give and answer their own organisation's in the portal.
    "instruction.view": {Role.PRIVACY_OFFICER, Role.ICT_MANAGER, Role.AUDITOR}
    | set(CUSTOMER_ROLES),
    "instruction.record": {Role.PRIVACY_OFFICER, Role.ICT_MANAGER},
    "instruction.handle": {Role.PRIVACY_OFFICER, Role.ICT_MANAGER},
    "instruction.give": set(CUSTOMER_ROLES),
    "instruction.answer": set(CUSTOMER_ROLES),
    # IN-02 binding instructions of the AP or GBA: the customer reports, the privacy officer
    # takes them on (owner, due date, tasks) and records compliance.
    "binding_instruction.view": {Role.PRIVACY_OFFICER, Role.ICT_MANAGER, Role.AUDITOR}
    | set(CUSTOMER_ROLES),
    "binding_instruction.report": set(CUSTOMER_ROLES),
    "binding_instruction.manage": {Role.PRIVACY_OFFICER},
    "temporary_access.decide": {Role.ICT_MANAGER},
    "temporary_access.revoke": {Role.ICT_MANAGER},
    "temporary_access.confirm_removal": {Role.ICT_MANAGER, Role.PRIVACY_OFFICER},
    # AU-01/AU-02 customer audits (processing/): the privacy officer records and steers them;
    # a customer's administrator asks for one; the customer's users see those it knows of
    # (selector); the legal ground for not informing only the processor's own people.
    "customer_audit.view": {Role.PRIVACY_OFFICER, Role.ICT_MANAGER, Role.AUDITOR}
    | set(CUSTOMER_ROLES),
    "customer_audit.view_ground": {Role.PRIVACY_OFFICER, Role.ICT_MANAGER, Role.AUDITOR},
    "customer_audit.record": {Role.PRIVACY_OFFICER},
    "customer_audit.manage": {Role.PRIVACY_OFFICER},
    "customer_audit.request": {Role.CUSTOMER_ADMIN},
    # RT-01 contract end: the privacy officer records the end, the ICT manager confirms the
    # deletion; the customer's administrator asks for early deletion (binding); a
    # customer's users export their own records.
    "environment_deletion.view": {Role.PRIVACY_OFFICER, Role.ICT_MANAGER, Role.AUDITOR}
    | set(CUSTOMER_ROLES),
    "environment_deletion.schedule": {Role.PRIVACY_OFFICER},
    "environment_deletion.confirm": {Role.ICT_MANAGER},
    "environment_deletion.request_early": {Role.CUSTOMER_ADMIN},
    "customer_export.view_own": set(CUSTOMER_ROLES),
    # The record of processing (processing/, GDPR Art. 30(2), RP-01): it names the customer's
    # contacts, so its readers are those of contacts; the privacy officer keeps it.
    "processing_record.view": CONTACT_READERS,
    "processing_record.view_list": {Role.PRIVACY_OFFICER, Role.AUDITOR},
    "processing_record.change": {Role.PRIVACY_OFFICER},
}

# Reading actions ("x.view", "x.view_list"): the only ones an auditor ever gets.
SAFE_ACTION_VERBS = ("view",)
# Actions on processor-wide data: a user limited to one customer never gets them.
PROCESSOR_WIDE_ACTIONS = frozenset(
    {
        "processing_record.view_list",
        "processing_record.change",
        "dashboard.view",
        "consent.request",
        "consent.confirm_removal",
        "access_use.record",
        "access.view",
        "confidentiality.view",
        "confidentiality.publish",
        "standing.view",
        "standing.change",
        "access_review.view",
        "access_review.open",
        "customer.view_list",
        "admin.view",
        "incident.report",
        "incident.view",
        "incident.triage",
        "incident.manage",
        "change_notice.change",
        "objection.review",
        "objection.decide",
        "support_copy.view",
        "support_copy.change",
        "subject_request.view",
        "subject_request.record",
        "subject_request.manage",
        "subject_request.task_done",
        "processing.view",
        "instruction.record",
        "instruction.handle",
        "binding_instruction.manage",
        "temporary_access.request",
        "temporary_access.decide",
        "temporary_access.revoke",
        "temporary_access.confirm_removal",
        "customer_audit.view_ground",
        "customer_audit.record",
        "customer_audit.manage",
        "environment_deletion.schedule",
        "environment_deletion.confirm",
    }
)
# Actions that only make sense for a user limited to one customer (the portal).
CUSTOMER_ONLY_ACTIONS = frozenset(
    {
        "portal.view",
        "incident.report_as_customer",
        "notice.respond",
        "objection.lodge",
        "access_review.decide_as_customer",
        "termination.exercise",
        "consent.decide",
        "support_copy.view_own",
        "instruction.give",
        "instruction.answer",
        "binding_instruction.report",
        "subject_request.view_own",
        "customer_audit.request",
        "environment_deletion.request_early",
        "customer_export.view_own",
    }
)
