"""One way to write the ENISA severity (issue 17): "2.00 · Medium", never "2 · Medium" beside
"1.75 · Low"; the score with two decimals in the reader's number format, then the band."""

import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from breaches.models import CustomerNotice
from breaches.services import (
    affected_select,
    incident_notify,
    incident_report,
    incident_triage,
    notice_letters_render,
)
from breaches.severity_text import severity_text
from compliance.models import OutboxMessage, Role
from tests.auth import sign_in
from tests.factories import UserFactory


@pytest.mark.parametrize(
    ("score", "band", "language", "expected"),
    [
        (Decimal("2"), "medium", "en", "2.00 · Medium"),
        (Decimal("1.75"), "low", "en", "1.75 · Low"),
        (Decimal("2"), "medium", "nl", "2,00 · Gemiddeld"),
        (Decimal("4.5"), "very_high", "en", "4.50 · Very high"),
    ],
)
def test_severity_text_has_one_format(score, band, language, expected):
    assert severity_text(score, band, language=language) == expected


def test_no_severity_before_the_assessment():
    assert severity_text(None, "") == ""
    assert severity_text(Decimal("2"), "") == ""


@pytest.fixture
def notices(clock, staff, processor, product, make_customer):
    officer = UserFactory(role=Role.PRIVACY_OFFICER)
    incident = incident_report(
        actor=staff,
        title="Backup readable",
        description="A backup with customer records was readable without signing in.",
    )
    incident_triage(
        actor=officer,
        incident=incident,
        personal_data_involved=True,
        special_categories=False,
        data_unintelligible=False,
        data_categories="Names",
        subjects_min=10,
        subjects_max=20,
        likely_consequences="Disclosure of names",
        enisa_dpc=2,
        enisa_ei="1",
        measures_taken="Backup removed.",
        measures_proposed="Access review.",
    )
    customers = {
        "en": make_customer(product, language="en", name="Alpha B.V."),
        "nl": make_customer(product, language="nl", name="Gamma B.V."),
    }
    affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident)
    notices = {
        key: CustomerNotice.objects.select_related("customer", "incident").get(customer=c)
        for key, c in customers.items()
    }
    return officer, incident, notices


def test_pages_mails_and_letters_write_the_severity_the_same_way(notices):
    """OBL BR-11: a score of exactly 2 reads "2.00 · Medium" on the officer's incident page,
    the customer's notice page, the breach mail and the breach letter, in each language."""
    officer, incident, by_language = notices
    assert incident.__class__.objects.get(pk=incident.pk).severity_score == Decimal("2")

    page = sign_in(Client(), officer).get(reverse("incident_detail", args=[incident.pk]))
    assert "2.00 · Medium" in page.content.decode()

    notice = by_language["nl"]
    customer_user = UserFactory(role=Role.CUSTOMER_ADMIN, customer=notice.customer, language="nl")
    portal = sign_in(Client(), customer_user).get(reverse("portal_notice_detail", args=[notice.pk]))
    assert "2,00 · Gemiddeld" in portal.content.decode()

    for language, expected in (("en", "2.00 · Medium"), ("nl", "2,00 · Gemiddeld")):
        mail = OutboxMessage.objects.filter(
            customer=by_language[language].customer, language=language
        ).first()
        assert expected in mail.body_text, mail.body_text
        assert expected in mail.body_html

    documents = notice_letters_render(notice_ids=[n.pk for n in by_language.values()])
    for document in documents:
        reader = PdfReader(io.BytesIO(bytes(document.content)))
        text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
        expected = "2,00 · Gemiddeld" if document.language == "nl" else "2.00 · Medium"
        assert expected in text, text
        assert " 2 · " not in text
