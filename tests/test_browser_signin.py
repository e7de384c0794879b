"""In a real browser (Debian's Chromium): the first sign-in of an invited person and the
next one, with an authenticator app and with a passkey (ON-01, ON-02).

Real parts throughout: the invitation and the e-mailed code travel through the outbox to a
real aiosmtpd server and are read back from the delivered messages; the TOTP code is
computed (RFC 6238) from the secret the page shows in text; the passkey lives in Chromium's
virtual WebAuthn authenticator, driven over the DevTools protocol.

The browser opens the live server as http://localhost:<port>: browsers treat localhost as a
secure context, so WebAuthn works there over plain http, and "localhost" is the relying-party
id (127.0.0.1 would be refused). The live server runs in a thread of this process, so
`time_machine` moves its clock too; every TOTP code is computed at the start of a fresh
30-second window, so it cannot straddle a window edge, and the code of the second sign-in is
never the one used during enrolment (a used code is refused).

Run with `pytest -m browser`.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from audits.models import AuditEvent
from compliance import accounts
from compliance.models import Invitation, Role, User
from compliance.outbox import outbox_sweep
from compliance.tests.signin_helpers import CODE_RE, LINK_RE, PASSWORD, fresh_totp, text_of
from tests.factories import CustomerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECOVERY_CODE_RE = re.compile(r"^[0-9a-f]{8}$", re.MULTILINE)


@pytest.fixture
def site(live_server, settings, smtp_server, temporary_broker):
    """The live server as http://localhost:<port>, with mail going to the SMTP server and
    passkeys bound to this origin."""
    port = urlsplit(live_server.url).port
    base = f"http://localhost:{port}"
    settings.SITE_URL = base  # the link in the invitation e-mail
    if "localhost" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    settings.WEBAUTHN_RP_ID = "localhost"
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
    # allauth keeps rate limits and used TOTP codes in the (per-process) cache.
    cache.clear()
    yield base
    cache.clear()


@pytest.fixture
def officer(transactional_db):
    return UserFactory(email="privacy@processor.example", role=Role.PRIVACY_OFFICER)


def mail_to(smtp_server, address: str) -> str:
    """Deliver what the outbox holds and return the text of the newest mail to `address`."""
    outbox_sweep(max_seconds=5)
    mails = [r for r in smtp_server.handler.received if address in r.rcpt_tos]
    assert mails, f"no mail to {address} reached the SMTP server"
    return text_of(mails[-1])


def activate_account(page: Page, smtp_server, base: str, email: str) -> None:
    """Invitation link → e-mail address → e-mailed code → strong password (ON-01)."""
    link = LINK_RE.search(mail_to(smtp_server, email)).group(1)
    assert link.startswith(f"{base}/accounts/invitation/")
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Activate your account")
    page.locator("#id_email").fill(email)
    page.get_by_role("button", name="Send me a code").click()

    expect(page).to_have_url(f"{base}/accounts/confirm-email/")
    code = CODE_RE.search(mail_to(smtp_server, email))
    assert code, "no one-time code in the verification e-mail"
    page.locator("#id_code").fill(code.group(1))
    page.get_by_role("button", name="Confirm").click()

    # Address proven; a password comes next and nothing else opens before it.
    expect(page).to_have_url(f"{base}/accounts/password/set/")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Set password").click()

    # Password set; the second factor must be chosen before anything else works.
    expect(page).to_have_url(f"{base}/accounts/2fa/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your second factor")
    expect(page.locator("#passkey-panel")).to_contain_text("Recommended")


def expect_recovery_codes(page: Page, base: str) -> None:
    expect(page).to_have_url(f"{base}/accounts/2fa/recovery-codes/")
    codes = page.locator("#recovery_codes").input_value()
    assert len(RECOVERY_CODE_RE.findall(codes)) == 10, codes
    expect(page.get_by_role("link", name="Download codes")).to_be_visible()


def sign_out(page: Page, base: str) -> None:
    page.locator("form[action='/accounts/logout/'] button").first.click()
    expect(page).to_have_url(f"{base}/accounts/login/")


def test_invited_customer_user_enrols_an_authenticator_app_and_signs_in_again(
    page: Page, site, smtp_server, clock, officer
):
    """OBL ON-01: invitation → code from the SMTP server → strong password → authenticator
    app (code computed from the secret shown in text) → recovery codes → portal; then
    signing in again takes the password and a fresh code from the app."""
    base = site
    customer = CustomerFactory(name="Zorggroep Utrecht")
    email = "nieuw@zorggroep.example"
    accounts.invitation_create(
        actor=officer, email=email, role=Role.CUSTOMER_CONTACT, customer=customer, language="en"
    )

    activate_account(page, smtp_server, base, email)
    page.locator("#activate-totp").click()
    expect(page).to_have_url(f"{base}/accounts/2fa/totp/activate/")
    expect(page.locator("img.qr")).to_have_attribute("src", re.compile(r"^data:image/svg"))
    secret = page.locator("#totp-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    page.locator("#id_code").fill(fresh_totp(clock, secret))
    page.get_by_role("button", name="Activate").click()

    expect_recovery_codes(page, base)
    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/portal/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Zorggroep Utrecht")
    user = User.objects.get(email=email)
    assert (user.role, user.customer_id) == (Role.CUSTOMER_CONTACT, customer.pk)
    assert Invitation.objects.get(email=email).accepted_user == user

    sign_out(page, base)
    page.goto(f"{base}/portal/")
    expect(page).to_have_url(f"{base}/accounts/login/?next=/portal/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/accounts/2fa/authenticate/"))
    page.locator("#id_code").fill(fresh_totp(clock, secret))
    page.get_by_role("button", name="Confirm", exact=True).click()

    expect(page).to_have_url(f"{base}/portal/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Zorggroep Utrecht")
    signed_in = AuditEvent.objects.filter(action="auth.signed_in", actor_id=user.pk).last()
    assert signed_in.after["second_factor"] is True
    assert "mfa:totp" in signed_in.after["methods"]


def test_invited_staff_member_enrols_a_passkey_and_signs_in_with_it_alone(
    page: Page, site, smtp_server, officer
):
    """OBL ON-02: invitation → code from the SMTP server → strong password → passkey (the
    recommended choice; Chromium's virtual authenticator) → recovery codes → dashboard; then
    signing in again with the passkey alone (passwordless)."""
    base = site
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )["authenticatorId"]
    email = "nieuwe.collega@processor.example"
    accounts.invitation_create(actor=officer, email=email, role=Role.STAFF_MEMBER, language="en")

    activate_account(page, smtp_server, base, email)
    page.locator("#add-passkey").click()
    expect(page).to_have_url(f"{base}/accounts/2fa/webauthn/add/")
    page.locator("#id_name").fill("Laptop")
    page.locator("#id_passwordless").check()
    page.locator("#mfa_webauthn_add").click()

    expect_recovery_codes(page, base)
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert [c["isResidentCredential"] for c in credentials["credentials"]] == [True]
    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")

    sign_out(page, base)
    page.goto(f"{base}/dashboard/")
    expect(page).to_have_url(f"{base}/accounts/login/?next=/dashboard/")
    page.get_by_role("button", name="Sign in with a passkey").click()

    expect(page).to_have_url(f"{base}/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    user = User.objects.get(email=email)
    assert user.role == Role.STAFF_MEMBER
    signed_in = AuditEvent.objects.filter(action="auth.signed_in", actor_id=user.pk).last()
    assert signed_in.after["second_factor"] is True
    assert "mfa:webauthn:passwordless" in signed_in.after["methods"]
