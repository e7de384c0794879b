"""Contact pages (BR-05) in the portal and on the staff side, and the staff customer pages."""

import datetime

import pytest
from django.urls import reverse

from audits.models import AuditEvent
from compliance.models import Contact, Role
from tests.factories import ContactFactory, ContractFactory, CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Anna de Vries",
    "email": "anna@customer.example",
    "phone": "+31 20 123 4567",
    "language": "",
    "receives_breach_notices": "on",
}


@pytest.fixture
def ours(customer):
    return ContactFactory(customer=customer, name="Our contact", email="ours@customer.example")


@pytest.fixture
def theirs(other_customer):
    return ContactFactory(customer=other_customer, name="Their contact")


# --- portal: the customer's admin keeps its contacts ---------------------------------------------


def test_admin_lists_own_contacts_only(customer_admin, client_for, ours, theirs):
    """OBL BR-05: the portal lists the organisation's contacts with the breach flag and the
    subscription contact."""
    response = client_for(customer_admin).get(reverse("portal_contacts"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Our contact" in html
    assert "Their contact" not in html
    assert "Meldplicht Datalekken" in html
    assert "Subscription contact" in html
    assert reverse("portal_contact_create") in html
    assert reverse("contact_update", args=[ours.pk]) in html


def test_admin_adds_a_breach_contact(customer_admin, client_for, customer):
    """OBL BR-05: the customer's admin adds a contact flagged for data breach notifications."""
    client = client_for(customer_admin)
    assert client.get(reverse("portal_contact_create")).status_code == 200
    response = client.post(reverse("portal_contact_create"), VALID)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal_contacts")
    contact = Contact.objects.get()
    assert contact.customer == customer
    assert contact.receives_breach_notices
    assert not contact.is_subscription_contact
    assert AuditEvent.objects.get().action == "contact.created"


def test_admin_edits_and_moves_the_subscription_contact(customer_admin, client_for, customer, ours):
    """OBL BR-05: the admin makes another contact the subscription contact and turns off the
    breach flag; the subscription role moves."""
    holder = ContactFactory(customer=customer, is_subscription_contact=True)
    client = client_for(customer_admin)
    form = client.get(reverse("contact_update", args=[ours.pk]))
    assert form.status_code == 200
    assert 'value="ours@customer.example"' in form.content.decode()
    response = client.post(
        reverse("contact_update", args=[ours.pk]),
        {"name": "Our contact", "email": "ours@customer.example", "is_subscription_contact": "on"},
    )
    assert response.status_code == 302
    ours.refresh_from_db()
    holder.refresh_from_db()
    assert ours.is_subscription_contact
    assert not ours.receives_breach_notices
    assert not holder.is_subscription_contact
    assert AuditEvent.objects.count() == 1


def test_admin_removes_a_contact(customer_admin, client_for, ours):
    """OBL BR-05: the admin removes a contact after confirming."""
    client = client_for(customer_admin)
    url = reverse("contact_delete", args=[ours.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "ours@customer.example" in confirm.content.decode()
    assert Contact.objects.exists()
    assert client.post(url).status_code == 302
    assert not Contact.objects.exists()
    assert AuditEvent.objects.get().action == "contact.deleted"


def test_subscription_contact_removal_shows_the_reason(customer_admin, client_for, customer):
    holder = ContactFactory(customer=customer, is_subscription_contact=True)
    response = client_for(customer_admin).post(reverse("contact_delete", args=[holder.pk]))
    assert response.status_code == 400
    assert "make another contact the subscription contact first" in response.content.decode()
    assert Contact.objects.filter(pk=holder.pk).exists()
    assert not AuditEvent.objects.exists()


# --- bad input on the form ------------------------------------------------------------------------


def test_invalid_email_is_a_form_error(customer_admin, client_for):
    response = client_for(customer_admin).post(
        reverse("portal_contact_create"), {**VALID, "email": "anna.at.example"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a valid email address." in html
    # The error is tied to its input for screen readers.
    assert 'id="id_email_error"' in html
    assert 'aria-describedby="id_email_error"' in html
    assert 'aria-invalid="true"' in html
    assert not Contact.objects.exists()
    assert not AuditEvent.objects.exists()


def test_service_error_is_attached_to_the_form(customer_admin, client_for, ours):
    response = client_for(customer_admin).post(
        reverse("portal_contact_create"), {**VALID, "email": "OURS@customer.example"}
    )
    assert response.status_code == 400
    assert "already has a contact with this e-mail address" in response.content.decode()
    assert Contact.objects.count() == 1
    assert not AuditEvent.objects.exists()


# --- who may do what ------------------------------------------------------------------------------


def test_customer_contact_sees_contacts_read_only(customer_contact, client_for, ours):
    """OBL BR-05: other users of the organisation see its contacts but cannot change them."""
    client = client_for(customer_contact)
    response = client.get(reverse("portal_contacts"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Our contact" in html
    assert reverse("portal_contact_create") not in html
    assert reverse("contact_update", args=[ours.pk]) not in html
    assert client.get(reverse("portal_contact_create")).status_code == 403
    assert client.post(reverse("portal_contact_create"), VALID).status_code == 403
    assert client.get(reverse("contact_update", args=[ours.pk])).status_code == 403
    assert client.post(reverse("contact_update", args=[ours.pk]), VALID).status_code == 403
    assert client.post(reverse("contact_delete", args=[ours.pk])).status_code == 403
    ours.refresh_from_db()
    assert ours.name == "Our contact"
    assert Contact.objects.count() == 1
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("role", [Role.CUSTOMER_ADMIN, Role.CUSTOMER_CONTACT])
def test_customer_user_cannot_reach_another_customers_contacts(
    make_user, client_for, customer, theirs, role
):
    client = client_for(make_user(role, customer=customer))
    other_id = theirs.customer_id
    assert client.get(reverse("contact_update", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("contact_update", args=[theirs.pk]), VALID).status_code == 404
    assert client.get(reverse("contact_delete", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("contact_delete", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("customer_detail", args=[other_id])).status_code == 404
    assert client.get(reverse("contact_create", args=[other_id])).status_code == 404
    assert client.post(reverse("contact_create", args=[other_id]), VALID).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Their contact"
    assert Contact.objects.count() == 1
    assert not AuditEvent.objects.exists()


def test_auditor_reads_but_cannot_write(auditor, client_for, ours):
    client = client_for(auditor)
    detail = client.get(reverse("customer_detail", args=[ours.customer_id]))
    assert detail.status_code == 200
    assert "Our contact" in detail.content.decode()
    assert reverse("contact_update", args=[ours.pk]) not in detail.content.decode()
    assert client.get(reverse("contact_update", args=[ours.pk])).status_code == 403
    assert client.post(reverse("contact_create", args=[ours.customer_id]), VALID).status_code == 403
    assert Contact.objects.count() == 1


def test_customer_user_cannot_open_the_staff_customer_list(customer_admin, client_for):
    assert client_for(customer_admin).get(reverse("customer_list")).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, ours):
    for url in (reverse("portal_contacts"), reverse("contact_update", args=[ours.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


# --- staff side ---------------------------------------------------------------------------------


def test_privacy_officer_sees_and_edits_any_customers_contacts(
    privacy_officer, client_for, customer, ours
):
    """OBL BR-05: the privacy officer keeps the contacts of any customer from the customer page,
    which lists its contracts, products and contacts."""
    profit = ProductFactory(code="profit", name="Profit")
    contract = ContractFactory(
        customer=customer, starts_on=datetime.date(2024, 1, 1), agreement_model="education_4_0"
    )
    contract.products.set([profit])
    client = client_for(privacy_officer)
    detail = client.get(reverse("customer_detail", args=[customer.pk]))
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "Education model 4.0" in html
    assert "Profit" in html
    assert "Our contact" in html
    assert reverse("contact_create", args=[customer.pk]) in html

    response = client.post(
        reverse("contact_update", args=[ours.pk]),
        {"name": "Renamed", "email": "ours@customer.example", "receives_breach_notices": "on"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("customer_detail", args=[customer.pk])
    ours.refresh_from_db()
    assert ours.name == "Renamed"

    response = client.post(
        reverse("contact_create", args=[customer.pk]), {**VALID, "email": "new@customer.example"}
    )
    assert response.status_code == 302
    assert Contact.objects.filter(customer=customer).count() == 2
    assert AuditEvent.objects.count() == 2


def test_portal_contacts_sends_staff_to_the_customer_list(privacy_officer, client_for):
    response = client_for(privacy_officer).get(reverse("portal_contacts"))
    assert response.status_code == 302
    assert response["Location"] == reverse("customer_list")


def test_customer_list_search_and_pagination(privacy_officer, client_for):
    for n in range(30):
        CustomerFactory(name=f"Gemeente {n:02d}", customer_number=f"G{n:03d}")
    CustomerFactory(name="Hogeschool Utrecht", customer_number="HU-77")
    client = client_for(privacy_officer)

    first = client.get(reverse("customer_list"))
    assert first.status_code == 200
    assert first.context["page_obj"].paginator.count == 31
    assert len(first.context["page_obj"]) == 25
    assert "Page 1 of 2" in first.content.decode()
    second = client.get(reverse("customer_list"), {"page": 2})
    assert len(second.context["page_obj"]) == 6

    by_name = client.get(reverse("customer_list"), {"q": "hogeschool"})
    assert [c.name for c in by_name.context["page_obj"]] == ["Hogeschool Utrecht"]
    by_number = client.get(reverse("customer_list"), {"q": "G007"})
    assert [c.name for c in by_number.context["page_obj"]] == ["Gemeente 07"]
    paged_search = client.get(reverse("customer_list"), {"q": "Gemeente", "page": 2})
    assert len(paged_search.context["page_obj"]) == 5
    assert "q=Gemeente&amp;page=1" in paged_search.content.decode()
