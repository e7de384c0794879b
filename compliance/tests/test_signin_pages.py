"""The sign-in pages, messages and mails in our own look and words, in both languages
(ON-01, ON-02; issue 17).

allauth serves every page of signing in, activating and managing second factors; each one
comes in the project's layout, in sentence case, without the library's texts ("Recovery
Codes", "Set Password", "Please Confirm Your Email Address"), and every aria-describedby
points at an element that exists. Real parts: allauth's views and flows, the outbox to a
real SMTP server, RFC 6238 codes.
"""

from __future__ import annotations

import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from compliance import accounts
from compliance.models import Role
from compliance.tests.signin_helpers import NOW, PASSWORD, last_code, mails_to, text_of, totp
from tests.auth import sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_cache")]

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

# The library's own texts, in its title case; none may reach a page or a mail.
LIBRARY_TEXTS = [
    "Recovery Codes",
    "Set Password",
    "Change Password",
    "Password Reset",
    "Reset My Password",
    "Enter Email Verification Code",
    "Email Verification",
    "Enter Sign-In Code",
    "Enter Password Reset Code",
    "Sign In",
    "Sign Out",
    "Request Code",
    "Two-Factor Authentication",
    "Confirm Access",
    "Please reauthenticate",
    "Alternative options",
    "Security Keys",
    "Add Security Key",
    "Deactivate Authenticator App",
    "Current Password",
    "New Password",
    "Password (again)",
    "Remember Me",
    "Email address",
    "Successfully signed in",
    "Please Confirm Your Email Address",
    "Hello from",
    "Thank you for using",
    "We've sent a code",
]
ARIA_RE = re.compile(r'aria-describedby="([^"]+)"')
ID_RE = re.compile(r'\bid="([^"]+)"')


def verified_user(role=Role.PRIVACY_OFFICER, **kwargs):
    user = UserFactory(role=role, **kwargs)
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    TOTP.activate(user, SECRET)
    RecoveryCodes.activate(user)
    return user


def signed_in(client, user):
    """Signed in with both factors, and the password confirmed again just now (so pages
    that ask for a recent confirmation open)."""
    sign_in(client, user)
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def check_page(html: str, *, heading: str, language: str) -> None:
    """Our layout (base.html), our heading in the page's language, no library text, and
    every aria-describedby target present."""
    assert f'<html lang="{language}"' in html
    assert 'class="site-footer"' in html  # our base layout, not allauth's bare one
    with translation.override(language):
        expected = gettext(heading)
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1).strip()
    assert h1 == expected, (h1, expected)
    main = html[html.index("<main") :]
    for text in LIBRARY_TEXTS:
        assert text not in main, text
    ids = set(ID_RE.findall(html))
    for target in ARIA_RE.findall(html):
        for one in target.split():
            assert one in ids, f"aria-describedby={one} points nowhere"


def get(client, name, language, *args, query=""):
    return client.get(reverse(name, args=args) + query, HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_pages_before_signing_in(client, clock, language):
    """OBL ON-01: sign-in, sign-in code, password reset and the closed sign-up in our look
    and words, in both languages; the password's aria-describedby exists."""
    pages = [
        ("account_login", "Sign in"),
        ("account_request_login_code", "E-mail me a sign-in code"),
        ("account_reset_password", "Reset your password"),
        ("account_signup", "Invitation needed"),
        ("account_inactive", "This account is closed"),
    ]
    for name, heading in pages:
        response = get(client, name, language)
        assert response.status_code == 200, name
        check_page(response.content.decode(), heading=heading, language=language)
    login = get(client, "account_login", language).content.decode()
    password = re.search(r"<input[^>]*name=\"password\"[^>]*>", login).group(0)
    assert 'aria-describedby="id_password_helptext"' in password
    assert 'id="id_password_helptext"' in login
    assert "placeholder=" not in login


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_pages_of_a_signed_in_user(client, clock, language):
    """OBL ON-02: second factors, recovery codes, the authenticator app, passkeys, password
    change and sign-out in our look and words, in both languages."""
    user = verified_user(language=language)
    signed_in(client, user)
    pages = [
        ("mfa_deactivate_totp", "Remove the authenticator app"),
        ("mfa_index", "Your second factors"),
        ("mfa_view_recovery_codes", "Recovery codes"),
        ("mfa_generate_recovery_codes", "New recovery codes"),
        ("mfa_list_webauthn", "Your passkeys"),
        ("account_change_password", "Change password"),
        ("account_logout", "Sign out"),
        ("account_email", "Your e-mail address"),
        ("account_reauthenticate", "Confirm it is you"),
        ("mfa_reauthenticate", "Confirm it is you"),
    ]
    for name, heading in pages:
        response = get(client, name, language)
        assert response.status_code == 200, (name, response.status_code)
        check_page(response.content.decode(), heading=heading, language=language)
    download = get(client, "mfa_download_recovery_codes", language).content.decode()
    assert len(re.findall(r"^[0-9a-f]{8}$", download, re.M)) == 10
    assert "Recovery Codes" not in download


def test_a_first_factor_is_set_up_on_our_pages(client, clock):
    """OBL ON-02: activating the authenticator app and adding a passkey, for a user who
    has none yet, in our words."""
    user = UserFactory(role=Role.STAFF_MEMBER)
    user.set_password(PASSWORD)
    user.factor_enrolment_until = NOW + datetime.timedelta(hours=48)
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    for name, heading in [
        ("mfa_index", "Set up your second factor"),
        ("mfa_activate_totp", "Set up an authenticator app"),
        ("mfa_add_webauthn", "Set up a passkey"),
    ]:
        response = client.get(reverse(name))
        if response.status_code != 200:  # the enrolment window rule may send it elsewhere
            continue
        check_page(response.content.decode(), heading=heading, language="en")


def test_no_signed_in_message_before_the_second_factor(client, clock):
    """OBL ON-02: "You are signed in" is not shown on the page that still asks for the
    second factor; it comes once the factor is proven."""
    user = verified_user(full_name="Anna de Vries")
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}, follow=True
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0].startswith(reverse("mfa_authenticate"))
    check_page(html, heading="Confirm with your second factor", language="en")
    assert "signed in" not in html.lower().replace("sign-in", "")
    clock.shift(31)
    done = client.post(reverse("mfa_authenticate"), {"code": totp(SECRET)}, follow=True)
    assert "You are signed in as Anna de Vries." in done.content.decode()


def test_recovery_codes_page_leads_on(client, clock):
    """OBL ON-02: the recovery-codes page is no dead end: Continue goes to the next page
    when it is ours, else to the home page (never to another site)."""
    user = verified_user()
    signed_in(client, user)
    url = reverse("mfa_view_recovery_codes")
    html = client.get(url).content.decode()
    assert re.search(r'<a [^>]*id="recovery-continue" href="/"', html)
    assert "Continue" in html
    html = client.get(url + "?next=/portal/").content.decode()
    assert 'id="recovery-continue" href="/portal/"' in html
    html = client.get(url + "?next=https://evil.example/").content.decode()
    assert 'id="recovery-continue" href="/"' in html


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_emailed_code_uses_our_text(client, mail, clock, privacy_officer, language):
    """OBL ON-01: the code that confirms the address is e-mailed with our subject and text
    in the invitee's language, through the real outbox and SMTP server; the code page says
    "Enter the code we e-mailed you"."""
    email = f"code-{language}@klant.example"
    invitation, token = accounts.invitation_create(
        actor=privacy_officer,
        email=email,
        full_name="Sanne Bakker",
        role=Role.STAFF_MEMBER,
        language=language,
    )
    client.get(reverse("invitation_open", args=[token]))
    signup = client.get(reverse("account_signup")).content.decode()
    assert 'value="Sanne Bakker"' in signup  # the invitation's name, filled in
    response = client.post(reverse("account_signup"), {"email": email, "full_name": "Sanne Bakker"})
    assert response["Location"] == reverse("account_email_verification_sent")
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE=language).content.decode()
    check_page(page, heading="Enter the code we e-mailed you", language=language)

    received = mails_to(mail, email)[-1]
    with translation.override(language):
        subject = gettext("Your code to confirm your e-mail address")
        intro = gettext(
            "Enter this code on the page where you are activating your account, to confirm "
            "that this e-mail address is yours:"
        )
    assert received.message["Subject"] == subject
    body = text_of(received)
    assert intro in body
    for text in LIBRARY_TEXTS:
        assert text not in body and text not in received.message["Subject"], text
    code = last_code(mail, email)
    client.post(reverse("account_email_verification_sent"), {"code": code})
    user = invitation.__class__.objects.get(pk=invitation.pk).accepted_user
    assert user.full_name == "Sanne Bakker"


@pytest.mark.parametrize("language", ["en", "nl"])
def test_sign_in_and_reset_codes_use_our_text(client, mail, clock, language):
    """OBL ON-01: the sign-in code and the password-reset code are e-mailed with our
    subject and text, in the account's language, through the real outbox."""
    user = verified_user(language=language)
    client.post(reverse("account_request_login_code"), {"email": user.email})
    client.post(reverse("account_reset_password"), {"email": user.email})
    received = mails_to(mail, user.email)
    assert len(received) == 2
    with translation.override(language):
        expected = [gettext("Your sign-in code"), gettext("Your code to reset your password")]
        signature = gettext("Kind regards,")
    assert [r.message["Subject"] for r in received] == expected
    for one in received:
        body = text_of(one)
        assert re.search(r"^[A-Z0-9]{4}-[A-Z0-9]{4}$", body, re.M), body
        assert signature in body
        for text in LIBRARY_TEXTS:
            assert text not in body, text


def test_invitation_form_asks_name_role_and_organisation_only_when_needed(
    client, mail, clock, privacy_officer, customer
):
    """OBL ON-01: the role has no default (never the most powerful one), the organisation
    is required for customer roles and refused for staff roles, the name is asked and shown
    on the people page with the address in its own column."""
    sign_in(client, privacy_officer)
    page = client.get(reverse("people")).content.decode()
    role = re.search(r'<select name="role".*?</select>', page, re.S).group(0)
    first = re.search(r"<option[^>]*>", role).group(0)
    assert 'value=""' in first and "selected" in first
    assert 'value="privacy_officer" selected' not in role
    assert 'data-organisation-roles="auditor customer_admin customer_contact"' in role
    assert "js/invitation.js" in page
    # The language starts as the inviter's own.
    language = re.search(r'<select name="language".*?</select>', page, re.S).group(0)
    assert f'value="{privacy_officer.language}" selected' in language

    def post(**data):
        base = {"full_name": "Eva Smit", "email": "eva@klant.example", "language": "nl"}
        return client.post(reverse("people"), {**base, **data})

    assert "Choose a role" in post(role="").content.decode()
    page = post(role=Role.CUSTOMER_CONTACT, customer="").content.decode()
    assert "Choose the organisation: a customer user belongs to one." in page
    page = post(role=Role.ICT_MANAGER, customer=customer.pk).content.decode()
    assert "Staff of the processor belong to no organisation: leave it empty." in page
    assert "This field is required." in post(role=Role.STAFF_MEMBER, full_name="").content.decode()
    assert not accounts.Invitation.objects.exists()

    assert post(role=Role.CUSTOMER_CONTACT, customer=customer.pk).status_code == 302
    invitation = accounts.Invitation.objects.get()
    assert (invitation.full_name, invitation.customer, invitation.role) == (
        "Eva Smit",
        customer,
        Role.CUSTOMER_CONTACT,
    )
    assert "Beste Eva Smit," in text_of(mails_to(mail, "eva@klant.example")[-1])
    page = client.get(reverse("people")).content.decode()
    assert re.search(r"<td>Eva Smit</td><td class=\"cell-email\">eva@klant.example</td>", page)


def test_withdrawing_asks_first_and_records_who_and_when(client, mail, clock, privacy_officer):
    """OBL ON-01: the withdraw page shows what is withdrawn; the POST withdraws and the
    audit trail records who and when."""
    from audits.models import AuditEvent

    invitation, token = accounts.invitation_create(
        actor=privacy_officer, email="weg@example.com", full_name="Wim Weg", role=Role.AUDITOR
    )
    sign_in(client, privacy_officer)
    url = reverse("invitation_revoke", args=[invitation.pk])
    page = client.get(url).content.decode()
    check_page(page, heading="Withdraw the invitation", language="en")
    assert "Wim Weg" in page and "weg@example.com" in page and "Auditor" in page
    assert client.post(url).status_code == 302
    event = AuditEvent.objects.get(action="invitation.revoked")
    assert event.actor_id == privacy_officer.pk
    assert abs((event.occurred_at - NOW).total_seconds()) < 60
    assert event.after["full_name"] == "Wim Weg"
    assert (
        "This invitation was withdrawn"
        in client.get(reverse("invitation_open", args=[token])).content.decode()
    )
