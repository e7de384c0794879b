"""allauth forms adapted to the invitation flow (ON-01)."""

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import RequestLoginCodeForm as AllauthRequestLoginCodeForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.core import context as allauth_context
from django import forms
from django.utils.translation import gettext_lazy

from compliance import accounts, factors


class LoginForm(AllauthLoginForm):
    """Sign-up asks no password (it is set after the e-mailed code, as in the first-login
    guides), which would make allauth drop the password field from the sign-in form too.
    Signing in always takes the password (or an e-mailed code, on its own page)."""

    def _setup_password_field(self) -> None:
        self.fields["password"].required = True


class SignupForm(AllauthSignupForm):
    """Activating an invitation: the name the inviter wrote is filled in, and the invited
    person may correct it (ON-01)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = allauth_context.request
        invitation = accounts.invitation_from_session(request) if request is not None else None
        self.fields["full_name"] = forms.CharField(
            label=gettext_lazy("Your name"),
            max_length=200,
            required=False,
            initial=invitation.full_name if invitation else "",
        )
        self.fields["full_name"].widget.attrs["autocomplete"] = "name"
        self.order_fields(["full_name", "email"])


def _without_factor(user) -> bool:
    return user is not None and not factors.has_second_factor(user)


class RequestLoginCodeForm(AllauthRequestLoginCodeForm):
    """No sign-in code for an account without a second factor (ON-01): the code would let
    whoever reads the mailbox enrol their own factor. allauth then treats the address as
    unknown (same answer, no code); the owner is told why by e-mail."""

    def clean_email(self) -> str:
        email = super().clean_email()
        user = getattr(self, "_user", None)
        if _without_factor(user):
            self._user = None
            accounts.code_refused_notify(user=user, reset=False)
        return email


class ResetPasswordForm(AllauthResetPasswordForm):
    """No password reset for an account without a second factor (ON-01): a new password
    followed by one's own factor is the same takeover as a sign-in code."""

    def clean_email(self) -> str:
        email = super().clean_email()
        refused = [user for user in self.users if _without_factor(user)]
        if refused:
            self.users = [user for user in self.users if user not in refused]
            for user in refused:
                accounts.code_refused_notify(user=user, reset=True)
        return email
