"""RT-01 contract end through the API: the privacy officer records the end, the customer's
administrator asks for early deletion (binding), the ICT manager confirms; another
customer's id is a 404; the auditor reads and cannot write; bad input is a 400."""

import datetime

import pytest
from rest_framework.test import APIClient

from compliance.models import Role
from processing.models.contract_end import DeletionState, EnvironmentDeletion
from tests.auth import sign_in
from tests.factories import ContractFactory, CustomerFactory, UserFactory

URL = "/api/environment-deletions/"


@pytest.fixture
def world(db):
    customer = CustomerFactory()
    other = CustomerFactory()
    return {
        "contract": ContractFactory(customer=customer),
        "admin": UserFactory(role=Role.CUSTOMER_ADMIN, customer=customer),
        "other_admin": UserFactory(role=Role.CUSTOMER_ADMIN, customer=other),
        "ict": UserFactory(role=Role.ICT_MANAGER),
        "officer": UserFactory(role=Role.PRIVACY_OFFICER),
        "auditor": UserFactory(role=Role.AUDITOR),
    }


class _Json:
    """Requests as JSON (the API's only request format)."""

    def __init__(self, client):
        self.client = client

    def get(self, url):
        return self.client.get(url)

    def post(self, url, data):
        return self.client.post(url, data, format="json")


def _client(user):
    return _Json(sign_in(APIClient(), user))


def test_api_workflow_and_refusals(world):
    """RT-01: record, early deletion, confirm; 400 on bad input, 404 for another customer,
    403 for the auditor's writes."""
    officer = _client(world["officer"])
    bad = officer.post(URL, {"contract": world["contract"].pk, "ends_on": "2020-01-01"})
    assert bad.status_code == 400
    assert not EnvironmentDeletion.objects.exists()
    made = officer.post(URL, {"contract": world["contract"].pk, "ends_on": "2026-06-30"})
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    auditor = _client(world["auditor"])
    assert auditor.get(f"{URL}{pk}/").status_code == 200
    assert auditor.post(f"{URL}{pk}/confirm/", {"what": "x"}).status_code == 403
    assert (
        auditor.post(URL, {"contract": world["contract"].pk, "ends_on": "2026-06-30"}).status_code
        == 403
    )
    other = _client(world["other_admin"])
    assert other.get(f"{URL}{pk}/").status_code == 404
    assert other.post(f"{URL}{pk}/early-deletion/", {"confirm": True}).status_code == 404
    assert str(pk) not in str(other.get(URL).json())
    admin = _client(world["admin"])
    assert admin.post(f"{URL}{pk}/early-deletion/", {"confirm": False}).status_code == 400
    early = admin.post(f"{URL}{pk}/early-deletion/", {"confirm": True})
    assert early.status_code == 200
    assert early.json()["early_requested_at"]
    assert admin.get(f"{URL}{pk}/").status_code == 200
    ict = _client(world["ict"])
    assert ict.post(f"{URL}{pk}/confirm/", {"what": ""}).status_code == 400
    done = ict.post(f"{URL}{pk}/confirm/", {"what": "Tenant database"})
    assert done.status_code == 200
    assert done.json()["certificate"]
    assert EnvironmentDeletion.objects.get().state == DeletionState.DELETED
    assert datetime.date.fromisoformat(done.json()["contract_ended_on"]) == datetime.date(
        2026, 6, 30
    )
