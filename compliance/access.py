"""The one access layer: who may do what, for pages, API, admin and downloads alike.

Every non-public request passes `AccessMiddleware`; views and API then ask `require(user,
action, obj)` and scope their reads through selectors that take the user.

A user counts as signed in only with a verified second factor (ON-02): the sign-in flow marks
the session with `mark_second_factor_verified` once a passkey, authenticator code or recovery
code was checked; API tokens carry it because only such a session can create one.
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import resolve
from django.urls.exceptions import Resolver404
from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission

from compliance.models import CUSTOMER_ROLES, Role

# URL names anyone may open. Everything else needs a signed-in user.
PUBLIC_URL_NAMES = frozenset({"login", "logout", "help", "healthz", "set_language"})
PUBLIC_PATH_PREFIXES = (settings.STATIC_URL,)

STAFF_READERS = {
    Role.PRIVACY_OFFICER,
    Role.ICT_MANAGER,
    Role.BOARD_MEMBER,
    Role.AUDITOR,
    Role.STAFF_MEMBER,
}

# action -> roles allowed. Customer users are further limited to their own organisation by
# `_same_customer`; auditors never write.
PERMISSIONS: dict[str, set[str]] = {
    "dashboard.view": STAFF_READERS,
    "portal.view": set(CUSTOMER_ROLES) | {Role.AUDITOR},
    "customer.view": STAFF_READERS | set(CUSTOMER_ROLES),
    "customer.change": {Role.PRIVACY_OFFICER},
    "contact.view": STAFF_READERS | set(CUSTOMER_ROLES),
    "contact.change": {Role.PRIVACY_OFFICER, Role.CUSTOMER_ADMIN},
    "profile.change": {Role.PRIVACY_OFFICER},
    "user.create": {Role.PRIVACY_OFFICER},
    "subprocessor.view": STAFF_READERS,
    "subprocessor.change": {Role.PRIVACY_OFFICER},
    "document.view": STAFF_READERS | set(CUSTOMER_ROLES),
    "document.create": {Role.PRIVACY_OFFICER},
    "outbox.view": {Role.PRIVACY_OFFICER, Role.AUDITOR},
    "outbox.resolve_alert": {Role.PRIVACY_OFFICER},
    "audit.view": {Role.PRIVACY_OFFICER, Role.AUDITOR},
    "admin.view": {Role.PRIVACY_OFFICER, Role.AUDITOR},
}

SAFE_ACTIONS_SUFFIX = (".view",)
# Actions on processor-wide data: a user limited to one customer never gets them.
PROCESSOR_WIDE_ACTIONS = frozenset({"dashboard.view", "admin.view"})
# Actions that only make sense for a user limited to one customer (the portal).
CUSTOMER_ONLY_ACTIONS = frozenset({"portal.view"})


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
    """Called by the sign-in flow right after a second factor was checked (ON-02)."""
    from django.utils import timezone

    request.session[SESSION_SECOND_FACTOR] = timezone.now().isoformat()


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
    if user.role == Role.AUDITOR and not action.endswith(SAFE_ACTIONS_SUFFIX):
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


def is_public_path(path: str) -> bool:
    if path.startswith(PUBLIC_PATH_PREFIXES):
        return True
    try:
        match = resolve(path)
    except Resolver404:
        return True  # a 404 reveals nothing
    return match.url_name in PUBLIC_URL_NAMES


class AccessMiddleware:
    """Refuses every non-public request from a user who is not fully signed in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The API authenticates inside DRF (sessions and tokens); ApiAccess applies the
        # same rule there.
        if request.path_info.startswith("/api/"):
            return self.get_response(request)
        if not is_public_path(request.path_info) and not is_fully_authenticated(
            request.user, request
        ):
            return redirect_to_login(request.get_full_path())
        if request.path_info.startswith("/admin/") and not is_public_path(request.path_info):
            if not can(request.user, "admin.view"):
                raise PermissionDenied(_("You do not have permission to do this."))
        return self.get_response(request)


class ApiAccess(BasePermission):
    """DRF side of the same layer: a signed-in user with a verified second factor; views
    check actions and scope."""

    def has_permission(self, request, view):
        return is_fully_authenticated(request.user, request)
