"""Sign-in events from allauth, django-axes and Django, turned into two things:

1. The session mark of a verified second factor (ON-02), set exactly when one was proven:
   - at sign-in, when allauth's authentication records of this session hold an "mfa" entry
     (the TOTP/recovery-code/passkey step of the login stages, or a passwordless passkey
     sign-in, which allauth records as an mfa step with `passwordless`);
   - when a signed-in user proves a factor again (allauth's re-authentication by factor);
   - right after a factor was enrolled in this session: setting up an authenticator app
     takes a correct code from it, adding a passkey a signature from it.
2. An audit event for every sign-in, failed attempt, lockout, factor change and password
   change, each in its own transaction.
"""

from __future__ import annotations

from allauth.account import signals as account_signals
from allauth.account.internal.flows.login import (
    get_authentication_records,
    record_authentication,
)
from allauth.mfa import signals as mfa_signals
from axes.signals import user_locked_out
from django.contrib.auth import signals as auth_signals
from django.db import transaction
from django.dispatch import receiver

from audits.services import event_record
from compliance import lockout
from compliance.access import mark_second_factor_verified


def _record(*, actor, action: str, obj=None, after: dict | None = None) -> None:
    with transaction.atomic():
        event_record(
            actor=actor,
            action=action,
            obj=obj,
            after=after,
            customer_id=getattr(actor, "customer_id", None),
        )


def _methods(records: list[dict]) -> list[str]:
    out = []
    for r in records:
        method = r.get("method", "")
        if method == "mfa":
            method = f"mfa:{r.get('type', '')}" + (":passwordless" if r.get("passwordless") else "")
        out.append(method)
    return out


def _same_user(request, user) -> bool:
    current = getattr(request, "user", None)
    return bool(current and current.is_authenticated and current.pk == user.pk)


@receiver(account_signals.user_logged_in)
def on_signed_in(sender, request, user, **kwargs):
    records = get_authentication_records(request, user)
    proven = any(r.get("method") == "mfa" for r in records)
    if proven:
        mark_second_factor_verified(request)
    _record(
        actor=user,
        action="auth.signed_in",
        obj=user,
        after={
            "methods": _methods(records),
            "second_factor": proven,
            "ip": request.META.get("REMOTE_ADDR", ""),
        },
    )


@receiver(account_signals.authentication_step_completed)
def on_step(sender, request, user, method, **kwargs):
    # A factor proven again by a user who is already signed in (re-authentication).
    if method == "mfa" and _same_user(request, user):
        mark_second_factor_verified(request)


@receiver(mfa_signals.authenticator_added)
def on_factor_added(sender, request, user, authenticator, **kwargs):
    if _same_user(request, user) and authenticator.type != "recovery_codes":
        # Enrolling proved possession, as a sign-in step does: allauth gets the same record
        # (so the recovery codes can be shown right away without signing in again), and
        # `on_step` marks the session.
        record_authentication(
            request,
            user,
            "mfa",
            id=authenticator.pk,
            type=authenticator.type,
            reauthenticated=True,
            enrolled=True,
        )
    _record(actor=user, action="auth.factor_added", obj=user, after={"type": authenticator.type})


@receiver(mfa_signals.authenticator_removed)
def on_factor_removed(sender, request, user, authenticator, **kwargs):
    _record(actor=user, action="auth.factor_removed", obj=user, after={"type": authenticator.type})


@receiver(mfa_signals.authenticator_reset)
def on_factor_reset(sender, request, user, authenticator, **kwargs):
    _record(
        actor=user,
        action="auth.recovery_codes_regenerated",
        obj=user,
        after={"type": authenticator.type},
    )


@receiver(mfa_signals.authentication_failed)
def on_factor_failed(sender, request, user, authenticator, **kwargs):
    lockout.failure_record(request, user.email)
    _record(
        actor=user,
        action="auth.second_factor_failed",
        obj=user,
        after={"type": authenticator.type, "ip": request.META.get("REMOTE_ADDR", "")},
    )


@receiver(auth_signals.user_login_failed)
def on_password_failed(sender, credentials, request=None, **kwargs):
    # The attempted address is kept (Django already masks the password); no account lookup,
    # so the trail itself says nothing about whether the address exists.
    address = credentials.get("email") or credentials.get("username") or ""
    _record(
        actor=None,
        action="auth.sign_in_failed",
        after={
            "email": str(address)[:254].lower(),
            "ip": request.META.get("REMOTE_ADDR", "") if request is not None else "",
        },
    )


@receiver(user_locked_out)
def on_locked_out(sender, request, username, ip_address, **kwargs):
    _record(
        actor=None,
        action="auth.locked_out",
        after={"email": (username or "")[:254], "ip": ip_address or ""},
    )


@receiver(auth_signals.user_logged_out)
def on_signed_out(sender, request, user, **kwargs):
    if user is not None:
        _record(actor=user, action="auth.signed_out", obj=user)


def _code_rejected(kind):
    def handler(sender, request, user=None, last_attempt=False, **kwargs):
        if getattr(user, "email", None):
            lockout.failure_record(request, user.email)
        _record(
            actor=user if getattr(user, "pk", None) else None,
            action="auth.code_rejected",
            obj=user if getattr(user, "pk", None) else None,
            after={"code": kind, "last_attempt": bool(last_attempt)},
        )

    return handler


_login_code_rejected = _code_rejected("login")
_verification_code_rejected = _code_rejected("email_verification")
_reset_code_rejected = _code_rejected("password_reset")
account_signals.login_code_rejected.connect(_login_code_rejected)
account_signals.email_verification_code_rejected.connect(_verification_code_rejected)
account_signals.password_reset_code_rejected.connect(_reset_code_rejected)


def _password_event(action):
    def handler(sender, request, user, **kwargs):
        _record(actor=user, action=action, obj=user)

    return handler


@receiver(account_signals.password_set)
def on_password_set(sender, request, user, **kwargs):
    # The first password, set right after the invitation's code: this session now holds
    # the password as if it had signed in with it, so it may enrol the first factor.
    if _same_user(request, user):
        record_authentication(request, user, "password", set=True)


_password_set = _password_event("auth.password_set")
_password_changed = _password_event("auth.password_changed")
_password_reset = _password_event("auth.password_reset")
account_signals.password_set.connect(_password_set)
account_signals.password_changed.connect(_password_changed)
account_signals.password_reset.connect(_password_reset)


@receiver(account_signals.email_confirmed)
def on_email_confirmed(sender, request, email_address, **kwargs):
    _record(
        actor=email_address.user,
        action="auth.email_verified",
        obj=email_address.user,
        after={"email": email_address.email},
    )
