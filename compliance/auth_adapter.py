"""How allauth fits this product (ON-01, ON-02).

- Sign-up only with an invitation held in the session (`compliance.accounts`); the new user
  takes role, organisation and language from it.
- Every e-mail allauth sends (codes, notices of factor changes) goes through the outbox, in
  the recipient's language, with its own unique key; the on-commit doorbell delivers it at
  once.
- Passkeys use the relying-party id from settings, not the request's host name.
- Enrolling the very first second factor needs no re-authentication: the user has just
  signed in and has nothing else to prove it with.
"""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.stagekit import clear_login
from allauth.core import context as allauth_context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, resolve_url
from django.utils import translation
from django.utils.translation import gettext as _

from compliance import accounts, factors
from compliance.access import second_factor_verified
from compliance.models import Language, User
from compliance.outbox import message_queue
from compliance.services import processor_profile_get


def axes_username(request, credentials: dict | None = None) -> str:
    """The address a sign-in attempt was for, the same way for every form (axes lockout)."""
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username") or credentials.get("login")
    if not value and request is not None:
        data = getattr(request, "POST", {}) or {}
        value = data.get("login") or data.get("email") or ""
    return (value or "").strip().lower()


def site_for_mail() -> SimpleNamespace:
    profile = processor_profile_get()
    name = (profile.legal_name if profile else "") or settings.MFA_TOTP_ISSUER
    return SimpleNamespace(name=name, domain=urlsplit(settings.SITE_URL).netloc)


def language_for(email: str, request=None) -> str:
    user = User.objects.filter(email__iexact=email).only("language").first()
    if user and user.language in Language.values:
        return user.language
    invitation = accounts.invitation_from_session(request) if request is not None else None
    if invitation and invitation.email.lower() == email.lower():
        return invitation.language
    current = (translation.get_language() or "en")[:2]
    return current if current in Language.values else "en"


class AccountAdapter(DefaultAccountAdapter):
    def pre_login(self, request, user, **kwargs):
        """A sign-in that would leave the user to enrol a first factor must have proven the
        password (ON-01); a fresh sign-up from an invitation sets it next."""
        response = super().pre_login(request, user, **kwargs)
        if response is not None or kwargs.get("signup"):
            return response
        refusal = factors.first_factor_refusal(request, user)
        if refusal is None:
            return None
        clear_login(request)
        messages.error(request, refusal)
        return redirect("account_login")

    def add_message(self, request, level, message_template=None, message_context=None, **kw):
        """ "You are signed in" only once the second factor is proven (ON-02): allauth adds it
        when the password or code is accepted, which would show it on the very page that
        still asks for the second factor."""
        if message_template == "account/messages/logged_in.txt" and not (
            second_factor_verified(request)
        ):
            return
        super().add_message(request, level, message_template, message_context, **kw)

    def is_open_for_signup(self, request) -> bool:
        return accounts.invitation_from_session(request) is not None

    def clean_email(self, email: str) -> str:
        email = super().clean_email(email)
        request = allauth_context.request
        invitation = accounts.invitation_from_session(request) if request else None
        if (
            invitation is not None
            and request is not None
            and request.resolver_match
            and request.resolver_match.url_name == "account_signup"
            and invitation.email.lower() != email.strip().lower()
        ):
            raise ValidationError(_("Enter the e-mail address the invitation was sent to."))
        return email

    def save_user(self, request, user, form, commit=True):
        invitation = accounts.invitation_from_session(request)
        user = super().save_user(request, user, form, commit=False)
        user.email = user.email.strip().lower()
        name = " ".join(str(form.cleaned_data.get("full_name") or "").split())[:200]
        if name:
            user.full_name = name
        if invitation is None:  # the signup view refuses before this; belt and braces
            raise ImmediateHttpResponse(redirect("account_login"))
        with transaction.atomic():
            accounts.invitation_accept(invitation=invitation, user=user)
        accounts.invitation_forget(request)
        return user

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        request = allauth_context.request
        language = language_for(email, request)
        ctx = {"request": request, "email": email, "current_site": site_for_mail()}
        ctx.update(context)
        with translation.override(language):
            message = self.render_mail(template_prefix, email, ctx)
        html = ""
        for content, mimetype in getattr(message, "alternatives", []) or []:
            if mimetype == "text/html":
                html = content
        user = User.objects.filter(email__iexact=email).only("full_name", "customer_id").first()
        message_queue(
            key=f"auth:{template_prefix.rsplit('/', 1)[-1]}:{email.lower()}:{uuid.uuid4().hex}",
            to_email=email,
            to_name=(user.full_name if user else "")[:200],
            language=language,
            subject=message.subject,
            body_text=message.body if message.content_subtype == "plain" else "",
            body_html=html or (message.body if message.content_subtype == "html" else ""),
            customer=user.customer if user and user.customer_id else None,
            actor=user,
        )

    def get_password_change_redirect_url(self, request) -> str:
        # After the first password comes the second factor; the access layer sends the user
        # there from the home page if it is still missing.
        return resolve_url("home")

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        if app == "allauth.mfa":
            request = allauth_context.request
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated and not factors.has_second_factor(user):
                return False
        return super().is_reauthentication_required(app=app, **kwargs)


class MFAAdapter(DefaultMFAAdapter):
    def get_public_key_credential_rp_entity(self) -> dict[str, str]:
        return {"id": settings.WEBAUTHN_RP_ID, "name": settings.WEBAUTHN_RP_NAME}

    def get_totp_issuer(self) -> str:
        return settings.MFA_TOTP_ISSUER

    def send_notification_mail(self, *args, **kwargs) -> None:
        # Goes through the account adapter's send_mail, hence through the outbox.
        super().send_notification_mail(*args, **kwargs)
