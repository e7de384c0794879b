"""The breach letter gives the facts the e-mail gives, numbers its pages "page x of y" in the
customer's language and is signed by the privacy officer who notified (issue 17)."""

import io
import re

import pytest
from pypdf import PdfReader

from breaches.letters import letter_complete_render
from breaches.models import CustomerNotice
from breaches.services import (
    affected_select,
    incident_notify,
    incident_report,
    incident_triage,
    notice_letters_render,
)
from compliance.models import Role
from compliance.outbox import outbox_sweep
from tests.factories import UserFactory


@pytest.fixture
def notices(clock, staff, processor, product, make_customer, smtp_server):
    officer = UserFactory(
        role=Role.PRIVACY_OFFICER, email="olga@processor.example", full_name="Olga Janssen"
    )
    incident = incident_report(
        actor=staff,
        title="Patient portal exposed",
        description="A portal with patient records was readable without signing in.",
    )
    incident_triage(
        actor=officer,
        incident=incident,
        personal_data_involved=True,
        special_categories=True,
        special_categories_detail="health data",
        data_unintelligible=False,
        data_categories="Names and diagnoses",
        subjects_min=100,
        subjects_max=200,
        likely_consequences="Disclosure of health data",
        enisa_dpc=3,
        enisa_ei="1",
        measures_taken="Portal closed.",
        measures_proposed="Access review.",
    )
    customers = {
        "en": make_customer(product, language="en", name="Alpha Holding B.V."),
        "nl": make_customer(product, language="nl", name="Gamma Zorg B.V."),
    }
    affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident)
    outbox_sweep()
    return {
        key: CustomerNotice.objects.select_related("customer", "incident").get(customer=c)
        for key, c in customers.items()
    }


def pages_text(document) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(bytes(document.content))).pages]


def test_breach_letters_give_the_facts_number_their_pages_and_name_the_signatory(notices):
    """OBL BR-06: the letter states special categories, whether the data stayed
    unintelligible and the estimated severity, as the e-mail does; every page says
    "Page x of y" in the customer's language; the privacy officer who notified signs with
    name and role."""
    documents = notice_letters_render(notice_ids=[n.pk for n in notices.values()])
    by_language = {d.language: d for d in documents}

    pages = pages_text(by_language["en"])
    total = len(pages)
    assert total >= 2
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in text, (number, text[-200:])
    text = " ".join(" ".join(pages).split())
    assert "Special categories of personal data" in text
    assert "yes (health data)" in text
    assert "Data unintelligible (encrypted or hashed)" in text
    assert "Estimated severity (ENISA" in text
    assert "Olga Janssen, Privacy officer" in text

    pages = pages_text(by_language["nl"])
    total = len(pages)
    for number, text in enumerate(pages, start=1):
        assert f"Pagina {number} van {total}" in text, (number, text[-200:])
    text = " ".join(" ".join(pages).split())
    assert "Bijzondere categorieën persoonsgegevens" in text
    assert "Gegevens onleesbaar (versleuteld of gehasht)" in text
    # The severity line's Dutch comes with helper A's words (the mail's sentence).
    assert "Geschatte ernst" in text or "Estimated severity (ENISA" in text
    assert "Olga Janssen, Privacy officer" in text
    assert "Page " not in text
    # The Dutch letters address the reader as "je"/"jullie", never "u"/"uw".
    assert not re.search(r"\b(u|uw|Uw)\b", text), text


def test_the_complete_letter_numbers_its_pages_too(notices):
    """OBL BR-06: the letter rendered from scratch numbers its pages the same way."""
    document = letter_complete_render(notice=notices["nl"])
    pages = pages_text(document)
    for number, text in enumerate(pages, start=1):
        assert f"Pagina {number} van {len(pages)}" in text
