"""Sign-in: invitation, e-mailed code, password, mandatory second factor (ON-01, ON-02).

Real parts throughout: the Django test client against allauth's views, the outbox sending
to a real aiosmtpd server, codes read back from the delivered mail, TOTP codes computed
from the secret shown on the page with RFC 6238.
"""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from audits.models import AuditEvent
from compliance import accounts
from compliance.access import SESSION_SECOND_FACTOR
from compliance.models import Invitation, Role, User
from compliance.tests.signin_helpers import (
    LINK_RE,
    PASSWORD,
    SECRET_RE,
    last_code,
    mails_to,
    session_id,
    text_of,
    totp,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_cache")]


def invite(actor, email="nieuw@klant.example", role=Role.CUSTOMER_CONTACT, customer=None):
    invitation, _token = accounts.invitation_create(
        actor=actor, email=email, role=role, customer=customer, language="en"
    )
    return invitation


def accept_invitation(client, mail, email):
    """Invitation mail → link → sign-up with the address → code from the mail."""
    link = LINK_RE.search(text_of(mails_to(mail, email)[-1])).group(1)
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_signup"))
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert email in page.content.decode()
    response = client.post(reverse("account_signup"), {"email": email})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    code = last_code(mail, email)
    return client.post(reverse("account_email_verification_sent"), {"code": code})


def enrol_totp(client) -> str:
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = SECRET_RE.search(page.content.decode()).group(1)
    assert 'src="data:image/svg+xml;base64,' in page.content.decode()  # the QR code
    response = client.post(reverse("mfa_activate_totp"), {"code": totp(secret)})
    assert response.status_code == 302, response.content.decode()[:3000]
    return secret


def test_invited_customer_user_activates_with_code_password_and_totp(
    client, mail, clock, privacy_officer, customer
):
    """OBL ON-01: e-mail address, an e-mailed code, a strong password, then the second factor;
    OBL ON-02: nothing works before the second factor is enrolled."""
    email = "nieuw@klant.example"
    invite(privacy_officer, email=email, customer=customer)

    response = accept_invitation(client, mail, email)
    assert response.status_code == 302
    user = User.objects.get(email=email)
    assert (user.role, user.customer_id) == (Role.CUSTOMER_CONTACT, customer.pk)
    assert Invitation.objects.get(email=email).accepted_user == user

    # Signed in by the code, but no password yet: everything leads to setting one.
    response = client.get(reverse("portal"))
    assert response["Location"] == reverse("account_set_password")
    weak = client.post(
        reverse("account_set_password"),
        {"password1": "Welkom01welkom", "password2": "Welkom01welkom"},
    )
    assert weak.status_code == 200
    assert "common word with digits" in weak.content.decode()
    user.refresh_from_db()
    assert not user.has_usable_password()
    response = client.post(
        reverse("account_set_password"), {"password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302

    # Password set, no second factor: the portal, the API and the admin refuse.
    for path in (reverse("portal"), reverse("dashboard"), "/admin/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_index")
    assert client.get("/api/customers/").status_code in (401, 403)
    index = client.get(reverse("mfa_index"))
    assert "Recommended" in index.content.decode()
    assert index.content.decode().index("Passkey") < index.content.decode().index(
        "Authenticator app"
    )

    before = session_id(client)
    enrol_totp(client)
    assert session_id(client) != before  # new session id once the factor is proven
    assert client.session[SESSION_SECOND_FACTOR]
    codes = client.get(reverse("mfa_view_recovery_codes"))
    assert codes.status_code == 200
    assert client.get(reverse("mfa_download_recovery_codes")).status_code == 200
    assert client.get(reverse("portal")).status_code == 200
    actions = set(AuditEvent.objects.filter(actor_id=user.pk).values_list("action", flat=True))
    assert {"user.created", "invitation.accepted", "auth.password_set", "auth.factor_added"} <= (
        actions
    )


def _signed_up_user_with_totp(client, mail, officer, customer, email="later@klant.example"):
    invite(officer, email=email, customer=customer)
    accept_invitation(client, mail, email)
    client.post(reverse("account_set_password"), {"password1": PASSWORD, "password2": PASSWORD})
    secret = enrol_totp(client)
    client.post(reverse("account_logout"))
    return User.objects.get(email=email), secret


def test_later_sign_in_is_password_then_totp_and_rotates_the_session(
    client, mail, clock, privacy_officer, customer
):
    """OBL ON-02: signing in later takes the password and then the second factor; the
    session id changes on the way in."""
    user, secret = _signed_up_user_with_totp(client, mail, privacy_officer, customer)
    clock.shift(60)
    client.get(reverse("account_login"))
    anonymous = session_id(client)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    # Half-way (password only) nothing is open.
    assert client.get(reverse("portal"))["Location"].startswith(reverse("account_login"))

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "Incorrect code" in wrong.content.decode()
    assert AuditEvent.objects.filter(action="auth.second_factor_failed", actor_id=user.pk).exists()

    response = client.post(reverse("mfa_authenticate"), {"code": totp(secret)})
    assert response.status_code == 302
    assert session_id(client) not in ("", anonymous)
    assert client.get(reverse("portal")).status_code == 200
    signed_in = AuditEvent.objects.filter(action="auth.signed_in", actor_id=user.pk).last()
    assert signed_in.after["second_factor"] is True
    assert "mfa:totp" in signed_in.after["methods"]
    page = client.get(reverse("account_sign_ins"))
    assert page.status_code == 200
    assert "mfa:totp" in page.content.decode()


def test_a_used_totp_code_cannot_be_replayed(client, mail, clock, privacy_officer, customer):
    """OBL ON-02: a code from the app works once."""
    user, secret = _signed_up_user_with_totp(client, mail, privacy_officer, customer)
    clock.shift(60)
    code = totp(secret)
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    client.post(reverse("account_logout"))

    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    replay = client.post(reverse("mfa_authenticate"), {"code": code})
    assert replay.status_code == 200
    assert "Incorrect code" in replay.content.decode()
    assert SESSION_SECOND_FACTOR not in client.session


def test_recovery_code_signs_in(client, mail, clock, privacy_officer, customer):
    """OBL ON-01: recovery codes stand in for a lost factor."""
    user, _secret = _signed_up_user_with_totp(client, mail, privacy_officer, customer)
    recovery = Authenticator.objects.get(user=user, type="recovery_codes").wrap()
    code = recovery.get_unused_codes()[0]
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    assert client.session[SESSION_SECOND_FACTOR]
    assert client.get(reverse("portal")).status_code == 200
