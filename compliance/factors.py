"""Second factors (ON-01, ON-02): who has one, and whether this session may enrol the first.

Below both the access layer and the account services: the access layer (its middleware)
and the sign-in adapter ask these rules, and `compliance.accounts` writes the factors and
enrolment windows they read.
"""

from __future__ import annotations

from datetime import datetime

from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.models import Authenticator
from django.utils import timezone
from django.utils.translation import gettext as _

SECOND_FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def has_second_factor(user) -> bool:
    """Has the user enrolled a passkey or an authenticator app (recovery codes alone do not
    count: they only stand in for one)?"""
    if not getattr(user, "pk", None):
        return False
    return Authenticator.objects.filter(user_id=user.pk, type__in=SECOND_FACTOR_TYPES).exists()


def password_proven(request, user) -> bool:
    """Did this session prove the user's password (sign-in or re-authentication), or set
    it right after accepting an invitation?"""
    return any(r.get("method") == "password" for r in get_authentication_records(request, user))


def first_factor_refusal(request, user, now: datetime | None = None) -> str | None:
    """Why this session may not enrol the user's first second factor, or None (ON-01).

    Whoever reads the user's mailbox can receive codes; only the password, proven in this
    same session, shows the person is who the account belongs to. And the window an
    invitation or a factor reset opened must still be open.
    """
    if has_second_factor(user):
        return None
    now = now or timezone.now()
    if user.factor_enrolment_until is None or now >= user.factor_enrolment_until:
        return _(
            "The time to set up your second factor has passed. Ask the privacy team for a "
            "new invitation."
        )
    if user.has_usable_password() and not password_proven(request, user):
        return _("Sign in with your password to set up your second factor.")
    return None
