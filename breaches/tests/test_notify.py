"""Selecting affected customers and notifying them (BR-03, BR-05, BR-06, BR-08), with
delivery through a real SMTP server deciding when each customer counts as informed."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from pypdf import PdfReader

from audits.models import AuditEvent
from breaches import selectors
from breaches.models import CustomerNotice, IncidentState, NoticeLetter, NoticeState
from breaches.services import (
    affected_select,
    incident_notify,
    incident_notify_approve,
    incident_report,
    incident_triage,
    notice_letter_render,
    notice_out_of_band_record,
    notice_preview,
)
from breaches.tests.conftest import START
from compliance.bounces import DeliveryFailure, bounce_record
from compliance.models import Contact, OutboxMessage
from compliance.outbox import outbox_sweep
from tests.factories import ContractFactory, CustomerFactory

H = datetime.timedelta(hours=1)


@pytest.fixture
def incident(clock, staff, officer, processor):
    incident = incident_report(
        actor=staff,
        title="Database export leaked",
        description="An export of the Profit database was readable from the internet.",
    )
    return incident_triage(
        actor=officer,
        incident=incident,
        personal_data_involved=True,
        data_categories="Names and e-mail addresses",
        subjects_min=100,
        subjects_max=200,
        likely_consequences="Phishing",
        enisa_dpc=1,
        enisa_ei="1",
        enisa_cb_confidentiality="0.5",
        measures_taken="Access closed",
    )


def notice_rows(notice):
    return OutboxMessage.objects.filter(cause_type="breaches.CustomerNotice", cause_id=notice.pk)


# --------------------------------------------------------------------------- selection


def test_selection_by_product_subprocessor_hand_all(
    incident, officer, product, other_product, subprocessor, make_customer
):
    """OBL BR-08: affected customers by product (active contracts), by subprocessor
    (through the products using it), by hand, or all; the rule is saved."""
    a = make_customer(product)
    b = make_customer(other_product)
    ended = CustomerFactory()
    contract = ContractFactory(
        customer=ended, starts_on=datetime.date(2020, 1, 1), ends_on=datetime.date(2021, 1, 1)
    )
    contract.products.add(product)

    incident = affected_select(actor=officer, incident=incident, rule="product", products=[product])
    assert set(incident.affected_customers.all()) == {a}
    assert incident.selection_rule == "product"
    assert list(incident.selection_products.all()) == [product]

    incident = affected_select(
        actor=officer, incident=incident, rule="subprocessor", subprocessor=subprocessor
    )
    assert set(incident.affected_customers.all()) == {a}
    assert incident.selection_subprocessor == subprocessor

    incident = affected_select(actor=officer, incident=incident, rule="hand", customers=[b])
    assert set(incident.affected_customers.all()) == {b}

    incident = affected_select(actor=officer, incident=incident, rule="all")
    assert set(incident.affected_customers.all()) == {a, b, ended}
    assert AuditEvent.objects.filter(action="incident.customers_selected").count() == 4

    with pytest.raises(ValidationError):
        affected_select(actor=officer, incident=incident, rule="hand", customers=[])
    with pytest.raises(ValidationError):
        affected_select(actor=officer, incident=incident, rule="moon")


def test_only_the_officer_selects_and_notifies(incident, staff, make_customer, product):
    make_customer(product)
    with pytest.raises(PermissionDenied):
        affected_select(actor=staff, incident=incident, rule="all")
    with pytest.raises(PermissionDenied):
        incident_notify(actor=staff, incident=incident)


# --------------------------------------------------------------------------- notify


def test_notify_queues_one_notice_per_customer_to_the_right_recipients(
    incident, officer, product, make_customer
):
    """OBL BR-05: one notice per customer; one message to the subscription contact and one
    to every breach-flagged contact, none to the other contacts; recipients recorded."""
    a = make_customer(product, contacts=3, flagged=2)
    b = make_customer(product, contacts=1, flagged=1)
    affected_select(actor=officer, incident=incident, rule="product", products=[product])
    result = incident_notify(actor=officer, incident=incident)
    assert result.notices_created == 2
    assert result.messages_queued == 5  # a: subscription + 2 flagged; b: subscription + 1
    incident.refresh_from_db()
    assert incident.state == IncidentState.NOTIFYING
    for customer in (a, b):
        notice = CustomerNotice.objects.get(incident=incident, customer=customer)
        assert notice.state == NoticeState.QUEUED
        assert notice.informed_at is None and notice.authority_due_at is None
        expected = set(
            Contact.objects.filter(customer=customer)
            .exclude(is_subscription_contact=False, receives_breach_notices=False)
            .values_list("email", flat=True)
        )
        assert {m.to_email for m in notice_rows(notice)} == expected
        for m in notice_rows(notice):
            assert m.key == (
                f"incident:{incident.pk}:update:0:customer:{customer.pk}:contact:{m.contact_id}"
            )
            assert m.customer_id == customer.pk
    assert AuditEvent.objects.filter(action="incident.notified").exists()
    assert AuditEvent.objects.filter(action="outbox.queued", customer_id=a.pk).exists()


@pytest.mark.parametrize(
    "language, phrases",
    [
        (
            "en",
            [
                "Nature of the incident",
                "Categories of personal data",
                "Names and e-mail addresses",
                "about 100 to 200",
                "Approximate number of records",
                "not yet known",
                "Likely consequences",
                "Phishing",
                "Measures taken",
                "Access closed",
                "Measures proposed",
                "Contact point",
                "privacy@processor.example",
            ],
        ),
        ("nl", ["privacy@processor.example", "Names and e-mail addresses", "Phishing"]),
    ],
)
def test_notice_carries_art_33_3_contents_in_the_customer_language(
    incident, officer, product, make_customer, language, phrases, settings
):
    """OBL BR-06: the e-mail itself carries nature, categories and approximate numbers,
    consequences, measures taken and proposed, the contact point, "not yet known" where
    empty, in the recipient's language, with a link to the notice in the portal."""
    customer = make_customer(product, language=language, name="Jansen & Zn B.V.")
    affected_select(actor=officer, incident=incident, rule="hand", customers=[customer])
    incident_notify(actor=officer, incident=incident)
    notice = CustomerNotice.objects.get(incident=incident, customer=customer)
    for message in notice_rows(notice):
        assert message.language == language
        for phrase in phrases:
            assert phrase in message.body_text, phrase
        assert f"{settings.SITE_URL}/portal/notices/{notice.pk}/" in message.body_text
        assert "Jansen & Zn B.V." in message.subject
        assert "Jansen &amp; Zn B.V." in message.body_html
        assert "@@" not in message.body_text + message.body_html + message.subject
    # The preview shows the same text as the customer receives.
    subject, text, html = notice_preview(
        actor=officer, incident=incident, customer=customer, language=language
    )
    assert text == notice_rows(notice).first().body_text


def test_dutch_notice_is_in_dutch(incident, officer, product, make_customer):
    """OBL BR-06: a Dutch customer reads the notice in Dutch (where translated) and an
    English one in English; the subject names the incident in both."""
    nl = make_customer(product, language="nl")
    en = make_customer(product, language="en")
    affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident)
    nl_msg = OutboxMessage.objects.filter(customer=nl).first()
    en_msg = OutboxMessage.objects.filter(customer=en).first()
    assert nl_msg.language == "nl" and en_msg.language == "en"
    assert incident.title in nl_msg.subject and incident.title in en_msg.subject


def test_duplicate_notify_click_notifies_nobody_twice(incident, officer, product, make_customer):
    """OBL BR-05: a second click is refused with a clear error and queues nothing."""
    make_customer(product)
    affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident)
    count = OutboxMessage.objects.filter(cause_type="breaches.CustomerNotice").count()
    with pytest.raises(ValidationError) as exc:
        incident_notify(actor=officer, incident=incident)
    assert exc.value.error_dict["__all__"][0].code == "already_notified"
    assert OutboxMessage.objects.filter(cause_type="breaches.CustomerNotice").count() == count
    assert CustomerNotice.objects.count() == 1


def test_customers_added_later_are_notified_once(incident, officer, product, make_customer):
    a = make_customer(product)
    affected_select(actor=officer, incident=incident, rule="hand", customers=[a])
    incident_notify(actor=officer, incident=incident)
    b = make_customer(product)
    affected_select(actor=officer, incident=incident, rule="hand", customers=[a, b])
    result = incident_notify(actor=officer, incident=incident)
    assert result.notices_created == 1
    assert (
        OutboxMessage.objects.filter(customer=a, cause_type="breaches.CustomerNotice").count() == 2
    )


def test_empty_selection_is_refused(incident, officer):
    """OBL BR-03: notifying without affected customers is a clear error."""
    with pytest.raises(ValidationError) as exc:
        incident_notify(actor=officer, incident=incident)
    assert exc.value.error_dict["__all__"][0].code == "empty_selection"
    affected_select(
        actor=officer, incident=incident, rule="product", products=[]
    ) if False else None
    assert CustomerNotice.objects.count() == 0


def test_customer_without_recipients_is_flagged(incident, officer, product, make_customer):
    """OBL BR-05: a customer with no subscription or breach contact gets no e-mail; its
    notice is shown undelivered and the officer is alerted."""
    lonely = make_customer(product, subscription=False, flagged=0, contacts=1)
    affected_select(actor=officer, incident=incident, rule="all")
    result = incident_notify(actor=officer, incident=incident)
    assert result.customers_without_recipients == [lonely.pk]
    notice = CustomerNotice.objects.get(customer=lonely)
    assert notice.state == NoticeState.FAILED
    assert list(selectors.notices_undelivered(officer)) == [notice]
    assert OutboxMessage.objects.filter(
        to_email=officer.email, key__contains="no_recipients"
    ).exists()


def test_late_notify_requires_a_reason(incident, officer, product, make_customer, clock):
    """OBL BR-03: notifying after the 48 h deadline needs the reason for the delay."""
    make_customer(product)
    affected_select(actor=officer, incident=incident, rule="all")
    clock.move_to(incident.customer_due_at + datetime.timedelta(seconds=1))
    with pytest.raises(ValidationError) as exc:
        incident_notify(actor=officer, incident=incident)
    assert "late_reason" in exc.value.message_dict
    assert CustomerNotice.objects.count() == 0
    incident_notify(actor=officer, incident=incident, late_reason="Customer list was wrong")
    notice = CustomerNotice.objects.get()
    assert notice.late_reason == "Customer list was wrong"


def test_four_eyes_needs_a_second_officer(
    incident, officer, second_officer, product, make_customer, processor
):
    """OBL BR-03: with four eyes on, the first officer's click only asks for approval."""
    processor.breach_notify_four_eyes = True
    processor.save()
    make_customer(product)
    affected_select(actor=officer, incident=incident, rule="all")
    result = incident_notify(actor=officer, incident=incident)
    assert result.pending_approval
    assert CustomerNotice.objects.count() == 0
    assert OutboxMessage.objects.filter(
        to_email=second_officer.email, key__contains="notify_request"
    ).exists()
    with pytest.raises(ValidationError):
        incident_notify_approve(actor=officer, incident=incident)
    result = incident_notify_approve(actor=second_officer, incident=incident)
    assert result.notices_created == 1
    incident.refresh_from_db()
    assert incident.notify_approved_by == second_officer


# --------------------------------------------------------------------------- delivery


def test_acceptance_through_real_smtp_informs_and_starts_72h(
    incident, officer, product, make_customer, smtp_server, clock
):
    """OBL BR-04: the first message accepted by a real SMTP server sets informed_at, and
    the customer's own 72 h run from then; the notice is sent; the incident monitors once
    every customer is informed."""
    customer = make_customer(product, flagged=2)
    affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident)
    clock.move_to(START + 2 * H)
    outbox_sweep()
    notice = CustomerNotice.objects.get(customer=customer)
    assert notice.state == NoticeState.SENT
    assert notice.informed_at == START + 2 * H
    assert notice.informed_how == "email"
    assert notice.aware_at == START + 2 * H
    assert notice.authority_due_at == START + 2 * H + 72 * H
    assert not notice.late
    received = [
        r
        for r in smtp_server.handler.received
        if customer.contacts.filter(email=r.rcpt_tos[0]).exists()
    ]
    assert len(received) == 3
    incident.refresh_from_db()
    assert incident.state == IncidentState.MONITORING
    assert AuditEvent.objects.filter(action="notice.informed", object_id=str(notice.pk)).exists()


def test_all_recipients_refused_means_not_informed(
    incident, officer, product, make_customer, smtp_server
):
    """OBL BR-04: when the server refuses every recipient, the customer is not informed,
    its 72 h clock does not start and the officer is alerted at once."""
    customer = make_customer(product, flagged=1)
    for contact in customer.contacts.all():
        smtp_server.handler.rcpt_replies[contact.email] = "550 5.1.1 No such user"
    affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident)
    outbox_sweep()
    notice = CustomerNotice.objects.get(customer=customer)
    assert notice.state == NoticeState.FAILED
    assert notice.informed_at is None and notice.authority_due_at is None
    assert notice.undelivered_at is not None
    alert = OutboxMessage.objects.get(
        key__startswith=f"notice:{notice.pk}:undelivered", to_email=officer.email
    )
    assert "550" in alert.body_text
    assert list(selectors.notices_undelivered(officer)) == [notice]


def test_one_refused_one_accepted_is_informed(
    incident, officer, product, make_customer, smtp_server
):
    customer = make_customer(product, flagged=1)
    flagged = customer.contacts.get(receives_breach_notices=True)
    smtp_server.handler.rcpt_replies[flagged.email] = "550 5.1.1 No such user"
    affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident)
    outbox_sweep()
    notice = CustomerNotice.objects.get(customer=customer)
    assert notice.state == NoticeState.SENT and notice.informed_at is not None


def test_later_bounce_of_every_recipient_makes_it_uninformed_again(
    incident, officer, product, make_customer, smtp_server
):
    """OBL BR-04: a customer whose every accepted message bounces later is shown as not
    informed again (clock cleared) and the officer is alerted."""
    customer = make_customer(product, flagged=1)
    affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident)
    outbox_sweep()
    notice = CustomerNotice.objects.get(customer=customer)
    assert notice.informed_at is not None
    rows = list(notice_rows(notice))
    bounce_record(failure=DeliveryFailure(rows[0].message_id, rows[0].to_email, "5.1.1", "gone"))
    notice.refresh_from_db()
    assert notice.informed_at is not None  # the other recipient still got it
    bounce_record(failure=DeliveryFailure(rows[1].message_id, rows[1].to_email, "5.1.1", "gone"))
    notice.refresh_from_db()
    assert notice.informed_at is None
    assert notice.authority_due_at is None
    assert notice.state == NoticeState.FAILED
    assert OutboxMessage.objects.filter(key__startswith=f"notice:{notice.pk}:undelivered").exists()


def test_out_of_band_notice_counts(incident, officer, product, make_customer, smtp_server, clock):
    """OBL BR-03: an out-of-band notice recorded by the officer counts as informing, with
    its note, and starts the customer's 72 h (BR-04); a late one needs a reason."""
    customer = make_customer(product, flagged=0)
    for contact in customer.contacts.all():
        smtp_server.handler.rcpt_replies[contact.email] = "550 no"
    affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident)
    outbox_sweep()
    notice = CustomerNotice.objects.get(customer=customer)
    assert notice.state == NoticeState.FAILED
    with pytest.raises(ValidationError):
        notice_out_of_band_record(actor=officer, notice=notice, note="")
    clock.move_to(START + 3 * H)
    notice = notice_out_of_band_record(
        actor=officer, notice=notice, note="Phoned J. Jansen at 14:05", informed_at=START + 3 * H
    )
    assert notice.state == NoticeState.SENT
    assert notice.informed_how == "out_of_band"
    assert notice.informed_at == START + 3 * H
    assert notice.authority_due_at == START + 75 * H
    assert AuditEvent.objects.filter(action="notice.out_of_band_recorded").exists()


def test_out_of_band_after_the_deadline_needs_a_reason(
    incident, officer, product, make_customer, clock
):
    customer = make_customer(product, subscription=False, flagged=0)
    affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident)
    notice = CustomerNotice.objects.get(customer=customer)
    clock.move_to(incident.customer_due_at + H)
    with pytest.raises(ValidationError) as exc:
        notice_out_of_band_record(actor=officer, notice=notice, note="Phoned")
    assert "late_reason" in exc.value.message_dict
    notice = notice_out_of_band_record(
        actor=officer, notice=notice, note="Phoned", late_reason="No contact on file"
    )
    assert notice.late and notice.late_reason == "No contact on file"


def test_informed_after_48h_is_late(incident, officer, product, make_customer, smtp_server, clock):
    """OBL BR-03: accepted one second after the deadline is late; the officer is asked."""
    customer = make_customer(product)
    affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident)
    clock.move_to(incident.customer_due_at + datetime.timedelta(seconds=1))
    outbox_sweep()
    notice = CustomerNotice.objects.get(customer=customer)
    assert notice.late
    assert list(selectors.notices_late_without_reason(officer)) == [notice]


def test_letter_is_rendered_and_stored(incident, officer, product, make_customer):
    """OBL BR-06, BR-04: the PDF letter per customer is asked for once the customer is
    informed (not when the notice is queued: it states the customer's own deadline), then
    rendered in the background and stored."""
    customer = make_customer(product)
    affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident)
    notice = CustomerNotice.objects.get(customer=customer)
    assert notice_letter_render(notice_id=notice.pk) is None
    assert not NoticeLetter.objects.filter(notice=notice).exists()
    notice_out_of_band_record(actor=officer, notice=notice, note="Phoned the contact.")
    document = notice_letter_render(notice_id=notice.pk)
    notice.refresh_from_db()
    assert notice.letter == document
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(bytes(document.content))).pages
    )
    assert "Database export leaked" in text
    assert notice_letter_render(notice_id=notice.pk) == document


def test_customer_scoping_of_notices(incident, officer, product, make_customer, make_user):
    """OBL BR-04: a customer user sees only its own organisation's notices (404 else)."""
    from compliance.models import Role

    a = make_customer(product)
    b = make_customer(product)
    affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident)
    user_a = make_user(Role.CUSTOMER_CONTACT, customer=a)
    notice_b = CustomerNotice.objects.get(customer=b)
    assert [n.customer for n in selectors.notices_for(user_a)] == [a]
    with pytest.raises(Http404):
        selectors.notice_get(user_a, notice_b.pk)
    assert list(selectors.incidents_for(user_a)) == []


def test_notice_for_a_customer_not_affected_is_refused(incident, officer, product, make_customer):
    """OBL BR-05: no notice (or preview of one) for a customer outside the selection."""
    affected = make_customer(product)
    outsider = make_customer(product)
    affected_select(actor=officer, incident=incident, rule="hand", customers=[affected])
    with pytest.raises(ValidationError) as exc:
        notice_preview(actor=officer, incident=incident, customer=outsider, language="en")
    assert "customer" in exc.value.message_dict
    incident_notify(actor=officer, incident=incident)
    assert not CustomerNotice.objects.filter(customer=outsider).exists()
    assert not OutboxMessage.objects.filter(customer=outsider).exists()
