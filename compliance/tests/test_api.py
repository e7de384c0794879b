"""REST API for customers, contacts and the processor profile: same rules as the pages."""

import pytest
from django.core.management import call_command

from audits.models import AuditEvent
from compliance.models import Contact, Customer, ProcessorProfile, Role
from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db

CONTACTS = "/api/contacts/"
CUSTOMERS = "/api/customers/"
PROFILE = "/api/processor-profile/"


def contact_url(contact):
    return f"{CONTACTS}{contact.pk}/"


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


def put(client, url, data):
    return client.put(url, data, content_type="application/json")


@pytest.fixture
def theirs(other_customer):
    return ContactFactory(customer=other_customer, name="Their contact")


@pytest.fixture
def ours(customer):
    return ContactFactory(customer=customer, name="Our contact")


# --- isolation between customers -------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CUSTOMER_ADMIN, Role.CUSTOMER_CONTACT])
def test_customer_user_cannot_read_another_customers_contacts(
    make_user, client_for, customer, ours, theirs, role
):
    client = client_for(make_user(role, customer=customer))
    listing = client.get(CONTACTS)
    assert listing.status_code == 200
    assert [c["id"] for c in listing.json()["results"]] == [ours.pk]
    assert client.get(contact_url(theirs)).status_code == 404
    assert client.get(CONTACTS, {"customer": theirs.customer_id}).json()["results"] == []
    assert client.get(f"{CUSTOMERS}{theirs.customer_id}/").status_code == 404
    assert [c["id"] for c in client.get(CUSTOMERS).json()["results"]] == [customer.pk]


def test_customer_admin_cannot_change_another_customers_contacts(
    customer_admin, client_for, theirs
):
    client = client_for(customer_admin)
    assert patch(client, contact_url(theirs), {"name": "Hijacked"}).status_code == 404
    assert (
        put(
            client, contact_url(theirs), {"name": "Hijacked", "email": "x@evil.example"}
        ).status_code
        == 404
    )
    assert client.delete(contact_url(theirs)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Their contact"
    assert not AuditEvent.objects.exists()


def test_contact_for_another_customers_id_is_refused(customer_admin, client_for, other_customer):
    response = post(
        client_for(customer_admin),
        CONTACTS,
        {"customer": other_customer.pk, "name": "Eve", "email": "eve@evil.example"},
    )
    assert response.status_code == 400
    assert response.json() == {
        "customer": [f"There is no customer with id {other_customer.pk} that you may manage."]
    }
    assert not Contact.objects.exists()
    assert not AuditEvent.objects.exists()


def test_customer_admin_may_leave_out_the_customer(customer_admin, client_for, customer):
    """OBL BR-05: the customer's admin adds a breach contact for its own organisation."""
    response = post(
        client_for(customer_admin),
        CONTACTS,
        {"name": "Anna", "email": "Anna@Customer.Example", "receives_breach_notices": True},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["customer"] == customer.pk
    assert body["email"] == "anna@customer.example"
    contact = Contact.objects.get()
    assert contact.customer == customer
    assert contact.receives_breach_notices
    assert AuditEvent.objects.get().action == "contact.created"


def test_customer_admin_updates_and_removes_own_contacts(customer_admin, client_for, ours):
    """OBL BR-05: the admin edits its organisation's contacts, including the breach flag and
    the subscription contact."""
    client = client_for(customer_admin)
    other = ContactFactory(customer=ours.customer, is_subscription_contact=True)
    response = patch(
        client,
        contact_url(ours),
        {"receives_breach_notices": False, "is_subscription_contact": True},
    )
    assert response.status_code == 200, response.json()
    ours.refresh_from_db()
    other.refresh_from_db()
    assert not ours.receives_breach_notices
    assert ours.is_subscription_contact
    assert not other.is_subscription_contact
    assert client.delete(contact_url(other)).status_code == 204
    assert not Contact.objects.filter(pk=other.pk).exists()
    assert list(AuditEvent.objects.values_list("action", flat=True)) == [
        "contact.updated",
        "contact.deleted",
    ]


def test_customer_field_cannot_be_changed(customer_admin, client_for, ours, other_customer):
    response = patch(client_for(customer_admin), contact_url(ours), {"customer": other_customer.pk})
    assert response.status_code == 200
    ours.refresh_from_db()
    assert ours.customer_id == customer_admin.customer_id


# --- roles ----------------------------------------------------------------------------------


def test_customer_contact_cannot_change_contacts(customer_contact, client_for, ours):
    """OBL BR-05: a customer contact who is not an admin reads the contacts, changes none."""
    client = client_for(customer_contact)
    assert client.get(contact_url(ours)).status_code == 200
    assert post(client, CONTACTS, {"name": "New", "email": "new@c.example"}).status_code == 403
    # Permission comes before validation: bad input does not turn a 403 into a 400.
    assert post(client, CONTACTS, {"email": "nonsense"}).status_code == 403
    assert patch(client, contact_url(ours), {"name": "Changed"}).status_code == 403
    assert client.delete(contact_url(ours)).status_code == 403
    assert Contact.objects.get().name == "Our contact"
    assert not AuditEvent.objects.exists()


def test_auditor_cannot_write(auditor, client_for, ours):
    client = client_for(auditor)
    assert client.get(CONTACTS).status_code == 200
    assert client.get(CUSTOMERS).status_code == 200
    assert (
        post(
            client, CONTACTS, {"customer": ours.customer_id, "name": "N", "email": "n@c.example"}
        ).status_code
        == 403
    )
    assert patch(client, contact_url(ours), {"name": "Changed"}).status_code == 403
    assert client.delete(contact_url(ours)).status_code == 403
    assert (
        post(
            client,
            CUSTOMERS,
            {"name": "X", "customer_number": "X", "country": "NL", "language": "nl"},
        ).status_code
        == 403
    )
    assert patch(client, f"{CUSTOMERS}{ours.customer_id}/", {"name": "X"}).status_code == 403
    assert patch(client, PROFILE, {"legal_name": "X"}).status_code == 403
    assert Contact.objects.count() == 1
    assert Customer.objects.count() == 1
    assert not AuditEvent.objects.exists()


def test_customer_admin_cannot_change_customers(customer_admin, client_for, customer):
    client = client_for(customer_admin)
    assert patch(client, f"{CUSTOMERS}{customer.pk}/", {"name": "Mine now"}).status_code == 403
    customer.refresh_from_db()
    assert customer.name != "Mine now"


def test_anonymous_gets_401(client):
    assert client.get(CONTACTS).status_code == 401
    assert client.get(PROFILE).status_code == 401


# --- privacy officer and bad input ---------------------------------------------------------


def test_privacy_officer_manages_customers(privacy_officer, client_for):
    client = client_for(privacy_officer)
    response = post(
        client,
        CUSTOMERS,
        {"name": "Gemeente Gent", "customer_number": "BE-1", "country": "BE", "language": "nl"},
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    response = patch(client, f"{CUSTOMERS}{pk}/", {"language": "en"})
    assert response.status_code == 200
    assert response.json()["language"] == "en"
    assert list(AuditEvent.objects.values_list("action", flat=True)) == [
        "customer.created",
        "customer.updated",
    ]


def test_customer_search(privacy_officer, client_for):
    CustomerFactory(name="Hogeschool Utrecht", customer_number="77001")
    CustomerFactory(name="Ziekenhuis Amstelland", customer_number="88002")
    client = client_for(privacy_officer)
    assert [c["name"] for c in client.get(CUSTOMERS, {"q": "hogeschool"}).json()["results"]] == [
        "Hogeschool Utrecht"
    ]
    assert [c["name"] for c in client.get(CUSTOMERS, {"q": "8800"}).json()["results"]] == [
        "Ziekenhuis Amstelland"
    ]


def test_duplicate_customer_number(privacy_officer, client_for, customer):
    response = post(
        client_for(privacy_officer),
        CUSTOMERS,
        {
            "name": "Copy",
            "customer_number": customer.customer_number,
            "country": "NL",
            "language": "nl",
        },
    )
    assert response.status_code == 400
    assert "customer_number" in response.json()
    assert Customer.objects.count() == 1
    assert not AuditEvent.objects.exists()


def test_invalid_email(privacy_officer, client_for, customer):
    response = post(
        client_for(privacy_officer),
        CONTACTS,
        {"customer": customer.pk, "name": "Anna", "email": "anna.at.example"},
    )
    assert response.status_code == 400
    assert response.json()["email"] == ["Enter a valid email address."]
    assert not Contact.objects.exists()
    assert not AuditEvent.objects.exists()


def test_staff_must_name_the_customer(privacy_officer, client_for):
    response = post(client_for(privacy_officer), CONTACTS, {"name": "A", "email": "a@b.example"})
    assert response.status_code == 400
    assert response.json() == {"customer": ["This field is required."]}


def test_service_validation_error_is_a_400_with_field_messages(privacy_officer, client_for, ours):
    client = client_for(privacy_officer)
    response = post(
        client, CONTACTS, {"customer": ours.customer_id, "name": "Twin", "email": ours.email}
    )
    assert response.status_code == 400
    assert response.json() == {
        "email": ["This organisation already has a contact with this e-mail address."]
    }
    holder = ContactFactory(customer=ours.customer, is_subscription_contact=True)
    response = client.delete(contact_url(holder))
    assert response.status_code == 400
    assert "subscription contact" in response.json()["non_field_errors"][0]
    assert Contact.objects.count() == 2
    assert not AuditEvent.objects.exists()


def test_privacy_officer_edits_any_customers_contacts(privacy_officer, client_for, theirs):
    response = patch(client_for(privacy_officer), contact_url(theirs), {"phone": "+32 9 000"})
    assert response.status_code == 200
    theirs.refresh_from_db()
    assert theirs.phone == "+32 9 000"


# --- processor profile ---------------------------------------------------------------------


def test_processor_profile_read_by_anyone_signed_in(customer_contact, client_for):
    ProcessorProfile.objects.create(
        legal_name="Processor B.V.", privacy_team_name="Privacy", privacy_email="p@p.example"
    )
    response = client_for(customer_contact).get(PROFILE)
    assert response.status_code == 200
    assert response.json()["legal_name"] == "Processor B.V."
    assert patch(client_for(customer_contact), PROFILE, {"legal_name": "X"}).status_code == 403


def test_processor_profile_written_by_privacy_officer(privacy_officer, client_for):
    client = client_for(privacy_officer)
    data = {
        "legal_name": "Processor B.V.",
        "privacy_team_name": "Privacy team",
        "privacy_email": "privacy@processor.example",
        "privacy_phone": "",
        "address": "Street 1, Utrecht",
        "supported_browsers": "Firefox, Chrome, Safari, Edge",
        "help_text_en": "Help",
        "help_text_nl": "Hulp",
    }
    assert put(client, PROFILE, data).status_code == 200
    assert patch(client, PROFILE, {"privacy_email": "bad"}).status_code == 400
    response = patch(client, PROFILE, {"privacy_phone": "+31 30 000"})
    assert response.status_code == 200
    profile = ProcessorProfile.objects.get()
    assert profile.privacy_phone == "+31 30 000"
    assert profile.privacy_email == "privacy@processor.example"
    assert AuditEvent.objects.filter(action="processor_profile.updated").count() == 2


# --- schema --------------------------------------------------------------------------------


def test_schema_generates_without_warnings(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )
    schema = (tmp_path / "schema.yml").read_text()
    for path in (CONTACTS, CUSTOMERS, PROFILE):
        assert f"{path}:" in schema


def test_schema_and_docs_served(privacy_officer, client_for):
    client = client_for(privacy_officer)
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
