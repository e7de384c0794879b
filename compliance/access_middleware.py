"""The access layer's middleware (ON-02): every page request passes it.

Beside `compliance.access` rather than in it: DRF's views module resolves the classes that
REST_FRAMEWORK names (among them `compliance.access.ApiAccess`) when it is first imported, so
the module that needs `APIView` comes after the access layer has loaded.
"""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import resolve, reverse
from django.urls.exceptions import Resolver404
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from rest_framework.views import APIView

from compliance import access, factors


def _is_api_view(path: str) -> bool:
    try:
        view = resolve(path).func
    except Resolver404:
        return False
    view_class = getattr(view, "cls", None)
    return isinstance(view_class, type) and issubclass(view_class, APIView)


class AccessMiddleware:
    """Refuses every non-public request from a user who is not fully signed in (ON-02).

    Anonymous visitors go to the sign-in page; a user signed in without a verified second
    factor goes to the step that is missing and can open nothing else.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # DRF views authenticate inside DRF (sessions and tokens) and ApiAccess applies the
        # same rule there; the route-walking test proves every API route refuses.
        if _is_api_view(request.path_info):
            return self.get_response(request)
        if not access.is_public_path(request.path_info) and not access.is_fully_authenticated(
            request.user, request
        ):
            if not access.is_signed_in(request.user):
                return redirect_to_login(request.get_full_path())
            refusal = factors.first_factor_refusal(request, request.user)
            if refusal:
                # Signed in some way that may not lead to enrolling a factor (ON-01).
                logout(request)
                messages.error(request, refusal)
                return redirect("account_login")
            allowed, step = access.second_factor_step(request)
            if access.view_name(request.path_info) not in allowed:
                return redirect(step)
        if access.needs_recent_second_factor(request):
            messages.info(request, access.RECENT_FACTOR_MESSAGE)
            back = request.get_full_path()
            return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': back})}")
        if request.path_info.startswith("/admin/") and not access.is_public_path(request.path_info):
            if not access.can(request.user, "admin.view"):
                raise PermissionDenied(_("You do not have permission to do this."))
        return self.get_response(request)
