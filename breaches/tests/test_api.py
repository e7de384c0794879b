"""REST API of the breach workflow: the same services and rules as the pages."""

import datetime

import pytest
from django.test import Client

from breaches.models import CustomerNotice, Incident, IncidentState, NoticeState
from breaches.services import affected_select, incident_notify, incident_report
from compliance.models import Role
from tests.auth import sign_in

H = datetime.timedelta(hours=1)


def api(user) -> Client:
    return sign_in(Client(), user)


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


@pytest.fixture
def notified(clock, staff, officer, processor, product, make_customer, make_user):
    incident = incident_report(actor=staff, title="Ransomware", description="Files encrypted.")
    a = make_customer(product, language="en")
    b = make_customer(product, language="nl")
    affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident)
    return {
        "incident": incident,
        "a": CustomerNotice.objects.get(customer=a),
        "b": CustomerNotice.objects.get(customer=b),
        "user_a": make_user(Role.CUSTOMER_CONTACT, customer=a),
        "user_b": make_user(Role.CUSTOMER_ADMIN, customer=b),
    }


def test_report_triage_select_notify(clock, staff, officer, processor, product, make_customer):
    """OBL BR-01: a staff member reports through the API; OBL BR-11: the officer triages
    (score and band computed); OBL BR-08: selects by product; OBL BR-03: notifies once."""
    customer = make_customer(product)
    response = post(
        api(staff),
        "/api/incidents/",
        {
            "title": "Laptop stolen",
            "description": "With a database copy.",
            "discovered_at": "2026-09-01T09:30:00+02:00",
            "products": [product.code],
            "personal_data_possible": True,
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["discovered_at"] == "2026-09-01T07:30:00Z"
    assert body["customer_due_at"] == "2026-09-03T07:30:00Z"
    pk = body["id"]
    officer_api = api(officer)
    response = post(
        officer_api,
        f"/api/incidents/{pk}/triage/",
        {"personal_data_involved": True, "enisa_dpc": 3, "enisa_ei": "1"},
    )
    assert response.status_code == 200, response.json()
    assert response.json()["severity_band"] == "high"
    assert response.json()["state"] == IncidentState.TRIAGE
    response = post(
        officer_api, f"/api/incidents/{pk}/select/", {"rule": "product", "products": [product.code]}
    )
    assert response.status_code == 200 and response.json()["affected_customers_count"] == 1
    response = post(officer_api, f"/api/incidents/{pk}/notify/")
    assert response.status_code == 200
    assert response.json()["notices_created"] == 1 and not response.json()["pending_approval"]
    assert CustomerNotice.objects.get().customer == customer
    duplicate = post(officer_api, f"/api/incidents/{pk}/notify/")
    assert duplicate.status_code == 400
    assert "nobody is notified twice" in duplicate.json()["non_field_errors"][0]
    assert CustomerNotice.objects.count() == 1


def test_bad_input_is_400(clock, staff, officer, processor):
    """Bad input: a time without offset, a future discovery time, an empty selection."""
    client = api(staff)
    naive = post(
        client,
        "/api/incidents/",
        {"title": "x", "description": "y", "discovered_at": "2026-09-01T09:30:00"},
    )
    assert naive.status_code == 400 and "offset" in naive.json()["discovered_at"][0]
    future = post(
        client,
        "/api/incidents/",
        {"title": "x", "description": "y", "discovered_at": "2026-09-02T09:30:00+02:00"},
    )
    assert future.status_code == 400 and "future" in future.json()["discovered_at"][0]
    assert not Incident.objects.exists()
    incident = incident_report(actor=staff, title="x", description="y")
    empty = post(
        api(officer), f"/api/incidents/{incident.pk}/select/", {"rule": "hand", "customers": []}
    )
    assert empty.status_code == 400 and "customers" in empty.json()
    notify = post(api(officer), f"/api/incidents/{incident.pk}/notify/")
    assert notify.status_code == 400


def test_incident_roles(clock, staff, officer, ict_manager, processor, make_user, customer):
    incident = incident_report(actor=staff, title="x", description="y")
    assert api(staff).get("/api/incidents/").json()["count"] == 1
    other_staff = make_user(Role.STAFF_MEMBER)
    assert api(other_staff).get("/api/incidents/").json()["count"] == 0
    assert api(other_staff).get(f"/api/incidents/{incident.pk}/").status_code == 404
    assert post(api(ict_manager), f"/api/incidents/{incident.pk}/notify/").status_code == 403
    customer_user = make_user(Role.CUSTOMER_ADMIN, customer=customer)
    assert api(customer_user).get("/api/incidents/").status_code == 403
    assert api(customer_user).get(f"/api/incidents/{incident.pk}/").status_code == 403
    assert (
        post(api(customer_user), "/api/incidents/", {"title": "x", "description": "y"}).status_code
        == 403
    )
    auditor = make_user(Role.AUDITOR)
    assert api(auditor).get(f"/api/incidents/{incident.pk}/").status_code == 200
    assert post(api(auditor), f"/api/incidents/{incident.pk}/triage/", {}).status_code == 403


def test_customer_sees_only_own_notices(notified):
    """OBL BR-06: a customer user lists and reads only its own organisation's notices,
    with the Art. 33(3) contents; another customer's notice is a 404."""
    client = api(notified["user_a"])
    rows = client.get("/api/notices/").json()["results"]
    assert [row["id"] for row in rows] == [notified["a"].pk]
    detail = client.get(f"/api/notices/{notified['a'].pk}/").json()
    assert detail["incident"]["title"] == "Ransomware"
    assert "likely_consequences" in detail["incident"]
    other = notified["b"].pk
    assert client.get(f"/api/notices/{other}/").status_code == 404
    for name in ("acknowledge", "announce", "decide"):
        assert post(client, f"/api/notices/{other}/{name}/").status_code == 404
    notified["b"].refresh_from_db()
    assert notified["b"].acknowledged_at is None


def test_acknowledge_announce_decide(notified, officer, clock):
    """OBL BR-04: acknowledge and record a decision, revisable; OBL BR-09: announce an
    intended notification first."""
    client = api(notified["user_a"])
    pk = notified["a"].pk
    response = post(client, f"/api/notices/{pk}/acknowledge/")
    assert response.status_code == 200 and response.json()["state"] == NoticeState.ACKNOWLEDGED
    response = post(
        client,
        f"/api/notices/{pk}/announce/",
        {"kind": "preliminary", "recipient": "ap", "planned_at": "2026-09-02T10:00:00+02:00"},
    )
    assert response.status_code == 200, response.json()
    assert response.json()["intention_planned_at"] == "2026-09-02T08:00:00Z"
    response = post(
        client,
        f"/api/notices/{pk}/decide/",
        {
            "is_breach": True,
            "breach_reasoning": "Client names.",
            "authority_notified": True,
            "authority": "ap",
            "authority_notified_on": "2026-09-01",
            "authority_reference": "AP-1",
            "authority_kind": "preliminary",
            "subjects_informed": False,
            "subjects_reasoning": "Low risk.",
        },
    )
    assert response.status_code == 200, response.json()
    assert response.json()["decision_authority_reference"] == "AP-1"
    clock.shift(H)
    response = post(
        client,
        f"/api/notices/{pk}/decide/",
        {"is_breach": False, "breach_reasoning": "No data read."},
    )
    assert response.status_code == 200
    assert response.json()["decision_is_breach"] is False
    bad = post(client, f"/api/notices/{pk}/decide/", {"is_breach": True, "breach_reasoning": "x"})
    assert bad.status_code == 400 and "authority_notified" in bad.json()
    # The officer reads notices but cannot respond for the customer.
    assert api(officer).get(f"/api/notices/{pk}/").status_code == 200
    assert post(api(officer), f"/api/notices/{pk}/acknowledge/").status_code == 403


def test_schema_documents_the_breach_api(officer):
    schema = api(officer).get("/api/schema/?format=json").json()
    for path in (
        "/api/incidents/",
        "/api/incidents/{id}/triage/",
        "/api/incidents/{id}/select/",
        "/api/incidents/{id}/notify/",
        "/api/notices/",
        "/api/notices/{id}/decide/",
        "/api/notices/{id}/announce/",
        "/api/notices/{id}/acknowledge/",
    ):
        assert path in schema["paths"], path
    assert not [p for p in schema["paths"] if "authority" in p]
