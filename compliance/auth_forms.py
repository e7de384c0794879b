"""allauth forms adapted to the invitation flow (ON-01)."""

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import RequestLoginCodeForm as AllauthRequestLoginCodeForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm

from compliance import accounts, factors


class LoginForm(AllauthLoginForm):
    """Sign-up asks no password (it is set after the e-mailed code, as in the first-login
    guides), which would make allauth drop the password field from the sign-in form too.
    Signing in always takes the password (or an e-mailed code, on its own page)."""

    def _setup_password_field(self) -> None:
        self.fields["password"].required = True


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
