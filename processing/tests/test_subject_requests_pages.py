"""Data-subject requests (DS-01) through the pages, the API and the portal: the whole
workflow, bad input, another customer's ids, the auditor reads and cannot write."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from audits.models import AuditEvent
from compliance.models import OutboxMessage, Role
from processing.models import SubjectRequest, SubjectRequestState
from processing.services import subject_requests as services
from tests.auth import sign_in
from tests.factories import ContactFactory, CustomerFactory, UserFactory

NOW = datetime.datetime(2026, 6, 1, 8, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def world(db):
    customer = CustomerFactory(name="Bakkerij Jansen")
    other = CustomerFactory(name="Slagerij Pietersen")
    ContactFactory(customer=customer, email="privacy@jansen.nl")
    return {
        "customer": customer,
        "other": other,
        "admin": UserFactory(role=Role.CUSTOMER_ADMIN, customer=customer),
        "other_admin": UserFactory(role=Role.CUSTOMER_ADMIN, customer=other),
        "staff": UserFactory(role=Role.STAFF_MEMBER),
        "officer": UserFactory(role=Role.PRIVACY_OFFICER),
        "ict": UserFactory(role=Role.ICT_MANAGER),
        "auditor": UserFactory(role=Role.AUDITOR),
    }


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _as(client, user):
    client.logout()
    return sign_in(client, user)


def _form(world, **changes):
    return {
        "received_at": "2026-06-01T09:30",
        "channel": "e-mail",
        "requester_name": "Piet Pieters",
        "requester_email": "piet@example.org",
        "right": "erasure",
        "description": "Delete my account.",
        "customer": world["customer"].pk,
        **changes,
    }


def _item(world, customer=None):
    item = services.subject_request_record(
        actor=world["staff"],
        received_at=NOW - HOUR,
        channel="letter",
        requester_name="Anna",
        requester_email="anna@example.org",
        right="access",
        description="What do you hold?",
        customer_id=(customer or world["customer"]).pk,
    )
    return item


def test_workflow_through_the_pages(client, world, clock):
    """OBL DS-01: a staff member records a request on the page; the privacy officer sees the
    deadline in words, forwards, tells the data subject, adds a task that its assignee marks
    done, and closes; the customer sees it with the task's progress in the portal."""
    _as(client, world["staff"])
    response = client.post(reverse("processing:subject_request_create"), _form(world))
    assert response.status_code == 302
    item = SubjectRequest.objects.get()
    assert item.forward_due_at == datetime.datetime(2026, 6, 2, 7, 30, tzinfo=datetime.UTC)
    _as(client, world["officer"])
    page = client.get(reverse("processing:subject_request_list") + "?show=to_forward")
    assert "to be forwarded within 23" in page.content.decode()
    detail = reverse("processing:subject_request_detail", args=[item.pk])
    assert "2 June 2026, 09:30 CEST" in client.get(detail).content.decode()
    steps = [
        ("forward", {"customer": world["customer"].pk}),
        ("reply", {"language": "en"}),
        (
            "task_add",
            {
                "title": "Delete the account",
                "assignee": world["ict"].pk,
                "due_at": "2026-06-03T12:00",
            },
        ),
    ]
    for step, data in steps:
        response = client.post(reverse(f"processing:subject_request_{step}", args=[item.pk]), data)
        assert response.status_code == 302, response.content.decode()
    task = item.tasks.get()
    _as(client, world["ict"])
    done = reverse("processing:subject_request_task_done", args=[item.pk, task.pk])
    assert client.post(done, {"outcome": "Account deleted"}).status_code == 302
    _as(client, world["admin"])
    portal = client.get(reverse("processing:portal_subject_requests")).content.decode()
    assert "Delete my account." in portal and "Account deleted" in portal
    _as(client, world["officer"])
    close = reverse("processing:subject_request_close", args=[item.pk])
    assert client.post(close, {"note": ""}).status_code == 302
    item.refresh_from_db()
    assert item.state == SubjectRequestState.CLOSED
    assert AuditEvent.objects.filter(action__startswith="processing.subject_request.").count() == 6
    assert OutboxMessage.objects.filter(to_email="piet@example.org").count() == 1


def test_bad_input_on_the_page_is_refused_and_nothing_written(client, world, clock):
    """OBL DS-01: a record form without the data subject's name, or naming the organisation
    without saying how, answers 400 with the message at the field; nothing is written."""
    _as(client, world["staff"])
    url = reverse("processing:subject_request_create")
    response = client.post(url, _form(world, requester_name=""))
    assert response.status_code == 400
    response = client.post(url, _form(world, controller_named="on"))
    assert response.status_code == 400
    assert "exactly as the data subject named it" in response.content.decode()
    assert SubjectRequest.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="processing.").exists()


def test_workflow_through_the_api(client, world, clock):
    """OBL DS-01: the API records, forwards, replies, adds a task, marks it done and closes;
    bad input answers 400 and writes nothing."""
    _as(client, world["officer"])
    bad = client.post(
        "/api/subject-requests/",
        {**_form(world), "received_at": NOW.isoformat(), "description": ""},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "description" in bad.json()
    assert SubjectRequest.objects.count() == 0
    created = client.post(
        "/api/subject-requests/",
        {**_form(world), "received_at": NOW.isoformat()},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    due = (NOW + 24 * HOUR).isoformat()
    steps = [
        ("forward", {}),
        ("reply", {"language": "nl"}),
        ("tasks", {"title": "Delete", "assignee": world["officer"].pk, "due_at": due}),
    ]
    for step, body in steps:
        response = client.post(
            f"/api/subject-requests/{pk}/{step}/", body, content_type="application/json"
        )
        assert response.status_code == 200, (step, response.content)
    task_id = response.json()["tasks"][0]["id"]
    response = client.post(
        f"/api/subject-requests/{pk}/task-done/",
        {"task": task_id, "outcome": "Deleted"},
        content_type="application/json",
    )
    assert response.status_code == 200
    response = client.post(
        f"/api/subject-requests/{pk}/close/", {}, content_type="application/json"
    )
    assert response.json()["state"] == "closed"


def test_another_customers_ids_are_refused(client, world, clock):
    """OBL DS-01: a customer's users see only the requests forwarded to their organisation:
    not those still to forward, never another customer's (portal page and API)."""
    mine = _item(world)
    theirs = _item(world, customer=world["other"])
    ContactFactory(customer=world["other"])
    unforwarded = _item(world)
    for item in (mine, theirs):
        services.subject_request_forward(actor=world["officer"], subject_request=item)
    _as(client, world["admin"])
    assert client.get(f"/api/subject-requests/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/subject-requests/{unforwarded.pk}/").status_code == 404
    ids = [row["id"] for row in client.get("/api/subject-requests/").json()["results"]]
    assert ids == [mine.pk]
    page = client.get(reverse("processing:portal_subject_requests"))
    assert page.status_code == 200
    assert page.content.decode().count("What do you hold?") == 1
    response = client.post(
        f"/api/subject-requests/{mine.pk}/close/", {}, content_type="application/json"
    )
    assert response.status_code in (403, 404)
    assert client.get(reverse("processing:subject_request_list")).status_code == 403
    detail = reverse("processing:subject_request_detail", args=[mine.pk])
    assert client.get(detail).status_code == 403


def test_auditor_reads_and_cannot_write(client, world, clock):
    """OBL DS-01: the processor's auditor reads the register and a request but cannot
    record, forward, close or add tasks (page or API)."""
    item = _item(world)
    _as(client, world["auditor"])
    assert client.get(reverse("processing:subject_request_list")).status_code == 200
    detail = client.get(reverse("processing:subject_request_detail", args=[item.pk]))
    assert detail.status_code == 200 and "Forward to the customer" not in detail.content.decode()
    assert (
        client.post(reverse("processing:subject_request_create"), _form(world)).status_code == 403
    )
    forward = reverse("processing:subject_request_forward", args=[item.pk])
    assert client.post(forward, {"customer": world["customer"].pk}).status_code == 403
    response = client.post(
        f"/api/subject-requests/{item.pk}/forward/", {}, content_type="application/json"
    )
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.state == SubjectRequestState.RECEIVED


def test_staff_member_sees_only_the_requests_it_recorded(client, world, clock):
    """OBL DS-01: a staff member records requests and sees its own, not others'."""
    mine = _item(world)
    other = services.subject_request_record(
        actor=world["officer"],
        received_at=NOW,
        channel="phone",
        requester_name="Bob",
        right="other",
        description="?",
    )
    _as(client, world["staff"])
    page = client.get(reverse("processing:subject_request_list")).content.decode()
    assert reverse("processing:subject_request_detail", args=[mine.pk]) in page
    detail = reverse("processing:subject_request_detail", args=[other.pk])
    assert client.get(detail).status_code == 404
