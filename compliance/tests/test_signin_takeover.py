"""The mailbox alone never takes over an account (ON-01, ON-02).

An account without an enrolled second factor can be finished only the way its invitation
goes: e-mailed code, own password, then the factor. Whoever reads the mailbox gets neither
a sign-in code nor a password reset for it; a session that has not proven the password can
never enrol a factor; the window to enrol closes; one lockout covers password, code and
factor. Real parts: allauth's views, the outbox to a real SMTP server, RFC 6238 codes.
"""

from __future__ import annotations

import datetime

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.urls import reverse

from audits.models import AuditEvent
from compliance import accounts, factors
from compliance.access import SESSION_SECOND_FACTOR
from compliance.models import Role, User
from compliance.tests.signin_helpers import (
    CODE_RE,
    LINK_RE,
    NOW,
    PASSWORD,
    SECRET_RE,
    last_code,
    mails_to,
    text_of,
    totp,
)
from tests.auth import sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_cache")]

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def factorless_user(*, window_hours: int | None = 48, **kwargs) -> User:
    """An account whose owner accepted the invitation and set a password, but has not
    enrolled a second factor yet."""
    user = UserFactory(role=Role.STAFF_MEMBER, **kwargs)
    user.set_password(PASSWORD)
    if window_hours is not None:
        user.factor_enrolment_until = NOW + datetime.timedelta(hours=window_hours)
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def codes_in(mail, address) -> list[str]:
    return [m for r in mails_to(mail, address) for m in CODE_RE.findall(text_of(r))]


def test_no_sign_in_code_for_an_account_without_a_second_factor(client, mail, clock):
    """OBL ON-01: whoever reads the mailbox cannot sign in by e-mailed code to an account
    that has no second factor yet (and so enrol their own): no code is sent, the page
    answers as for any address, and the owner learns why."""
    user = factorless_user()
    response = client.post(reverse("account_request_login_code"), {"email": user.email})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_confirm_login_code")
    assert codes_in(mail, user.email) == []
    [received] = mails_to(mail, user.email)
    assert "no second factor yet" in text_of(received)
    assert received.message["Subject"] == "Your account is not set up yet"
    # Whatever code is tried, no session comes of it.
    client.post(reverse("account_confirm_login_code"), {"code": "AAAA-AAAA"})
    assert "_auth_user_id" not in client.session
    assert not Authenticator.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(
        action="auth.code_refused_without_factor", object_id=str(user.pk)
    ).exists()
    # Asking again the same day sends no second explanation.
    client.post(reverse("account_request_login_code"), {"email": user.email})
    assert len(mails_to(mail, user.email)) == 1


def test_no_password_reset_for_an_account_without_a_second_factor(client, mail, clock):
    """OBL ON-01: the e-mailed password reset does not open the same door: no reset code
    for an account without a second factor."""
    user = factorless_user()
    response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302
    assert codes_in(mail, user.email) == []
    assert "reset the password" in text_of(mails_to(mail, user.email)[-1])
    client.post(reverse("account_confirm_password_reset_code"), {"code": "AAAA-AAAA"})
    client.post(
        reverse("account_complete_password_reset"),
        {"password1": "Nieuw-Wachtwoord-Lang-77", "password2": "Nieuw-Wachtwoord-Lang-77"},
    )
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_an_account_with_a_factor_still_gets_its_code(client, mail, clock):
    """OBL ON-02: the refusal is only for accounts without a factor."""
    user = factorless_user()
    TOTP.activate(user, SECRET)
    client.post(reverse("account_request_login_code"), {"email": user.email})
    assert len(codes_in(mail, user.email)) == 1


def test_a_session_that_did_not_prove_the_password_cannot_enrol(client, mail, clock):
    """OBL ON-01: a session signed in without the password (as a code sign-in would be)
    is ended at the enrolment pages instead of being let in to add its own factor."""
    user = factorless_user()
    sign_in(client, user, second_factor=False)
    for name in ("mfa_activate_totp", "mfa_add_webauthn", "mfa_index"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"] == reverse("account_login")
        assert "_auth_user_id" not in client.session
        sign_in(client, user, second_factor=False)
    response = client.post(reverse("mfa_activate_totp"), {"code": totp(SECRET)}, follow=True)
    assert "Sign in with your password" in response.content.decode()
    assert not factors.has_second_factor(user)


def test_password_sign_in_enrols_within_the_window_and_not_after(client, mail, clock):
    """OBL ON-01: after the invitation's (or a reset's) window, the account can enrol no
    factor until the privacy officer opens a new one: one second on each side."""
    user = factorless_user(window_hours=48)
    until = user.factor_enrolment_until

    clock.move_to(until)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("account_login")
    assert "_auth_user_id" not in client.session
    page = client.get(reverse("account_login"))
    assert "time to set up your second factor has passed" in page.content.decode()

    clock.move_to(until - datetime.timedelta(seconds=1))
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert client.get(reverse("dashboard"))["Location"] == reverse("mfa_index")
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    # The window closes while the person is on the page: the next step is refused too.
    clock.move_to(until)
    secret = SECRET_RE.search(page.content.decode()).group(1)
    response = client.post(reverse("mfa_activate_totp"), {"code": totp(secret)})
    assert response["Location"] == reverse("account_login")
    assert not factors.has_second_factor(user)


def test_a_factor_reset_opens_a_new_window(client, mail, clock, privacy_officer):
    """OBL ON-01: the privacy officer's reset gives an account whose window closed a new
    FACTOR_RESET_VALID_HOURS (48) to enrol, after signing in with the password."""
    user = factorless_user(window_hours=1)
    clock.move_to(NOW + datetime.timedelta(hours=2))
    accounts.factors_reset(actor=privacy_officer, user=user)
    user.refresh_from_db()
    assert user.factor_enrolment_until == NOW + datetime.timedelta(hours=50)
    assert "within 48 hours" in text_of(mails_to(mail, user.email)[-1])
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    secret = SECRET_RE.search(page.content.decode()).group(1)
    response = client.post(reverse("mfa_activate_totp"), {"code": totp(secret)})
    assert response.status_code == 302
    assert client.session[SESSION_SECOND_FACTOR]
    assert AuditEvent.objects.filter(action="auth.factor_enrolment_opened").exists()


def test_invitation_path_is_code_then_password_then_factor(client, mail, clock, privacy_officer):
    """OBL ON-01: the one way in for a new account, within the invitation's 48 hours: the
    e-mailed code, a password set in that session, then the factor."""
    accounts.invitation_create(actor=privacy_officer, email="new@example.com", role="staff_member")
    link = LINK_RE.search(text_of(mails_to(mail, "new@example.com")[-1])).group(1)
    client.get("/" + link.split("://", 1)[1].split("/", 1)[1])
    client.post(reverse("account_signup"), {"email": "new@example.com"})
    code = last_code(mail, "new@example.com")
    client.post(reverse("account_email_verification_sent"), {"code": code})
    user = User.objects.get(email="new@example.com")
    assert user.factor_enrolment_until == NOW + datetime.timedelta(hours=48)
    # Before the password is set, enrolment is not offered.
    assert client.get(reverse("mfa_activate_totp"))["Location"] == reverse("account_set_password")
    client.post(reverse("account_set_password"), {"password1": PASSWORD, "password2": PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    secret = SECRET_RE.search(page.content.decode()).group(1)
    assert client.post(reverse("mfa_activate_totp"), {"code": totp(secret)}).status_code == 302
    assert factors.has_second_factor(user)


def test_the_lockout_covers_the_sign_in_code(client, mail, clock):
    """OBL ON-02: once the password is locked out, no sign-in code is sent either."""
    user = factorless_user()
    TOTP.activate(user, SECRET)
    for n in range(5):
        client.post(reverse("account_login"), {"login": user.email, "password": f"wrong-{n}"})
    response = client.post(reverse("account_request_login_code"), {"email": user.email})
    assert response.status_code == 429
    assert codes_in(mail, user.email) == []
    response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 429


def test_wrong_second_factors_lock_out_like_wrong_passwords(client, mail, clock):
    """OBL ON-02: five wrong authenticator codes lock the address; then even the right
    code is refused until the lock ends."""
    user = factorless_user()
    TOTP.activate(user, SECRET)
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    statuses = [
        client.post(reverse("mfa_authenticate"), {"code": "000000"}).status_code for _ in range(5)
    ]
    assert statuses[:4] == [200] * 4 and statuses[4] == 429
    response = client.post(reverse("mfa_authenticate"), {"code": totp(SECRET)})
    assert response.status_code == 429
    assert SESSION_SECOND_FACTOR not in client.session
    assert AuditEvent.objects.filter(action="auth.locked_out").exists()


def test_wrong_sign_in_codes_count_towards_the_lockout(client, mail, clock):
    """OBL ON-02: wrong e-mailed codes count like wrong passwords."""
    user = factorless_user()
    TOTP.activate(user, SECRET)
    for n in range(4):
        client.post(reverse("account_login"), {"login": user.email, "password": f"wrong-{n}"})
    client.post(reverse("account_request_login_code"), {"email": user.email})
    response = client.post(reverse("account_confirm_login_code"), {"code": "AAAA-AAAA"})
    assert response.status_code == 429
    response = client.post(reverse("account_request_login_code"), {"email": user.email})
    assert response.status_code == 429
