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
from compliance.permissions import (
    CUSTOMER_ONLY_ACTIONS,
    PERMISSIONS,
    PROCESSOR_WIDE_ACTIONS,
    SAFE_ACTION_VERBS,
)

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
