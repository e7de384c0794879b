"""Data-subject requests (DS-01): the services, the 24-hour forwarding deadline (one second
on each side, across the DST change of Europe/Amsterdam), the mails as received and the
audit events."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from audits.models import AuditEvent
from compliance.models import OutboxMessage, Role
from compliance.templatetags.compliance_tags import local_deadline
from processing.models import ProcessingTask, SubjectRequest, SubjectRequestState
from processing.services import subject_requests as services
from tests.factories import ContactFactory, CustomerFactory, UserFactory

START = datetime.datetime(2026, 6, 1, 8, 0, tzinfo=datetime.UTC)
SECOND = datetime.timedelta(seconds=1)
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def world(db):
    customer = CustomerFactory(name="Bakkerij Jansen")
    return {
        "customer": customer,
        "contact": ContactFactory(customer=customer, email="privacy@jansen.nl", language="nl"),
        "admin": UserFactory(role=Role.CUSTOMER_ADMIN, customer=customer, email="admin@jansen.nl"),
        "staff": UserFactory(role=Role.STAFF_MEMBER, email="desk@processor.example"),
        "officer": UserFactory(role=Role.PRIVACY_OFFICER, email="po@processor.example"),
        "officer2": UserFactory(role=Role.PRIVACY_OFFICER, email="po2@processor.example"),
        "ict": UserFactory(role=Role.ICT_MANAGER, email="ict@processor.example"),
        "auditor": UserFactory(role=Role.AUDITOR),
    }


def _record(world, *, received_at=START, named="", customer=True, **extra):
    values = {
        "actor": world["staff"],
        "received_at": received_at,
        "channel": "e-mail",
        "requester_name": "Piet Pieters",
        "requester_email": "piet@example.org",
        "right": "access",
        "description": "Which data do you hold on me?",
        "controller_named": bool(named),
        "controller_named_as": named,
        "customer_id": world["customer"].pk if customer else None,
    }
    values.update(extra)
    return services.subject_request_record(**values)


def _actions(obj):
    return list(
        AuditEvent.objects.filter(object_type=obj._meta.label, object_id=str(obj.pk)).values_list(
            "action", flat=True
        )
    )


def _mail(key_part):
    return list(OutboxMessage.objects.filter(key__contains=key_part).order_by("pk"))


def test_whole_workflow_mails_tasks_and_audit_events(world):
    """OBL DS-01: recorded, forwarded to the customer's contacts and administrators with the
    request's content, the data subject told, a task added and done, closed; every step has
    its audit event with the customer, and no audit payload holds the data subject's name,
    e-mail address or what was asked."""
    with time_machine.travel(START + HOUR, tick=False):
        item = _record(world)
        assert item.forward_due_at == START + 24 * HOUR
        item = services.subject_request_forward(actor=world["officer"], subject_request=item)
    assert item.state == SubjectRequestState.FORWARDED
    assert item.forwarded_by == world["officer"]
    forwarded = _mail(f"{item.pk}:forwarded")
    assert {m.to_email for m in forwarded} == {"privacy@jansen.nl", "admin@jansen.nl"}
    assert all("Which data do you hold on me?" in m.body_text for m in forwarded)
    assert all("Piet Pieters" in m.body_text for m in forwarded)
    services.subject_request_reply(actor=world["officer"], subject_request=item, language="en")
    task = services.subject_request_task_add(
        actor=world["officer"],
        subject_request=item,
        title="Export the data subject's records",
        assignee_id=world["ict"].pk,
        due_at=START + 48 * HOUR,
    )
    with pytest.raises(ValidationError):
        services.subject_request_close(actor=world["officer"], subject_request=item)
    services.subject_request_task_done(actor=world["ict"], task=task, outcome="Export sent")
    item = services.subject_request_close(actor=world["officer"], subject_request=item)
    assert item.state == SubjectRequestState.CLOSED
    assert _actions(item) == [
        "processing.subject_request.recorded",
        "processing.subject_request.forwarded",
        "processing.subject_request.replied",
        "processing.subject_request.closed",
    ]
    assert _actions(task) == [
        "processing.subject_request.task_added",
        "processing.subject_request.task_done",
    ]
    events = AuditEvent.objects.filter(action__startswith="processing.subject_request.")
    assert {e.customer_id for e in events} == {world["customer"].pk}
    for event in events:
        payload = f"{event.before} {event.after}"
        assert "Piet" not in payload and "piet@" not in payload and "hold on me" not in payload
    assert item.history.count() >= 4


def test_reply_names_no_one_when_the_data_subject_named_no_one(world):
    """OBL DS-01: the reply, read as received, says the request was passed on and names no
    organisation: not the customer, not its number, so it reveals no customer relationship."""
    item = _record(world)
    services.subject_request_forward(actor=world["officer"], subject_request=item)
    services.subject_request_reply(actor=world["officer"], subject_request=item, language="en")
    (reply,) = _mail(f"{item.pk}:reply")
    assert reply.to_email == "piet@example.org"
    received = f"{reply.subject}\n{reply.body_text}\n{reply.body_html}"
    assert "passed it on to the organisation responsible" in reply.body_text
    assert "Jansen" not in received
    assert world["customer"].customer_number not in received
    assert "Which data" not in received


def test_reply_names_the_controller_as_the_data_subject_named_it(world):
    """OBL DS-01: when the data subject named the organisation, the reply names it in their
    own words, never the customer's registered name; in Dutch too."""
    item = _record(world, named="de bakker op de hoek")
    services.subject_request_forward(actor=world["officer"], subject_request=item)
    services.subject_request_reply(actor=world["officer"], subject_request=item, language="nl")
    (reply,) = _mail(f"{item.pk}:reply")
    assert "de bakker op de hoek" in reply.body_text
    assert "Jansen" not in f"{reply.subject}{reply.body_text}{reply.body_html}"
    assert reply.language == "nl"


@pytest.mark.parametrize("offset, reminded", [(-SECOND, False), (SECOND * 0, True)])
def test_reminder_six_hours_before_one_second_each_side(world, offset, reminded):
    """OBL DS-01: the privacy officers are reminded 6 hours before the deadline, not a
    second earlier."""
    item = _record(world)
    with time_machine.travel(item.forward_due_at - 6 * HOUR + offset, tick=False):
        assert services.subject_request_sweep() == (int(reminded), 0)
    sent = {m.to_email for m in _mail(f"{item.pk}:reminder")}
    assert sent == ({"po@processor.example", "po2@processor.example"} if reminded else set())


@pytest.mark.parametrize("offset, escalated", [(SECOND * 0, False), (SECOND, True)])
def test_escalation_one_second_each_side_of_the_deadline(world, offset, escalated):
    """OBL DS-01: at the deadline itself nothing escalates; one second later the privacy
    officers and the ICT manager are told, once."""
    item = _record(world)
    with time_machine.travel(item.forward_due_at + offset, tick=False):
        services.subject_request_sweep()
        services.subject_request_sweep()
    sent = [m.to_email for m in _mail(f"{item.pk}:overdue")]
    expected = ["po@processor.example", "po2@processor.example", "ict@processor.example"]
    assert sorted(sent) == (sorted(expected) if escalated else [])
    assert ("processing.subject_request.escalated" in _actions(item)) is escalated


def test_deadline_across_the_dst_change(world):
    """OBL DS-01: received on Saturday 24 October 2026, 12:00 CEST, the 24 hours end on
    Sunday at 11:00 CET (the clock went back): 24 real hours, not the same wall-clock time;
    escalation comes one second after those 24 hours."""
    received = datetime.datetime(2026, 10, 24, 10, 0, tzinfo=datetime.UTC)
    item = _record(world, received_at=received)
    assert item.forward_due_at - item.received_at == 24 * HOUR
    assert local_deadline(item.received_at) == "24 October 2026, 12:00 CEST"
    assert local_deadline(item.forward_due_at) == "25 October 2026, 11:00 CET"
    with time_machine.travel(item.forward_due_at, tick=False):
        assert services.subject_request_sweep() == (1, 0)
    with time_machine.travel(item.forward_due_at + SECOND, tick=False):
        assert services.subject_request_sweep() == (0, 1)


def test_forwarding_after_the_deadline_is_recorded_as_late(world):
    """OBL DS-01: a request forwarded a second after its deadline is recorded as late; no
    reminder or escalation follows a forwarded request."""
    item = _record(world)
    with time_machine.travel(item.forward_due_at + SECOND, tick=False):
        services.subject_request_forward(actor=world["officer"], subject_request=item)
        assert services.subject_request_sweep() == (0, 0)
    event = AuditEvent.objects.get(action="processing.subject_request.forwarded")
    assert event.after["late"] is True


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"requester_name": " "}, "requester_name"),
        ({"description": ""}, "description"),
        ({"channel": ""}, "channel"),
        ({"right": "everything"}, "right"),
        ({"received_at": None}, "received_at"),
        ({"received_at": START + 24 * HOUR}, "received_at"),
        ({"controller_named": True}, "controller_named_as"),
        ({"customer_id": 999999}, "customer"),
    ],
)
def test_bad_input_refused_with_a_message_and_nothing_written(world, changes, field):
    """OBL DS-01: bad input is refused at its field and nothing is written."""
    with time_machine.travel(START + HOUR, tick=False), pytest.raises(ValidationError) as caught:
        _record(world, **changes)
    assert field in caught.value.message_dict
    assert SubjectRequest.objects.count() == 0
    assert AuditEvent.objects.filter(action__startswith="processing.").count() == 0


def test_forward_needs_a_customer_and_steps_keep_their_order(world):
    """OBL DS-01: forwarding without an identified customer is refused; the reply waits for
    the forwarding; closing without forwarding needs a note; the auditor and a staff
    member cannot forward."""
    item = _record(world, customer=False)
    with pytest.raises(ValidationError) as caught:
        services.subject_request_forward(actor=world["officer"], subject_request=item)
    assert "customer" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.subject_request_reply(actor=world["officer"], subject_request=item)
    for actor in (world["auditor"], world["staff"]):
        with pytest.raises(Exception, match="permission"):
            services.subject_request_forward(actor=actor, subject_request=item)
    with pytest.raises(ValidationError) as caught:
        services.subject_request_close(actor=world["officer"], subject_request=item)
    assert "note" in caught.value.message_dict
    item.refresh_from_db()
    assert item.state == SubjectRequestState.RECEIVED
    assert not OutboxMessage.objects.filter(key__contains="subject_request").exists()
    services.subject_request_forward(
        actor=world["officer"], subject_request=item, customer_id=world["customer"].pk
    )
    item.refresh_from_db()
    assert item.customer == world["customer"]
    event = AuditEvent.objects.get(action="processing.subject_request.forwarded")
    assert event.customer_id == world["customer"].pk


def test_task_done_by_its_assignee_only(world):
    """OBL DS-01: a task is marked done by its assignee or the privacy officer, with an
    outcome; another staff member is refused."""
    item = _record(world)
    services.subject_request_forward(actor=world["officer"], subject_request=item)
    task = services.subject_request_task_add(
        actor=world["officer"],
        subject_request=item,
        title="Correct the address",
        assignee_id=world["ict"].pk,
        due_at=START + 48 * HOUR,
    )
    with pytest.raises(ValidationError):
        services.subject_request_task_done(actor=world["staff"], task=task, outcome="done")
    with pytest.raises(ValidationError) as caught:
        services.subject_request_task_done(actor=world["ict"], task=task, outcome=" ")
    assert "outcome" in caught.value.message_dict
    task.refresh_from_db()
    assert task.done_at is None
    with pytest.raises(ValidationError) as caught:
        services.subject_request_task_add(
            actor=world["officer"],
            subject_request=item,
            title="x",
            assignee_id=world["admin"].pk,
            due_at=START,
        )
    assert "assignee" in caught.value.message_dict
    assert ProcessingTask.objects.count() == 1


def test_demo_fills_the_register_once(world):
    """OBL DS-01: the demo adds one request to forward, one forwarded with a task and one
    closed, and adds nothing the second time."""
    from processing.demo import subject_requests as demo

    other = CustomerFactory()
    ContactFactory(customer=other)
    people = {
        Role.PRIVACY_OFFICER: world["officer"],
        Role.STAFF_MEMBER: world["staff"],
        Role.ICT_MANAGER: world["ict"],
    }
    for _ in range(2):
        with time_machine.travel(START, tick=False):
            demo.load(now=START, people=people, customers=[world["customer"], other])
    states = sorted(SubjectRequest.objects.values_list("state", flat=True))
    assert states == ["closed", "forwarded", "received"]
    assert ProcessingTask.objects.filter(subject_request__isnull=False).count() == 1
