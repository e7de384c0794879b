"""Accounts: invitations (ON-01) and second factors (ON-02).

Nobody signs up unasked: a privacy officer invites staff of any role and customer users; a
customer administrator invites users of its own organisation. The invitation e-mail carries a
link with a random token (only its hash is stored), valid for INVITATION_VALID_HOURS and
usable once. Opening it puts the invitation in the session, which is what opens allauth's
sign-up form (`AccountAdapter.is_open_for_signup`); the address is then proven with an
e-mailed code, a password is set and a second factor enrolled before anything else works.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.models import AuditEvent
from audits.services import event_record
from compliance.access import require
from compliance.models import CUSTOMER_ROLES, Customer, Invitation, Language, Role, User
from compliance.outbox import message_queue, message_render
from compliance.services import processor_profile_get
from compliance.tokens import api_tokens_revoke_for_user

SESSION_INVITATION = "invitation_id"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_invitation_scope(actor, role: str, customer: Customer | None) -> None:
    if not role:
        raise ValidationError({"role": _("Choose a role.")})
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a valid role.")})
    if role in CUSTOMER_ROLES and customer is None:
        raise ValidationError(
            {"customer": _("Choose the organisation: a customer user belongs to one.")}
        )
    if role not in CUSTOMER_ROLES and role != Role.AUDITOR and customer is not None:
        raise ValidationError(
            {"customer": _("Staff of the processor belong to no organisation: leave it empty.")}
        )
    if getattr(actor, "role", None) == Role.CUSTOMER_ADMIN:
        # A customer administrator invites only users of its own organisation.
        if role not in CUSTOMER_ROLES or customer is None or customer.pk != actor.customer_id:
            raise PermissionDenied(_("You may only invite users of your own organisation."))


def invitation_create(
    *,
    actor,
    email: str,
    role: str,
    customer: Customer | None = None,
    language: str | None = None,
    full_name: str = "",
) -> tuple[Invitation, str]:
    """Invite a person to create an account with a role (ON-01).

    Queues the invitation e-mail in the invitee's language in the same transaction; an
    earlier open invitation to the same address is revoked, so only the newest link works.
    Returns the invitation and the token (which is not stored).
    """
    require(actor, "invitation.create", customer)
    _check_invitation_scope(actor, role, customer)
    email = User.objects.normalize_email((email or "").strip()).lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": exc.messages}) from exc
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("This person already has an account.")})
    if language is None:
        language = customer.language if customer else "en"
    if language not in Language.values:
        raise ValidationError({"language": _("Choose a valid language.")})
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    full_name = " ".join((full_name or "").split())[:200]
    invitation = Invitation(
        email=email,
        full_name=full_name,
        role=role,
        customer=customer,
        language=language,
        invited_by=actor if getattr(actor, "pk", None) else None,
        token_hash=token_hash(token),
        created_at=now,
        expires_at=now + timedelta(hours=settings.INVITATION_VALID_HOURS),
    )
    invitation.full_clean(exclude=["token_hash", "invited_by"])
    link = settings.SITE_URL.rstrip("/") + reverse("invitation_open", args=[token])
    with transaction.atomic():
        for old in Invitation.objects.select_for_update().filter(
            email=email, accepted_at__isnull=True, revoked_at__isnull=True
        ):
            old.revoked_at = now
            old.save(update_fields=["revoked_at"])
            event_record(
                actor=actor,
                action="invitation.revoked",
                obj=old,
                customer_id=old.customer_id,
                after={"email": old.email, "reason": "superseded"},
            )
        invitation.save()

        profile = processor_profile_get()
        sender = sender_name(profile)
        subject, text, html = message_render(
            "invitation",
            language=language,
            context={
                "invitation": invitation,
                "link": link,
                # Lazy, so that it is translated into the invitee's language.
                "role": Role(role).label,
                "organisation": customer.name if customer else sender,
                "inviter": getattr(actor, "full_name", "") or getattr(actor, "email", ""),
                "sender": sender,
                "valid_hours": settings.INVITATION_VALID_HOURS,
                "expires_at": invitation.expires_at,
            },
        )
        message_queue(
            key=f"invitation:{invitation.pk}",
            to_email=email,
            to_name=full_name,
            language=language,
            subject=subject,
            body_text=text,
            body_html=html,
            customer=customer,
            actor=actor,
        )
        event_record(
            actor=actor,
            action="invitation.created",
            obj=invitation,
            customer_id=customer.pk if customer else None,
            after={
                "email": email,
                "full_name": full_name,
                "role": role,
                "customer": customer.pk if customer else None,
                "language": language,
                "expires_at": invitation.expires_at.isoformat(),
            },
        )
    return invitation, token


def invitation_revoke(*, actor, invitation: Invitation) -> Invitation:
    """Withdraw an invitation that was not used yet (ON-01)."""
    require(actor, "invitation.create", invitation.customer)
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at or invitation.revoked_at:
            return invitation
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        event_record(
            actor=actor,
            action="invitation.revoked",
            obj=invitation,
            customer_id=invitation.customer_id,
            after={
                "email": invitation.email,
                "full_name": invitation.full_name,
                "revoked_at": invitation.revoked_at.isoformat(),
            },
        )
    return invitation


def invitation_by_token(token: str) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    return Invitation.objects.filter(token_hash=token_hash(token)).first()


def invitation_remember(request, invitation: Invitation) -> None:
    request.session[SESSION_INVITATION] = invitation.pk


def invitation_forget(request) -> None:
    request.session.pop(SESSION_INVITATION, None)


def invitation_from_session(request) -> Invitation | None:
    """The usable invitation this browser opened, if any."""
    session = getattr(request, "session", None)
    pk = session.get(SESSION_INVITATION) if session is not None else None
    if not pk:
        return None
    return Invitation.objects.usable().filter(pk=pk).select_related("customer").first()


def invitation_accept(*, invitation: Invitation, user: User) -> User:
    """Create the invited person's account (ON-01): role, organisation and language come
    from the invitation, which is used up. Runs inside the sign-up's transaction."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable():
        raise ValidationError(_("This invitation has expired or was already used."))
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(_("Enter the e-mail address the invitation was sent to."))
    user.role = invitation.role
    user.customer = invitation.customer
    if not user.full_name:
        user.full_name = invitation.full_name
    user.language = invitation.language
    user.is_staff = False
    user.is_superuser = False
    # The invitation covers the whole activation, the second factor included.
    user.factor_enrolment_until = invitation.expires_at
    user.full_clean(exclude=["password"])
    user.save()
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = user
    invitation.save(update_fields=["accepted_at", "accepted_user"])
    event_record(
        actor=user,
        action="user.created",
        obj=user,
        customer_id=user.customer_id,
        after={
            "email": user.email,
            "role": user.role,
            "customer": user.customer_id,
            "invitation": invitation.pk,
        },
    )
    event_record(
        actor=user,
        action="invitation.accepted",
        obj=invitation,
        customer_id=invitation.customer_id,
        after={"email": invitation.email},
    )
    return user


# --------------------------------------------------------------------------- second factors


def factor_enrolment_open(*, actor, user: User, hours: int | None = None) -> User:
    """Let a user without a second factor enrol one during the next `hours` (ON-01).
    Runs inside the caller's transaction."""
    hours = settings.FACTOR_RESET_VALID_HOURS if hours is None else hours
    user.factor_enrolment_until = timezone.now() + timedelta(hours=hours)
    user.save(update_fields=["factor_enrolment_until"])
    event_record(
        actor=actor,
        action="auth.factor_enrolment_opened",
        obj=user,
        customer_id=user.customer_id,
        after={"until": user.factor_enrolment_until.isoformat()},
    )
    return user


def factors_reset(*, actor, user: User) -> int:
    """Remove all of a user's second factors, e.g. after a lost phone, or give a user who
    never enrolled one a new window to do so (ON-01, ON-02).

    Also ends the user's sessions and revokes its API tokens. The user must enrol a new
    factor, after signing in with the password, within FACTOR_RESET_VALID_HOURS. Recorded
    in the audit trail and told to the user by e-mail. Returns the number of authenticators
    removed.
    """
    require(actor, "factors.reset", user)
    if getattr(actor, "pk", None) == user.pk:
        raise PermissionDenied(_("Ask another privacy officer to reset your own factors."))

    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        removed = list(Authenticator.objects.filter(user_id=user.pk).values_list("type", flat=True))
        Authenticator.objects.filter(user_id=user.pk).delete()
        # Whoever holds the lost factor may hold a session or a token too: end them all.
        user.security_stamp = uuid.uuid4()
        user.save(update_fields=["security_stamp"])
        api_tokens_revoke_for_user(actor=actor, user=user)
        factor_enrolment_open(actor=actor, user=user)
        _mail_to_user(
            user=user,
            template="factors_reset",
            key=f"factors_reset:{user.pk}:{timezone.now().isoformat()}",
            context={
                "link": settings.SITE_URL.rstrip("/") + reverse("account_login"),
                "valid_hours": settings.FACTOR_RESET_VALID_HOURS,
                "until": user.factor_enrolment_until,
            },
            actor=actor,
        )
        event_record(
            actor=actor,
            action="auth.factors_reset",
            obj=user,
            customer_id=user.customer_id,
            before={"authenticators": sorted(removed)},
            after={"authenticators": []},
        )
    return len(removed)


def sender_name(profile) -> str:
    """Who signs the account mails: the processor, else its privacy team, else the product."""
    return profile.legal_name or profile.privacy_team_name or settings.MFA_TOTP_ISSUER


def _mail_to_user(*, user: User, template: str, key: str, context: dict, actor) -> None:
    """Queue an account mail to the user in the user's language, signed by the processor
    (inside the caller's transaction)."""
    profile = processor_profile_get()
    subject, text, html = message_render(
        template,
        language=user.language,
        context={
            "name": user.full_name or user.email,
            "sender": sender_name(profile),
            "privacy_email": profile.privacy_email,
            **context,
        },
    )
    message_queue(
        key=key,
        to_email=user.email,
        to_name=user.full_name[:200],
        language=user.language,
        subject=subject,
        body_text=text,
        body_html=html,
        customer=user.customer,
        actor=actor,
    )


def sign_ins_for(user, limit: int = 20):
    """The user's own recent sign-ins and failed attempts, newest first."""
    return AuditEvent.objects.filter(
        actor_id=user.pk,
        action__in=["auth.signed_in", "auth.second_factor_failed", "auth.signed_out"],
    ).order_by("-occurred_at", "-id")[:limit]


def code_refused_notify(*, user: User, reset: bool) -> None:
    """Tell the owner of an account without a second factor that a sign-in code or a
    password reset was asked for and not given, and how to finish setting up (ON-01).

    At most one such mail per account and day, so the form cannot be used to flood a
    mailbox. The form answers as for any address, so nobody learns which accounts exist.
    """
    with transaction.atomic():
        _mail_to_user(
            user=user,
            template="account_incomplete",
            key=f"account_incomplete:{user.pk}:{timezone.now():%Y-%m-%d}",
            context={"reset": reset},
            actor=user,
        )
        event_record(
            actor=None,
            action="auth.code_refused_without_factor",
            obj=user,
            customer_id=user.customer_id,
            after={"code": "password_reset" if reset else "login"},
        )
