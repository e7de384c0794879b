"""allauth forms adapted to the invitation flow (ON-01)."""

from allauth.account.forms import LoginForm as AllauthLoginForm


class LoginForm(AllauthLoginForm):
    """Sign-up asks no password (it is set after the e-mailed code, as in the first-login
    guides), which would make allauth drop the password field from the sign-in form too.
    Signing in always takes the password (or an e-mailed code, on its own page)."""

    def _setup_password_field(self) -> None:
        self.fields["password"].required = True
