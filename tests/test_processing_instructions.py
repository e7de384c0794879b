"""Instructions (IN-01) and binding instructions (IN-02) through the pages, the portal and
the beat: the workflows, bad input, another customer's ids, the auditor, the audit trail."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from audits.models import AuditEvent
from compliance.models import Contact, OutboxMessage, Role
from processing.models import BindingInstruction, Instruction, ProcessingTask
from processing.services import binding as binding_services
from tests.auth import sign_in
from tests.factories import CustomerFactory, UserFactory

NOW = datetime.datetime(2026, 6, 1, 8, 0, tzinfo=datetime.UTC)
SECOND = datetime.timedelta(seconds=1)


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


def _actions(obj):
    return list(
        AuditEvent.objects.filter(object_id=str(obj.pk), action__startswith="processing.")
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_instruction_recorded_and_carried_out(client, world, clock):
    """OBL IN-01: staff record an instruction given by request and carry it out."""
    _as(client, world["ict"])
    response = client.post(
        reverse("processing:instruction_create"),
        {
            "customer": world["customer"].pk,
            "given_by_name": "Jan Jansen",
            "given_at": "2026-06-01T09:30",
            "reference": "TICKET-12",
            "content": "Delete the records of former employee P. de Vries.",
        },
    )
    instruction = Instruction.objects.get()
    assert response.status_code == 302
    assert instruction.channel == "request" and instruction.reference == "TICKET-12"
    response = client.post(
        reverse("processing:instruction_carry_out", args=[instruction.pk]),
        {"what": "Deleted 14 records."},
    )
    assert response.status_code == 302
    instruction.refresh_from_db()
    assert instruction.state == "carried_out" and instruction.done_by == world["ict"]
    assert _actions(instruction) == [
        "processing.instruction.recorded",
        "processing.instruction.carried_out",
    ]
    page = client.get(reverse("processing:instruction_detail", args=[instruction.pk]))
    assert "Deleted 14 records." in page.content.decode()


def test_instruction_warning_answered_in_portal(client, world, clock):
    """OBL IN-01: a portal instruction that appears to infringe the GDPR: the customer's
    administrators and breach contacts are warned through the outbox; the customer answers
    in the portal; then it is not carried out."""
    _as(client, world["admin"])
    response = client.post(
        reverse("processing:portal_instruction_give"),
        {"content": "Send all customer data to our marketing partner.", "reference": ""},
    )
    assert response.status_code == 302
    instruction = Instruction.objects.get()
    assert instruction.channel == "application" and instruction.given_by_user == world["admin"]
    _as(client, world["officer"])
    client.post(
        reverse("processing:instruction_warn", args=[instruction.pk]),
        {"warning": "There is no legal ground for this transfer."},
    )
    instruction.refresh_from_db()
    assert instruction.state == "warned" and instruction.warned_at == NOW
    mails = set(
        OutboxMessage.objects.filter(
            key__contains=f"instruction:{instruction.pk}:warning"
        ).values_list("to_email", flat=True)
    )
    assert mails == {world["admin"].email, "bea@jansen.example"}
    # Not carried out before the answer.
    response = client.post(
        reverse("processing:instruction_carry_out", args=[instruction.pk]), {"what": "x"}
    )
    assert response.status_code == 400
    assert "record the customer" in response.content.decode()
    _as(client, world["admin"])
    response = client.post(
        reverse("processing:portal_instruction_answer", args=[instruction.pk]),
        {"kind": "maintained", "answer": "We maintain it."},
    )
    assert response.status_code == 302
    _as(client, world["officer"])
    client.post(
        reverse("processing:instruction_decline", args=[instruction.pk]),
        {"what": "Not carried out: it would infringe the GDPR."},
    )
    instruction.refresh_from_db()
    assert instruction.state == "declined" and instruction.answer_kind == "maintained"
    assert _actions(instruction) == [
        "processing.instruction.given",
        "processing.instruction.warned",
        "processing.instruction.answered",
        "processing.instruction.declined",
    ]
    event = AuditEvent.objects.get(action="processing.instruction.warned")
    assert event.customer_id == world["customer"].pk


def test_instruction_withdrawn_by_hand(client, world, clock):
    """OBL IN-01: staff record by hand that the customer withdrew the warned instruction."""
    _as(client, world["admin"])
    client.post(reverse("processing:portal_instruction_give"), {"content": "Do X."})
    instruction = Instruction.objects.get()
    _as(client, world["officer"])
    client.post(reverse("processing:instruction_warn", args=[instruction.pk]), {"warning": "W"})
    response = client.post(
        reverse("processing:instruction_answer", args=[instruction.pk]),
        {"kind": "withdrawn", "answer": "", "by_name": "Jan Jansen"},
    )
    assert response.status_code == 302
    instruction.refresh_from_db()
    assert instruction.state == "withdrawn" and instruction.answered_by_name == "Jan Jansen"


def test_instruction_bad_input_refused(client, world, clock):
    """OBL IN-01: bad input is refused with a clear message and nothing is written."""
    _as(client, world["ict"])
    response = client.post(
        reverse("processing:instruction_create"),
        {
            "customer": world["customer"].pk,
            "given_by_name": "Jan",
            "given_at": "2026-06-05T09:30",
            "content": "Delete.",
        },
    )
    assert response.status_code == 400
    assert "lies in the future" in response.content.decode()
    response = client.post(
        reverse("processing:instruction_create"),
        {"customer": 999999, "given_by_name": "", "given_at": "", "content": ""},
    )
    assert response.status_code == 400
    assert Instruction.objects.count() == 0
    _as(client, world["admin"])
    client.post(reverse("processing:portal_instruction_give"), {"content": "Do X."})
    instruction = Instruction.objects.get()
    _as(client, world["officer"])
    response = client.post(
        reverse("processing:instruction_warn", args=[instruction.pk]), {"warning": " "}
    )
    assert response.status_code == 400
    assert "appears to infringe" in response.content.decode()
    instruction.refresh_from_db()
    assert instruction.state == "received" and OutboxMessage.objects.count() == 0


def test_instruction_other_customer_and_auditor(client, world, clock):
    """OBL IN-01: another customer's instruction is a 404 in the portal; the auditor reads
    the register but cannot record or warn."""
    _as(client, world["admin"])
    client.post(reverse("processing:portal_instruction_give"), {"content": "Do X."})
    instruction = Instruction.objects.get()
    _as(client, world["other_admin"])
    assert (
        client.get(
            reverse("processing:portal_instruction_detail", args=[instruction.pk])
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("processing:portal_instruction_answer", args=[instruction.pk]),
            {"kind": "withdrawn"},
        ).status_code
        == 404
    )
    page = client.get(reverse("processing:portal_instructions")).content.decode()
    assert "Do X." not in page
    _as(client, world["auditor"])
    assert client.get(reverse("processing:instruction_list")).status_code == 200
    assert client.get(reverse("processing:hub")).status_code == 200
    response = client.post(
        reverse("processing:instruction_warn", args=[instruction.pk]), {"warning": "W"}
    )
    assert response.status_code == 403
    instruction.refresh_from_db()
    assert instruction.state == "received"


def _report(client, world, **changes):
    _as(client, world["admin"])
    data = {
        "authority": "ap",
        "authority_reference": "AP-2026-1",
        "received_on": "2026-05-28",
        "description": "Delete the data of data subjects older than 7 years.",
        **changes,
    }
    return client.post(reverse("processing:portal_binding_report"), data)


def test_binding_instruction_workflow(client, world, clock):
    """OBL IN-02: the customer reports; the privacy officer is alerted, sets owner and due
    date, adds two tasks, marks them done and records compliance; the customer sees the
    progress in the portal."""
    response = _report(client, world)
    assert response.status_code == 302
    binding = BindingInstruction.objects.get()
    assert OutboxMessage.objects.filter(
        key__startswith=f"processing:binding:{binding.pk}:reported:",
        to_email=world["officer"].email,
    ).exists()
    _as(client, world["officer"])
    hub = client.get(reverse("processing:hub")).content.decode()
    assert "Binding instructions" in hub
    client.post(
        reverse("processing:binding_take_on", args=[binding.pk]),
        {"owner": world["ict"].pk, "due_at": "2026-06-20T17:00"},
    )
    binding.refresh_from_db()
    assert binding.state == "in_progress" and binding.owner == world["ict"]
    for title in ("Find the old records", "Delete them"):
        client.post(
            reverse("processing:binding_task_add", args=[binding.pk]),
            {"title": title, "assignee": world["ict"].pk, "due_at": "2026-06-10T17:00"},
        )
    tasks = list(ProcessingTask.objects.filter(binding_instruction=binding))
    assert len(tasks) == 2
    response = client.post(reverse("processing:binding_complete", args=[binding.pk]), {})
    assert response.status_code == 400 and "not done yet" in response.content.decode()
    client.post(
        reverse("processing:binding_task_done", args=[binding.pk, tasks[0].pk]),
        {"outcome": "Found 300."},
    )
    _as(client, world["admin"])
    portal = client.get(reverse("processing:portal_binding")).content.decode()
    assert "1 / 2" in portal and "Being complied with" in portal
    _as(client, world["officer"])
    client.post(
        reverse("processing:binding_task_done", args=[binding.pk, tasks[1].pk]),
        {"outcome": "Deleted."},
    )
    client.post(reverse("processing:binding_complete", args=[binding.pk]), {})
    binding.refresh_from_db()
    assert binding.state == "completed"
    assert {
        "processing.binding.reported",
        "processing.binding.taken_on",
        "processing.binding.completed",
    } <= set(_actions(binding))
    assert AuditEvent.objects.filter(action="processing.binding.task_done").count() == 2


def test_binding_bad_input_other_customer_auditor(client, world, clock):
    """OBL IN-02: bad input refused and nothing written; another customer cannot see it;
    the auditor reads and cannot manage."""
    response = _report(client, world, authority="xx", description="")
    assert response.status_code == 400
    response = _report(client, world, received_on="2026-06-09")
    assert response.status_code == 400 and "future" in response.content.decode()
    assert BindingInstruction.objects.count() == 0
    _report(client, world)
    binding = BindingInstruction.objects.get()
    _as(client, world["other_admin"])
    assert "AP-2026-1" not in client.get(reverse("processing:portal_binding")).content.decode()
    _as(client, world["auditor"])
    assert client.get(reverse("processing:binding_detail", args=[binding.pk])).status_code == 200
    response = client.post(
        reverse("processing:binding_take_on", args=[binding.pk]),
        {"owner": world["ict"].pk, "due_at": "2026-06-20T17:00"},
    )
    assert response.status_code == 403
    _as(client, world["officer"])
    response = client.post(
        reverse("processing:binding_take_on", args=[binding.pk]),
        {"owner": world["ict"].pk, "due_at": "2026-05-20T17:00"},
    )
    assert response.status_code == 400 and "in the past" in response.content.decode()
    binding.refresh_from_db()
    assert binding.state == "reported"


def test_binding_upload_pdf(client, world, clock):
    """OBL IN-02: the customer may upload the instruction as a PDF (stored document)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = SimpleUploadedFile("ap.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = _report(client, world, document=pdf)
    assert response.status_code == 302
    assert BindingInstruction.objects.get().document.sha256
    text = SimpleUploadedFile("ap.txt", b"hello", content_type="text/plain")
    response = _report(client, world, document=text)
    assert response.status_code == 400 and "PDF" in response.content.decode()


def test_binding_deadlines_one_second_each_side(world, clock):
    """OBL IN-02: the reminder goes 2 days before the due date, not a second earlier; the
    escalation to the privacy officer a second after it, not at it."""
    binding = BindingInstruction.objects.create(
        customer=world["customer"],
        authority="gba",
        received_on=datetime.date(2026, 5, 30),
        description="Stop processing X.",
        reported_by=world["admin"],
    )
    due = NOW + datetime.timedelta(days=5)
    binding_services.binding_take_on(
        actor=world["officer"], binding=binding, owner_id=world["ict"].pk, due_at=due
    )
    clock.move_to(due - binding_services.REMINDER_BEFORE - SECOND)
    assert binding_services.binding_deadline_sweep() == (0, 0)
    clock.move_to(due - binding_services.REMINDER_BEFORE)
    assert binding_services.binding_deadline_sweep() == (1, 0)
    assert binding_services.binding_deadline_sweep() == (0, 0)
    clock.move_to(due)
    assert binding_services.binding_deadline_sweep() == (0, 0)
    clock.move_to(due + SECOND)
    assert binding_services.binding_deadline_sweep() == (0, 1)
    binding.refresh_from_db()
    assert binding.reminded_at and binding.escalated_at == due + SECOND
    assert OutboxMessage.objects.filter(
        key=f"processing:binding:{binding.pk}:overdue:user:{world['officer'].pk}"
    ).exists()
    assert OutboxMessage.objects.filter(
        key=f"processing:binding:{binding.pk}:reminder:user:{world['ict'].pk}"
    ).exists()
    assert AuditEvent.objects.filter(action="processing.binding.escalated").count() == 1


def test_demo_loader(world, clock):
    """OBL IN-01, IN-02: the demo adds two instructions (one carried out, one warned and
    answered) and a binding instruction with two tasks; loading twice adds nothing."""
    from processing.demo import instructions as demo

    people = {
        Role.PRIVACY_OFFICER: world["officer"],
        Role.ICT_MANAGER: world["ict"],
        Role.CUSTOMER_ADMIN: world["admin"],
    }
    for _ in range(2):
        demo.load(now=NOW, people=people, customers=[world["customer"]])
    assert sorted(Instruction.objects.values_list("state", flat=True)) == [
        "carried_out",
        "withdrawn",
    ]
    assert Instruction.objects.get(state="withdrawn").warned_at is not None
    assert ProcessingTask.objects.filter(binding_instruction__isnull=False).count() == 2
