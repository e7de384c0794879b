"""Core data services: validation, access, and one audit event per write in its transaction."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from audits.models import AuditEvent
from compliance import services
from compliance.models import AgreementModel, Contact, Contract, Customer, ProcessorProfile, Role
from tests.factories import ContactFactory, CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db


def events(action=None):
    qs = AuditEvent.objects.all()
    return qs.filter(action=action) if action else qs


# --- one audit event per write -------------------------------------------------------------


def test_customer_create_writes_one_event(privacy_officer):
    customer = services.customer_create(
        actor=privacy_officer,
        name="Gemeente Zwolle",
        customer_number="C-1",
        country="NL",
        language="nl",
    )
    assert events().count() == 1
    event = events().get()
    assert event.action == "customer.created"
    assert event.actor == privacy_officer
    assert event.role == Role.PRIVACY_OFFICER
    assert event.object_id == str(customer.pk)
    assert event.customer_id == customer.pk
    assert event.after["customer_number"] == "C-1"


def test_customer_update_writes_one_event_with_before_and_after(privacy_officer, customer):
    old_name = customer.name
    services.customer_update(actor=privacy_officer, customer=customer, name="Renamed B.V.")
    event = events().get()
    assert event.action == "customer.updated"
    assert event.before["name"] == old_name
    assert event.after["name"] == "Renamed B.V."
    customer.refresh_from_db()
    assert customer.name == "Renamed B.V."


def test_contract_create_records_agreement_model(privacy_officer, customer):
    """OBL CT-01: a contract records which processing-agreement model applies, with its
    products, and the recording is audited."""
    profit, pocket = (
        ProductFactory(code="profit", name="Profit"),
        ProductFactory(code="pocket", name="Pocket"),
    )
    contract = services.contract_create(
        actor=privacy_officer,
        customer=customer,
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2027, 12, 31),
        agreement_model=AgreementModel.HEALTHCARE_BOZ_2022,
        products=[profit, pocket],
    )
    contract.refresh_from_db()
    assert contract.agreement_model == "boz_2022"
    assert contract.get_agreement_model_display() == "Healthcare model BoZ (December 2022)"
    assert set(contract.products.values_list("code", flat=True)) == {"profit", "pocket"}
    event = events().get()
    assert event.action == "contract.created"
    assert event.after["agreement_model"] == "boz_2022"
    assert event.after["products"] == ["pocket", "profit"]


def test_contact_services_write_one_event_each(privacy_officer, customer):
    contact = services.contact_create(
        actor=privacy_officer,
        customer=customer,
        name="Anna",
        email="anna@customer.example",
        receives_breach_notices=True,
    )
    assert list(events().values_list("action", flat=True)) == ["contact.created"]
    services.contact_update(actor=privacy_officer, contact=contact, phone="+31 20 123 4567")
    assert events().count() == 2
    assert events().last().action == "contact.updated"
    services.contact_delete(actor=privacy_officer, contact=contact)
    assert events().count() == 3
    deleted = events().last()
    assert deleted.action == "contact.deleted"
    assert deleted.before["email"] == "anna@customer.example"
    assert not Contact.objects.exists()


def test_processor_profile_update_writes_one_event(privacy_officer):
    profile = services.processor_profile_update(
        actor=privacy_officer,
        legal_name="Processor B.V.",
        privacy_team_name="Privacy team",
        privacy_email="privacy@processor.example",
    )
    assert ProcessorProfile.objects.get() == profile
    assert events("processor_profile.updated").count() == 1
    services.processor_profile_update(actor=privacy_officer, privacy_phone="+31 30 000 0000")
    assert ProcessorProfile.objects.count() == 1
    assert events().count() == 2
    assert events().last().before["privacy_phone"] == ""


def test_processor_address_longer_than_a_letterhead_is_refused(privacy_officer):
    """OBL ON-03: the processor's details are edited as data; an address that would not fit
    the letterhead of every letter gets a clear error and nothing is written."""
    with pytest.raises(ValidationError) as refused:
        services.processor_profile_update(
            actor=privacy_officer,
            legal_name="Processor B.V.",
            privacy_team_name="Privacy team",
            privacy_email="privacy@processor.example",
            address="\n".join(f"Line {n}" for n in range(9)),
        )
    assert "at most 8 lines and 400 characters" in str(refused.value.message_dict["address"])
    assert not ProcessorProfile.objects.exists()
    assert not events().exists()


def test_event_is_in_the_same_transaction_as_the_change(privacy_officer, customer):
    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        services.contact_create(
            actor=privacy_officer, customer=customer, name="Anna", email="anna@customer.example"
        )
        assert events().count() == 1
        raise Abort
    assert not Contact.objects.exists()
    assert not events().exists()


def test_failing_write_leaves_no_change_and_no_event(privacy_officer, customer):
    """OBL BR-05: a contact write that fails half-way (after the subscription flag was moved
    off the current holder) is rolled back whole."""
    holder = ContactFactory(
        customer=customer, email="holder@customer.example", is_subscription_contact=True
    )
    with pytest.raises(ValidationError) as excinfo:
        services.contact_create(
            actor=privacy_officer,
            customer=customer,
            name="Duplicate",
            email="HOLDER@customer.example",
            is_subscription_contact=True,
        )
    assert "email" in excinfo.value.message_dict
    holder.refresh_from_db()
    assert holder.is_subscription_contact
    assert Contact.objects.count() == 1
    assert not events().exists()


# --- bad input: a clear message, nothing saved ------------------------------------------------


def test_duplicate_customer_number_is_refused(privacy_officer, customer):
    with pytest.raises(ValidationError) as excinfo:
        services.customer_create(
            actor=privacy_officer,
            name="Other",
            customer_number=customer.customer_number,
            country="BE",
            language="en",
        )
    assert "customer_number" in excinfo.value.message_dict
    assert Customer.objects.count() == 1
    assert not events().exists()


def test_contract_ending_before_it_starts_is_refused(privacy_officer, customer):
    with pytest.raises(ValidationError) as excinfo:
        services.contract_create(
            actor=privacy_officer,
            customer=customer,
            starts_on=datetime.date(2025, 6, 1),
            ends_on=datetime.date(2025, 5, 31),
            agreement_model=AgreementModel.STANDARD,
            products=[],
        )
    assert excinfo.value.message_dict == {"ends_on": ["A contract cannot end before it starts."]}
    assert not Contract.objects.exists()
    assert not events().exists()


def test_unknown_agreement_model_is_refused(privacy_officer, customer):
    with pytest.raises(ValidationError) as excinfo:
        services.contract_create(
            actor=privacy_officer,
            customer=customer,
            starts_on=datetime.date(2025, 1, 1),
            agreement_model="handshake",
            products=[],
        )
    assert "agreement_model" in excinfo.value.message_dict
    assert not Contract.objects.exists()


def test_invalid_contact_email_is_refused(privacy_officer, customer):
    with pytest.raises(ValidationError) as excinfo:
        services.contact_create(
            actor=privacy_officer, customer=customer, name="Anna", email="not-an-address"
        )
    assert "email" in excinfo.value.message_dict
    assert not Contact.objects.exists()
    assert not events().exists()


def test_contact_for_another_customer_is_refused(customer_admin, other_customer):
    with pytest.raises(PermissionDenied):
        services.contact_create(
            actor=customer_admin, customer=other_customer, name="Eve", email="eve@evil.example"
        )
    assert not Contact.objects.exists()
    assert not events().exists()


def test_contact_cannot_be_moved_to_another_customer(privacy_officer, customer, other_customer):
    contact = ContactFactory(customer=customer)
    with pytest.raises(ValidationError) as excinfo:
        services.contact_update(actor=privacy_officer, contact=contact, customer=other_customer)
    assert "customer" in excinfo.value.message_dict
    contact.refresh_from_db()
    assert contact.customer == customer
    assert not events().exists()


# --- roles ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.STAFF_MEMBER, Role.BOARD_MEMBER])
def test_only_the_privacy_officer_registers_customers(make_user, role):
    with pytest.raises(PermissionDenied):
        services.customer_create(
            actor=make_user(role), name="X", customer_number="X-1", country="NL", language="nl"
        )
    assert not Customer.objects.exists()
    assert not events().exists()


def test_auditor_cannot_write_contacts_or_profile(auditor, customer):
    contact = ContactFactory(customer=customer)
    with pytest.raises(PermissionDenied):
        services.contact_update(actor=auditor, contact=contact, name="Changed")
    with pytest.raises(PermissionDenied):
        services.processor_profile_update(actor=auditor, legal_name="Changed")
    assert not events().exists()


def test_customer_contact_cannot_change_contacts(customer_contact, customer):
    """OBL BR-05: only the organisation's admin keeps its contacts."""
    contact = ContactFactory(customer=customer)
    with pytest.raises(PermissionDenied):
        services.contact_update(actor=customer_contact, contact=contact, name="Changed")
    with pytest.raises(PermissionDenied):
        services.contact_delete(actor=customer_contact, contact=contact)
    assert Contact.objects.get().name == contact.name


# --- BR-05 contacts ---------------------------------------------------------------------------


def test_subscription_contact_moves(customer_admin, customer):
    """OBL BR-05: making another contact the subscription contact moves the role: there is
    always at most one."""
    first = services.contact_create(
        actor=customer_admin,
        customer=customer,
        name="First",
        email="first@customer.example",
        is_subscription_contact=True,
    )
    second = services.contact_create(
        actor=customer_admin, customer=customer, name="Second", email="second@customer.example"
    )
    services.contact_update(actor=customer_admin, contact=second, is_subscription_contact=True)
    first.refresh_from_db()
    second.refresh_from_db()
    assert not first.is_subscription_contact
    assert second.is_subscription_contact
    third = services.contact_create(
        actor=customer_admin,
        customer=customer,
        name="Third",
        email="third@customer.example",
        is_subscription_contact=True,
    )
    holders = Contact.objects.filter(customer=customer, is_subscription_contact=True)
    assert list(holders) == [third]
    assert events().count() == 4


def test_subscription_contacts_of_other_customers_are_untouched(
    customer_admin, customer, other_customer
):
    """OBL BR-05: the subscription contact is per organisation."""
    theirs = ContactFactory(customer=other_customer, is_subscription_contact=True)
    services.contact_create(
        actor=customer_admin,
        customer=customer,
        name="Ours",
        email="ours@customer.example",
        is_subscription_contact=True,
    )
    theirs.refresh_from_db()
    assert theirs.is_subscription_contact


def test_subscription_contact_cannot_be_removed(customer_admin, customer):
    """OBL BR-05: an organisation is not left without its subscription contact by a removal."""
    holder = ContactFactory(customer=customer, is_subscription_contact=True)
    with pytest.raises(ValidationError):
        services.contact_delete(actor=customer_admin, contact=holder)
    assert Contact.objects.filter(pk=holder.pk).exists()
    assert not events().exists()


def test_breach_flag_and_email_are_kept(customer_admin, customer):
    """OBL BR-05: the admin flags contacts for data breach notifications (Meldplicht
    Datalekken); addresses are stored normalised so they are unique per organisation."""
    contact = services.contact_create(
        actor=customer_admin,
        customer=customer,
        name="Anna",
        email="  Anna@Customer.Example ",
        receives_breach_notices=True,
    )
    contact.refresh_from_db()
    assert contact.email == "anna@customer.example"
    assert contact.receives_breach_notices
    with pytest.raises(ValidationError) as excinfo:
        services.contact_create(
            actor=customer_admin, customer=customer, name="Anna 2", email="ANNA@customer.example"
        )
    assert excinfo.value.message_dict == {
        "email": ["This organisation already has a contact with this e-mail address."]
    }
    # The same person may be a contact of another organisation too.
    other = CustomerFactory()
    ContactFactory(customer=other, email="anna@customer.example")
    assert Contact.objects.filter(email="anna@customer.example").count() == 2
