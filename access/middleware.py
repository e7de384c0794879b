"""The confidentiality gate (AC-01): a staff member who has not acknowledged the current
version of the confidentiality text opens nothing else until they have.

It runs after `compliance.access_middleware.AccessMiddleware`, so it only sees users who
are fully signed in (second factor verified); anonymous visitors and half-signed-in users
were already sent to their step. A new staff member therefore reads the text right after
their first sign-in, before anything else; when the privacy officer publishes a new version,
everyone is asked again at their next request. Customer users (and an auditor engaged by one
customer) are never asked.

What stays open: signing out, the acknowledgement page itself, the language switch, health,
static files and every public page. API views are left to DRF, where
`access.api_gate.ConfidentialityAcknowledged` answers 403 with the reason.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from access.models import ConfidentialityAcknowledgement, ConfidentialityText
from access.services.confidentiality import is_bound
from compliance import access as access_layer
from compliance.access_middleware import _is_api_view

ACKNOWLEDGE_URL_NAME = "access:confidentiality_acknowledge"
OPEN_URL_NAMES = frozenset(
    {ACKNOWLEDGE_URL_NAME, "logout", "account_logout", "set_language", "healthz"}
)


def current_text_unacknowledged(user):
    """The current text when `user` must still acknowledge it, else None (one query)."""
    if not is_bound(user):
        return None
    acknowledged = ConfidentialityAcknowledgement.objects.filter(user=user, text=OuterRef("pk"))
    text = (
        ConfidentialityText.objects.order_by("-version")
        .annotate(acknowledged=Exists(acknowledged))
        .first()
    )
    if text is None or text.acknowledged:
        return None
    return text


def safe_next(request, value: str | None) -> str | None:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return None


class ConfidentialityGate:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        user = getattr(request, "user", None)
        if (
            user is None
            or not user.is_authenticated
            or access_layer.is_public_path(path)
            or access_layer.view_name(path) in OPEN_URL_NAMES
            or _is_api_view(path)
            or not access_layer.is_fully_authenticated(user, request)
        ):
            return self.get_response(request)
        if current_text_unacknowledged(user) is None:
            return self.get_response(request)
        target = reverse(ACKNOWLEDGE_URL_NAME)
        back = request.get_full_path() if request.method in ("GET", "HEAD") else None
        if back and back != target:
            target = f"{target}?{urlencode({'next': back})}"
        return redirect(target)
