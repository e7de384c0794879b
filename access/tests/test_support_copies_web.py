"""OBL AC-05: the support-copy workflow through the pages and the API: register, ticket
status (the ticketing system's token), accesses, deletion; the customer's portal; another
customer's ids refused; the auditor reads and cannot write; bad input refused with a clear
message and nothing written."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from access.models import CopyState, SupportCopy, SupportCopyAccess
from access.services import support_copies as services
from audits.models import AuditEvent
from compliance import tokens
from compliance.access import SESSION_SECOND_FACTOR
from compliance.models import Role
from tests.auth import sign_in
from tests.factories import CustomerFactory, UserFactory

UTC = datetime.UTC
NOW = datetime.datetime(2026, 6, 10, 10, 0, tzinfo=UTC)  # 12:00 CEST
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(db, clock):
    acme = CustomerFactory(name="Acme Zorg B.V.")
    other = CustomerFactory(name="Other Onderwijs B.V.")
    users = {
        "taker": UserFactory(role=Role.STAFF_MEMBER, full_name="Tom Taker"),
        "ict": UserFactory(role=Role.ICT_MANAGER, full_name="Ira ICT"),
        "officer": UserFactory(role=Role.PRIVACY_OFFICER),
        "auditor": UserFactory(role=Role.AUDITOR),
        "acme_admin": UserFactory(role=Role.CUSTOMER_ADMIN, customer=acme),
        "other_admin": UserFactory(role=Role.CUSTOMER_ADMIN, customer=other),
    }
    copy = services.support_copy_register(
        actor=users["ict"],
        customer=acme,
        ticket="SUP-ACME-1",
        description="Production copy",
        taken_at=NOW - 2 * HOUR,
        taken_by=users["taker"],
    )
    services.support_copy_access_record(
        actor=users["ict"],
        copy=copy,
        user=users["taker"],
        accessed_at=NOW - HOUR,
        note="Reproduced the error",
    )
    other_copy = services.support_copy_register(
        actor=users["ict"],
        customer=other,
        ticket="SUP-OTHER-1",
        description="Other copy",
        taken_at=NOW - 2 * HOUR,
        taken_by=users["ict"],
    )
    return {"acme": acme, "other": other, "copy": copy, "other_copy": other_copy, **users}


def client(user):
    return sign_in(Client(), user)


def post_json(c, path, data, **extra):
    return c.post(path, data, content_type="application/json", **extra)


def test_workflow_through_the_pages(world):
    """OBL AC-05: register, set the ticket resolved by hand, record an access, confirm the
    deletion; the register shows the deadline in words and filters; each step audited."""
    c = client(world["taker"])
    response = c.post(
        reverse("access:support_copy_create"),
        {
            "customer": world["acme"].pk,
            "ticket": "SUP-ACME-2",
            "description": "HR module",
            "taken_at": "2026-06-10T11:30",
            "taken_by": world["taker"].pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    copy = SupportCopy.objects.get(ticket="SUP-ACME-2")
    assert copy.taken_at == NOW - 30 * datetime.timedelta(minutes=1)  # Amsterdam time typed
    detail = c.get(reverse("access:support_copy_detail", args=[copy.pk])).content.decode()
    assert "7 November 2026, 10:30 CET" in detail  # 150 × 24 h: 11:30 CEST → 10:30 CET
    response = c.post(
        reverse("access:support_copy_ticket_status", args=[copy.pk]),
        {"status": "resolved", "at": "2026-06-10T11:45"},
    )
    assert response.status_code == 302
    listing = c.get(reverse("access:support_copy_list")).content.decode()
    assert "Delete by 12 June 2026, 11:45 CEST (48 hours after the ticket was resolved)" in listing
    response = c.post(
        reverse("access:support_copy_access_record", args=[copy.pk]),
        {"user": world["taker"].pk, "accessed_at": "2026-06-10T11:50", "note": "Checked"},
    )
    assert response.status_code == 302
    response = c.post(
        reverse("access:support_copy_deletion", args=[copy.pk]),
        {"deleted_at": "2026-06-10T11:55"},
    )
    assert response.status_code == 302
    copy.refresh_from_db()
    assert copy.state == CopyState.DELETED and copy.deletion_confirmed_by == world["taker"]
    deleted = c.get(reverse("access:support_copy_list") + "?show=deleted").content.decode()
    assert "SUP-ACME-2" in deleted and "SUP-ACME-1" not in deleted
    held = c.get(reverse("access:support_copy_list") + "?show=held").content.decode()
    assert "SUP-ACME-1" in held and "SUP-ACME-2" not in held
    actions = set(
        AuditEvent.objects.filter(
            object_id=str(copy.pk), object_type="access.SupportCopy"
        ).values_list("action", flat=True)
    )
    assert actions == {
        "access.support_copy.registered",
        "access.support_copy.ticket_closed",
        "access.support_copy.access_recorded",
        "access.support_copy.deleted",
    }


def test_page_refuses_bad_input_with_a_message_and_writes_nothing(world):
    """OBL AC-05: a ticket status with a moment in the future is refused on the page."""
    c = client(world["ict"])
    events = AuditEvent.objects.count()
    response = c.post(
        reverse("access:support_copy_ticket_status", args=[world["copy"].pk]),
        {"status": "resolved", "at": "2026-06-10T13:00"},
    )
    assert response.status_code == 400
    assert "lies in the future" in response.content.decode()
    assert AuditEvent.objects.count() == events


def test_overdue_filter(world, clock):
    """OBL AC-05: the register's overdue filter lists held copies past their deadline."""
    c = client(world["ict"])
    clock.move_to(world["copy"].due_latest_at + datetime.timedelta(seconds=1))
    sign_in(c, world["ict"])
    page = c.get(reverse("access:support_copy_list") + "?show=overdue").content.decode()
    assert "SUP-ACME-1" in page and "overdue by" in page


def test_ticketing_system_reports_status_with_a_token(world):
    """OBL AC-05: the ticketing system, with the API token of an ICT manager, resolves the
    ticket; bad input answers 4xx with a message and writes nothing."""
    _, secret = tokens.api_token_create(
        actor=world["ict"],
        request=type(
            "R", (), {"user": world["ict"], "auth": None, "session": {SESSION_SECOND_FACTOR: "x"}}
        )(),
        name="ticketing",
        expires_in_days=30,
    )
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    c = Client()
    path = f"/api/support-copies/{world['copy'].pk}/ticket-status/"
    events = AuditEvent.objects.filter(action__startswith="access.").count()
    bad = [
        (path, {"status": "resolved", "at": (NOW + HOUR).isoformat()}, 400, "future"),
        (path, {"status": "resolved", "at": (NOW - 3 * HOUR).isoformat()}, 400, "back in time"),
        (path, {"status": "open", "at": NOW.isoformat()}, 400, "already"),
        (path, {"status": "fixed", "at": NOW.isoformat()}, 400, "fixed"),
        ("/api/support-copies/999999/ticket-status/", {"status": "resolved"}, 404, "No support"),
    ]
    for url, data, code, message in bad:
        response = post_json(c, url, data, **bearer)
        assert response.status_code == code, response.content
        assert message in response.content.decode()
    assert AuditEvent.objects.filter(action__startswith="access.").count() == events
    response = post_json(c, path, {"status": "resolved", "at": NOW.isoformat()}, **bearer)
    assert response.status_code == 200
    body = response.json()
    assert body["due_after_ticket_at"].startswith("2026-06-12T10:00")
    assert "48 hours after the ticket was resolved" in body["deadline"]
    response = post_json(c, path, {"status": "open", "at": NOW.isoformat()}, **bearer)
    assert response.status_code == 200 and response.json()["due_after_ticket_at"] is None


def test_api_workflow_create_access_deletion(world):
    """OBL AC-05: staff create a copy, record an access and confirm the deletion by API."""
    c = client(world["officer"])
    response = post_json(
        c,
        "/api/support-copies/",
        {
            "customer": world["acme"].pk,
            "ticket": "SUP-API-1",
            "description": "Copy",
            "taken_at": (NOW - HOUR).isoformat(),
        },
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["taken_by"] == world["officer"].pk
    response = post_json(c, f"/api/support-copies/{pk}/accesses/", {"note": "Looked"})
    assert response.status_code == 201 and len(response.json()["accesses"]) == 1
    response = post_json(c, f"/api/support-copies/{pk}/deletion/", {})
    assert response.status_code == 200 and response.json()["state"] == "deleted"
    response = post_json(c, f"/api/support-copies/{pk}/deletion/", {})
    assert response.status_code == 400 and "confirmed already" in response.content.decode()


def test_customer_sees_only_its_own_copies(world):
    """OBL AC-05: the customer sees its copies, deadlines and accesses in the portal and
    the API; another customer's id answers 404 (page and API)."""
    c = client(world["acme_admin"])
    page = c.get(reverse("access:portal_support_copies")).content.decode()
    assert "SUP-ACME-1" in page and "Tom Taker" in page and "SUP-OTHER-1" not in page
    own = c.get(reverse("access:portal_support_copy_detail", args=[world["copy"].pk]))
    assert own.status_code == 200 and "Reproduced the error" in own.content.decode()
    other_pk = world["other_copy"].pk
    assert c.get(reverse("access:portal_support_copy_detail", args=[other_pk])).status_code == 404
    listing = c.get("/api/support-copies/").json()
    tickets = [row["ticket"] for row in listing.get("results", listing)]
    assert tickets == ["SUP-ACME-1"]
    assert c.get(f"/api/support-copies/{other_pk}/").status_code == 404
    assert c.get(reverse("access:support_copy_list")).status_code == 403
    response = post_json(c, f"/api/support-copies/{world['copy'].pk}/deletion/", {})
    assert response.status_code == 403


def test_auditor_reads_and_cannot_write(world):
    """OBL AC-05: the auditor reads the register (page and API) and every write is 403."""
    c = client(world["auditor"])
    pk = world["copy"].pk
    assert c.get(reverse("access:support_copy_list")).status_code == 200
    assert c.get(reverse("access:support_copy_detail", args=[pk])).status_code == 200
    assert c.get(f"/api/support-copies/{pk}/").status_code == 200
    before = (SupportCopy.objects.count(), SupportCopyAccess.objects.count())
    steps = ("support_copy_ticket_status", "support_copy_access_record", "support_copy_deletion")
    for name in steps:
        assert c.post(reverse(f"access:{name}", args=[pk]), {}).status_code == 403
    assert c.post(reverse("access:support_copy_create"), {}).status_code == 403
    for tail in ("ticket-status/", "accesses/", "deletion/"):
        assert post_json(c, f"/api/support-copies/{pk}/{tail}", {}).status_code == 403
    assert post_json(c, "/api/support-copies/", {}).status_code == 403
    assert before == (SupportCopy.objects.count(), SupportCopyAccess.objects.count())


def test_staff_member_reaches_only_its_own_copies(world):
    """OBL AC-05: a staff member opens the copies it took; another's answers 404."""
    c = client(world["taker"])
    assert c.get(reverse("access:support_copy_detail", args=[world["copy"].pk])).status_code == 200
    other = reverse("access:support_copy_detail", args=[world["other_copy"].pk])
    assert c.get(other).status_code == 404
    assert c.get(reverse("access:support_copy_list")).status_code == 200
