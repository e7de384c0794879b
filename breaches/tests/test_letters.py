"""PDF letters of breach notices through the fast path: shared pages rendered once per
language, the own page as stationery with each customer's values stamped in, assembled per
customer (BR-06). A letter is a version asked for when the notice is informed
(`notice_letter_queue`); `breaches/tests/test_letter_versions.py` covers the versions."""

import hashlib
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from audits.models import AuditEvent
from breaches import letters
from breaches.models import CustomerNotice, NoticeLetter
from breaches.services import (
    affected_select,
    incident_notify,
    incident_report,
    incident_triage,
    notice_letter_render,
    notice_letters_render,
)
from compliance.models import Customer, Role, StoredDocument
from compliance.outbox import outbox_sweep
from compliance.templatetags.compliance_tags import local_deadline
from tests.auth import sign_in


@pytest.fixture
def notices(clock, staff, officer, processor, product, make_customer, smtp_server):
    incident = incident_report(
        actor=staff,
        title="Backup bucket exposed",
        description="A storage bucket with backups was readable from the internet.",
    )
    incident_triage(
        actor=officer,
        incident=incident,
        personal_data_involved=True,
        data_categories="Names and e-mail addresses",
        subjects_min=100,
        subjects_max=200,
        likely_consequences="Phishing",
        enisa_dpc=1,
        enisa_ei="1",
        measures_taken="Bucket closed; keys rotated.",
        measures_proposed="Daily policy check.",
    )
    customers = {
        "alpha": make_customer(product, language="en", name="Alpha Holding B.V."),
        "beta": make_customer(product, language="en", name="Beta Logistics B.V."),
        "gamma": make_customer(product, language="nl", name="Gamma Zorg B.V."),
    }
    affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident)
    outbox_sweep()  # the mail server accepts: each customer is informed, its 72 h start
    notices = {
        key: CustomerNotice.objects.select_related("customer").get(customer=customer)
        for key, customer in customers.items()
    }
    # The acceptance asked for each letter (breaches.services.informing).
    assert NoticeLetter.objects.filter(document__isnull=True).count() == 3
    return notices


def pages_text(document: StoredDocument) -> list[str]:
    reader = PdfReader(io.BytesIO(bytes(document.content)))
    return [page.extract_text() for page in reader.pages]


def test_letter_has_own_page_and_shared_pages(notices):
    """OBL BR-06: each customer's letter is its own page (its name, its own deadline) and the
    shared pages (the incident, its Art. 33(3) contents, the measures), in its language."""
    ids = [n.pk for n in notices.values()]
    documents = notice_letters_render(notice_ids=ids)
    assert len(documents) == 3
    for notice in notices.values():
        notice.refresh_from_db()
        assert notice.authority_due_at is not None
        text = pages_text(notice.letter)
        assert len(text) >= 2
        own, shared = text[0], "\n".join(text[1:])
        assert notice.customer.name in own
        with translation.override(notice.customer.language):
            assert local_deadline(notice.authority_due_at) in own
        assert str(notice.letter.uuid) in own
        assert "Backup bucket exposed" in shared
        assert "Bucket closed; keys rotated." in shared
        assert "Daily policy check." in shared
        assert notice.customer.name not in shared
        reader = PdfReader(io.BytesIO(bytes(notice.letter.content)))
        assert reader.metadata.title == notice.letter.title
        assert reader.trailer["/Root"]["/Lang"] == notice.customer.language
    english = "\n".join(pages_text(notices["alpha"].letter))
    dutch = "\n".join(pages_text(notices["gamma"].letter))
    assert "Nature of the incident" in english and "Measures taken" in english
    assert "Aard van het incident" in dutch and "Genomen maatregelen" in dutch
    assert "Nature of the incident" not in dutch
    assert notices["gamma"].letter.title.startswith("Melding beveiligingsincident")


def test_two_letters_differ_only_in_their_own_page(notices):
    """OBL BR-06: customers of one language share the same incident pages word for word."""
    notice_letters_render(notice_ids=[notices["alpha"].pk, notices["beta"].pk])
    alpha, beta = (CustomerNotice.objects.get(pk=notices[k].pk).letter for k in ("alpha", "beta"))
    alpha_pages, beta_pages = pages_text(alpha), pages_text(beta)
    assert len(alpha_pages) == len(beta_pages)
    assert alpha_pages[1:] == beta_pages[1:]
    assert alpha_pages[0] != beta_pages[0]
    assert "Alpha Holding" in alpha_pages[0] and "Beta Logistics" not in alpha_pages[0]
    assert "Beta Logistics" in beta_pages[0] and "Alpha Holding" not in beta_pages[0]


def test_stored_letters_keep_hash_template_language_and_audit(notices):
    """OBL BR-06: every letter is its own immutable document; its SHA-256 matches the
    bytes, it names its template version, language and customer, and is on the audit trail."""
    documents = notice_letters_render(notice_ids=[n.pk for n in notices.values()])
    for document in documents:
        document.refresh_from_db()
        content = bytes(document.content)
        assert document.sha256 == hashlib.sha256(content).hexdigest()
        assert document.size == len(content)
        assert document.template_name == letters.TEMPLATE_NAME
        assert document.template_version == letters.letter_template_version()
        notice = CustomerNotice.objects.get(letter=document)
        assert document.customer_id == notice.customer_id
        assert document.language == notice.customer.language
        assert AuditEvent.objects.filter(
            action="document.issued", object_id=str(document.pk)
        ).exists()
        assert AuditEvent.objects.filter(action="notice.letter_stored", object_id=str(notice.pk))
    assert len({d.sha256 for d in documents}) == 3
    # Rendering again issues nothing new: a letter is issued once per notice.
    assert notice_letters_render(notice_ids=[n.pk for n in notices.values()]) == []
    assert StoredDocument.objects.count() == 3


def test_single_notice_path_and_batches_of_one(notices):
    """OBL BR-06: the one-notice service uses the same path; small batches still put each
    customer's own page in its own letter."""
    document = notice_letter_render(notice_id=notices["alpha"].pk)
    assert notice_letter_render(notice_id=notices["alpha"].pk) == document
    assert "Alpha Holding" in pages_text(document)[0]
    rest = letters.notice_letters_render(
        notice_ids=[notices["beta"].pk, notices["gamma"].pk], batch_size=1
    )
    assert {d.customer_id for d in rest} == {
        notices["beta"].customer_id,
        notices["gamma"].customer_id,
    }


def test_another_customers_letter_is_not_downloadable(notices, make_user):
    """OBL BR-06: a customer user downloads its own letter; another customer's is a 404."""
    notice_letters_render(notice_ids=[n.pk for n in notices.values()])
    alpha = CustomerNotice.objects.get(pk=notices["alpha"].pk).letter
    beta = CustomerNotice.objects.get(pk=notices["beta"].pk).letter
    client = sign_in(Client(), make_user(Role.CUSTOMER_CONTACT, customer=alpha.customer))
    response = client.get(reverse("document_download", args=[alpha.uuid]))
    assert response.status_code == 200
    assert b"".join(response) == bytes(alpha.content)
    assert client.get(reverse("document_download", args=[beta.uuid])).status_code == 404


def first_page_lines(document: StoredDocument) -> list[tuple[int, str]]:
    """Each line of text on the first page with its height on the page (points), the
    document reference left out."""
    lines = []

    def visit(text, cm, tm, _font, _size):
        if text.strip():
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            lines.append(
                (round(y), re.sub(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", "…", text))
            )

    PdfReader(io.BytesIO(bytes(document.content))).pages[0].extract_text(visitor_text=visit)
    return sorted(lines)


def test_fast_letter_says_what_the_complete_letter_says(notices):
    """OBL BR-06: the letter from stationery and stamped values carries the same text at the
    same places as the letter rendered from scratch, for each wording (reported by the
    customer itself, deadline known or not) and for a name of the longest allowed length,
    which wraps inside its box on the first page."""
    longest = "W" * Customer._meta.get_field("name").max_length
    Customer.objects.filter(pk=notices["beta"].customer_id).update(name=longest)
    CustomerNotice.objects.filter(pk=notices["gamma"].pk).update(customer_reported=True)
    # A letter issued before the deadline was known (a version stating none).
    NoticeLetter.objects.filter(notice=notices["alpha"]).update(
        aware_at=None, authority_due_at=None
    )
    notice_letters_render(notice_ids=[n.pk for n in notices.values()])
    for key in notices:
        notice = CustomerNotice.objects.select_related("letter", "incident", "customer").get(
            pk=notices[key].pk
        )
        version = NoticeLetter.objects.get(document=notice.letter)
        complete = letters.letter_complete_render(notice=notice, version=version)
        fast_pages, complete_pages = pages_text(notice.letter), pages_text(complete)
        assert len(fast_pages) == len(complete_pages)
        assert fast_pages[1:] == complete_pages[1:]
        assert first_page_lines(notice.letter) == first_page_lines(complete)
        assert str(notice.letter.uuid) in fast_pages[0]
    beta = CustomerNotice.objects.select_related("letter").get(pk=notices["beta"].pk)
    lines = first_page_lines(beta.letter)
    name_lines = [text.strip() for _y, text in reversed(lines) if set(text.strip()) == {"W"}]
    assert len(name_lines) > 1 and "".join(name_lines) == longest
    number = next(y for y, text in lines if text.startswith("Customer number"))
    date = next(y for y, text in lines if text.startswith("Date"))
    assert number > date  # the name's last line and the number stay above the date
    alpha = pages_text(CustomerNotice.objects.get(pk=notices["alpha"].pk).letter)[0]
    assert "72 hours after you became aware" in " ".join(alpha.split())
    gamma = pages_text(CustomerNotice.objects.get(pk=notices["gamma"].pk).letter)[0]
    assert "zelf bij ons gemeld" in " ".join(gamma.split())


def test_the_longest_letterhead_keeps_the_own_page_one_page(notices, processor):
    """OBL BR-06: with the longest processor details the profile accepts (names of 200
    characters, an address of 8 lines and 400 characters) and the longest customer name,
    every letter is still its own page followed by the shared pages."""
    from compliance.models import ADDRESS_MAX_CHARACTERS, ADDRESS_MAX_LINES

    line = "X" * (ADDRESS_MAX_CHARACTERS // ADDRESS_MAX_LINES - 1)
    processor.legal_name = "L" * 200
    processor.privacy_team_name = "T" * 200
    processor.privacy_phone = "9" * 50
    processor.address = "\n".join([line] * ADDRESS_MAX_LINES)
    processor.full_clean()
    processor.save()
    Customer.objects.filter(pk=notices["beta"].customer_id).update(name="W" * 200)
    notice_letters_render(notice_ids=[n.pk for n in notices.values()])
    for notice in CustomerNotice.objects.select_related("letter", "incident", "customer"):
        fast, complete = (
            pages_text(notice.letter),
            pages_text(letters.letter_complete_render(notice=notice)),
        )
        assert len(fast) == len(complete)
        enclosure = letters.enclosure_title(notice.incident, notice.customer.language)
        assert enclosure not in fast[0] and enclosure in fast[1] and enclosure in complete[1]
