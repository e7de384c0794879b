"""The Django admin: role-based access, service-backed writes, read-only workflow data."""

import pytest
from django.contrib import admin
from django.urls import reverse

from audits.models import AuditEvent
from compliance.models import Contact, Customer, OutboxMessage, Role, User
from tests.auth import sign_in
from tests.factories import ContactFactory, CustomerFactory

MGMT = {"INITIAL_FORMS": "0", "MIN_NUM_FORMS": "0", "MAX_NUM_FORMS": "1000"}


def management(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.fixture
def outbox_message(customer):
    return OutboxMessage.objects.create(
        key="admin-test:1",
        message_id="<admin-test-1@processor.example>",
        customer=customer,
        to_email="someone@customer.example",
        language="en",
        subject="Hello",
        body_text="Hello",
    )


def test_every_registered_model_lists_for_privacy_officer_and_auditor(
    privacy_officer, auditor, customer, outbox_message, client
):
    import datetime

    from django.utils import timezone

    from compliance.models import Heartbeat, ProcessorProfile, StoredDocument
    from subprocessors.models import Subprocessor
    from tests.factories import ContractFactory, ProductFactory

    ContactFactory(customer=customer)
    ProcessorProfile.objects.create(legal_name="P", privacy_team_name="T", privacy_email="p@x.nl")
    ContractFactory(customer=customer).products.set([ProductFactory()])
    StoredDocument.objects.create(
        customer=customer,
        title="Letter",
        filename="letter.pdf",
        content=b"%PDF",
        size=4,
        sha256="0" * 64,
        template_name="pdf/base_letter.html",
        template_version="1",
        language="nl",
    )
    Heartbeat.objects.create(name="outbox_sweep", beat_at=timezone.now())
    Subprocessor.objects.create(
        legal_entity="S",
        purpose="p",
        flow_down_reference="r",
        flow_down_signed_on=datetime.date(2026, 1, 1),
    )
    from subprocessors.tests.factories import workflow_rows

    workflow_rows(customer=customer, user=privacy_officer)
    for user in (privacy_officer, auditor):
        sign_in(client, user)
        assert client.get(reverse("admin:index")).status_code == 200
        for model in admin.site._registry:
            if model._meta.app_label not in ("compliance", "subprocessors"):
                continue
            response = client.get(changelist(model))
            assert response.status_code == 200, (user.role, model)
            obj = model._default_manager.first()
            name = f"admin:{model._meta.app_label}_{model._meta.model_name}_change"
            response = client.get(reverse(name, args=[obj.pk]))
            assert response.status_code == 200, (user.role, model)


@pytest.mark.parametrize(
    "role",
    [Role.STAFF_MEMBER, Role.ICT_MANAGER, Role.BOARD_MEMBER, Role.CUSTOMER_ADMIN],
)
def test_other_roles_cannot_open_the_admin(role, make_user, customer, client):
    user = make_user(role, customer=customer if role == Role.CUSTOMER_ADMIN else None)
    sign_in(client, user)
    assert client.get(reverse("admin:index")).status_code == 403
    assert client.get(changelist(Customer)).status_code == 403


def test_a_customers_own_auditor_sees_nothing_in_the_admin(make_user, customer, client):
    sign_in(client, make_user(Role.AUDITOR, customer=customer))
    assert client.get(reverse("admin:index")).status_code == 403
    assert client.get(changelist(Customer)).status_code == 403


def test_auditor_is_read_only(auditor, customer, client):
    sign_in(client, auditor)
    change_url = reverse("admin:compliance_customer_change", args=[customer.pk])
    page = client.get(change_url)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert client.get(reverse("admin:compliance_customer_add")).status_code == 403
    response = client.post(change_url, {"name": "Changed", "customer_number": "1"})
    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.name != "Changed"


def test_history_cannot_be_reverted(privacy_officer, client):
    from compliance.services import customer_create, customer_update

    customer = customer_create(
        actor=privacy_officer, name="Old", customer_number="H1", country="NL", language="nl"
    )
    customer_update(actor=privacy_officer, customer=customer, name="New")
    first = customer.history.order_by("history_id").first()
    sign_in(client, privacy_officer)
    url = reverse("admin:compliance_customer_simple_history", args=[customer.pk, first.history_id])
    assert client.get(url).status_code == 200
    assert client.post(url, {"name": "Old"}).status_code == 403
    customer.refresh_from_db()
    assert customer.name == "New"


def test_customer_and_contacts_added_in_admin_go_through_the_services(privacy_officer, client):
    sign_in(client, privacy_officer)
    data = {
        "name": "Admin Klant B.V.",
        "customer_number": "ADM-1",
        "country": "BE",
        "language": "nl",
        **management("contracts"),
        **management("contacts", total=1),
        "contacts-0-name": "Fien Functionaris",
        "contacts-0-email": "FG@Klant.example",
        "contacts-0-phone": "",
        "contacts-0-language": "",
        "contacts-0-is_subscription_contact": "on",
        "contacts-0-receives_breach_notices": "on",
    }
    response = client.post(reverse("admin:compliance_customer_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    customer = Customer.objects.get(customer_number="ADM-1")
    contact = customer.contacts.get()
    assert contact.email == "fg@klant.example"  # normalised by the service
    actions = set(AuditEvent.objects.filter(actor=privacy_officer).values_list("action", flat=True))
    assert {"customer.created", "contact.created"} <= actions


def test_contact_changed_in_admin_is_audited(privacy_officer, customer, client):
    contact = ContactFactory(customer=customer, receives_breach_notices=False)
    sign_in(client, privacy_officer)
    data = {
        "name": customer.name,
        "customer_number": customer.customer_number,
        "country": customer.country,
        "language": customer.language,
        **management("contracts"),
        **management("contacts", total=1, initial=1),
        "contacts-0-id": str(contact.pk),
        "contacts-0-customer": str(customer.pk),
        "contacts-0-name": contact.name,
        "contacts-0-email": contact.email,
        "contacts-0-phone": "",
        "contacts-0-language": "",
        "contacts-0-receives_breach_notices": "on",
    }
    url = reverse("admin:compliance_customer_change", args=[customer.pk])
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    contact.refresh_from_db()
    assert contact.receives_breach_notices
    event = AuditEvent.objects.get(action="contact.updated")
    assert event.before["receives_breach_notices"] is False
    assert event.after["receives_breach_notices"] is True


def test_subscription_contact_cannot_be_deleted_in_admin(privacy_officer, customer, client):
    contact = ContactFactory(customer=customer, is_subscription_contact=True)
    sign_in(client, privacy_officer)
    data = {
        "name": customer.name,
        "customer_number": customer.customer_number,
        "country": customer.country,
        "language": customer.language,
        **management("contracts"),
        **management("contacts", total=1, initial=1),
        "contacts-0-id": str(contact.pk),
        "contacts-0-customer": str(customer.pk),
        "contacts-0-name": contact.name,
        "contacts-0-email": contact.email,
        "contacts-0-is_subscription_contact": "on",
        "contacts-0-receives_breach_notices": "on",
        "contacts-0-DELETE": "on",
    }
    url = reverse("admin:compliance_customer_change", args=[customer.pk])
    response = client.post(url, data)
    assert response.status_code == 200
    assert "subscription contact cannot be removed" in response.content.decode()
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_duplicate_customer_number_is_a_form_error(privacy_officer, client):
    existing = CustomerFactory()
    sign_in(client, privacy_officer)
    data = {
        "name": "Dubbel",
        "customer_number": existing.customer_number,
        "country": "NL",
        "language": "nl",
        **management("contracts"),
        **management("contacts"),
    }
    response = client.post(reverse("admin:compliance_customer_add"), data)
    assert response.status_code == 200
    assert Customer.objects.filter(name="Dubbel").count() == 0


def test_user_added_in_admin_signs_in_with_email(privacy_officer, customer, client):
    sign_in(client, privacy_officer)
    data = {
        "email": "New.Admin@Customer.example",
        "full_name": "New Admin",
        "role": Role.CUSTOMER_ADMIN,
        "customer": str(customer.pk),
        "language": "nl",
        "usable_password": "true",
        "password1": "a long enough passphrase 42",
        "password2": "a long enough passphrase 42",
    }
    response = client.post(reverse("admin:compliance_user_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(email="new.admin@customer.example")
    assert user.customer == customer
    assert user.check_password("a long enough passphrase 42")
    assert AuditEvent.objects.filter(action="user.created", object_id=str(user.pk)).exists()


def test_customer_user_without_customer_is_refused_in_admin(privacy_officer, client):
    sign_in(client, privacy_officer)
    data = {
        "email": "orphan@customer.example",
        "role": Role.CUSTOMER_CONTACT,
        "language": "en",
        "usable_password": "false",
    }
    response = client.post(reverse("admin:compliance_user_add"), data)
    assert response.status_code == 200
    assert not User.objects.filter(email="orphan@customer.example").exists()


def test_outbox_and_documents_are_read_only_even_for_privacy_officer(
    privacy_officer, outbox_message, client
):
    sign_in(client, privacy_officer)
    assert client.get(reverse("admin:compliance_outboxmessage_add")).status_code == 403
    change_url = reverse("admin:compliance_outboxmessage_change", args=[outbox_message.pk])
    page = client.get(change_url)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert client.post(change_url, {"subject": "changed"}).status_code == 403
    delete_url = reverse("admin:compliance_outboxmessage_delete", args=[outbox_message.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    outbox_message.refresh_from_db()
    assert outbox_message.subject == "Hello"
    assert client.get(reverse("admin:compliance_storeddocument_add")).status_code == 403


def test_subprocessor_added_in_admin_goes_through_the_services(privacy_officer, client):
    from subprocessors.models import Subprocessor

    sign_in(client, privacy_officer)
    data = {
        "legal_entity": "Example Hosting B.V.",
        "purpose": "Hosting",
        "certifications": "ISO 27001",
        "flow_down_reference": "DPA-2026-01",
        "flow_down_signed_on": "2026-01-15",
        **management("locations", total=1),
        "locations-0-name": "DC1",
        "locations-0-city": "Haarlem",
        "locations-0-country": "nl",
    }
    response = client.post(reverse("admin:subprocessors_subprocessor_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    subprocessor = Subprocessor.objects.get(legal_entity="Example Hosting B.V.")
    assert subprocessor.locations.get().country == "NL"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"subprocessor.created", "subprocessor.location_added"} <= actions


def test_location_outside_the_eea_is_a_form_error(privacy_officer, client):
    from subprocessors.models import Subprocessor

    sign_in(client, privacy_officer)
    data = {
        "legal_entity": "Far Away Inc.",
        "purpose": "Hosting",
        "flow_down_reference": "DPA-2026-02",
        "flow_down_signed_on": "2026-01-15",
        **management("locations", total=1),
        "locations-0-city": "Ashburn",
        "locations-0-country": "US",
    }
    response = client.post(reverse("admin:subprocessors_subprocessor_add"), data)
    assert response.status_code == 200
    assert "outside it" in response.content.decode()
    assert not Subprocessor.objects.filter(legal_entity="Far Away Inc.").exists()
