"""One lockout for every way of proving who you are (ON-02).

django-axes counts failed passwords per address and IP address. Without more, whoever is
locked out of the password could still ask for an e-mailed sign-in code, or keep guessing
the second factor of a sign-in in progress. Here the same lock covers those steps, and
wrong codes and wrong second factors count as failures towards it.
"""

from __future__ import annotations

from allauth.account.internal.flows.password_reset_by_code import (
    PASSWORD_RESET_VERIFICATION_SESSION_KEY,
)
from allauth.account.internal.stagekit import unstash_login
from axes.handlers.proxy import AxesProxyHandler
from django.shortcuts import render
from django.urls import resolve
from django.urls.exceptions import Resolver404

# Sign-in steps that take an address (from the form) or continue a sign-in in progress
# (the address of the user stashed in the session).
ADDRESS_FROM_FORM = frozenset({"account_request_login_code", "account_reset_password"})
ADDRESS_FROM_SIGN_IN = frozenset(
    {"account_confirm_login_code", "mfa_authenticate", "account_confirm_password_reset_code"}
)


def _credentials(address: str) -> dict:
    return {"username": (address or "").strip().lower()}


def is_locked(request, address: str) -> bool:
    return bool(address) and AxesProxyHandler.is_locked(request, _credentials(address))


def failure_record(request, address: str) -> None:
    """A wrong code or second factor counts like a wrong password."""
    if request is not None and address:
        AxesProxyHandler.user_login_failed(
            sender=__name__, credentials=_credentials(address), request=request
        )


def address_in_progress(request) -> str:
    """The address of the sign-in (or password reset) this session has started."""
    login = unstash_login(request, peek=True)
    if login is not None and getattr(login, "user", None) is not None:
        return login.user.email
    if login is not None and getattr(login, "email", None):
        return login.email
    state = request.session.get(PASSWORD_RESET_VERIFICATION_SESSION_KEY) or {}
    return state.get("email", "") if isinstance(state, dict) else ""


def _address(request, name: str) -> str:
    if name in ADDRESS_FROM_FORM:
        return request.POST.get("email", "")
    return address_in_progress(request)


def lockout(request, response=None, credentials=None, *args, **kwargs):
    """The lockout page (also django-axes' AXES_LOCKOUT_CALLABLE): the same whether the
    address has an account or not."""
    return render(request, "account/lockout.html", {"minutes": 15}, status=429)


class SignInLockMiddleware:
    """Answers the lockout page to a locked address on every sign-in step, not only the
    password form."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST":
            try:
                name = resolve(request.path_info).url_name
            except Resolver404:
                name = None
            if name in ADDRESS_FROM_FORM or name in ADDRESS_FROM_SIGN_IN:
                if is_locked(request, _address(request, name)):
                    return lockout(request)
        return self.get_response(request)
