"""Fixtures for the breach workflow: customers with contracts and contacts, roles, a clock."""

import datetime

import pytest
import time_machine

from breaches.tests.processes import (  # noqa: F401 - fixtures for tests with real processes
    fanout,
    holding_smtp,
    shared_database,
)
from compliance.models import ProcessorProfile, Role
from compliance.tests.conftest import (  # noqa: F401 - fixtures
    smtp_server,
    temporary_broker,
)
from subprocessors.models import Subprocessor
from tests.factories import (
    ContactFactory,
    ContractFactory,
    CustomerFactory,
    ProductFactory,
    UserFactory,
)

START = datetime.datetime(2026, 9, 1, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def processor(db):
    return ProcessorProfile.objects.create(
        legal_name="Processor B.V.",
        privacy_team_name="Privacy team",
        privacy_email="privacy@processor.example",
        privacy_phone="+31 20 123 4567",
    )


@pytest.fixture
def officer(db):
    return UserFactory(role=Role.PRIVACY_OFFICER, email="officer@processor.example")


@pytest.fixture
def second_officer(db):
    return UserFactory(role=Role.PRIVACY_OFFICER, email="officer2@processor.example")


@pytest.fixture
def staff(db):
    return UserFactory(role=Role.STAFF_MEMBER, email="staff@processor.example")


@pytest.fixture
def ict_manager(db):
    return UserFactory(role=Role.ICT_MANAGER, email="ict@processor.example")


@pytest.fixture
def product(db):
    return ProductFactory(code="profit", name="Profit")


@pytest.fixture
def other_product(db):
    return ProductFactory(code="payroll", name="Payroll")


def customer_with(product, *, language="nl", contacts=1, subscription=True, flagged=1, **kw):
    """A customer with an active contract for `product`, a subscription contact and
    `flagged` breach-flagged contacts (plus `contacts - flagged` unflagged ones)."""
    customer = CustomerFactory(language=language, **kw)
    contract = ContractFactory(customer=customer, starts_on=datetime.date(2024, 1, 1))
    if product is not None:
        contract.products.add(product)
    if subscription:
        ContactFactory(
            customer=customer, is_subscription_contact=True, receives_breach_notices=False
        )
    for _ in range(flagged):
        ContactFactory(customer=customer, receives_breach_notices=True)
    for _ in range(max(contacts - flagged, 0)):
        ContactFactory(customer=customer, receives_breach_notices=False)
    return customer


@pytest.fixture
def make_customer():
    return customer_with


@pytest.fixture
def subprocessor(db, product):
    sub = Subprocessor.objects.create(
        legal_entity="Cloud Hosting B.V.",
        purpose="Hosting",
        flow_down_reference="DPA-1",
        flow_down_signed_on=datetime.date(2024, 1, 1),
    )
    sub.products.add(product)
    return sub
