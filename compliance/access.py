"""The one access layer: who may do what, for pages, API, admin and downloads alike.

Every non-public request passes `AccessMiddleware`; views and API then ask `require(user,
action, obj)` and scope their reads through selectors that take the user.

A user counts as signed in only with a verified second factor (ON-02): the sign-in flow marks
the session with `mark_second_factor_verified` once a passkey, authenticator code or recovery
code was checked; API tokens carry it because only such a session can create one.
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import resolve
from django.urls.exceptions import Resolver404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.permissions import BasePermission

from compliance import factors
from compliance.models import CUSTOMER_ROLES, Role

# URL names (namespaced view names) anyone may open. Everything else needs a user signed in
# with a verified second factor. The sign-in flow: password or e-mailed code, the second-factor
# step of a sign-in in progress (the user is still anonymous there), passkey sign-in, the
# invitation link and sign-up with its e-mailed code, and password reset by code.
PUBLIC_URL_NAMES = frozenset(
    {
        "help",
        "healthz",
        "set_language",
        "login",
        "logout",
        "account_login",
        "account_logout",
        "account_inactive",
        "account_signup",
        "account_email_verification_sent",
        "account_request_login_code",
        "account_confirm_login_code",
        "account_reset_password",
        "account_confirm_password_reset_code",
        "account_complete_password_reset",
        "account_password_reset_completed",
        "mfa_authenticate",
        "mfa_login_webauthn",
        "invitation_open",
        # The public subprocessor register, its feed and e-mail subscriptions (SP-01).
        "subprocessors:register",
        "subprocessors:feed",
        "subprocessors:subscribe",
        "subprocessors:subscribe_sent",
        "subprocessors:subscription_confirm",
        "subprocessors:unsubscribe",
        # A calendar app's feed of deadlines: refuses (404) without a valid calendar token.
        "calendar_feed",
    }
)
# What a user signed in without a verified second factor may still open, by situation: no
# password yet (invited, address proven by code), no second factor yet (enrolment), or a
# factor enrolled but not proven in this session. Everything else sends them to the step.
SET_PASSWORD_URL_NAMES = frozenset({"account_set_password"})
ENROLMENT_URL_NAMES = frozenset(
    {
        "mfa_index",
        "mfa_activate_totp",
        "mfa_add_webauthn",
        "mfa_reauthenticate",
        "mfa_reauthenticate_webauthn",
        "account_reauthenticate",
    }
)
PROVE_FACTOR_URL_NAMES = frozenset({"mfa_reauthenticate", "mfa_reauthenticate_webauthn"})
# What cannot be undone (sending to customers, announcing, a board decision, resetting
# someone's factors, creating an API token, bulk exports) asks for the second factor again
# when it was last proven more than RECENT_SECOND_FACTOR_MINUTES ago. Only the POST that
# does it; requests with an API token are exempt (a token carries its own proof).
RECENT_FACTOR_URL_NAMES = frozenset(
    {
        "incident_notify",
        "incident_notify_approve",
        "api-incident-notify",
        "api-incident-approve",
        "subprocessors:change_notice_announce",
        "api-change-notice-announce",
        "subprocessors:objection_decision",
        "api-objection-decide",
        "factors_reset",
        "api_token_create",
        "api-token-list",
        "incident_dossier",
        "api-incident-dossier-list",
    }
)
PUBLIC_PATH_PREFIXES = (settings.STATIC_URL,)

RECENT_FACTOR_MESSAGE = gettext_lazy(
    "This cannot be undone: confirm it is you with your second factor again, then repeat it."
)

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


class _SystemActor:
    """The product itself (management commands, scheduled tasks): may do anything, and is
    recorded as "system" in the audit trail. Never derived from a request."""

    pk = None
    role = "system"
    customer_id = None
    is_authenticated = True
    is_active = True

    def __str__(self):
        return "system"


SYSTEM = _SystemActor()


SESSION_SECOND_FACTOR = "second_factor_verified_at"


def mark_second_factor_verified(request) -> None:
    """Called by the sign-in flow right after a second factor was checked (ON-02).

    The session gains privileges here, so it gets a new id (as on sign-in) and a session id
    seen before this step is worth nothing after it.
    """
    request.session.cycle_key()
    request.session[SESSION_SECOND_FACTOR] = timezone.now().isoformat()


def second_factor_recent(request) -> bool:
    """Was the second factor proven in this session within RECENT_SECOND_FACTOR_MINUTES?
    (A request with an API token counts as recent.)"""
    if getattr(getattr(request, "auth", None), "carries_second_factor", False):
        return True
    session = getattr(request, "session", None)
    stamp = session.get(SESSION_SECOND_FACTOR) if session is not None else None
    try:
        proven = datetime.datetime.fromisoformat(stamp) if stamp else None
    except ValueError:
        return False
    if proven is None or timezone.is_naive(proven):
        return False
    return timezone.now() - proven <= datetime.timedelta(
        minutes=settings.RECENT_SECOND_FACTOR_MINUTES
    )


def needs_recent_second_factor(request) -> bool:
    """Is this request one that cannot be undone, from a session whose second factor was
    proven too long ago?"""
    return (
        request.method == "POST"
        and view_name(request.path_info) in RECENT_FACTOR_URL_NAMES
        and not second_factor_recent(request)
    )


def second_factor_verified(request) -> bool:
    if getattr(getattr(request, "auth", None), "carries_second_factor", False):
        return True
    session = getattr(request, "session", None)
    return bool(session is not None and session.get(SESSION_SECOND_FACTOR))


def is_signed_in(user) -> bool:
    """Password (or code) accepted; says nothing about the second factor."""
    return bool(user and user.is_authenticated and user.is_active)


def is_fully_authenticated(user, request=None) -> bool:
    """Signed in with a verified second factor. Without a request (inside services) the
    middleware and the API permission have already checked the factor for this user."""
    if user is SYSTEM:
        return True
    if not is_signed_in(user):
        return False
    return request is None or second_factor_verified(request)


def customer_scope(user) -> int | None:
    """The one customer id a user is limited to, or None for processor-wide staff."""
    if user is SYSTEM:
        return None
    if user.role in CUSTOMER_ROLES or (user.role == Role.AUDITOR and user.customer_id):
        return user.customer_id
    return None


def _same_customer(user, obj) -> bool:
    scope = customer_scope(user)
    if scope is None or obj is None:
        return True
    customer_id = getattr(obj, "customer_id", None)
    if customer_id is None and obj._meta.label == "compliance.Customer":
        customer_id = obj.pk
    return customer_id == scope


def _is_read(action: str) -> bool:
    verb = action.rpartition(".")[2]
    return verb.split("_", 1)[0] in SAFE_ACTION_VERBS


def can(user, action: str, obj=None) -> bool:
    if user is SYSTEM:
        return True
    if not is_fully_authenticated(user):
        return False
    roles = PERMISSIONS.get(action)
    if roles is None:
        raise KeyError(f"unknown action {action!r}")
    if user.role not in roles:
        return False
    if user.role == Role.AUDITOR and not _is_read(action):
        return False
    scope = customer_scope(user)
    if action in PROCESSOR_WIDE_ACTIONS and scope is not None:
        return False
    if action in CUSTOMER_ONLY_ACTIONS and scope is None:
        return False
    return _same_customer(user, obj)


def require(user, action: str, obj=None) -> None:
    if not can(user, action, obj):
        raise PermissionDenied(_("You do not have permission to do this."))


def view_name(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def is_public_path(path: str) -> bool:
    if path.startswith(PUBLIC_PATH_PREFIXES):
        return True
    name = view_name(path)
    return name is None or name in PUBLIC_URL_NAMES  # a 404 reveals nothing


def second_factor_step(request) -> tuple[frozenset, str]:
    """For a user signed in without a verified second factor: the pages they may open and
    the one they are sent to (set a password, enrol a factor, or prove the one they have)."""
    user = request.user
    if not user.has_usable_password():
        return SET_PASSWORD_URL_NAMES, "account_set_password"
    if not factors.has_second_factor(user):
        return ENROLMENT_URL_NAMES, "mfa_index"
    return PROVE_FACTOR_URL_NAMES, "mfa_reauthenticate"


class ApiAccess(BasePermission):
    """DRF side of the same layer: a signed-in user with a verified second factor, proven
    recently for what cannot be undone; views check actions and scope."""

    message = RECENT_FACTOR_MESSAGE

    def has_permission(self, request, view):
        if not is_fully_authenticated(request.user, request):
            return False
        return not needs_recent_second_factor(request)
