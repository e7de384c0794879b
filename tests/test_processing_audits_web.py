"""Customer audits (AU-01, AU-02) through the pages, the portal and the API: both
workflows; the legal ground for not informing never shown to a customer's users or an
auditor the customer engaged (pages, API, the Audit section's search and exports); bad
input refused with nothing written; another customer's ids refused; the auditor reads
and cannot write."""

import datetime

import pytest
from django.urls import reverse

from audits.models import AuditEvent
from compliance.models import Role
from processing.models.audits import AuditKind, CustomerAudit, CustomerAuditState
from processing.services import audits as services
from tests.auth import sign_in
from tests.factories import CustomerFactory, UserFactory

GROUND = "Secrecy order 2026-B: the customer may not be told"


@pytest.fixture
def world(db):
    customer = CustomerFactory(name="Bakkerij Jansen")
    other = CustomerFactory(name="Slagerij Pietersen")
    return {
        "customer": customer,
        "other": other,
        "admin": UserFactory(role=Role.CUSTOMER_ADMIN, customer=customer),
        "contact": UserFactory(role=Role.CUSTOMER_CONTACT, customer=customer),
        "other_admin": UserFactory(role=Role.CUSTOMER_ADMIN, customer=other),
        "officer": UserFactory(role=Role.PRIVACY_OFFICER),
        "auditor": UserFactory(role=Role.AUDITOR),
        "customer_auditor": UserFactory(role=Role.AUDITOR, customer=customer),
    }


def _as(client, user):
    client.logout()
    return sign_in(client, user)


def _record_form(customer, **changes):
    return {
        "customer": customer.pk,
        "kind": AuditKind.REGULATOR,
        "auditor": "Audit & Co",
        "scope": "Hosting and backups",
        "starts_on": "2026-07-01",
        "ends_on": "2026-07-03",
        "inform": "yes",
        "ground": "",
        **changes,
    }


def _hidden_audit(world):
    return services.audit_record(
        actor=world["officer"],
        customer_id=world["customer"].pk,
        kind=AuditKind.REGULATOR,
        auditor="Hidden Audit BV",
        scope="Hidden scope",
        starts_on=datetime.date(2026, 7, 1),
        ends_on=datetime.date(2026, 7, 2),
        inform=False,
        ground=GROUND,
    )


def test_au01_recorded_through_the_page(client, world):
    """OBL AU-01: the privacy officer records an audit, the customer informed; without a
    ground not informing is refused with a clear message and nothing written."""
    _as(client, world["officer"])
    assert client.get(reverse("processing:audit_create")).status_code == 200
    response = client.post(
        reverse("processing:audit_create"), _record_form(world["customer"], inform="no")
    )
    assert response.status_code == 400
    assert "give that ground" in response.content.decode()
    assert (
        not CustomerAudit.objects.exists()
        and not AuditEvent.objects.filter(action__startswith="processing.audit.").exists()
    )
    response = client.post(reverse("processing:audit_create"), _record_form(world["customer"]))
    audit = CustomerAudit.objects.get()
    assert response.status_code == 302 and audit.customer_informed_at is not None
    page = client.get(reverse("processing:audit_list")).content.decode()
    assert "Bakkerij Jansen" in page and "regulator" in page
    assert "in_progress" not in page
    page = client.get(reverse("processing:audit_detail", args=[audit.pk])).content.decode()
    assert reverse("processing:audit_start", args=[audit.pk]) in page
    response = client.post(reverse("processing:audit_start", args=[audit.pk]), {})
    assert response.status_code == 302
    response = client.post(
        reverse("processing:audit_report", args=[audit.pk]), {"received_on": "", "reference": ""}
    )
    assert response.status_code == 400
    response = client.post(
        reverse("processing:audit_report", args=[audit.pk]),
        {"received_on": "2026-05-01", "reference": "Report R-1"},
    )
    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.state == CustomerAuditState.REPORTED
    _as(client, world["admin"])
    page = client.get(reverse("processing:portal_audits")).content.decode()
    assert "Audit &amp; Co" in page and "Report R-1" in page


def test_au02_asked_for_from_the_portal_then_scheduled(client, world):
    """OBL AU-02: the customer's administrator asks (refused without acknowledging cost),
    the privacy officer schedules; the customer sees the dates in the portal."""
    _as(client, world["admin"])
    form = {"scope": "Backups", "preferred_period": "Second half of July", "auditor": ""}
    response = client.post(reverse("processing:portal_audit_request"), form)
    assert response.status_code == 400
    assert "at your own cost" in response.content.decode()
    assert not CustomerAudit.objects.exists()
    response = client.post(
        reverse("processing:portal_audit_request"), {**form, "cost_acknowledged": "on"}
    )
    assert response.status_code == 302
    audit = CustomerAudit.objects.get()
    _as(client, world["officer"])
    response = client.post(
        reverse("processing:audit_schedule", args=[audit.pk]),
        {"starts_on": "2026-07-20", "ends_on": "2026-07-10"},
    )
    assert response.status_code == 400
    response = client.post(
        reverse("processing:audit_schedule", args=[audit.pk]),
        {"starts_on": "2026-07-20", "ends_on": "2026-07-21"},
    )
    assert response.status_code == 302
    _as(client, world["admin"])
    page = client.get(reverse("processing:portal_audits")).content.decode()
    assert "Scheduled" in page and "20 July 2026" in page


def test_au01_ground_never_shown_to_customer_readers(client, world):
    """OBL AU-01: an audit kept from the customer and its ground appear nowhere a customer's
    user or an auditor it engaged reads: pages (404), API, Audit section search and
    exports; the processor's auditor sees the ground."""
    audit = _hidden_audit(world)
    informed = services.audit_record(
        actor=world["officer"],
        customer_id=world["customer"].pk,
        kind=AuditKind.CUSTOMER_AUDITOR,
        auditor="Known Auditors",
        scope="Known scope",
        starts_on=datetime.date(2026, 7, 1),
        ends_on=datetime.date(2026, 7, 2),
        inform=True,
    )
    for reader in ("admin", "contact", "customer_auditor"):
        _as(client, world[reader])
        bodies = [client.get(reverse("processing:portal_audits")).content.decode()]
        assert client.get(reverse("processing:audit_detail", args=[audit.pk])).status_code in (
            403,
            404,
        )
        response = client.get("/api/customer-audits/")
        assert response.status_code == 200
        assert [row["id"] for row in response.json()["results"]] == [informed.pk]
        assert "not_informed_ground" not in response.json()["results"][0]
        assert client.get(f"/api/customer-audits/{audit.pk}/").status_code == 404
        bodies.append(response.content.decode())
        if reader == "customer_auditor":
            bodies.append(client.get(reverse("processing:audit_list")).content.decode())
            bodies.append(client.get(reverse("audit_search")).content.decode())
            for name in ("audit_export_csv", "audit_export_json"):
                bodies.append(b"".join(client.get(reverse(name)).streaming_content).decode())
            assert "Known Auditors" in bodies[-1]
        for body in bodies:
            assert GROUND not in body
            assert "Hidden Audit BV" not in body and "Hidden scope" not in body
    _as(client, world["auditor"])
    page = client.get(reverse("processing:audit_detail", args=[audit.pk])).content.decode()
    assert GROUND in page
    assert client.get(f"/api/customer-audits/{audit.pk}/").json()["not_informed_ground"] == GROUND
    assert client.post(reverse("processing:audit_start", args=[audit.pk]), {}).status_code == 403


def test_other_customers_ids_refused_and_auditor_cannot_write(client, world):
    """OBL AU-01, AU-02: another customer's audit is a 404 on pages and API; the auditor
    and the customer cannot take a step; the API refuses bad input with nothing written."""
    _as(client, world["admin"])
    client.post(
        reverse("processing:portal_audit_request"),
        {"scope": "Backups", "preferred_period": "July", "cost_acknowledged": "on"},
    )
    audit = CustomerAudit.objects.get()
    _as(client, world["other_admin"])
    assert client.get(f"/api/customer-audits/{audit.pk}/").status_code == 404
    assert client.get("/api/customer-audits/").json()["results"] == []
    _as(client, world["auditor"])
    url = reverse("processing:audit_schedule", args=[audit.pk])
    assert client.post(url, {"starts_on": "2026-07-01", "ends_on": "2026-07-02"}).status_code == 403
    response = client.post(
        f"/api/customer-audits/{audit.pk}/schedule/",
        {"starts_on": "2026-07-01", "ends_on": "2026-07-02"},
        content_type="application/json",
    )
    assert response.status_code == 403
    _as(client, world["officer"])
    before = AuditEvent.objects.count()
    response = client.post(
        "/api/customer-audits/",
        {
            "customer": world["customer"].pk,
            "kind": "regulator",
            "auditor": "X",
            "scope": "Y",
            "starts_on": "2026-07-01",
            "ends_on": "2026-07-02",
            "inform": False,
            "ground": "",
        },
        content_type="application/json",
    )
    assert response.status_code == 400 and "ground" in response.json()
    assert AuditEvent.objects.count() == before and CustomerAudit.objects.count() == 1
    response = client.post(
        f"/api/customer-audits/{audit.pk}/schedule/",
        {"starts_on": "2026-07-01", "ends_on": "2026-07-02"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["state"] == "scheduled"


def test_au02_api_request_by_the_customer(client, world):
    """OBL AU-02: a customer's administrator asks through the API; the acknowledgement of
    cost is required; the answer has no staff-only fields."""
    _as(client, world["admin"])
    body = {"scope": "Backups", "preferred_period": "July"}
    response = client.post("/api/customer-audits/", body, content_type="application/json")
    assert response.status_code == 400 and "cost_acknowledged" in response.json()
    assert not CustomerAudit.objects.exists()
    response = client.post(
        "/api/customer-audits/",
        {**body, "cost_acknowledged": True},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert "not_informed_ground" not in response.json()
    assert response.json()["customer"] == world["customer"].pk
    _as(client, world["contact"])
    response = client.post(
        "/api/customer-audits/",
        {**body, "cost_acknowledged": True},
        content_type="application/json",
    )
    assert response.status_code == 403
