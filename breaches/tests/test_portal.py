"""Portal pages of the breach workflow: a customer's notices, acknowledgement, announced
notification, decision, its own report of a suspected incident and the PDF letter."""

import datetime
import hashlib
import re

import pytest
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone

from breaches.models import CustomerNotice, Incident, IncidentSource, NoticeLetter, NoticeState
from breaches.services import affected_select, incident_notify, incident_report
from breaches.tests.conftest import START
from compliance.models import OutboxMessage, Role, StoredDocument
from tests.auth import sign_in

H = datetime.timedelta(hours=1)


def client_of(user) -> Client:
    return sign_in(Client(), user)


@pytest.fixture
def notified(clock, staff, officer, processor, product, make_customer, make_user):
    incident = incident_report(actor=staff, title="Ransomware", description="Files encrypted.")
    a = make_customer(product, language="en", name="Alpha B.V.")
    b = make_customer(product, language="nl", name="Beta B.V.")
    affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident)
    return {
        "incident": incident,
        "a": CustomerNotice.objects.get(customer=a),
        "b": CustomerNotice.objects.get(customer=b),
        "user_a": make_user(Role.CUSTOMER_CONTACT, customer=a),
        "user_b": make_user(Role.CUSTOMER_ADMIN, customer=b),
    }


def test_notice_list_and_detail_own_customer_only(notified):
    """OBL BR-06: the customer sees its notice with the Art. 33(3) contents; another
    customer's notice answers 404 (pages and actions)."""
    client = client_of(notified["user_a"])
    listing = client.get(reverse("portal_notices")).content.decode()
    assert "Ransomware" in listing
    assert reverse("portal_notice_detail", args=[notified["a"].pk]) in listing
    assert reverse("portal_notice_detail", args=[notified["b"].pk]) not in listing
    detail = client.get(reverse("portal_notice_detail", args=[notified["a"].pk]))
    body = detail.content.decode()
    assert detail.status_code == 200
    for text in (
        "Nature of the incident",
        "Approximate number of data subjects",
        "Likely consequences",
        "Measures taken",
        "Contact point",
        "privacy@processor.example",
        "not yet known",
    ):
        assert text in body
    other = notified["b"].pk
    for name, method in (
        ("portal_notice_detail", "get"),
        ("portal_notice_acknowledge", "post"),
        ("portal_notice_intention", "post"),
        ("portal_notice_decision", "post"),
    ):
        response = getattr(client, method)(reverse(name, args=[other]))
        assert response.status_code == 404, name
    notified["b"].refresh_from_db()
    assert notified["b"].acknowledged_at is None and notified["b"].decided_at is None


def test_staff_cannot_use_the_portal(notified, officer):
    client = client_of(officer)
    assert client.get(reverse("portal_notices")).status_code == 404
    response = client.post(reverse("portal_notice_acknowledge", args=[notified["a"].pk]))
    assert response.status_code in (403, 404)


def test_acknowledge(notified):
    """OBL BR-04: the customer's contact acknowledges its notice from the portal."""
    client = client_of(notified["user_a"])
    response = client.post(reverse("portal_notice_acknowledge", args=[notified["a"].pk]))
    assert response.status_code == 302
    notice = CustomerNotice.objects.get(pk=notified["a"].pk)
    assert notice.state == NoticeState.ACKNOWLEDGED
    assert notice.acknowledged_by == notified["user_a"]
    page = client.get(reverse("portal_notice_detail", args=[notice.pk])).content.decode()
    assert "Acknowledged at" in page
    assert "(72 hours)" in page and "CEST" in page


def test_intention_announced_alerts_officers(notified, officer):
    """OBL BR-09: the customer announces its intended notification; the privacy officer is
    alerted at once."""
    client = client_of(notified["user_a"])
    before = OutboxMessage.objects.filter(to_email=officer.email).count()
    response = client.post(
        reverse("portal_notice_intention", args=[notified["a"].pk]),
        {"kind": "preliminary", "recipients": "ap", "planned_at": "2026-09-02T10:00", "note": ""},
    )
    assert response.status_code == 302
    notice = CustomerNotice.objects.get(pk=notified["a"].pk)
    assert notice.intention_recipients == ["ap"]
    assert notice.intention_planned_at == datetime.datetime(2026, 9, 2, 8, 0, tzinfo=datetime.UTC)
    assert OutboxMessage.objects.filter(to_email=officer.email).count() == before + 1
    response = client.post(
        reverse("portal_notice_intention", args=[notified["a"].pk]), {"kind": "", "recipients": ""}
    )
    assert response.status_code == 400


def test_decision_records_and_revises(notified, clock):
    """OBL BR-04: the customer records its decision (notified the AP, date, reference) and
    revises it later; every version is kept."""
    client = client_of(notified["user_a"])
    url = reverse("portal_notice_decision", args=[notified["a"].pk])
    response = client.post(
        url,
        {
            "is_breach": "yes",
            "breach_reasoning": "Names and addresses of our clients.",
            "authority_status": "notified_provisionally",
            "authority": "ap",
            "authority_notified_on": "2026-09-01",
            "authority_reference": "AP-2026-123",
            "subjects_status": "will_not_inform",
            "subjects_reasoning": "Low risk for the people involved.",
        },
    )
    assert response.status_code == 302, response.content.decode()
    notice = CustomerNotice.objects.get(pk=notified["a"].pk)
    assert notice.state == NoticeState.DECIDED
    assert notice.decision_authority_reference == "AP-2026-123"
    clock.shift(H)
    response = client.post(
        url,
        {
            "is_breach": "no",
            "breach_reasoning": "Our analysis shows no personal data was read.",
        },
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.decision_is_breach is False
    assert notice.decision_authority_reference == ""
    versions = {h.decision_authority_reference for h in notice.history.all()}
    assert "AP-2026-123" in versions
    page = client.get(reverse("portal_notice_detail", args=[notice.pk])).content.decode()
    assert "Earlier versions" in page and "Revise decision" in page


def test_decision_bad_input_gets_form_errors(notified):
    """Bad input: a breach without the authority's reference, or a future date, is a form
    error; nothing is recorded."""
    client = client_of(notified["user_a"])
    url = reverse("portal_notice_decision", args=[notified["a"].pk])
    response = client.post(
        url,
        {
            "is_breach": "yes",
            "breach_reasoning": "Yes",
            "authority_status": "notified_provisionally",
            "authority": "ap",
            "authority_notified_on": "2026-09-05",
            "subjects_status": "will_not_inform",
            "subjects_reasoning": "x",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "This date is in the future." in body
    assert "Enter the authority&#x27;s reference." in body or "reference" in body
    assert client.post(url, {"breach_reasoning": "x"}).status_code == 400
    notice = CustomerNotice.objects.get(pk=notified["a"].pk)
    assert notice.decided_at is None


def test_no_action_notifies_an_authority(notified):
    """OBL BR-04: no route, page or button lets the processor notify an authority."""
    names = [
        name
        for name in get_resolver().reverse_dict
        if isinstance(name, str) and re.search(r"authority.*notif|notif.*authority", name)
    ]
    assert names == []
    page = client_of(notified["user_a"]).get(
        reverse("portal_notice_detail", args=[notified["a"].pk])
    )
    assert "never sends a notification to the authority" in page.content.decode()


def test_portal_report_creates_an_incident(
    clock, processor, officer, product, make_customer, make_user
):
    """OBL BR-10: a customer reports a suspected incident from the portal; it lands in
    the one incident workflow, the officer is alerted, and the customer's notice says it
    reported the incident itself."""
    customer = make_customer(product)
    user = make_user(Role.CUSTOMER_CONTACT, customer=customer)
    client = client_of(user)
    assert client.get(reverse("portal_incident_report")).status_code == 200
    response = client.post(
        reverse("portal_incident_report"),
        {
            "title": "Strange logins",
            "description": "We see logins of our users from an unknown country.",
            "found_at_source": "2026-09-01T09:00",
            "products": [product.pk],
            "personal_data_possible": "yes",
        },
    )
    incident = Incident.objects.get()
    notice = CustomerNotice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal_notice_detail", args=[notice.pk])
    assert incident.source == IncidentSource.CUSTOMER and incident.source_customer == customer
    assert notice.customer_reported and notice.authority_due_at == START + 72 * H
    assert OutboxMessage.objects.filter(to_email=officer.email).exists()
    page = client.get(response["Location"]).content.decode()
    assert "You reported this incident to us yourself" in page


def test_portal_report_bad_input(clock, processor, customer_contact):
    client = client_of(customer_contact)
    response = client.post(
        reverse("portal_incident_report"),
        {"title": "x", "description": "y", "occurred_at": "2030-01-01T10:00"},
    )
    assert response.status_code == 400
    assert "This time is in the future." in response.content.decode()
    assert not Incident.objects.exists()


def test_staff_cannot_report_through_the_portal(clock, officer):
    assert client_of(officer).get(reverse("portal_incident_report")).status_code == 403


def test_letter_download_only_for_own_customer(notified):
    """OBL BR-06: the customer downloads its PDF letter; another customer cannot."""
    content = b"%PDF-1.4 letter"
    notice = notified["a"]
    document = StoredDocument.objects.create(
        customer=notice.customer,
        title="Letter",
        filename="letter.pdf",
        content=content,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        template_name="pdf/breach_notice_letter.html",
        template_version="1",
        language="en",
    )
    NoticeLetter.objects.create(
        notice=notice, version=1, document=document, informed_at=timezone.now()
    )
    CustomerNotice.objects.filter(pk=notice.pk).update(letter=document)
    client = client_of(notified["user_a"])
    page = client.get(reverse("portal_notice_detail", args=[notice.pk])).content.decode()
    url = reverse("document_download", args=[document.uuid])
    assert url in page
    assert client.get(url).content == content
    assert client_of(notified["user_b"]).get(url).status_code == 404


def test_decision_versions_differ_in_any_decision_field(notified, clock):
    """OBL BR-04: every version of the decision is kept; a revision that changes only the
    date the authority was notified, recorded at the same moment, is a version of its own
    on the portal and in the dossier (one key: the moment and every decision field)."""
    from breaches.decisions import decision_versions

    client = client_of(notified["user_a"])
    url = reverse("portal_notice_decision", args=[notified["a"].pk])
    data = {
        "is_breach": "yes",
        "breach_reasoning": "Names and addresses of our clients.",
        "authority_status": "notified_provisionally",
        "authority": "ap",
        "authority_notified_on": "2026-08-31",
        "authority_reference": "AP-2026-123",
        "subjects_status": "will_not_inform",
        "subjects_reasoning": "Low risk for the people involved.",
    }
    assert client.post(url, data).status_code == 302
    assert client.post(url, {**data, "authority_notified_on": "2026-09-01"}).status_code == 302
    notice = CustomerNotice.objects.get(pk=notified["a"].pk)
    versions = decision_versions(notice)
    assert [str(v.decision_authority_notified_on) for v in versions] == [
        "2026-08-31",
        "2026-09-01",
    ]
    assert versions[0].decided_at == versions[1].decided_at
    page = client.get(reverse("portal_notice_detail", args=[notice.pk])).content.decode()
    assert "Earlier versions" in page
