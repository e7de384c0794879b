"""In a real browser (Debian's Chromium): the breach workflow from report to evidence.

A staff member reports an incident, the privacy officer assesses it and notifies three
customers, the notices travel through the outbox to a real aiosmtpd server, a customer
contact follows the link in its e-mail, signs in (password and a TOTP code computed from a
known secret), acknowledges, announces a notification and records that it notified the AP;
the officer sees that on the incident page and issues the evidence dossier, which is read
back with pypdf.

The live server runs in a thread of this process, so `outbox_sweep()` is called in-process
(as Celery beat would) and `time_machine` moves the server's clock too. The officer and the
staff member are signed in with the session cookie of a test client (the sign-in itself is
covered by test_browser_signin.py); the customer contact signs in for real.

Run with `pytest -m browser`.
"""

from __future__ import annotations

import datetime
import io
import re
import time
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, expect
from pypdf import PdfReader

from audits.actions import AuditAction
from breaches.dossier.requests import dossier_request_process
from breaches.models import (
    CustomerNotice,
    DossierRequest,
    DossierRequestState,
    Incident,
    IncidentState,
    NoticeState,
)
from breaches.services import affected_select, incident_notify, incident_report
from compliance.models import Contact, OutboxMessage, ProcessorProfile, Role
from compliance.outbox import outbox_sweep
from compliance.tests.signin_helpers import fresh_totp, text_of
from tests.auth import sign_in
from tests.factories import (
    ContactFactory,
    ContractFactory,
    CustomerFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's password
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
TITLE = "Customer database export readable from the internet"
DESCRIPTION = "A nightly export of the Profit database sat in a public storage bucket."
AP_REFERENCE = "AP-2026-104233"


@pytest.fixture
def site(live_server, settings, smtp_server, temporary_broker):
    """The live server as http://localhost:<port>; mail goes to the SMTP server."""
    base = f"http://localhost:{urlsplit(live_server.url).port}"
    settings.SITE_URL = base  # the portal link in the notices
    if "localhost" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    cache.clear()  # allauth's rate limits and used TOTP codes (per process)
    yield base
    cache.clear()


@pytest.fixture
def world(transactional_db):
    """The processor, its staff, four customers of Profit (three will be affected) and a
    customer contact with a password and an authenticator app."""
    ProcessorProfile.objects.create(
        legal_name="Voorbeeld Software B.V.",
        privacy_team_name="Privacy Office",
        privacy_email="privacy@processor.example",
        privacy_phone="+31 20 123 4567",
    )
    officer = UserFactory(
        email="officer@processor.example", full_name="Priya Officer", role=Role.PRIVACY_OFFICER
    )
    staff = UserFactory(
        email="dev@processor.example", full_name="Sam Developer", role=Role.STAFF_MEMBER
    )
    profit = ProductFactory(code="profit", name="Profit")
    customers = []
    for n, name in enumerate(
        ["Zorggroep Utrecht", "Bakkerij Delft B.V.", "Gemeente Zwolle", "Stichting Niet Geraakt"]
    ):
        customer = CustomerFactory(name=name, customer_number=f"{30000 + n}", language="en")
        contract = ContractFactory(customer=customer, starts_on=datetime.date(2024, 1, 1))
        contract.products.add(profit)
        ContactFactory(
            customer=customer,
            name=f"Subscription contact {n}",
            email=f"subscription{n}@customer{n}.example",
            is_subscription_contact=True,
            receives_breach_notices=False,
        )
        ContactFactory(
            customer=customer,
            name=f"Privacy contact {n}",
            email=f"privacy{n}@customer{n}.example",
            receives_breach_notices=True,
        )
        # Neither the subscription contact nor flagged for breaches: gets no notice.
        ContactFactory(
            customer=customer,
            name=f"Invoices {n}",
            email=f"invoices{n}@customer{n}.example",
            receives_breach_notices=False,
        )
        customers.append(customer)
    # The customer's privacy contact also has an account: password and authenticator app.
    contact_user = UserFactory(
        email="privacy0@customer0.example",
        full_name="Jan Jansen",
        role=Role.CUSTOMER_CONTACT,
        customer=customers[0],
    )
    EmailAddress.objects.create(
        user=contact_user, email=contact_user.email, verified=True, primary=True
    )
    TOTP.activate(contact_user, TOTP_SECRET)
    return {
        "officer": officer,
        "staff": staff,
        "contact_user": contact_user,
        "affected": customers[:3],
        "bystander": customers[3],
    }


def new_context(browser: Browser, base: str) -> BrowserContext:
    context = browser.new_context(base_url=base)
    context.set_default_timeout(10_000)
    return context


def context_for(browser: Browser, base: str, user) -> BrowserContext:
    """A browser context signed in as `user` with a test client's session cookie."""
    client = sign_in(Client(), user)
    context = new_context(browser, base)
    name = settings.SESSION_COOKIE_NAME
    context.add_cookies([{"name": name, "value": client.cookies[name].value, "url": base}])
    return context


def mails_to(smtp_server, address: str) -> list[str]:
    return [text_of(r) for r in smtp_server.handler.received if address in r.rcpt_tos]


def subjects_to(smtp_server, address: str) -> list[str]:
    return [r.message["Subject"] for r in smtp_server.handler.received if address in r.rcpt_tos]


def choose(scope, group: str, option: str) -> None:
    """Tick a radio button by its fieldset's legend and its own label."""
    # Django ends a label with ":" unless it ends with punctuation already.
    legend = group if group[-1] in ":?.!" else f"{group}:"
    scope.get_by_role("group", name=legend, exact=True).get_by_label(option, exact=True).check()


def test_incident_reported_triaged_notified_answered_and_evidenced(
    browser: Browser, site, smtp_server, clock, world
):
    """OBL BR-01, BR-03, BR-04, BR-05, BR-06, BR-09: a staff member reports an incident in
    under a minute; the officer assesses it (ENISA inputs), selects three customers and
    presses "Notify customers"; each customer's subscription and breach contacts receive
    the Art. 33(3) contents by e-mail (the unselected customer and unflagged contacts get
    nothing); a customer contact signs in from the e-mailed link, acknowledges, announces
    an intended notification (the officer is alerted at once) and records that it notified
    the AP; the officer sees it on the incident page and the evidence dossier (PDF/A) holds
    the timeline."""
    base = site
    officer, staff, contact_user = world["officer"], world["staff"], world["contact_user"]
    affected, bystander = world["affected"], world["bystander"]

    # --- BR-01: a staff member reports, in under a minute -------------------------------
    staff_page = context_for(browser, base, staff).new_page()
    started = time.monotonic()
    staff_page.goto("/incidents/report/")
    expect(staff_page.get_by_role("heading", level=1)).to_have_text("Report an incident")
    staff_page.get_by_label("What happened, in a few words:", exact=True).fill(TITLE)
    staff_page.get_by_label("What happened:", exact=True).fill(DESCRIPTION)
    staff_page.get_by_label("Profit", exact=True).check()
    choose(staff_page, "May personal data be involved?", "Yes")
    staff_page.get_by_role("button", name="Send report").click()
    expect(staff_page.get_by_text("the privacy officer is alerted")).to_be_visible()
    expect(staff_page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    assert time.monotonic() - started < 60
    incident = Incident.objects.get(title=TITLE)
    assert incident.reported_by == staff and incident.state == IncidentState.REPORTED
    incident_url = f"/incidents/{incident.pk}/"
    assert urlsplit(staff_page.url).path == incident_url
    staff_page.context.close()

    outbox_sweep(max_seconds=10)
    assert any(TITLE in s for s in subjects_to(smtp_server, officer.email)), "officer alerted"

    # --- BR-11 assessment, selection and "Notify customers" (BR-03, BR-05, BR-06) --------
    officer_context = context_for(browser, base, officer)
    page = officer_context.new_page()
    page.goto(incident_url)
    deadline = page.get_by_role("heading", name="Customers to be informed by (48 hours")
    expect(deadline).to_be_visible()
    triage = page.locator("#triage")
    choose(triage, "Personal data involved", "Yes")
    triage.get_by_label("Categories of personal data:", exact=True).fill(
        "Names, e-mail addresses, dates of birth"
    )
    choose(triage, "Special categories of personal data (Art. 9/10 GDPR)", "No")
    triage.get_by_label("Categories of data subjects:", exact=True).fill("Patients and staff")
    triage.get_by_label("Data subjects (minimum):", exact=True).fill("1200")
    triage.get_by_label("Data subjects (maximum):", exact=True).fill("1500")
    triage.get_by_label("Identifiability:", exact=True).fill("Directly identifiable by name")
    triage.get_by_label("Likely consequences:", exact=True).fill("Phishing and identity fraud")
    choose(triage, "Data unintelligible (encrypted or hashed)", "No")
    # ENISA's inputs are questions with one answer each, in words (DPC 2, EI 0.75, CB 0.5).
    choose(
        triage,
        "Kind of data (ENISA's data processing context)",
        "Behavioural data: location, traffic data, habits, preferences",
    )
    choose(
        triage,
        "How easily can the people be identified? (ENISA's ease of identification)",
        "Significant: fairly easy (for example a name with a town or a birth date)",
    )
    choose(
        triage,
        "Who could see the data? (loss of confidentiality)",
        "Serious (+0.5): an unknown number of people could see it (for example "
        "published, or copied by an attacker)",
    )
    triage.get_by_label("Measures taken:", exact=True).fill("Bucket closed, access keys rotated")
    triage.get_by_label("Measures proposed:", exact=True).fill("Scan all buckets daily")
    triage.get_by_role("button", name="Save assessment").click()
    expect(page.get_by_text("Assessment saved.")).to_be_visible()
    incident.refresh_from_db()
    # ENISA: SE = DPC × EI + CB = 2 × 0.75 + 0.5
    assert (float(incident.severity_score), incident.severity_band) == (2.0, "medium")
    assert incident.state == IncidentState.TRIAGE

    # The customers and their notices are the page's second tab.
    page.get_by_role("navigation", name="Parts of the incident").get_by_role(
        "link", name="Customers and delivery"
    ).click()
    selection = page.locator("#customers")
    choose(selection, "Select affected customers", "By hand")
    selection.get_by_label("Customer numbers (by hand):", exact=True).fill(
        " ".join(c.customer_number for c in affected)
    )
    selection.get_by_role("button", name="Save selection").click()
    expect(page.locator("#customers")).to_contain_text("3 customers selected (By hand).")

    # The officer previews the notice as the first customer will receive it, typing its
    # customer number; a customer that is not affected is an error on the form.
    page.get_by_label("Customer number:", exact=True).fill(bystander.customer_number)
    page.get_by_label("Language:", exact=True).select_option("en")
    page.get_by_role("button", name="Show preview").click()
    expect(
        page.get_by_text(f"{bystander.name} ({bystander.customer_number}) is not affected")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="As the customer")).to_have_count(0)
    page.get_by_label("Customer number:", exact=True).fill(affected[0].customer_number)
    page.get_by_role("button", name="Show preview").click()
    preview = page.locator("section", has=page.get_by_role("heading", name="As the customer"))
    expect(preview).to_contain_text("Information for your notification (GDPR Art. 33(3))")
    expect(preview).to_contain_text(affected[0].name)
    page.goto(f"{incident_url}?tab=customers")

    # Notify asks first, with the counts, and sends only on "Yes".
    page.locator("#notify").get_by_role("link", name="Notify 3 customers…").click()
    expect(
        page.get_by_role("heading", level=2, name=re.compile(r"^Notify 3 customers"))
    ).to_have_text(re.compile(r"^Notify 3 customers \(6 messages, .+\)\?$"))
    assert not CustomerNotice.objects.exists()
    page.get_by_role("button", name="Yes, notify 3 customers").click()
    expect(page.get_by_text("3 customers notified; 6 messages queued.")).to_be_visible()
    # The button and the selection form are gone; the chosen customers stay with numbers.
    expect(page.locator("#notify")).to_have_count(0)
    expect(page.get_by_role("button", name="Save selection")).to_have_count(0)
    for customer in affected:
        expect(page.locator("#customers")).to_contain_text(customer.customer_number)

    # --- the sweep delivers; each recipient gets the Art. 33(3) contents (BR-05, BR-06) ---
    outbox_sweep(max_seconds=10)
    notices = {n.customer_id: n for n in CustomerNotice.objects.filter(incident=incident)}
    assert set(notices) == {c.pk for c in affected}
    for customer in affected:
        notice = notices[customer.pk]
        assert notice.informed_at is not None and notice.state == NoticeState.SENT
        assert notice.authority_due_at == notice.informed_at + datetime.timedelta(hours=72)
        recipients = Contact.objects.filter(customer=customer).exclude(email__startswith="inv")
        for contact in recipients:
            mails = mails_to(smtp_server, contact.email)
            assert len(mails) == 1, contact.email
            text = mails[0]
            for expected in [
                "Information for your notification (GDPR Art. 33(3))",
                TITLE,
                DESCRIPTION,
                "Names, e-mail addresses, dates of birth",
                "Patients and staff",
                "about 1200 to 1500",
                "Approximate number of records: not yet known",
                "Phishing and identity fraud",
                "Bucket closed, access keys rotated",
                "Scan all buckets daily",
                "privacy@processor.example",
                customer.name,
                f"{base}/portal/notices/{notice.pk}/",
            ]:
                assert expected in text, (contact.email, expected)
    # Nothing to contacts that are neither the subscription contact nor flagged for
    # breaches, and nothing to the customer that was not selected.
    reached = {to for r in smtp_server.handler.received for to in r.rcpt_tos}
    assert not {to for to in reached if to.startswith("invoices")}
    assert not reached & set(
        Contact.objects.filter(customer=bystander).values_list("email", flat=True)
    )
    assert OutboxMessage.objects.filter(cause_type="breaches.CustomerNotice").count() == 6

    page.reload()
    progress = page.locator("#fanout-progress")
    for customer in affected:
        expect(progress.get_by_role("row", name=re.compile(customer.name))).to_contain_text(
            "Informed"
        )

    # --- the customer contact signs in from the link and answers (BR-04, BR-09) ----------
    notice = notices[affected[0].pk]
    link = re.search(
        r"(https?://\S+/portal/notices/\d+/)", mails_to(smtp_server, contact_user.email)[0]
    ).group(1)
    customer_page = new_context(browser, base).new_page()
    customer_page.goto(link)
    expect(customer_page).to_have_url(re.compile(r"/accounts/login/\?next=/portal/notices/"))
    customer_page.locator("#id_login").fill(contact_user.email)
    customer_page.locator("#id_password").fill(PASSWORD)
    customer_page.get_by_role("button", name="Sign in", exact=True).click()
    expect(customer_page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    customer_page.locator("#id_code").fill(fresh_totp(clock, TOTP_SECRET))
    customer_page.get_by_role("button", name="Confirm", exact=True).click()
    expect(customer_page).to_have_url(link)
    expect(customer_page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    expect(
        customer_page.get_by_role("heading", name="Your own deadline for a notification")
    ).to_be_visible()
    expect(customer_page.get_by_text("about 1200 to 1500").first).to_be_visible()

    customer_page.get_by_role("button", name="Acknowledge receipt").click()
    expect(customer_page.get_by_text("Thank you: the notice is acknowledged.")).to_be_visible()
    expect(customer_page.get_by_text(re.compile(r"^Acknowledged at "))).to_be_visible()

    alerts_before = len(mails_to(smtp_server, officer.email))
    intention = customer_page.locator("#intention")
    choose(intention, "Notification", "Preliminary")
    choose(intention, "To", "Autoriteit Persoonsgegevens (NL)")
    intention.get_by_label("Note:", exact=True).fill("We notify the AP this afternoon.")
    intention.get_by_role("button", name="Announce").click()
    expect(customer_page.get_by_text("the privacy officer knows of your intended")).to_be_visible()
    expect(customer_page.locator("#intention")).to_contain_text(
        "Kind of notification: Preliminary. To: Autoriteit Persoonsgegevens (NL)."
    )
    outbox_sweep(max_seconds=10)
    assert len(mails_to(smtp_server, officer.email)) > alerts_before, "officer alerted (BR-09)"

    today = datetime.datetime.now(tz=datetime.UTC).date().isoformat()
    decision = customer_page.locator("#decision")
    # Asked step by step (issue 17): each answer shows what it calls for.
    authority_group = decision.get_by_role("group", name="The supervisory authority:")
    expect(authority_group).to_be_hidden()
    choose(decision, "Is this a personal data breach for your organisation?", "Yes")
    expect(authority_group).to_be_visible()
    decision.get_by_label("Your reasoning:", exact=True).fill("Patient data of our clients.")
    expect(decision.get_by_label("Notified on:", exact=True)).to_be_hidden()
    choose(
        decision,
        "The supervisory authority:",
        "We notified the authority provisionally; more information follows",
    )
    decision.get_by_label("Which authority:", exact=True).select_option("ap")
    decision.get_by_label("Notified on:", exact=True).fill(today)
    decision.get_by_label("The authority's reference:", exact=True).fill(AP_REFERENCE)
    choose(decision, "The data subjects (Art. 34 GDPR):", "We will not inform the data subjects")
    decision.get_by_label("Why you will not inform the data subjects:", exact=True).fill(
        "Waiting for the AP's advice."
    )
    decision.get_by_role("button", name="Record decision").click()
    expect(customer_page.get_by_text("Your decision is recorded.")).to_be_visible()
    expect(customer_page.locator("#decision")).to_contain_text(
        "We notified the authority provisionally; more information follows "
        "(Autoriteit Persoonsgegevens (NL)"
    )
    expect(customer_page.locator("#decision")).to_contain_text(f"reference {AP_REFERENCE})")
    notice.refresh_from_db()
    assert notice.state == NoticeState.DECIDED
    assert (notice.decision_authority, notice.decision_authority_reference) == ("ap", AP_REFERENCE)
    assert notice.decided_by == contact_user
    customer_page.context.close()

    # --- the officer sees the response on the incident page ------------------------------
    page.goto(f"{incident_url}?tab=customers")
    expect(deadline).to_be_visible()
    responses = page.locator(
        "section", has=page.get_by_role("heading", name="Customers' responses")
    )
    row = responses.get_by_role("row", name=re.compile(affected[0].name))
    expect(row).to_contain_text("Preliminary → Autoriteit Persoonsgegevens (NL)")
    # The decision in words: provisionally notified (with the day and reference), and
    # the people are not informed.
    expect(row).to_contain_text(
        re.compile(
            r"breach, notified the AP provisionally on \d{1,2} \w+ \d{4} "
            rf"\(reference {re.escape(AP_REFERENCE)}\), will not inform the people"
        )
    )
    for other in affected[1:]:
        expect(responses.get_by_role("row", name=re.compile(other.name))).to_contain_text("—")

    # --- the evidence dossier holds the timeline -----------------------------------------
    page.goto(f"{incident_url}?tab=evidence")
    page.get_by_role("link", name="Evidence dossier (PDF/A with data)").click()
    page.get_by_role("button", name="Issue a new dossier").click()
    expect(page.get_by_text("The evidence dossier is being prepared")).to_be_visible()
    since = re.compile(r"Being prepared since \d{1,2} \w+ \d{4}, \d\d:\d\d CES?T")
    expect(page.get_by_text(since)).to_be_visible()
    # The worker's part, in-process (as outbox_sweep above): render the pending request.
    for request in DossierRequest.objects.filter(state=DossierRequestState.PENDING):
        dossier_request_process(request_id=request.pk)
    # The list refreshes itself (htmx, every 5 s) while a dossier is being prepared.
    download = page.get_by_role("link", name="Download (PDF)").first
    expect(download).to_be_visible(timeout=15_000)
    expect(page.get_by_text(re.compile("Being prepared since"))).to_have_count(0)
    response = officer_context.request.get(f"{base}{download.get_attribute('href')}")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.body()))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Timeline" in text
    # The dossier says what happened in words; the codes stay in its attached data.
    for action in (
        AuditAction.INCIDENT_REPORTED,
        AuditAction.INCIDENT_TRIAGED,
        AuditAction.INCIDENT_NOTIFIED,
    ):
        assert str(action.label) in text, action.label
        assert action.value not in text
    # Every recipient is in the attached data; the pages name only the exceptions.
    attached = reader.attachments["dossier.json"][0].decode()
    for customer in affected:
        assert customer.name in attached
    assert bystander.name not in text and bystander.name not in attached
    assert AP_REFERENCE in text or AP_REFERENCE in attached
    officer_context.close()


def test_officer_records_an_out_of_band_notice_from_the_progress_row(
    browser: Browser, site, clock, world
):
    """OBL BR-03: while the e-mails still wait in the outbox, the officer phones a customer
    and records it from that customer's row of the progress table: a page with the
    customer, its recipients' delivery and the form; a missing note is an error on the form;
    back on the incident page the customer counts as informed."""
    officer, staff, affected = world["officer"], world["staff"], world["affected"]
    incident = incident_report(actor=staff, title=TITLE, description=DESCRIPTION)
    affected_select(actor=officer, incident=incident, rule="hand", customers=affected)
    incident_notify(actor=officer, incident=incident)  # queued; no sweep delivers them
    customer = affected[1]

    page = context_for(browser, site, officer).new_page()
    page.goto(f"/incidents/{incident.pk}/?tab=customers")
    progress = page.locator("#fanout-progress")
    row = progress.get_by_role("row", name=re.compile(customer.name))
    expect(row).to_contain_text("Not informed yet")
    row.get_by_role("link", name="Out-of-band notice").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Notice to {customer.name}")
    expect(
        page.get_by_role("row", name=re.compile("subscription1@customer1.example"))
    ).to_be_visible()
    form = page.locator("#out-of-band")
    form.get_by_role("button", name="Record notice").click()
    expect(form.get_by_text("This field is required.")).to_be_visible()
    form.get_by_label("How, whom and when you informed:", exact=True).fill(
        "Phoned Privacy contact 1 at 14:05."
    )
    form.get_by_role("button", name="Record notice").click()

    expect(page.get_by_text(f"Out-of-band notice to {customer.name} recorded.")).to_be_visible()
    assert urlsplit(page.url).path == f"/incidents/{incident.pk}/"
    row = page.locator("#fanout-progress").get_by_role("row", name=re.compile(customer.name))
    expect(row).to_contain_text("Informed")
    expect(row.get_by_role("link", name="Out-of-band notice")).to_have_count(0)
    notice = CustomerNotice.objects.get(incident=incident, customer=customer)
    assert notice.informed_how == "out_of_band"
    assert notice.out_of_band_note == "Phoned Privacy contact 1 at 14:05."
    page.context.close()
