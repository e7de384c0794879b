"""The board's pages and letters on objections (SP-04, SP-05; issue 17): the menu entry, the
change an objection concerns with its moment and the subprocessor's status, who decided,
letters signed by the board, in the customer's language, numbered "page x of y"."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from compliance.models import OutboxMessage, Role
from subprocessors.models import Objection
from subprocessors.services import (
    change_notice_announce,
    change_notice_draft,
    objection_decide,
    objection_lodge,
)
from subprocessors.tests.conftest import START, customer_with_contract

DAY = datetime.timedelta(days=1)


def pdf_pages(document) -> list[str]:
    pages = PdfReader(io.BytesIO(bytes(document.content))).pages
    return [" ".join(page.extract_text().split()) for page in pages]


def announce_new(officer, product, name: str, *, days: int = 30):
    draft = change_notice_draft(
        actor=officer,
        kind="new_subprocessor",
        new_subprocessor={
            "legal_entity": name,
            "purpose": "Backups",
            "flow_down_reference": "DPA-9",
            "flow_down_signed_on": datetime.date(2026, 8, 1),
            "products": [product],
        },
        location_city="Frankfurt",
        location_country="DE",
        effective_at=START + days * DAY,
    )
    return change_notice_announce(actor=officer, notice=draft)


@pytest.fixture
def dutch_customer(product, clock):
    return customer_with_contract(product, language="nl", name="Bakkerij Utrecht B.V.")


@pytest.fixture
def dutch_user(make_user, dutch_customer):
    # The user's own language is English: the letters still follow the customer's.
    return make_user(Role.CUSTOMER_CONTACT, customer=dutch_customer, language="en")


@pytest.fixture
def board(make_user):
    return make_user(Role.BOARD_MEMBER, full_name="Bram de Boer")


def test_objections_in_the_menu_for_who_may_see_them(
    client_for, board, customer_contact, make_user
):
    """OBL SP-05: the board (and customers, the privacy officer) find objections in the menu;
    a role that may not see them has no such entry."""
    link = f'href="{reverse("subprocessors:objection_list")}"'
    for user, shown in (
        (board, True),
        (customer_contact, True),
        (make_user(Role.PRIVACY_OFFICER), True),
        (make_user(Role.ICT_MANAGER), False),
    ):
        client = client_for(user)
        page = client.get(reverse("help")).content.decode()
        nav = page.split('class="main-nav"', 1)[1].split("</nav>", 1)[0]
        assert (link in nav) is shown, user.role
        assert ("Objections" in nav) is shown
        client.logout()


def test_form_chooses_the_announced_change(
    client_for, privacy_officer, product, hosting, dutch_user, processor, clock
):
    """OBL SP-04: the customer's form has the announced change chosen; with several, the
    latest; asked for a subprocessor, that subprocessor's change."""
    url = reverse("subprocessors:objection_create")
    client = client_for(dutch_user)
    page = client.get(url).content.decode()
    assert '<option value="" selected>' in page  # nothing announced: nothing chosen
    first = announce_new(privacy_officer, product, "Cloud GmbH")
    clock.shift(datetime.timedelta(minutes=5))
    latest = announce_new(privacy_officer, product, "Archive AG")
    page = client.get(url).content.decode()
    assert f'<option value="{latest.pk}" selected>' in page
    assert f'<option value="{latest.subprocessor_id}" selected>' in page
    assert "Archive AG (pending new subprocessor)" in page
    assert "LeaseWeb Netherlands B.V. (existing subprocessor)" in page
    page = client.get(url, {"subprocessor": first.subprocessor_id}).content.decode()
    assert f'<option value="{first.pk}" selected>' in page


def test_objection_to_a_pending_subprocessor_concerns_its_change(
    client_for, privacy_officer, product, hosting, dutch_customer, dutch_user, board, processor
):
    """OBL SP-04, SP-05: an objection to a pending new subprocessor lodged without picking the
    change is linked to its announced change; the board sees "pending new subprocessor",
    the change and its effective moment, never "existing subprocessor"."""
    notice = announce_new(privacy_officer, product, "Cloud GmbH")
    objection = objection_lodge(
        actor=dutch_user,
        customer=dutch_customer,
        subprocessor=notice.subprocessor,
        reasons="Not in Germany",
    )
    assert objection.change_notice == notice
    client = client_for(board)
    dashboard = client.get(reverse("dashboard")).content.decode()
    panel = dashboard.split('id="open-objections"', 1)[1].split("</section>", 1)[0]
    assert "pending new subprocessor" in panel and "existing subprocessor" not in panel
    page = client.get(reverse("subprocessors:objection_decision", args=[objection.pk]))
    text = page.content.decode()
    assert "pending new subprocessor (announced, not yet processing)" in text
    assert "New subprocessor: Frankfurt, DE · Announced" in text
    assert "Takes effect" in text and "1 October 2026, 10:00 CEST" in text


def test_decide_page_names_the_announced_change_of_an_unlinked_objection(
    client_for, privacy_officer, hosting, active_customer, make_user, board, processor
):
    """OBL SP-05: an objection to an existing subprocessor with an announced change that the
    customer did not pick shows that change to the board, marked as not named."""
    user = make_user(Role.CUSTOMER_CONTACT, customer=active_customer)
    objection = objection_lodge(
        actor=user, customer=active_customer, subprocessor=hosting, reasons="Too big"
    )
    client = client_for(board)
    text = client.get(reverse("subprocessors:objection_decision", args=[objection.pk])).content
    text = text.decode()
    assert "existing subprocessor (processing)" in text
    assert "None: an objection to the continued use of an existing subprocessor" in text
    draft = change_notice_draft(
        actor=privacy_officer,
        kind="new_location",
        subprocessor=hosting,
        location_city="Amsterdam",
        location_country="NL",
        effective_at=START + 28 * DAY,
    )
    change_notice_announce(actor=privacy_officer, notice=draft)
    text = client.get(reverse("subprocessors:objection_decision", args=[objection.pk])).content
    text = text.decode()
    assert "New processing location: Amsterdam, NL · Announced" in text
    assert "the objection did not name it" in text
    assert "29 September 2026, 10:00 CEST" in text


def test_decision_shows_who_decided_and_the_board_signs_in_the_customers_language(
    client_for, privacy_officer, product, hosting, dutch_customer, dutch_user, board, processor
):
    """OBL SP-05: the objection shows who decided (name and role) and when; the letters are
    signed by the board, not the privacy team, with subject and body in the customer's
    language (Dutch), and page x of y; the mail's subject is Dutch too."""
    notice = announce_new(privacy_officer, product, "Cloud GmbH")
    objection = objection_lodge(
        actor=dutch_user, customer=dutch_customer, change_notice=notice, reasons="Niet in DE"
    )
    receipt = pdf_pages(objection.receipt)
    assert receipt[0].count("Pagina 1 van 1") == 1, receipt
    text = " ".join(receipt)
    assert "Ontvangstbevestiging van je bezwaar tegen Cloud GmbH" in text  # the subject
    assert "Receipt of" not in text
    assert "Privacy team" not in text.split("Met vriendelijke groet,")[1]
    assert "Namens de directie van Processor B.V." in text
    assert "Status in the register" not in text
    assert objection.receipt.title == "Ontvangstbevestiging van je bezwaar tegen Cloud GmbH"
    objection = objection_decide(
        actor=board, objection=objection, decision="rejected", reasoning="Needed for backups."
    )
    letter = " ".join(pdf_pages(objection.decision_letter))
    assert "Besluit over je bezwaar tegen Cloud GmbH" in letter
    assert "Decision on" not in letter
    assert "Privacy team" not in letter.split("Met vriendelijke groet,")[1]
    assert "Bram de Boer, Directielid" in letter
    assert "Pagina 1 van" in letter
    assert not re.search(r"\b(u|uw|Uw)\b", letter), letter
    # The user reads English (its own language); the subscription contact, Dutch.
    contact = dutch_customer.contacts.get(is_subscription_contact=True)
    assert contact.effective_language == "nl"
    subjects = set(
        OutboxMessage.objects.filter(to_email=contact.email).values_list("subject", flat=True)
    )
    assert subjects >= {
        "Ontvangstbevestiging van je bezwaar tegen Cloud GmbH",
        "Besluit over je bezwaar tegen Cloud GmbH",
    }, subjects
    decided = OutboxMessage.objects.get(to_email=contact.email, subject__startswith="Besluit")
    assert "Bram de Boer, Directielid" in decided.body_text
    assert not re.search(r"\b(u|uw|Uw)\b", decided.body_text), decided.body_text
    page = client_for(board).get(reverse("subprocessors:objection_detail", args=[objection.pk]))
    text = page.content.decode()
    assert "Decided by" in text and "Bram de Boer, Board member" in text
    assert "1 September 2026, 10:00 CEST" in text


def test_rejection_about_an_existing_subprocessor_speaks_of_its_continued_use(
    hosting, product, make_user, board, processor
):
    """OBL SP-05: rejecting an objection to an existing subprocessor says it stays in use;
    it does not speak of a change taking effect. The English letter is signed by the
    board member on behalf of the board and numbered."""
    active_customer = customer_with_contract(product, language="en")
    user = make_user(Role.CUSTOMER_CONTACT, customer=active_customer, language="en")
    objection = objection_lodge(
        actor=user, customer=active_customer, subprocessor=hosting, reasons="Too big"
    )
    objection = objection_decide(
        actor=board, objection=objection, decision="rejected", reasoning="Reliable host."
    )
    letter = " ".join(pdf_pages(objection.decision_letter))
    assert "takes effect" not in letter
    assert "continued use of LeaseWeb Netherlands B.V." in letter
    assert "Existing subprocessor: processing your data" in letter
    assert "Bram de Boer, Board member" in letter
    assert "On behalf of the board of Processor B.V." in letter
    assert "Privacy team" not in letter.split("Kind regards,")[1]
    assert "Page 1 of 1" in letter
    assert Objection.objects.get(pk=objection.pk).decided_by == board
    mail = OutboxMessage.objects.get(subject__startswith="Decision on", to_email=user.email)
    assert "Bram de Boer, Board member" in mail.body_text
    assert "On behalf of the board of Processor B.V." in mail.body_text
