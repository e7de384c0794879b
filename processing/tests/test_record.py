"""The record of processing (GDPR Art. 30(2), obligation RP-01): composed by a pure function
from contracts, products and subprocessors; a new version only when it changed, with what
changed in words; the details the privacy officer keeps; each step's audit event."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from audits.models import AuditEvent
from compliance.models import AgreementModel, Contact, Contract, ProcessorProfile, Product, Role
from processing.models import ProcessingRecordVersion
from processing.selectors.record import changes_describe, record_compose
from processing.services import record as services
from subprocessors.models import ProcessingLocation, Subprocessor
from tests.factories import CustomerFactory, UserFactory

TODAY = datetime.date(2026, 6, 1)


def _inputs(**over):
    base = {
        "processor": {
            "name": "Proc BV",
            "address": "",
            "team": "Privacy",
            "email": "p@x.nl",
            "phone": "",
        },
        "processor_dpo": None,
        "controller": {"name": "Klant", "customer_number": "K1", "country": "NL"},
        "controller_contacts": [{"name": "An", "email": "an@k.nl", "phone": ""}],
        "controller_dpo": {"name": "Bo", "email": "bo@k.nl", "phone": ""},
        "contracts": [
            {
                "starts_on": "2025-01-01",
                "ends_on": None,
                "agreement_model": "standard",
                "products": [{"code": "hr", "name": "HR", "description": "Payroll"}],
            }
        ],
        "categories_note": "",
        "subprocessors": [
            {
                "name": "Cloud BV",
                "purpose": "Hosting",
                "products": ["hr"],
                "locations": [{"name": "", "city": "Amsterdam", "country": "NL"}],
            }
        ],
        "security_general": "Encryption",
        "security_additions": "",
    }
    base.update(over)
    return base


def test_compose_is_pure_and_states_every_section():
    """OBL RP-01: Art. 30(2)(a)–(d) composed by a pure function: the parties and their data
    protection officers, the categories per product, transfers stated (none: EEA only), the
    subprocessors with their locations, the security measures."""
    content = record_compose(_inputs())
    assert content == record_compose(_inputs())
    assert content["processor"]["name"] == "Proc BV" and content["processor"]["dpo"] is None
    assert content["controller"]["dpo"]["name"] == "Bo"
    assert content["categories"]["products"] == [
        {
            "product": "hr",
            "product_name": "HR",
            "description": "Payroll",
            "agreement_models": ["standard"],
        }
    ]
    assert content["transfers"] == {"eea_only": True, "third_countries": []}
    assert content["subprocessors"][0]["locations"][0]["city"] == "Amsterdam"
    assert content["security"] == {"general": "Encryption", "additions": ""}
    outside = _inputs(
        subprocessors=[
            {
                "name": "X",
                "purpose": "p",
                "products": ["hr"],
                "locations": [{"name": "", "city": "NY", "country": "US"}],
            }
        ]
    )
    assert record_compose(outside)["transfers"] == {"eea_only": False, "third_countries": ["US"]}


def test_changes_are_described_in_words():
    """OBL RP-01: what changed between two versions, in words."""
    old = record_compose(_inputs())
    new = record_compose(_inputs(subprocessors=[], security_general="Encryption and MFA"))
    words = changes_describe(old, new)
    assert "Subprocessors removed: Cloud BV." in words
    assert "The description of the security measures changed." in words
    assert changes_describe(None, new) == ["First version of the record."]


@pytest.fixture
def world(db):
    ProcessorProfile.objects.get_or_create(
        pk=1,
        defaults={
            "legal_name": "Proc BV",
            "privacy_team_name": "Privacy",
            "privacy_email": "p@x.nl",
        },
    )
    customer = CustomerFactory(name="Bakkerij Jansen")
    Contact.objects.create(
        customer=customer, name="Jan", email="jan@jansen.nl", is_subscription_contact=True
    )
    product = Product.objects.create(code="hr-suite", name="HR Suite")
    contract = Contract.objects.create(
        customer=customer,
        starts_on=TODAY - datetime.timedelta(days=30),
        agreement_model=AgreementModel.STANDARD,
    )
    contract.products.add(product)
    sub = Subprocessor.objects.create(
        legal_entity="Cloud BV",
        purpose="Hosting",
        flow_down_reference="FD-1",
        flow_down_signed_on=TODAY,
    )
    sub.products.add(product)
    ProcessingLocation.objects.create(subprocessor=sub, city="Amsterdam", country="NL")
    officer = UserFactory(role=Role.PRIVACY_OFFICER)
    return {"customer": customer, "product": product, "sub": sub, "officer": officer}


def _actions(customer):
    return list(
        AuditEvent.objects.filter(customer_id=customer.pk, action__startswith="processing.record")
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_refresh_makes_a_version_only_when_something_changed(world):
    """OBL RP-01 (Art. 30(2)): the first refresh stores version 1; no change makes none; a
    change to a subprocessor or a product makes version 2 with its change note."""
    customer, officer = world["customer"], world["officer"]
    first = services.record_refresh(actor=officer, customer=customer, with_pdf=False)
    assert first.version == 1 and first.change_note == "First version of the record."
    assert services.record_refresh(actor=officer, customer=customer, with_pdf=False) is None
    ProcessingLocation.objects.create(subprocessor=world["sub"], city="Frankfurt", country="DE")
    second = services.record_refresh(actor=officer, customer=customer, with_pdf=False)
    assert second.version == 2
    assert (
        "Subprocessors with changed purpose, products or locations: Cloud BV." in second.change_note
    )
    world["product"].name = "HR Suite Plus"
    world["product"].save()
    third = services.record_refresh(actor=officer, customer=customer, with_pdf=False)
    assert third.version == 3 and third.change_note
    assert _actions(customer) == ["processing.record.versioned"] * 3


def test_the_sweep_picks_up_a_changed_subprocessor(world):
    """OBL RP-01: the daily sweep stores a new version where a subprocessor changed."""
    assert services.record_sweep() >= 1
    assert services.record_sweep() == 0
    world["sub"].purpose = "Hosting and backups"
    world["sub"].save()
    assert services.record_sweep() == 1
    latest = ProcessingRecordVersion.objects.filter(customer=world["customer"]).first()
    assert latest.version == 2 and latest.document is not None


def test_details_change_with_event_and_bad_input_writes_nothing(world):
    """OBL RP-01: the controller's data protection officer and the texts; a contact without a
    name is refused with a clear message and nothing is written."""
    customer, officer = world["customer"], world["officer"]
    with pytest.raises(ValidationError) as refused:
        services.details_update(actor=officer, customer=customer, dpo_email="dpo@jansen.nl")
    assert "name" in str(refused.value)
    assert not AuditEvent.objects.filter(action="processing.record.details_changed").exists()
    services.details_update(
        actor=officer, customer=customer, dpo_name="Dee", dpo_email="dpo@jansen.nl"
    )
    assert "processing.record.details_changed" in _actions(customer)
    version = services.record_refresh(actor=officer, customer=customer, with_pdf=False)
    assert version.content["controller"]["dpo"]["name"] == "Dee"


def test_the_auditor_and_customer_cannot_write(world):
    """OBL RP-01: the auditor reads and cannot write; a customer's user neither."""
    from django.core.exceptions import PermissionDenied

    auditor = UserFactory(role=Role.AUDITOR)
    admin = UserFactory(role=Role.CUSTOMER_ADMIN, customer=world["customer"])
    for actor in (auditor, admin):
        with pytest.raises(PermissionDenied):
            services.record_refresh(actor=actor, customer=world["customer"])
        with pytest.raises(PermissionDenied):
            services.details_update(
                actor=actor, customer=world["customer"], dpo_name="X", dpo_email="x@y.nl"
            )
    assert not ProcessingRecordVersion.objects.exists()
