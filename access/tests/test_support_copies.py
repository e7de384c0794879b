"""OBL AC-05: support copies: both deletion deadlines as columns, swept with reminders and
escalation, one second on each side and across the Europe/Amsterdam DST change; the
services refuse bad input and write nothing; each step writes its audit event."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from access.models import CopyState, SupportCopy, SupportCopyAccess, TicketStatus
from access.selectors.support_copies import deadline_words
from access.services import support_copies as services
from audits.models import AuditEvent
from compliance.models import OutboxMessage, Role
from tests.factories import CustomerFactory, UserFactory

UTC = datetime.UTC
AMS = ZoneInfo("Europe/Amsterdam")
SECOND = datetime.timedelta(seconds=1)
HOUR = datetime.timedelta(hours=1)
# Summer time starts in Amsterdam on 29 March 2026 at 02:00 CET.
TAKEN = datetime.datetime(2026, 3, 20, 11, 0, tzinfo=UTC)  # 12:00 CET


@pytest.fixture
def world(db):
    customer = CustomerFactory(name="Acme Zorg B.V.")
    taker = UserFactory(role=Role.STAFF_MEMBER, email="taker@example.com", language="nl")
    manager = UserFactory(role=Role.ICT_MANAGER, email="ict@example.com")
    officer = UserFactory(role=Role.PRIVACY_OFFICER, email="privacy@example.com")
    return customer, taker, manager, officer


def _register(world, taken_at=TAKEN, ticket="SUP-1"):
    customer, taker, manager, _ = world
    with time_machine.travel(taken_at + SECOND, tick=False):
        return services.support_copy_register(
            actor=manager,
            customer=customer,
            ticket=ticket,
            description="Production copy",
            taken_at=taken_at,
            taken_by=taker,
        )


def _sweep_at(moment):
    with time_machine.travel(moment, tick=False):
        return services.support_copies_sweep()


def _actions(copy):
    return list(
        AuditEvent.objects.filter(object_type="access.SupportCopy", object_id=str(copy.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_latest_deadline_is_150_times_24_hours_not_calendar_days(world):
    """OBL AC-05: 150 × 24 h after the copy was taken, elapsed; across the change to summer
    time the deadline is 13:00 CEST although the copy was taken at 12:00 CET."""
    copy = _register(world)
    assert copy.due_latest_at == TAKEN + datetime.timedelta(hours=3600)
    assert copy.due_after_ticket_at is None
    assert TAKEN.astimezone(AMS).hour == 12
    assert copy.due_latest_at.astimezone(AMS).hour == 13
    assert copy.delete_by == copy.due_latest_at
    event = AuditEvent.objects.get(action="access.support_copy.registered")
    assert event.customer_id == copy.customer_id
    assert event.actor_id == world[2].pk


def test_latest_deadline_one_second_on_each_side(world):
    """OBL AC-05: the reminder comes 12 hours before the latest deadline (not a second
    earlier), the escalation one second after it (not at it)."""
    copy = _register(world)
    due = copy.due_latest_at
    assert _sweep_at(due - services.REMINDER_BEFORE - SECOND) == {"reminded": 0, "escalated": 0}
    assert _sweep_at(due - services.REMINDER_BEFORE) == {"reminded": 1, "escalated": 0}
    assert _sweep_at(due - services.REMINDER_BEFORE + SECOND) == {"reminded": 0, "escalated": 0}
    assert _sweep_at(due) == {"reminded": 0, "escalated": 0}
    assert _sweep_at(due + SECOND) == {"reminded": 0, "escalated": 1}
    assert _sweep_at(due + HOUR) == {"reminded": 0, "escalated": 0}
    copy.refresh_from_db()
    assert copy.reminded_at == due - services.REMINDER_BEFORE
    assert copy.escalated_at == due + SECOND
    reminders = set(
        OutboxMessage.objects.filter(key__contains=":reminder:").values_list("to_email", flat=True)
    )
    escalations = set(
        OutboxMessage.objects.filter(key__contains=":escalation:").values_list(
            "to_email", flat=True
        )
    )
    assert reminders == {"taker@example.com", "ict@example.com"}
    assert escalations == {"ict@example.com", "privacy@example.com"}
    dutch = OutboxMessage.objects.get(key__contains=":reminder:", to_email="taker@example.com")
    assert "SUP-1" in dutch.subject and dutch.language == "nl"
    assert _actions(copy) == [
        "access.support_copy.registered",
        "access.support_copy.reminded",
        "access.support_copy.escalated",
    ]


def test_ticket_deadline_48_hours_across_dst_one_second_on_each_side(world):
    """OBL AC-05: resolved on 28 March 2026 at 12:00 CET, the copy must go 48 elapsed hours
    later: 30 March 13:00 CEST (the clocks moved in between); swept one second on each
    side of the reminder and of the deadline."""
    copy = _register(world)
    resolved = datetime.datetime(2026, 3, 28, 11, 0, tzinfo=UTC)
    with time_machine.travel(resolved + HOUR, tick=False):
        copy = services.support_copy_ticket_status_set(
            actor=world[2], copy=copy, status=TicketStatus.RESOLVED, at=resolved
        )
    due = resolved + datetime.timedelta(hours=48)
    assert copy.due_after_ticket_at == due
    assert due.astimezone(AMS).strftime("%d %H:%M %Z") == "30 13:00 CEST"
    assert copy.delete_by == due and copy.deadline_reason == "ticket"
    assert _sweep_at(due - services.REMINDER_BEFORE - SECOND)["reminded"] == 0
    assert _sweep_at(due - services.REMINDER_BEFORE)["reminded"] == 1
    assert _sweep_at(due)["escalated"] == 0
    assert _sweep_at(due + SECOND)["escalated"] == 1
    with time_machine.travel(due - HOUR, tick=False):
        words = deadline_words(copy)
    assert "30 March 2026, 13:00 CEST" in words and "48 hours after the ticket" in words
    assert "in 1 h 0 min" in words


def test_reopened_ticket_clears_the_48_hour_deadline(world):
    """OBL AC-05 (decided): a ticket reopened before the copy was deleted clears
    `due_after_ticket_at`; the latest deadline applies again until it closes again, and
    the new closing gets its own reminder."""
    copy = _register(world)
    manager = world[2]
    closed = TAKEN + 2 * HOUR
    with time_machine.travel(TAKEN + 3 * HOUR, tick=False):
        copy = services.support_copy_ticket_status_set(
            actor=manager, copy=copy, status=TicketStatus.CANCELLED, at=closed
        )
    _sweep_at(closed + 48 * HOUR - services.REMINDER_BEFORE)
    with time_machine.travel(TAKEN + 5 * HOUR, tick=False):
        copy = services.support_copy_ticket_status_set(
            actor=manager, copy=copy, status=TicketStatus.OPEN, at=TAKEN + 4 * HOUR
        )
    assert copy.due_after_ticket_at is None and copy.ticket_closed_at is None
    assert copy.reminded_at is None
    assert copy.delete_by == copy.due_latest_at
    assert _sweep_at(closed + 48 * HOUR + SECOND) == {"reminded": 0, "escalated": 0}
    assert _actions(copy)[-2:] == [
        "access.support_copy.reminded",
        "access.support_copy.ticket_reopened",
    ]


@pytest.mark.parametrize(
    ("status", "at", "message"),
    [
        ("resolved", TAKEN + 10 * HOUR, "future"),
        ("resolved", TAKEN - HOUR, "back in time"),
        ("open", TAKEN + HOUR, "has this status already"),
        ("done", TAKEN + HOUR, "open, resolved or cancelled"),
    ],
)
def test_bad_ticket_status_refused_and_nothing_written(world, status, at, message):
    """OBL AC-05: a moment in the future, a status going back in time, a status the
    ticket already has or an unknown status: refused with a message, nothing written."""
    copy = _register(world)
    events = AuditEvent.objects.count()
    with time_machine.travel(TAKEN + 2 * HOUR, tick=False), pytest.raises(ValidationError) as error:
        services.support_copy_ticket_status_set(actor=world[2], copy=copy, status=status, at=at)
    assert message in " ".join(error.value.messages)
    assert AuditEvent.objects.count() == events
    copy.refresh_from_db()
    assert copy.ticket_status == TicketStatus.OPEN and copy.due_after_ticket_at is None


def test_closing_twice_is_a_no_op_and_a_closed_ticket_must_be_reopened_first(world):
    """OBL AC-05: the ticketing system may send the same closing again (nothing changes);
    resolved → cancelled is refused."""
    copy = _register(world)
    at = TAKEN + HOUR
    with time_machine.travel(TAKEN + 2 * HOUR, tick=False):
        services.support_copy_ticket_status_set(actor=world[2], copy=copy, status="resolved", at=at)
        events = AuditEvent.objects.count()
        services.support_copy_ticket_status_set(actor=world[2], copy=copy, status="resolved", at=at)
        assert AuditEvent.objects.count() == events
        with pytest.raises(ValidationError, match="reopen it first"):
            services.support_copy_ticket_status_set(
                actor=world[2], copy=copy, status="cancelled", at=at + SECOND
            )


def test_deletion_and_accesses(world):
    """OBL AC-05: accesses are listed (who, when, what for); a named person confirms the
    deletion; a deleted copy is no longer swept and its status no longer changes."""
    customer, taker, manager, _ = world
    copy = _register(world)
    with time_machine.travel(TAKEN + 3 * HOUR, tick=False):
        services.support_copy_access_record(
            actor=manager, copy=copy, user=taker, accessed_at=TAKEN + HOUR, note="Reproduce"
        )
        with pytest.raises(ValidationError, match="did not exist yet"):
            services.support_copy_access_record(
                actor=manager, copy=copy, user=taker, accessed_at=TAKEN - HOUR, note="x"
            )
        with pytest.raises(ValidationError, match="what the copy was used for"):
            services.support_copy_access_record(
                actor=manager, copy=copy, user=taker, accessed_at=TAKEN + HOUR, note=" "
            )
        copy = services.support_copy_deletion_confirm(
            actor=taker, copy=copy, deleted_at=TAKEN + 2 * HOUR
        )
        assert copy.state == CopyState.DELETED
        assert copy.deletion_confirmed_by == taker
        assert copy.deletion_confirmed_at == TAKEN + 3 * HOUR
        with pytest.raises(ValidationError, match="confirmed already"):
            services.support_copy_deletion_confirm(actor=taker, copy=copy, deleted_at=TAKEN)
        with pytest.raises(ValidationError, match="deleted already"):
            services.support_copy_ticket_status_set(
                actor=manager, copy=copy, status="resolved", at=TAKEN + 3 * HOUR
            )
    assert SupportCopyAccess.objects.filter(copy=copy).count() == 1
    assert _sweep_at(copy.due_latest_at + SECOND) == {"reminded": 0, "escalated": 0}
    assert _actions(copy) == [
        "access.support_copy.registered",
        "access.support_copy.access_recorded",
        "access.support_copy.deleted",
    ]
    event = AuditEvent.objects.get(action="access.support_copy.deleted")
    assert event.customer_id == customer.pk and event.actor_id == taker.pk


def test_register_refuses_bad_input_and_writes_nothing(world):
    """OBL AC-05: no ticket, a future moment, a customer user as taker, a staff member
    registering someone else's copy: refused with a message, nothing written."""
    customer, taker, manager, _ = world
    outsider = UserFactory(role=Role.CUSTOMER_ADMIN, customer=customer)
    with time_machine.travel(TAKEN, tick=False):
        cases = [
            (manager, {"ticket": " ", "taken_at": TAKEN, "taken_by": taker}, "ticket"),
            (manager, {"ticket": "T", "taken_at": TAKEN + SECOND, "taken_by": taker}, "future"),
            (manager, {"ticket": "T", "taken_at": TAKEN, "taken_by": outsider}, "employee"),
            (taker, {"ticket": "T", "taken_at": TAKEN, "taken_by": manager}, "yourself"),
        ]
        for actor, data, message in cases:
            with pytest.raises(ValidationError) as error:
                services.support_copy_register(
                    actor=actor, customer=customer, description="copy", **data
                )
            assert message in " ".join(error.value.messages)
    assert not SupportCopy.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="access.").exists()


def test_staff_member_sees_only_the_copies_it_took(world):
    """OBL AC-05: the selector limits a staff member to its own copies."""
    from access.selectors.support_copies import support_copies_for

    customer, taker, manager, _ = world
    mine = _register(world)
    other = UserFactory(role=Role.STAFF_MEMBER)
    assert list(support_copies_for(taker)) == [mine]
    assert list(support_copies_for(other)) == []
    assert list(support_copies_for(manager)) == [mine]


def test_a_moment_given_in_amsterdam_time_still_adds_elapsed_hours(world):
    """OBL AC-05: a taken-at typed in Amsterdam time (12:00 CET) is not added to on the
    wall clock: the latest deadline is 13:00 CEST, 3,600 elapsed hours later."""
    copy = _register(world, taken_at=TAKEN.astimezone(AMS))
    assert copy.due_latest_at - TAKEN == datetime.timedelta(hours=3600)
    assert copy.due_latest_at.astimezone(AMS).hour == 13
