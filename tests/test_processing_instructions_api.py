"""Instructions (IN-01) and binding instructions (IN-02) through the API: the workflows, bad
input (400 at the field, nothing written), another customer's ids (404), a customer contact
on staff steps (403), the auditor reading and refused every write."""

import datetime

import pytest
import time_machine

from audits.models import AuditEvent
from compliance.models import Contact, OutboxMessage, Role
from processing.models import BindingInstruction, Instruction, ProcessingTask
from tests.auth import sign_in
from tests.factories import CustomerFactory, UserFactory

NOW = datetime.datetime(2026, 6, 1, 8, 0, tzinfo=datetime.UTC)
INSTRUCTIONS = "/api/instructions/"
BINDINGS = "/api/binding-instructions/"


@pytest.fixture
def world(db):
    customer = CustomerFactory(name="Bakkerij Jansen")
    other = CustomerFactory(name="Slagerij Pietersen")
    Contact.objects.create(
        customer=customer,
        name="Breach Bea",
        email="bea@jansen.example",
        receives_breach_notices=True,
    )
    return {
        "customer": customer,
        "other": other,
        "admin": UserFactory(role=Role.CUSTOMER_ADMIN, customer=customer),
        "contact": UserFactory(role=Role.CUSTOMER_CONTACT, customer=customer),
        "other_admin": UserFactory(role=Role.CUSTOMER_ADMIN, customer=other),
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


def _post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def _actions(obj):
    return list(
        AuditEvent.objects.filter(
            object_id=str(obj.pk), object_type=obj._meta.label, action__startswith="processing."
        )
        .order_by("pk")
        .values_list("action", flat=True)
    )


def _given(client, world, content="Delete the records of P. de Vries."):
    _as(client, world["admin"])
    response = _post(client, INSTRUCTIONS, {"content": content})
    assert response.status_code == 201, response.content
    return Instruction.objects.get(pk=response.json()["id"])


def _reported(client, world):
    _as(client, world["admin"])
    response = _post(
        client,
        BINDINGS,
        {
            "authority": "ap",
            "authority_reference": "AP-2026-77",
            "received_on": "2026-05-30",
            "description": "Stop processing location data within 30 days.",
        },
    )
    assert response.status_code == 201, response.content
    return BindingInstruction.objects.get(pk=response.json()["id"])


def test_in01_recorded_by_staff_and_carried_out(client, world, clock):
    """OBL IN-01: staff record an instruction given by request through the API and carry it
    out; the customer's user reads it, another customer's user does not see it."""
    _as(client, world["ict"])
    response = _post(
        client,
        INSTRUCTIONS,
        {
            "customer": world["customer"].pk,
            "given_by_name": "Jan Jansen",
            "given_at": "2026-06-01T07:30:00Z",
            "reference": "TICKET-12",
            "content": "Delete the records of former employee P. de Vries.",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["channel"] == "request" and body["state"] == "received"
    pk = body["id"]
    response = _post(client, f"{INSTRUCTIONS}{pk}/carry-out/", {"what": "Deleted 14 records."})
    assert response.status_code == 200
    assert response.json()["state"] == "carried_out"
    assert response.json()["done_by"] == world["ict"].pk
    instruction = Instruction.objects.get(pk=pk)
    assert _actions(instruction) == [
        "processing.instruction.recorded",
        "processing.instruction.carried_out",
    ]
    _as(client, world["admin"])
    assert [row["id"] for row in client.get(INSTRUCTIONS).json()["results"]] == [pk]
    assert client.get(f"{INSTRUCTIONS}{pk}/").json()["what_was_done"] == "Deleted 14 records."
    _as(client, world["other_admin"])
    assert client.get(INSTRUCTIONS).json()["results"] == []
    assert client.get(f"{INSTRUCTIONS}{pk}/").status_code == 404


def test_in01_given_warned_answered_declined(client, world, clock):
    """OBL IN-01: a customer's user gives an instruction through the API; the officer warns
    (mail to the administrators and breach contacts); the customer answers; not carried out."""
    instruction = _given(client, world, "Send all customer data to our marketing partner.")
    assert instruction.channel == "application" and instruction.given_by_user == world["admin"]
    _as(client, world["officer"])
    response = _post(
        client,
        f"{INSTRUCTIONS}{instruction.pk}/warn/",
        {"warning": "There is no legal ground for this transfer."},
    )
    assert response.status_code == 200 and response.json()["state"] == "warned"
    mails = set(
        OutboxMessage.objects.filter(
            key__contains=f"instruction:{instruction.pk}:warning"
        ).values_list("to_email", flat=True)
    )
    assert mails == {world["admin"].email, "bea@jansen.example"}
    response = _post(client, f"{INSTRUCTIONS}{instruction.pk}/carry-out/", {"what": "x"})
    assert response.status_code == 400
    assert "record the customer" in str(response.json()["non_field_errors"])
    _as(client, world["contact"])
    response = _post(
        client,
        f"{INSTRUCTIONS}{instruction.pk}/answer/",
        {"kind": "maintained", "answer": "We maintain it."},
    )
    assert response.status_code == 200
    assert response.json()["answered_by_name"] == (
        world["contact"].full_name or world["contact"].email
    )
    _as(client, world["officer"])
    response = _post(
        client, f"{INSTRUCTIONS}{instruction.pk}/decline/", {"what": "It would infringe."}
    )
    assert response.status_code == 200 and response.json()["state"] == "declined"
    assert _actions(instruction) == [
        "processing.instruction.given",
        "processing.instruction.warned",
        "processing.instruction.answered",
        "processing.instruction.declined",
    ]


def test_in01_withdrawn_by_hand(client, world, clock):
    """OBL IN-01: staff record by hand, naming who answered, that the customer withdrew it."""
    instruction = _given(client, world)
    _as(client, world["officer"])
    _post(client, f"{INSTRUCTIONS}{instruction.pk}/warn/", {"warning": "W"})
    response = _post(client, f"{INSTRUCTIONS}{instruction.pk}/answer/", {"kind": "withdrawn"})
    assert response.status_code == 400
    assert "answered" in response.json()["by_name"][0]
    response = _post(
        client,
        f"{INSTRUCTIONS}{instruction.pk}/answer/",
        {"kind": "withdrawn", "by_name": "Jan Jansen"},
    )
    assert response.status_code == 200
    assert response.json()["state"] == "withdrawn"
    assert response.json()["answered_by_name"] == "Jan Jansen"


def test_in01_bad_input_400_nothing_written(client, world, clock):
    """OBL IN-01: bad input answers 400 with the message at its field; nothing is written."""
    _as(client, world["ict"])
    response = _post(
        client,
        INSTRUCTIONS,
        {"customer": 999999, "given_by_name": " ", "given_at": "2026-06-05T09:30:00Z"},
    )
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"customer", "given_by_name", "given_at", "content"}
    assert "lies in the future" in errors["given_at"][0]
    response = _post(client, INSTRUCTIONS, {"given_at": "not a date"})
    assert response.status_code == 400 and "given_at" in response.json()
    _as(client, world["admin"])
    response = _post(client, INSTRUCTIONS, {"content": "  "})
    assert response.status_code == 400
    assert response.json()["content"] == ["Describe what you ask us to do."]
    assert Instruction.objects.count() == 0
    instruction = _given(client, world)
    _as(client, world["officer"])
    response = _post(client, f"{INSTRUCTIONS}{instruction.pk}/warn/", {"warning": " "})
    assert response.status_code == 400
    assert "appears to infringe" in response.json()["warning"][0]
    response = _post(client, f"{INSTRUCTIONS}{instruction.pk}/answer/", {"kind": "perhaps"})
    assert response.status_code == 400 and "kind" in response.json()
    response = _post(client, f"{INSTRUCTIONS}{instruction.pk}/decline/", {"what": "No."})
    assert response.status_code == 400
    instruction.refresh_from_db()
    assert instruction.state == "received" and OutboxMessage.objects.count() == 0
    assert _actions(instruction) == ["processing.instruction.given"]


def test_in01_other_customer_contact_and_auditor(client, world, clock):
    """OBL IN-01: another customer's id is a 404 on every action; a customer contact cannot
    take the staff steps (403); the auditor reads and gets 403 on every write."""
    instruction = _given(client, world)
    steps = {
        "warn": {"warning": "W"},
        "answer": {"kind": "maintained", "by_name": "X"},
        "carry-out": {"what": "Done."},
        "decline": {"what": "Not done."},
    }
    _as(client, world["other_admin"])
    for step, body in steps.items():
        assert _post(client, f"{INSTRUCTIONS}{instruction.pk}/{step}/", body).status_code == 404
    _as(client, world["contact"])
    for step in ("warn", "carry-out", "decline"):
        response = _post(client, f"{INSTRUCTIONS}{instruction.pk}/{step}/", steps[step])
        assert response.status_code == 403, step
    response = _post(
        client,
        INSTRUCTIONS,
        {"customer": world["other"].pk, "given_by_name": "X", "content": "Y"},
    )
    assert response.status_code == 201
    assert response.json()["customer"] == world["customer"].pk  # always its own organisation
    _as(client, world["auditor"])
    assert client.get(INSTRUCTIONS).json()["count"] == 2
    assert client.get(f"{INSTRUCTIONS}{instruction.pk}/").status_code == 200
    body = {"customer": world["customer"].pk, "given_by_name": "A", "content": "B"}
    assert _post(client, INSTRUCTIONS, body).status_code == 403
    for step, body in steps.items():
        assert _post(client, f"{INSTRUCTIONS}{instruction.pk}/{step}/", body).status_code == 403
    instruction.refresh_from_db()
    assert instruction.state == "received"
    assert Instruction.objects.count() == 2


def test_in02_reported_taken_on_tasks_completed(client, world, clock):
    """OBL IN-02: a customer's user reports a binding instruction through the API (the
    officers are alerted); the privacy officer takes it on, adds a task, marks it done and
    records compliance; the customer reads it."""
    binding = _reported(client, world)
    assert binding.state == "reported" and binding.reported_by == world["admin"]
    assert OutboxMessage.objects.filter(to_email=world["officer"].email).exists()
    _as(client, world["officer"])
    url = f"{BINDINGS}{binding.pk}/"
    response = _post(client, f"{url}complete/")
    assert response.status_code == 400
    response = _post(
        client, f"{url}take-on/", {"owner": world["ict"].pk, "due_at": "2026-06-30T10:00:00Z"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "in_progress"
    assert response.json()["owner"] == world["ict"].pk
    response = _post(
        client,
        f"{url}tasks/",
        {
            "title": "Switch off location tracking",
            "assignee": world["ict"].pk,
            "due_at": "2026-06-20T10:00:00Z",
        },
    )
    assert response.status_code == 200
    task = ProcessingTask.objects.get(binding_instruction=binding)
    assert response.json()["tasks"][0]["id"] == task.pk
    response = _post(client, f"{url}complete/")
    assert response.status_code == 400
    assert "not done" in str(response.json()["non_field_errors"])
    response = _post(client, f"{url}task-done/", {"task": task.pk, "outcome": "Switched off."})
    assert response.status_code == 200
    assert response.json()["tasks"][0]["outcome"] == "Switched off."
    response = _post(client, f"{url}complete/")
    assert response.status_code == 200 and response.json()["state"] == "completed"
    assert _actions(binding) == [
        "processing.binding.reported",
        "processing.binding.taken_on",
        "processing.binding.completed",
    ]
    _as(client, world["admin"])
    assert client.get(url).json()["state"] == "completed"
    assert [row["id"] for row in client.get(BINDINGS).json()["results"]] == [binding.pk]


def test_in02_bad_input_400_nothing_written(client, world, clock):
    """OBL IN-02: bad input answers 400 with the message at its field; nothing is written."""
    _as(client, world["admin"])
    response = _post(client, BINDINGS, {"authority": "cnil", "description": ""})
    assert response.status_code == 400 and "authority" in response.json()
    response = _post(
        client, BINDINGS, {"authority": "gba", "received_on": "2026-06-09", "description": " "}
    )
    assert response.status_code == 400
    errors = response.json()
    assert errors["description"] == ["Describe what the authority requires."]
    assert "lies in the future" in errors["received_on"][0]
    assert BindingInstruction.objects.count() == 0
    binding = _reported(client, world)
    _as(client, world["officer"])
    url = f"{BINDINGS}{binding.pk}/"
    response = _post(
        client, f"{url}take-on/", {"owner": world["auditor"].pk, "due_at": "2026-05-01T10:00:00Z"}
    )
    assert response.status_code == 400
    assert set(response.json()) == {"owner", "due_at"}
    response = _post(client, f"{url}tasks/", {"title": "", "assignee": None})
    assert response.status_code == 400
    assert set(response.json()) == {"title", "assignee", "due_at"}
    response = _post(client, f"{url}task-done/", {"task": 999999, "outcome": "x"})
    assert response.status_code == 404
    binding.refresh_from_db()
    assert binding.state == "reported" and binding.owner is None
    assert ProcessingTask.objects.count() == 0


def test_in02_other_customer_contact_and_auditor(client, world, clock):
    """OBL IN-02: another customer's id is a 404; a customer contact cannot take the privacy
    officer's steps (403); the auditor reads and gets 403 on every write."""
    binding = _reported(client, world)
    _as(client, world["officer"])
    _post(
        client,
        f"{BINDINGS}{binding.pk}/take-on/",
        {"owner": world["ict"].pk, "due_at": "2026-06-30T10:00:00Z"},
    )
    _post(
        client,
        f"{BINDINGS}{binding.pk}/tasks/",
        {"title": "T", "assignee": world["ict"].pk, "due_at": "2026-06-20T10:00:00Z"},
    )
    task = ProcessingTask.objects.get()
    steps = {
        "take-on": {"owner": world["ict"].pk, "due_at": "2026-06-30T10:00:00Z"},
        "tasks": {"title": "T2", "assignee": world["ict"].pk, "due_at": "2026-06-20T10:00:00Z"},
        "task-done": {"task": task.pk, "outcome": "Done."},
        "complete": {},
    }
    _as(client, world["other_admin"])
    assert client.get(f"{BINDINGS}{binding.pk}/").status_code == 404
    assert client.get(BINDINGS).json()["results"] == []
    for step, body in steps.items():
        assert _post(client, f"{BINDINGS}{binding.pk}/{step}/", body).status_code == 404
    for user in (world["contact"], world["ict"], world["auditor"]):
        _as(client, user)
        assert client.get(f"{BINDINGS}{binding.pk}/").status_code == 200
        for step, body in steps.items():
            response = _post(client, f"{BINDINGS}{binding.pk}/{step}/", body)
            assert response.status_code == 403, (user.role, step)
    body = {"authority": "ap", "received_on": "2026-05-30", "description": "D"}
    assert _post(client, BINDINGS, body).status_code == 403  # auditor
    _as(client, world["ict"])
    assert _post(client, BINDINGS, body).status_code == 403  # staff do not report
    task.refresh_from_db()
    binding.refresh_from_db()
    assert task.done_at is None and binding.state == "in_progress"
    assert ProcessingTask.objects.count() == 1 and BindingInstruction.objects.count() == 1
