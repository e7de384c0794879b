"""What the API answers is what its schema says (ON-02): blank choices are null, every list
is a page, a page is a whole number from 1, bodies are JSON of the named types."""

import pytest
from django.test import Client

from breaches.models import CustomerNotice
from breaches.services import affected_select, incident_notify, incident_report
from breaches.tests.conftest import customer_with, processor, product  # noqa: F401
from compliance.models import Role
from compliance.tests.conftest import temporary_broker  # noqa: F401
from tests.auth import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/customers/",
    "/api/contacts/",
    "/api/incidents/",
    "/api/notices/",
    "/api/deadlines/",
    "/api/change-notices/",
    "/api/objections/",
    "/api/subprocessors/",
    "/api/termination-rights/",
    "/api/tokens/",
]


@pytest.fixture
def world(temporary_broker, processor, product):  # noqa: F811
    staff = UserFactory(role=Role.STAFF_MEMBER)
    officer = UserFactory(role=Role.PRIVACY_OFFICER)
    customer_with(product, language="en")
    incident = incident_report(actor=staff, title="Phishing", description="A mailbox.")
    return officer, incident


def test_blank_choices_read_as_null(world):
    """OBL ON-02: a choice not made yet is null, never "" (which no enumeration holds)."""
    officer, incident = world
    client = sign_in(Client(), officer)
    body = client.get(f"/api/incidents/{incident.pk}/").json()
    assert body["selection_rule"] is None
    affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident)
    notice = CustomerNotice.objects.get(incident=incident)
    body = client.get(f"/api/notices/{notice.pk}/").json()
    assert body["informed_how"] is None
    assert body["decision_authority"] is None
    assert body["decision_authority_kind"] is None
    assert body["incident"]["severity_band"] is None
    assert client.get(f"/api/incidents/{incident.pk}/").json()["selection_rule"] == "all"


@pytest.mark.parametrize("path", LISTS)
def test_every_list_is_a_page_and_a_page_is_a_whole_number(world, path):
    """OBL ON-02: one pagination style; `page=abc` or `page=0` is refused with a message."""
    officer, _incident = world
    client = sign_in(Client(), officer)
    body = client.get(path).json()
    assert set(body) == {"count", "next", "previous", "results"}, body
    for page in ("abc", "0", "", "-1", "1.5"):
        response = client.get(path, {"page": page})
        assert response.status_code == 400, (path, page)
        assert response.json()["page"] == ["Give the page as a whole number from 1."]
    assert client.get(path, {"page": "99"}).status_code == 404


def test_bodies_are_json_of_the_named_types(world):
    """OBL ON-02: a form-encoded body is 415; 0 is no boolean and 12 no text."""
    officer, _incident = world
    client = sign_in(Client(), officer)
    form = client.post("/api/incidents/", {"title": "x", "description": "y"})
    assert form.status_code == 415
    response = client.post(
        "/api/incidents/",
        {"title": 12, "description": "y", "personal_data_possible": 0},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "title": ["Give text (a JSON string)."],
        "personal_data_possible": ["Give true or false."],
    }


def test_options_is_not_an_operation(world):
    """OBL ON-02: OPTIONS is not in the schema and answers 405 (it was a 500 on one view)."""
    officer, _incident = world
    client = sign_in(Client(), officer)
    assert client.options("/api/processor-profile/").status_code == 405
    assert client.options("/api/incidents/").status_code == 405
