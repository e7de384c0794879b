"""Temporary access (AC-03) through the pages, the API and the portal include: the whole
workflow, the four-eyes rule, bad input, another customer's ids, the auditor."""

import datetime

import pytest
import time_machine
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from access.models import TemporaryAccess, TemporaryState
from access.services import temporary as services
from audits.actions import AuditAction
from audits.models import AuditEvent
from compliance.models import Role
from tests.auth import sign_in
from tests.factories import CustomerFactory, UserFactory

NOW = datetime.datetime(2026, 6, 1, 8, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def world(db):
    customer = CustomerFactory(name="Bakkerij Jansen")
    other = CustomerFactory(name="Slagerij Pietersen")
    return {
        "customer": customer,
        "other": other,
        "admin": UserFactory(role=Role.CUSTOMER_ADMIN, customer=customer),
        "other_admin": UserFactory(role=Role.CUSTOMER_ADMIN, customer=other),
        "developer": UserFactory(role=Role.STAFF_MEMBER),
        "ict": UserFactory(role=Role.ICT_MANAGER),
        "ict2": UserFactory(role=Role.ICT_MANAGER),
        "auditor": UserFactory(role=Role.AUDITOR),
    }


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _as(client, user):
    client.logout()
    return sign_in(client, user)


def _form(who, **changes):
    return {
        "customer": who.pk,
        "reason": "Trace ticket SUP-7",
        "starts_at": "2026-06-01T12:00",
        "ends_at": "2026-06-03T12:00",
        **changes,
    }


def test_workflow_through_the_pages(client, world, clock):
    """OBL AC-03: request, approval, revocation and confirmed removal through the pages;
    each page offers only the actions its reader may take."""
    _as(client, world["developer"])
    response = client.post(reverse("access:temporary_create"), _form(world["customer"]))
    access = TemporaryAccess.objects.get()
    assert response.status_code == 302
    assert access.starts_at == datetime.datetime(2026, 6, 1, 10, 0, tzinfo=datetime.UTC)
    page = client.get(reverse("access:temporary_detail", args=[access.pk])).content.decode()
    assert "/approve/" not in page
    _as(client, world["ict"])
    page = client.get(reverse("access:temporary_list") + "?show=open").content.decode()
    assert "Bakkerij Jansen" in page and "waiting for a decision" in page
    assert "requested" not in page  # no codes, people words
    page = client.get(reverse("access:temporary_detail", args=[access.pk])).content.decode()
    assert reverse("access:temporary_approve", args=[access.pk]) in page
    response = client.post(reverse("access:temporary_approve", args=[access.pk]), {"note": "ok"})
    assert response.status_code == 302
    clock.move_to(NOW + 3 * HOUR)
    page = client.get(reverse("access:temporary_list") + "?show=active").content.decode()
    assert "ends in 1\xa0day" in page
    response = client.post(reverse("access:temporary_revoke", args=[access.pk]), {"note": ""})
    assert response.status_code == 400
    assert "Say why the access is revoked." in response.content.decode()
    client.post(reverse("access:temporary_revoke", args=[access.pk]), {"note": "done"})
    page = client.get(reverse("access:temporary_list") + "?show=ended").content.decode()
    assert "removal to be confirmed within 1\xa0day" in page
    client.post(reverse("access:temporary_confirm_removal", args=[access.pk]), {"note": "VPN"})
    access.refresh_from_db()
    assert access.state == TemporaryState.REVOKED
    assert access.removal_confirmed_by == world["ict"]
    page = client.get(reverse("access:temporary_detail", args=[access.pk])).content.decode()
    assert "Removal from the systems confirmed by" in page
    assert "CEST" in page


def test_requester_cannot_approve_own_request_on_the_page_or_api(client, world, clock):
    """OBL AC-03: an ICT manager's own request shows no approve button; posting anyway is
    refused with a message, in the API too, and nothing changes."""
    access = services.temporary_request(
        actor=world["ict"],
        customer_id=world["customer"].pk,
        reason="Own work",
        starts_at=NOW + HOUR,
        ends_at=NOW + 5 * HOUR,
    )
    _as(client, world["ict"])
    page = client.get(reverse("access:temporary_detail", args=[access.pk])).content.decode()
    assert reverse("access:temporary_approve", args=[access.pk]) not in page
    assert "another ICT manager decides" in page
    response = client.post(reverse("access:temporary_approve", args=[access.pk]), {"note": ""})
    assert response.status_code == 400
    assert "another ICT manager decides" in response.content.decode()
    response = client.post(
        f"/api/temporary-access/{access.pk}/approve/", {}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "another ICT manager" in str(response.json())
    access.refresh_from_db()
    assert access.state == TemporaryState.REQUESTED


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends_at": "2026-06-01T11:00"}, "The end must come after the start."),
        ({"ends_at": "2026-07-01T12:01"}, "at most 30 days"),
        ({"reason": ""}, "This field is required."),
        ({"customer": 987654}, "There is no such customer."),
    ],
)
def test_bad_input_on_the_page_is_refused_and_nothing_written(
    client, world, clock, changes, message
):
    """OBL AC-03: period backwards, too long, no reason, unknown customer: 400 with the
    message, no row and no audit event."""
    _as(client, world["developer"])
    events = AuditEvent.objects.count()
    response = client.post(reverse("access:temporary_create"), _form(world["customer"], **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert TemporaryAccess.objects.count() == 0
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ends_at": "2026-06-01T09:00:00Z"}, "ends_at", "after the start"),
        ({"ends_at": "2026-07-02T12:00:00Z"}, "ends_at", "at most 30 days"),
        ({"reason": " "}, "reason", "why"),
        ({"customer": 987654}, "customer", "no such customer"),
    ],
)
def test_bad_input_in_the_api_is_refused_and_nothing_written(
    client, world, clock, changes, field, message
):
    """OBL AC-03: the API answers 400 with the message at the field; nothing written."""
    _as(client, world["developer"])
    body = {
        "customer": world["customer"].pk,
        "reason": "Trace",
        "starts_at": "2026-06-01T10:00:00Z",
        "ends_at": "2026-06-03T10:00:00Z",
        **changes,
    }
    events = AuditEvent.objects.count()
    response = client.post("/api/temporary-access/", body, content_type="application/json")
    assert response.status_code == 400
    assert message in " ".join(response.json()[field]).lower() or message in str(response.json())
    assert TemporaryAccess.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_workflow_through_the_api(client, world, clock):
    """OBL AC-03: create, approve, revoke and confirm removal through the API, with each
    step's audit event."""
    _as(client, world["developer"])
    response = client.post(
        "/api/temporary-access/",
        {
            "customer": world["customer"].pk,
            "reason": "Trace",
            "starts_at": "2026-06-01T10:00:00Z",
            "ends_at": "2026-06-03T10:00:00Z",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["state_label"] == "Waiting for the ICT manager"
    _as(client, world["ict"])
    for step, note in (("approve", ""), ("revoke", "done"), ("confirm-removal", "removed")):
        response = client.post(
            f"/api/temporary-access/{pk}/{step}/", {"note": note}, content_type="application/json"
        )
        assert response.status_code == 200, (step, response.content)
    assert response.json()["removal_confirmed_by"] == world["ict"].pk
    assert list(
        AuditEvent.objects.filter(object_type="access.TemporaryAccess", object_id=str(pk))
        .order_by("pk")
        .values_list("action", flat=True)
    ) == [
        "access.temporary.requested",
        "access.temporary.approved",
        "access.temporary.revoked",
        "access.temporary.removal_confirmed",
    ]


def _active(world, customer):
    access = services.temporary_request(
        actor=world["developer"],
        customer_id=customer.pk,
        reason=f"Work for {customer.name}",
        starts_at=NOW,
        ends_at=NOW + 5 * HOUR,
    )
    return services.temporary_approve(actor=world["ict"], access=access, note="")


def test_customer_sees_only_its_own_access_in_the_portal_and_api(client, world, clock):
    """OBL AC-03: the customer's portal include lists its own approved access only; another
    customer's id answers 404 on the page and in the API."""
    own = _active(world, world["customer"])
    theirs = _active(world, world["other"])
    request = RequestFactory().get("/portal/access/uses/")
    request.user = world["admin"]
    html = render_to_string("access/temporary/_portal.html", {"request": request})
    assert "Work for Bakkerij Jansen" in html
    assert "Slagerij" not in html
    _as(client, world["admin"])
    assert client.get(reverse("access:temporary_detail", args=[theirs.pk])).status_code == 404
    assert client.get(f"/api/temporary-access/{theirs.pk}/").status_code == 404
    ids = [row["id"] for row in client.get("/api/temporary-access/").json()["results"]]
    assert ids == [own.pk]
    response = client.post(
        f"/api/temporary-access/{own.pk}/revoke/", {"note": "x"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_staff_member_sees_only_own_requests(client, world, clock):
    """OBL AC-03: a staff member's register holds their own requests, not a colleague's."""
    colleague = UserFactory(role=Role.STAFF_MEMBER)
    services.temporary_request(
        actor=colleague,
        customer_id=world["customer"].pk,
        reason="Colleague's",
        starts_at=NOW,
        ends_at=NOW + HOUR,
    )
    _as(client, world["developer"])
    page = client.get(reverse("access:temporary_list")).content.decode()
    assert "Bakkerij Jansen" not in page


def test_auditor_reads_and_cannot_write(client, world, clock):
    """OBL AC-03: the auditor reads the register, a request and the API; every step is
    refused (403) and nothing changes."""
    access = services.temporary_request(
        actor=world["developer"],
        customer_id=world["customer"].pk,
        reason="Trace",
        starts_at=NOW,
        ends_at=NOW + HOUR,
    )
    _as(client, world["auditor"])
    assert client.get(reverse("access:temporary_list")).status_code == 200
    assert client.get(reverse("access:temporary_detail", args=[access.pk])).status_code == 200
    assert client.get(f"/api/temporary-access/{access.pk}/").status_code == 200
    assert client.get(reverse("access:temporary_create")).status_code == 403
    for name in ("approve", "refuse", "revoke", "confirm_removal"):
        url = reverse(f"access:temporary_{name}", args=[access.pk])
        assert client.post(url, {"note": "x"}).status_code == 403, name
    for step in ("approve", "refuse", "revoke", "confirm-removal"):
        response = client.post(
            f"/api/temporary-access/{access.pk}/{step}/", {}, content_type="application/json"
        )
        assert response.status_code == 403, step
    response = client.post("/api/temporary-access/", {}, content_type="application/json")
    assert response.status_code == 403
    access.refresh_from_db()
    assert access.state == TemporaryState.REQUESTED


def test_actions_have_labels_in_the_audit_search(client, world):
    """OBL AC-03: every step's audit action is offered by the Audit section's search with
    its English words, in the group of access to customer data."""
    values = [v for v in AuditAction.values if v.startswith("access.temporary.")]
    assert len(values) == 8
    _as(client, UserFactory(role=Role.PRIVACY_OFFICER))
    page = client.get(reverse("audit_search")).content.decode()
    assert "Access to customer data" in page
    for value in values:
        assert f'value="{value}"' in page
        assert str(AuditAction(value).label) in page
