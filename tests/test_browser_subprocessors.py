"""In a real browser (Debian's Chromium): a new subprocessor from announcement to the
customer's termination (SP-03 … SP-06).

Real parts throughout: the demo data (50 customers, the demo staff and customer users), the
outbox delivering to a real aiosmtpd server (swept in-process), PDFs read back with pypdf,
and the go-live task run in-process at a clock moved past the effective moment. The live
server runs in a thread of this process, so `time_machine` moves its clock too.

The privacy officer signs in for real (password + TOTP computed from a known secret); the
others get a session with the second-factor mark made server-side, its cookie copied into
their own browser context.

Run with `pytest -m browser`.
"""

from __future__ import annotations

import datetime
import io
import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect
from pypdf import PdfReader

from audits.models import AuditEvent
from compliance.models import Customer, User
from compliance.outbox import outbox_sweep
from compliance.tests.signin_helpers import fresh_totp, text_of
from subprocessors.models import (
    NOTICE_PERIOD,
    ChangeNotice,
    ChangeNoticeState,
    Objection,
    ObjectionState,
    Subprocessor,
    SubprocessorStatus,
    TerminationRight,
)
from subprocessors.services.common import display_time
from subprocessors.tasks import change_notices_go_live
from tests.auth import language_stored, sign_in
from web.demo import DEMO_PASSWORD, load_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TIMEOUT_MS = 10_000

OFFICER = "privacy@processor.example"
BOARD = "board@processor.example"
# Demo customer 40002 uses Profit, InSite/OutSite and Pocket; it has a contact user and an
# administrator, and its subscription contact receives the notices.
CUSTOMER_NUMBER = "40002"
CONTACT_USER = "contact@klant40002.example"
ADMIN_USER = "admin@klant40002.example"
SUBSCRIPTION_CONTACT = "abonnement@klant40002.example"

ENTITY = "Hetzner Online GmbH"


@pytest.fixture
def site(live_server, settings, smtp_server, temporary_broker):
    """The live server as http://localhost:<port>, mail going to the SMTP server."""
    base = f"http://localhost:{urlsplit(live_server.url).port}"
    settings.SITE_URL = base  # links in the e-mails
    if "localhost" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    # allauth keeps rate limits and used TOTP codes in the (per-process) cache.
    cache.clear()
    yield base
    cache.clear()


@pytest.fixture
def demo(transactional_db):
    """The demo data; the officer's address is proven and an authenticator app enrolled."""
    load_demo()
    officer = User.objects.get(email=OFFICER)
    EmailAddress.objects.update_or_create(
        user=officer, email=officer.email, defaults={"verified": True, "primary": True}
    )
    TOTP.activate(officer, TOTP_SECRET)
    return officer


def browser_as(new_context, base: str, email: str | None = None) -> Page:
    """A fresh browser context (English), signed in as `email` through a server-side session
    with the second-factor mark, or anonymous. A signed-in person has chosen English (stored
    on the account, as the language switch does: it wins over the browser's)."""
    context: BrowserContext = new_context(locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    if email is not None:
        client = sign_in(Client(), language_stored(User.objects.get(email=email), "en"))
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base}]
        )
    return context.new_page()


def officer_signs_in(new_context, base: str, clock) -> Page:
    """The real sign-in: password, then a TOTP code computed at the start of a fresh
    30-second window (so it cannot straddle a window edge, nor repeat a used code)."""
    context: BrowserContext = new_context(locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(f"{base}/dashboard/")
    expect(page).to_have_url(f"{base}/accounts/login/?next=/dashboard/")
    page.locator("#id_login").fill(OFFICER)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/accounts/2fa/authenticate/"))
    page.locator("#id_code").fill(fresh_totp(clock, TOTP_SECRET))
    page.get_by_role("button", name="Confirm", exact=True).click()
    expect(page).to_have_url(f"{base}/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    return page


def deliver(smtp_server, address: str) -> list:
    """Let the outbox send what it holds; the messages the SMTP server accepted for
    `address`, oldest first."""
    outbox_sweep(max_seconds=20)
    return [r for r in smtp_server.handler.received if address in r.rcpt_tos]


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF"), data[:20]
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def attachments(received) -> list[tuple[str, bytes]]:
    return [
        (part.get_filename(), part.get_content()) for part in received.message.iter_attachments()
    ]


def test_new_subprocessor_from_announcement_to_termination(
    new_context, site, smtp_server, clock, demo
):
    """OBL SP-03: the privacy officer drafts and announces a new subprocessor (EEA location,
    a product demo customers use); the notice reaches every affected customer's contact at
    the SMTP server, and the change goes live, on the public register, only at the effective
    moment, 28 days after every customer was informed.
    OBL SP-04: the customer's contact objects in the portal with reasons and gets a receipt
    (page, e-mail, PDF).
    OBL SP-05: the board member rejects the objection with reasoning; the officer sees the
    open objection on the dashboard before.
    OBL SP-06: once live, the objecting customer is told of its right to terminate, its
    administrator exercises it in the portal after a confirmation step, recorded with time
    and user; the officer is alerted and sees it."""
    base = site
    customer = Customer.objects.get(customer_number=CUSTOMER_NUMBER)
    today = timezone.localdate(timezone.now(), AMSTERDAM)
    # Noon, 30 days on: more than 28 days after sending completes, never a DST-skipped hour.
    effective_local = datetime.datetime.combine(
        today + datetime.timedelta(days=30), datetime.time(12, 0)
    )
    effective_at = effective_local.replace(tzinfo=AMSTERDAM)

    # --- The privacy officer drafts the change notice (SP-03) ---------------------------
    officer = officer_signs_in(new_context, base, clock)
    officer.goto(f"{base}/subprocessors/change-notices/")
    officer.get_by_role("link", name="Draft a change notice").click()
    expect(officer).to_have_url(f"{base}/subprocessors/change-notices/new/")
    officer.get_by_label("Kind of change").select_option("new_subprocessor")
    officer.get_by_label("Legal entity").fill(ENTITY)
    officer.locator("#id_purpose").fill("Off-site backups of customer databases.")
    officer.get_by_label("Certifications").fill("ISO 27001")
    officer.get_by_label("Flow-down agreement reference").fill("HZ-DPA-2026-01")
    officer.get_by_label("Flow-down agreement date").fill("2026-03-01")
    officer.get_by_label("Pocket", exact=True).check()
    officer.get_by_label("Location name").fill("Datacenter Park Falkenstein")
    officer.get_by_label("City").fill("Falkenstein")
    officer.get_by_label("Country").fill("DE")
    officer.get_by_label("Explanation for customers").fill(
        "Backups of Pocket move to a second provider inside the EEA."
    )
    officer.get_by_label("Planned effective moment (Amsterdam time)").fill(
        effective_local.strftime("%Y-%m-%dT%H:%M")
    )
    officer.get_by_role("button", name="Save draft").click()

    expect(officer).to_have_url(
        re.compile(rf"{re.escape(base)}/subprocessors/change-notices/\d+/$")
    )
    expect(officer.get_by_role("heading", level=1)).to_have_text(f"New subprocessor: {ENTITY}")
    notice = ChangeNotice.objects.get(subprocessor__legal_entity=ENTITY)
    assert notice.state == ChangeNoticeState.DRAFT
    assert notice.effective_at == effective_at
    assert notice.subprocessor.status == SubprocessorStatus.PENDING

    # --- ... and announces it ------------------------------------------------------------
    officer.get_by_role("link", name="Announce", exact=True).click()
    expect(officer).to_have_url(f"{base}/subprocessors/change-notices/{notice.pk}/announce/")
    # Every second demo customer uses Pocket.
    expect(officer.get_by_text("25 customers are affected.")).to_be_visible()
    officer.get_by_role("button", name="Announce", exact=True).click()
    expect(officer).to_have_url(f"{base}/subprocessors/change-notices/{notice.pk}/")
    expect(officer.get_by_text("The change was announced")).to_be_visible()

    # --- The notice reaches the customer's contact at the SMTP server --------------------
    # The demo's other registers mail this contact too (an instruction's warning, a consent
    # asked for); the change notice is the one mail about the new subprocessor.
    mails = [m for m in deliver(smtp_server, SUBSCRIPTION_CONTACT) if ENTITY in text_of(m)]
    assert len(mails) == 1, [m.rcpt_tos for m in smtp_server.handler.received]
    text = text_of(mails[0])
    assert ENTITY in text
    assert "Falkenstein, DE" in text
    assert f"{base}/portal/" in text
    notice.refresh_from_db()
    assert notice.state == ChangeNoticeState.ANNOUNCED
    assert notice.recipients.count() == 25
    assert not notice.recipients.filter(informed_at__isnull=True).exists()
    assert notice.sent_completely_at is not None
    assert notice.effective_at >= notice.sent_completely_at + NOTICE_PERIOD
    officer.reload()
    expect(officer.get_by_text("25 of 25 customers informed")).to_be_visible()

    # --- The customer's contact objects in the portal (SP-04) -----------------------------
    contact = browser_as(new_context, base, CONTACT_USER)
    contact.goto(f"{base}/portal/")
    expect(contact.get_by_role("heading", level=1)).to_have_text(customer.name)
    contact.get_by_role("link", name="Objections and rights").click()
    expect(contact).to_have_url(f"{base}/subprocessors/objections/")
    contact.get_by_role("link", name="Object to a subprocessor").click()
    expect(contact).to_have_url(f"{base}/subprocessors/objections/new/")
    contact.get_by_label("Announced change").select_option(str(notice.pk))
    reasons = "Our backups must stay with our present host; we did not agree to a second one."
    contact.get_by_label("Your reasons").fill(reasons)
    contact.get_by_role("button", name="Submit objection").click()

    expect(contact).to_have_url(re.compile(rf"{re.escape(base)}/subprocessors/objections/\d+/$"))
    objection = Objection.objects.get(customer=customer, change_notice=notice)
    expect(contact.get_by_role("heading", level=1)).to_have_text(f"Objection to {ENTITY}")
    expect(contact.get_by_text("Your objection was received.")).to_be_visible()
    expect(contact.get_by_text(f"Objection number {objection.pk}, received on")).to_be_visible()
    expect(contact.get_by_text(reasons)).to_be_visible()
    receipt_link = contact.get_by_role("link", name="Download the receipt (PDF)")
    receipt = contact.request.get(base + receipt_link.get_attribute("href"))
    assert receipt.ok, receipt.status
    assert ENTITY in pdf_text(receipt.body())
    # The receipt by e-mail too, with the PDF.
    (receipt_mail,) = deliver(smtp_server, CONTACT_USER)
    assert ENTITY in text_of(receipt_mail)
    [(filename, data)] = attachments(receipt_mail)
    assert filename.endswith(".pdf")
    assert ENTITY in pdf_text(data)

    # --- The officer sees the open objection on the dashboard ----------------------------
    officer.goto(f"{base}/dashboard/")
    open_objections = officer.locator("#open-objections")
    expect(open_objections.get_by_role("row", name=customer.name)).to_contain_text(ENTITY)

    # --- The board member rejects it with reasoning (SP-05) -------------------------------
    board = browser_as(new_context, base, BOARD)
    board.goto(f"{base}/dashboard/")
    board.locator("#open-objections").get_by_role("link", name=ENTITY).click()
    expect(board).to_have_url(f"{base}/subprocessors/objections/{objection.pk}/")
    board.get_by_role("link", name="Decide", exact=True).click()
    expect(board).to_have_url(f"{base}/subprocessors/objections/{objection.pk}/decide/")
    board.get_by_label("Rejected").check()
    reasoning = "The second provider is bound by the same flow-down terms and stays in the EEA."
    board.get_by_label("Reasoning (sent to the customer)").fill(reasoning)
    board.get_by_role("button", name="Record decision").click()
    expect(board).to_have_url(f"{base}/subprocessors/objections/{objection.pk}/")
    decision = board.get_by_role("region", name="Decision of the board")
    expect(decision).to_contain_text("Rejected")
    expect(decision).to_contain_text(reasoning)
    objection.refresh_from_db()
    assert objection.state == ObjectionState.REJECTED
    assert objection.decided_by == User.objects.get(email=BOARD)
    decision_mails = deliver(smtp_server, CONTACT_USER)
    assert reasoning in text_of(decision_mails[-1])

    # Before the effective moment the register shows the change as announced only.
    visitor = browser_as(new_context, base)
    visitor.goto(f"{base}/subprocessors/")
    announced = visitor.get_by_role("region", name="Announced changes")
    expect(announced.get_by_role("heading", name=f"New subprocessor: {ENTITY}")).to_be_visible()
    in_register = visitor.get_by_role("region", name="Subprocessors processing customer data")
    expect(in_register.get_by_role("heading", name=ENTITY)).to_have_count(0)

    # --- Time moves past the effective moment; beat's task makes the change live ---------
    clock.move_to(notice.effective_at + datetime.timedelta(minutes=1))
    change_notices_go_live()
    notice.refresh_from_db()
    assert notice.state == ChangeNoticeState.EFFECTIVE
    assert notice.went_live_at >= notice.sent_completely_at + NOTICE_PERIOD
    assert Subprocessor.objects.get(legal_entity=ENTITY).status == SubprocessorStatus.ACTIVE
    right = TerminationRight.objects.get(customer=customer, change_notice=notice)
    assert right.objection == objection
    # SP-06: the customer's contacts and the objecting user are told of the right, each in
    # their own language: the contact in the customer's (Dutch), the user in the one they
    # chose (English).
    for address, right_words, products in (
        (SUBSCRIPTION_CONTACT, "recht om de overeenkomst per direct te beëindigen", "Producten"),
        (CONTACT_USER, "right to terminate the agreement with immediate effect", "Products"),
    ):
        told = text_of(deliver(smtp_server, address)[-1])
        assert right_words in told, told
        assert f"{products}: Pocket\n" in told, told
        assert ENTITY in told
        assert f"{base}/portal/" in told

    # --- The change is live on the public register ----------------------------------------
    visitor.reload()
    in_register = visitor.get_by_role("region", name="Subprocessors processing customer data")
    card = in_register.locator("article", has=visitor.get_by_role("heading", name=ENTITY))
    expect(card).to_be_visible()
    expect(card).to_contain_text("Off-site backups of customer databases.")
    expect(card).to_contain_text("Pocket")
    location = card.get_by_role("row", name=re.compile("Falkenstein"))
    expect(location).to_contain_text("DE")
    expect(location).to_contain_text("Yes")  # in the EEA
    announced = visitor.get_by_role("region", name="Announced changes")
    expect(announced).to_contain_text("No changes are announced.")

    # --- The customer administrator sees the right in the portal and exercises it --------
    admin = browser_as(new_context, base, ADMIN_USER)
    admin.goto(f"{base}/portal/")
    admin.get_by_role("link", name="Objections and rights").click()
    expect(admin).to_have_url(f"{base}/subprocessors/objections/")
    rights = admin.get_by_role("region", name="Right to terminate")
    expect(rights).to_contain_text(f"New subprocessor: {ENTITY}")
    rights.get_by_role("link", name="Exercise this right").click()
    expect(admin).to_have_url(f"{base}/subprocessors/terminations/{right.pk}/")
    expect(admin.get_by_role("heading", level=1)).to_have_text("Terminate the agreement")
    # Nothing is recorded before the confirmation.
    assert TerminationRight.objects.get(pk=right.pk).exercised_at is None
    admin.get_by_role("button", name="Confirm termination").click()
    expect(admin).to_have_url(f"{base}/subprocessors/objections/{objection.pk}/")
    expect(admin.get_by_text("The termination was recorded.")).to_be_visible()
    expect(admin.get_by_text("The agreement was terminated under this right on")).to_be_visible()

    right.refresh_from_db()
    admin_user = User.objects.get(email=ADMIN_USER)
    assert right.exercised_by == admin_user
    assert right.exercised_at >= notice.went_live_at
    event = AuditEvent.objects.get(action="termination.exercised")
    assert event.actor_id == admin_user.pk

    # --- The officer is alerted and sees it -----------------------------------------------
    alerts = [text_of(m) for m in deliver(smtp_server, OFFICER)]
    alerts = [text for text in alerts if ADMIN_USER in text]
    assert len(alerts) == 1, alerts
    assert customer.name in alerts[0]
    assert f"{admin_user.full_name} <{ADMIN_USER}>" in alerts[0]
    assert display_time(right.exercised_at) in alerts[0]
    # A month has passed and sessions last hours: she signs in again.
    officer = officer_signs_in(new_context, base, clock)
    officer.goto(f"{base}/subprocessors/objections/{objection.pk}/")
    terminated = officer.get_by_role("region", name="Right to terminate")
    expect(terminated).to_contain_text("The agreement was terminated under this right on")
    expect(terminated).to_contain_text(admin_user.full_name)
