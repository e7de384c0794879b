"""Personal API tokens for scripts (ON-02): create, revoke, read, and authenticate with them.

A token stands in for a session with a verified second factor, because only such a session
can create one (never a password-only session, never another token). The secret is shown
once; only its SHA-256 is stored. Changes made with a token carry it in the audit trail:
the authentication appends "token:<id>" to the request id that every audit event of the
request records (and that the hash chain covers), and the first use in each minute is an
event of its own, together with `last_used_at`.
"""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from audits.middleware import request_id_tag
from audits.services import event_record
from compliance.access import can, is_signed_in, require, second_factor_verified
from compliance.models import ApiToken

SECRET_PREFIX = "cpt_"
PREFIX_LENGTH = len(SECRET_PREFIX) + 8
NAME_MAX_LENGTH = 100
# last_used_at (and the "used" audit event) is written at most this often per token.
TOUCH_INTERVAL = datetime.timedelta(minutes=1)
REVOKE_ANY = "api_token.revoke_any"


def max_lifetime_days() -> int:
    return int(getattr(settings, "API_TOKEN_MAX_DAYS", 90))


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _describe(token: ApiToken) -> dict:
    return {
        "name": token.name,
        "prefix": token.prefix,
        "owner": token.user.email,
        "expires_at": token.expires_at.isoformat(),
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
    }


# --- services -----------------------------------------------------------------------------


def api_token_create(*, actor, request, name: str, expires_in_days: int) -> tuple[ApiToken, str]:
    """Create a personal API token for `actor` and return it with its secret (ON-02).

    Refused unless the request comes from `actor`'s own session with a verified second
    factor: a password-only session or a request authenticated by a token cannot mint one.
    The secret is returned here once and never stored.
    """
    if (
        not is_signed_in(actor)
        or isinstance(getattr(request, "auth", None), ApiToken)
        or getattr(getattr(request, "user", None), "pk", None) != actor.pk
        or not second_factor_verified(request)
    ):
        raise PermissionDenied(
            _(
                "An API token can only be created after signing in with your second factor, "
                "not with another API token."
            )
        )
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("Give the token a name, for example the script that uses it.")
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = _("At most %(count)d characters.") % {"count": NAME_MAX_LENGTH}
    maximum = max_lifetime_days()
    if (
        isinstance(expires_in_days, bool)
        or not isinstance(expires_in_days, int)
        or not 1 <= expires_in_days <= maximum
    ):
        errors["expires_in_days"] = _("A token is valid for 1 to %(max)d days.") % {"max": maximum}
    if errors:
        raise ValidationError(errors)

    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken(
        user=actor,
        name=name,
        prefix=secret[:PREFIX_LENGTH],
        token_hash=hash_secret(secret),
        created_at=now,
        expires_at=now + datetime.timedelta(days=expires_in_days),
    )
    with transaction.atomic():
        token.save()
        event_record(
            actor=actor,
            action="api_token.created",
            obj=token,
            after=_describe(token),
            customer_id=actor.customer_id,
        )
    return token, secret


def api_token_revoke(*, actor, token: ApiToken) -> ApiToken:
    """Revoke a token: one's own, or anyone's for a privacy officer (ON-02). Revoking a
    revoked token changes nothing."""
    if token.user_id != getattr(actor, "pk", None):
        require(actor, REVOKE_ANY)
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
        if token.revoked_at is not None:
            return token
        before = _describe(token)
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        event_record(
            actor=actor,
            action="api_token.revoked",
            obj=token,
            before=before,
            after=_describe(token),
            customer_id=token.user.customer_id,
        )
    return token


def api_tokens_revoke_for_user(*, actor, user) -> int:
    """Revoke every usable token of `user`, e.g. when their second factors were reset or
    the account was disabled (ON-02). Returns how many were revoked."""
    revoked = 0
    with transaction.atomic():
        for token in ApiToken.objects.filter(user=user, revoked_at__isnull=True):
            api_token_revoke(actor=actor, token=token)
            revoked += 1
    return revoked


def api_token_touch(*, token: ApiToken, request) -> None:
    """Note that a token was used: `last_used_at` and an audit event, at most once a minute
    per token, so busy scripts cost no write per request.

    A conditional UPDATE, so that of concurrent requests exactly one records the use. It
    bypasses no history: `last_used_at` is excluded from the token's history.
    """
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_INTERVAL:
        return
    with transaction.atomic():
        won = (
            ApiToken.objects.filter(pk=token.pk)
            .filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - TOUCH_INTERVAL))
            .update(last_used_at=now)
        )
        if won:
            event_record(
                actor=token.user,
                action="api_token.used",
                obj=token,
                after={"method": request.method, "path": request.path[:200]},
                customer_id=token.user.customer_id,
            )
    token.last_used_at = now


# --- selectors ----------------------------------------------------------------------------


def api_tokens_for(user) -> QuerySet[ApiToken]:
    """The tokens a user may see and revoke: their own; a privacy officer everyone's."""
    qs = ApiToken.objects.select_related("user")
    if can(user, REVOKE_ANY):
        return qs
    return qs.filter(user_id=user.pk)


def api_token_get(user, pk) -> ApiToken:
    """A token the user may manage, else 404 (never reveal that another user's exists)."""
    return get_object_or_404(api_tokens_for(user), pk=pk)


# --- DRF authentication -------------------------------------------------------------------


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <secret>`.

    The secret is compared by looking up its SHA-256: the time taken does not depend on how
    much of a guess is right. Revoked and expired tokens and disabled accounts get a 401
    with the reason; a request without the header falls through to the session.
    """

    keyword = "bearer"
    messages = {
        "header": gettext_lazy(
            "Malformed Authorization header. Use: Authorization: Bearer <your API token>."
        ),
        "invalid": gettext_lazy("Invalid API token."),
        "revoked": gettext_lazy("This API token was revoked."),
        "expired": gettext_lazy("This API token has expired. Create a new one."),
        "inactive": gettext_lazy("The account of this API token is disabled."),
    }

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(self.messages["header"])
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed(self.messages["header"]) from error
        token = (
            ApiToken.objects.select_related("user", "user__customer")
            .filter(token_hash=hash_secret(secret))
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(self.messages["invalid"])
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(self.messages["revoked"])
        if token.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed(self.messages["expired"])
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(self.messages["inactive"])
        request_id_tag(f"token:{token.pk}")
        api_token_touch(token=token, request=request)
        return token.user, token

    def authenticate_header(self, request):
        # Makes DRF answer an unauthenticated call with 401 (and this challenge), not 403.
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Describes the token in the OpenAPI schema (drf-spectacular finds it by target)."""

    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": str(
                gettext_lazy(
                    "A personal API token, created on the API tokens page after signing in "
                    "with your second factor."
                )
            ),
        }
