"""Sign-in refusals: bad input, no account enumeration, lockout, factor reset, headers
(ON-01, ON-02)."""

from __future__ import annotations

import datetime

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import reverse

from audits.models import AuditEvent
from compliance import accounts
from compliance.access import SESSION_SECOND_FACTOR, second_factor_verified
from compliance.models import Invitation, OutboxMessage, Role, User
from compliance.tests.signin_helpers import NOW, PASSWORD, last_code, mails_to, text_of, totp
from tests.auth import sign_in
from tests.factories import CustomerFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_cache")]

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def verified_user(role=Role.PRIVACY_OFFICER, *, with_totp=True, **kwargs):
    user = UserFactory(role=role, **kwargs)
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    if with_totp:
        TOTP.activate(user, SECRET)
    return user


# --- invitations ------------------------------------------------------------------------


def test_signup_is_closed_without_an_invitation(client):
    """OBL ON-01: no account without an invitation."""
    response = client.post(reverse("account_signup"), {"email": "someone@example.com"})
    assert response.status_code == 200
    assert "invitation only" in response.content.decode()
    assert not User.objects.filter(email="someone@example.com").exists()


def test_expired_used_and_unknown_invitations_are_refused(client, mail, clock, privacy_officer):
    """OBL ON-01: an invitation is valid for a limited time and usable once."""
    invitation, token = accounts.invitation_create(
        actor=privacy_officer, email="late@example.com", role=Role.STAFF_MEMBER
    )
    assert invitation.expires_at == NOW + datetime.timedelta(hours=48)
    clock.move_to(NOW + datetime.timedelta(hours=48, seconds=1))
    response = client.get(reverse("invitation_open", args=[token]))
    assert response.status_code == 410
    assert "has expired" in response.content.decode()
    assert client.post(reverse("account_signup"), {"email": "late@example.com"}).status_code == 200
    assert not User.objects.filter(email="late@example.com").exists()

    clock.move_to(NOW)
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=NOW)
    response = client.get(reverse("invitation_open", args=[token]))
    assert response.status_code == 410
    assert "already used" in response.content.decode()

    response = client.get(reverse("invitation_open", args=["not-a-real-token"]))
    assert response.status_code == 410
    assert "not valid" in response.content.decode()


def test_invitation_is_for_the_invited_address_only(client, mail, clock, privacy_officer):
    """OBL ON-01: the invitation link cannot create an account for another address."""
    _invitation, token = accounts.invitation_create(
        actor=privacy_officer, email="invited@example.com", role=Role.STAFF_MEMBER
    )
    client.get(reverse("invitation_open", args=[token]))
    response = client.post(reverse("account_signup"), {"email": "other@example.com"})
    assert response.status_code == 200
    assert "the invitation was sent to" in response.content.decode()
    assert not User.objects.filter(email="other@example.com").exists()


def test_a_wrong_or_expired_email_code_creates_no_session(client, mail, clock, privacy_officer):
    """OBL ON-01: the e-mailed code must be right and recent."""
    _invitation, token = accounts.invitation_create(
        actor=privacy_officer, email="coder@example.com", role=Role.STAFF_MEMBER
    )
    client.get(reverse("invitation_open", args=[token]))
    client.post(reverse("account_signup"), {"email": "coder@example.com"})
    code = last_code(mail, "coder@example.com")
    wrong = client.post(reverse("account_email_verification_sent"), {"code": "AAAA-AAAA"})
    assert wrong.status_code == 200
    assert "Incorrect code" in wrong.content.decode()
    assert "_auth_user_id" not in client.session

    clock.shift(16 * 60)  # allauth's code is valid for 15 minutes
    expired = client.post(reverse("account_email_verification_sent"), {"code": code})
    assert "_auth_user_id" not in client.session
    assert expired.status_code in (200, 302)
    assert not EmailAddress.objects.filter(email="coder@example.com", verified=True).exists()


def test_invitation_rules(privacy_officer, customer, other_customer, make_user, db):
    """OBL ON-01: a customer admin invites only users of its own organisation."""
    admin = make_user(Role.CUSTOMER_ADMIN, customer=customer)
    invitation, _ = accounts.invitation_create(
        actor=admin, email="colleague@klant.example", role=Role.CUSTOMER_CONTACT, customer=customer
    )
    assert invitation.invited_by == admin
    for role, org in [(Role.CUSTOMER_CONTACT, other_customer), (Role.PRIVACY_OFFICER, None)]:
        with pytest.raises(PermissionDenied):
            accounts.invitation_create(actor=admin, email="x@example.com", role=role, customer=org)
    contact = make_user(Role.CUSTOMER_CONTACT, customer=customer)
    with pytest.raises(PermissionDenied):
        accounts.invitation_create(
            actor=contact, email="y@example.com", role=Role.CUSTOMER_CONTACT, customer=customer
        )
    assert not Invitation.objects.filter(email__in=["x@example.com", "y@example.com"]).exists()
    # Inviting again replaces the open invitation: only the newest link works.
    second, _ = accounts.invitation_create(
        actor=privacy_officer,
        email="colleague@klant.example",
        role=Role.CUSTOMER_CONTACT,
        customer=customer,
    )
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None and second.is_usable()
    assert AuditEvent.objects.filter(action="invitation.created").count() == 2


def test_invitation_mail_is_in_the_invitees_language(mail, privacy_officer, customer):
    """OBL ON-01: the invitation is an e-mail through the outbox."""
    accounts.invitation_create(
        actor=privacy_officer,
        email="nl@klant.example",
        role=Role.CUSTOMER_ADMIN,
        customer=customer,
        language="nl",
    )
    row = OutboxMessage.objects.get(to_email="nl@klant.example")
    assert row.language == "nl" and row.key.startswith("invitation:")
    assert "/accounts/invitation/" in text_of(mails_to(mail, "nl@klant.example")[-1])


# --- no account enumeration -------------------------------------------------------------


def test_sign_in_answers_the_same_for_unknown_and_known_addresses(client, clock):
    """OBL ON-02: a wrong password and an unknown address get the same answer."""
    user = verified_user()
    known = client.post(reverse("account_login"), {"login": user.email, "password": "wrong-1"})
    unknown = client.post(
        reverse("account_login"), {"login": "nobody@example.com", "password": "wrong-1"}
    )
    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].errors == unknown.context["form"].errors
    assert "not correct" in str(known.context["form"].errors)


def test_login_code_request_answers_the_same_for_unknown_and_known(client, mail, clock):
    """OBL ON-02: requesting a sign-in code reveals nothing about the address."""
    user = verified_user()
    known = client.post(reverse("account_request_login_code"), {"email": user.email})
    client.cookies.clear()
    unknown = client.post(reverse("account_request_login_code"), {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert mails_to(mail, user.email)
    assert not mails_to(mail, "nobody@example.com")


def test_password_reset_answers_the_same_for_unknown_and_known(client, mail, clock):
    user = verified_user()
    known = client.post(reverse("account_reset_password"), {"email": user.email})
    client.cookies.clear()
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


# --- lockout ----------------------------------------------------------------------------


@pytest.mark.parametrize("exists", [True, False])
def test_lockout_after_five_failures_with_a_clear_message(client, clock, exists):
    """OBL ON-02: repeated failures lock the sign-in for a while, the same way whether or
    not the address has an account."""
    email = verified_user().email if exists else "nobody@example.com"
    responses = [
        client.post(reverse("account_login"), {"login": email, "password": f"wrong-{n}"})
        for n in range(5)
    ]
    assert [r.status_code for r in responses[:4]] == [200] * 4
    assert responses[4].status_code == 429
    locked = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert locked.status_code == 429
    assert "blocked for 15 minutes" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.locked_out").exists()
    assert AuditEvent.objects.filter(action="auth.sign_in_failed").count() >= 5

    clock.shift(15 * 60 + 1)
    after = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert after.status_code == (302 if exists else 200)


# --- second factor enforcement ----------------------------------------------------------


def test_password_only_session_opens_nothing(client, clock):
    """OBL ON-02: a user who entered the password but no second factor gets nowhere, the
    admin and superusers included."""
    user = verified_user(is_superuser=True, is_staff=True)
    sign_in(client, user, second_factor=False)
    for path in (reverse("dashboard"), "/admin/", reverse("mfa_index"), reverse("people")):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_reauthenticate")
    assert client.get("/api/customers/").status_code in (401, 403)
    # Proving the factor (again) opens it.
    response = client.post(reverse("mfa_reauthenticate"), {"code": totp(SECRET)})
    assert response.status_code == 302
    assert client.session[SESSION_SECOND_FACTOR]
    assert client.get(reverse("dashboard")).status_code == 200


def test_admin_login_goes_through_the_same_sign_in(client):
    """OBL ON-02: no separate admin login (it would skip the second factor)."""
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_passwordless_passkey_sign_in_marks_the_session(db, rf: RequestFactory):
    """OBL ON-02: a passkey sign-in (passwordless) counts as the second factor; a password
    alone does not. (The browser test drives a real virtual authenticator.)"""
    from allauth.account.internal.flows.login import record_authentication
    from allauth.account.signals import user_logged_in
    from django.contrib.sessions.backends.db import SessionStore

    user = verified_user(with_totp=False)
    for records, expected in [
        ([("password", {})], False),
        ([("mfa", {"type": "webauthn", "passwordless": True, "id": 1})], True),
        ([("password", {}), ("mfa", {"type": "totp", "id": 2})], True),
    ]:
        request = rf.get("/")
        request.session = SessionStore()
        request.user = user
        for method, extra in records:
            record_authentication(request, user, method, **extra)
        request.user = type("Anon", (), {"is_authenticated": False})()
        key_before = request.session.session_key
        user_logged_in.send(sender=User, request=request, response=None, user=user)
        assert second_factor_verified(request) is expected
        if expected:
            assert request.session.session_key != key_before or key_before is None


# --- factor management ------------------------------------------------------------------


def test_privacy_officer_resets_factors(client, mail, clock):
    """OBL ON-02: a reset removes the factors, is audited and tells the user by e-mail."""
    officer = verified_user()
    user = verified_user(Role.STAFF_MEMBER)
    assert Authenticator.objects.filter(user=user).exists()
    sign_in(client, officer)
    response = client.post(reverse("factors_reset", args=[user.pk]))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=user).exists()
    event = AuditEvent.objects.get(action="auth.factors_reset")
    assert event.actor_id == officer.pk and event.object_id == str(user.pk)
    assert "second factors" in text_of(mails_to(mail, user.email)[-1])


def test_factor_reset_ends_sessions_and_revokes_tokens(client, clock):
    """OBL ON-02: after a reset, neither an open session nor an API token of the user works:
    whoever holds the lost factor may hold those too."""
    from django.test import Client

    from compliance.models import ApiToken
    from compliance.tokens import api_token_create

    officer = verified_user()
    user = verified_user(Role.STAFF_MEMBER)
    users_browser = sign_in(Client(), user)
    assert users_browser.get(reverse("dashboard")).status_code == 200
    request = RequestFactory().post("/")
    request.user = user
    request.session = users_browser.session
    token, secret = api_token_create(actor=user, request=request, name="script", expires_in_days=30)
    api = Client(headers={"authorization": f"Bearer {secret}"})
    # A staff member lists no customers (ON-02 role table): any signed-in user's call will do.
    assert api.get("/api/processor-profile/").status_code == 200

    accounts.factors_reset(actor=officer, user=user)

    response = users_browser.get(reverse("dashboard"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert api.get("/api/processor-profile/").status_code == 401
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_only_a_privacy_officer_resets_factors(client, clock):
    staff = verified_user(Role.STAFF_MEMBER)
    other = verified_user(Role.ICT_MANAGER)
    sign_in(client, staff)
    assert client.post(reverse("factors_reset", args=[other.pk])).status_code == 403
    assert Authenticator.objects.filter(user=other).exists()
    with pytest.raises(PermissionDenied):
        accounts.factors_reset(actor=staff, user=other)


# --- headers ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["account_login", "help", "swagger-ui"])
def test_csp_and_frame_denial_on_pages(client, name, privacy_officer):
    """OBL ON-02: a CSP allowing only the project's own files plus data: images."""
    sign_in(client, privacy_officer)
    response = client.get(reverse(name))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "img-src 'self' data:" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert "<script>" not in response.content.decode()  # no inline script to be blocked


# --- withdrawing an invitation ----------------------------------------------------------


def test_officer_withdraws_an_invitation_and_its_link_is_refused(client, mail, clock):
    """OBL ON-01: an open invitation can be withdrawn from the people page; the withdrawal is
    audited and the link then answers that the invitation was withdrawn."""
    officer = verified_user()
    invitation, token = accounts.invitation_create(
        actor=officer,
        email="later@klant.example",
        role=Role.CUSTOMER_CONTACT,
        customer=CustomerFactory(),
        language="en",
    )
    sign_in(client, officer)
    page = client.get(reverse("people")).content.decode()
    assert reverse("invitation_revoke", args=[invitation.pk]) in page

    confirm = client.get(reverse("invitation_revoke", args=[invitation.pk])).content.decode()
    assert "later@klant.example" in confirm and "Withdraw the invitation" in confirm
    invitation.refresh_from_db()
    assert invitation.revoked_at is None  # the page only asks
    response = client.post(reverse("invitation_revoke", args=[invitation.pk]), follow=True)
    assert response.status_code == 200
    assert "was withdrawn" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert AuditEvent.objects.filter(action="invitation.revoked", actor=officer).exists()
    assert reverse("invitation_revoke", args=[invitation.pk]) not in response.content.decode()

    refused = Client().get(reverse("invitation_open", args=[token]))
    assert refused.status_code == 410
    assert "This invitation was withdrawn" in refused.content.decode()


def test_customer_admin_cannot_withdraw_another_organisations_invitation(client, mail, clock):
    """OBL ON-01: a customer admin withdraws only its own organisation's invitations; another
    organisation's is not found, and only a POST withdraws (the GET is the page that asks)."""
    officer = verified_user()
    own, other = CustomerFactory(), CustomerFactory()
    admin = verified_user(Role.CUSTOMER_ADMIN, customer=own)
    theirs, _token = accounts.invitation_create(
        actor=officer,
        email="iemand@ander.example",
        role=Role.CUSTOMER_CONTACT,
        customer=other,
        language="en",
    )
    ours, _token = accounts.invitation_create(
        actor=officer,
        email="iemand@eigen.example",
        role=Role.CUSTOMER_CONTACT,
        customer=own,
        language="en",
    )
    sign_in(client, admin)
    assert client.get(reverse("invitation_revoke", args=[theirs.pk])).status_code == 404
    assert client.put(reverse("invitation_revoke", args=[ours.pk])).status_code == 405
    assert client.post(reverse("invitation_revoke", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert client.post(reverse("invitation_revoke", args=[ours.pk])).status_code == 302
    ours.refresh_from_db()
    assert ours.revoked_at is not None
