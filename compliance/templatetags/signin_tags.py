"""The sign-in pages in our words (ON-01, ON-02).

allauth's forms come with the library's labels, placeholders and help texts in title case
("Current Password", "Email address"); `signin_field` gives each field our label and help
text, in the page's language, and drops the placeholders (a label is what names a field).
`signin_continue_url` is where "Continue" leads after the recovery codes: the `next` page
when it is ours, else the home page (which sends everyone to their dashboard).
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

register = template.Library()


def _form_names(form) -> set[str]:
    return {cls.__name__ for cls in type(form).__mro__}


def _label(name: str, forms: set[str]) -> str | None:
    new = {"ChangePasswordForm", "ResetPasswordKeyForm"} & forms
    labels = {
        "login": _("E-mail address"),
        "email": _("E-mail address"),
        "password": _("Password"),
        "oldpassword": _("Current password"),
        "password1": _("New password") if new else _("Password"),
        "password2": _("New password again") if new else _("Password again"),
        "name": _("Name of the passkey"),
        "passwordless": _("Sign in with this passkey alone, without your password"),
    }
    if name == "code":
        if "ActivateTOTPForm" in forms:
            return _("Six-digit code from the app")
        if "BaseAuthenticateForm" in forms:
            return _("Code from your authenticator app, or a recovery code")
        return _("Code")
    return labels.get(name)


@register.filter
def signin_field(bound_field):
    """The bound field with our label and help text and without a placeholder."""
    field = bound_field.field
    forms = _form_names(bound_field.form)
    label = _label(bound_field.name, forms)
    if label:
        field.label = label
        bound_field.label = label
    field.widget.attrs.pop("placeholder", None)
    if bound_field.name in ("password", "oldpassword"):
        if bound_field.name == "password" and "LoginForm" in forms:
            field.help_text = format_html(
                '<a href="{}">{}</a>', reverse("account_reset_password"), _("Forgot your password?")
            )
        else:
            field.help_text = ""
    elif bound_field.name == "passwordless":
        field.help_text = _(
            "Recommended on your own device: the passkey then signs you in without a password."
        )
    bound_field.help_text = field.help_text
    return bound_field


@register.simple_tag(takes_context=True)
def signin_continue_url(context) -> str:
    request = context.get("request")
    target = request.GET.get("next", "") if request is not None else ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")
