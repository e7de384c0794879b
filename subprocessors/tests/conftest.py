"""Fixtures for the subprocessor workflows: a register, customers with contracts, roles."""

import datetime

import pytest
import time_machine

from compliance.access import SYSTEM
from compliance.models import ProcessorProfile, Role
from compliance.tests.conftest import smtp_server  # noqa: F401 - a real SMTP server
from subprocessors.services import location_add, subprocessor_create
from tests.factories import ContactFactory, ContractFactory, CustomerFactory, ProductFactory

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
    )


@pytest.fixture
def product(db):
    return ProductFactory(code="profit", name="Profit")


@pytest.fixture
def hosting(product, clock):
    subprocessor = subprocessor_create(
        actor=SYSTEM,
        legal_entity="LeaseWeb Netherlands B.V.",
        purpose="Hosting",
        certifications="ISO 27001",
        flow_down_reference="DPA-LW-1",
        flow_down_signed_on=datetime.date(2020, 1, 1),
        products=[product],
        active_since=datetime.date(2012, 1, 1),
    )
    location_add(actor=SYSTEM, subprocessor=subprocessor, city="Haarlem", country="NL")
    return subprocessor


def customer_with_contract(product, *, ends_on=None, contacts=1, **kwargs):
    customer = CustomerFactory(**kwargs)
    contract = ContractFactory(customer=customer, ends_on=ends_on)
    contract.products.set([product])
    for i in range(contacts):
        ContactFactory(customer=customer, is_subscription_contact=(i == 0))
    return customer


@pytest.fixture
def active_customer(product, clock):
    return customer_with_contract(product, contacts=2)


@pytest.fixture
def board_member(make_user):
    return make_user(Role.BOARD_MEMBER)
