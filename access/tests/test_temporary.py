"""Temporary access (AC-03): the services, the four-eyes rule, the deadlines (one second on
each side, across the DST changes of Europe/Amsterdam), the mails and the audit events."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from access.models import TemporaryAccess, TemporaryState
from access.services import temporary as services
from audits.models import AuditEvent
from compliance.models import OutboxMessage, Role
from compliance.templatetags.compliance_tags import local_deadline
from tests.factories import CustomerFactory, UserFactory

AMS = ZoneInfo("Europe/Amsterdam")
START = datetime.datetime(2026, 6, 1, 8, 0, tzinfo=datetime.UTC)
SECOND = datetime.timedelta(seconds=1)
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def world(db):
    customer = CustomerFactory(name="Bakkerij Jansen")
    return {
        "customer": customer,
        "admin": UserFactory(role=Role.CUSTOMER_ADMIN, customer=customer, email="admin@jansen.nl"),
        "other_admin": UserFactory(role=Role.CUSTOMER_ADMIN, customer=CustomerFactory()),
        "developer": UserFactory(role=Role.STAFF_MEMBER, email="dev@processor.example"),
        "ict": UserFactory(role=Role.ICT_MANAGER, email="ict@processor.example"),
        "ict2": UserFactory(role=Role.ICT_MANAGER, email="ict2@processor.example"),
        "officer": UserFactory(role=Role.PRIVACY_OFFICER, email="po@processor.example"),
    }


def _request(world, *, requester=None, starts_at=START, days=2):
    return services.temporary_request(
        actor=requester or world["developer"],
        customer_id=world["customer"].pk,
        reason="Trace ticket SUP-1",
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(days=days),
    )


def _actions(access):
    return list(
        AuditEvent.objects.filter(
            object_type="access.TemporaryAccess", object_id=str(access.pk)
        ).values_list("action", flat=True)
    )


def _mailed(key_part):
    return set(
        OutboxMessage.objects.filter(key__contains=key_part).values_list("to_email", flat=True)
    )


def test_whole_workflow_with_mails_history_and_audit_events(world):
    """OBL AC-03: request, approval, expiry at the end of the period, confirmed removal;
    every step has its audit event with who, the requester and the customer's admin are
    told at approval and at the end, and the history keeps every state."""
    with time_machine.travel(START - HOUR, tick=False):
        access = _request(world)
        assert _mailed(f"{access.pk}:requested") == {
            "ict@processor.example",
            "ict2@processor.example",
        }
        access = services.temporary_approve(actor=world["ict"], access=access, note="ok")
    assert access.state == TemporaryState.ACTIVE
    assert _mailed(f"{access.pk}:approved") == {"dev@processor.example", "admin@jansen.nl"}
    with time_machine.travel(access.ends_at, tick=False):
        assert services.temporary_expire_due() == 1
    access.refresh_from_db()
    assert access.state == TemporaryState.EXPIRED
    assert access.removal_due_at == access.ends_at + 24 * HOUR
    assert _mailed(f"{access.pk}:ended") == {"dev@processor.example", "admin@jansen.nl"}
    with time_machine.travel(access.ends_at + HOUR, tick=False):
        services.temporary_confirm_removal(
            actor=world["ict"], access=access, note="VPN profile removed"
        )
    access.refresh_from_db()
    assert access.removal_confirmed_by == world["ict"]
    assert _actions(access) == [
        "access.temporary.requested",
        "access.temporary.approved",
        "access.temporary.expired",
        "access.temporary.removal_confirmed",
    ]
    actors = list(
        AuditEvent.objects.filter(object_id=str(access.pk), object_type="access.TemporaryAccess")
        .order_by("pk")
        .values_list("actor_id", flat=True)
    )
    assert actors == [world["developer"].pk, world["ict"].pk, None, world["ict"].pk]
    states = [h.state for h in access.history.order_by("history_id")]
    assert states == ["requested", "active", "expired", "expired"]


def test_refusal_and_revocation_are_audited_and_told(world):
    """OBL AC-03: refused with a note (the requester is told); approved access revoked
    earlier by the ICT manager ends at once and asks for a confirmed removal."""
    with time_machine.travel(START - HOUR, tick=False):
        refused = _request(world)
        with pytest.raises(ValidationError):
            services.temporary_refuse(actor=world["ict"], access=refused, note="")
        refused = services.temporary_refuse(actor=world["ict"], access=refused, note="No ticket")
        assert refused.state == TemporaryState.REFUSED
        assert _mailed(f"{refused.pk}:refused") == {"dev@processor.example"}
        access = services.temporary_approve(actor=world["ict"], access=_request(world), note="")
    with time_machine.travel(START + HOUR, tick=False):
        access = services.temporary_revoke(actor=world["ict"], access=access, note="Done early")
    assert access.state == TemporaryState.REVOKED
    assert access.ended_by == world["ict"]
    assert access.removal_due_at == START + 25 * HOUR
    assert _mailed(f"{access.pk}:ended") == {"dev@processor.example", "admin@jansen.nl"}
    assert "access.temporary.revoked" in _actions(access)
    assert "access.temporary.refused" in _actions(refused)


def test_requester_never_approves_own_request_even_as_ict_manager(world):
    """OBL AC-03: an ICT manager who asked for access cannot approve or refuse it; another
    ICT manager can. A staff member cannot decide at all."""
    with time_machine.travel(START - HOUR, tick=False):
        access = _request(world, requester=world["ict"])
        assert _mailed(f"{access.pk}:requested") == {"ict2@processor.example"}
        for decide in (services.temporary_approve, services.temporary_refuse):
            with pytest.raises(ValidationError, match="another ICT manager"):
                decide(actor=world["ict"], access=access, note="self")
        access.refresh_from_db()
        assert access.state == TemporaryState.REQUESTED
        assert _actions(access) == ["access.temporary.requested"]
        with pytest.raises(Exception, match="permission"):
            services.temporary_approve(actor=world["developer"], access=access)
        access = services.temporary_approve(actor=world["ict2"], access=access, note="")
    assert access.state == TemporaryState.ACTIVE
    assert access.decided_by == world["ict2"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ends_at": START - HOUR}, "ends_at", "after the start"),
        ({"ends_at": START + datetime.timedelta(days=30) + SECOND}, "ends_at", "at most 30"),
        ({"reason": "   "}, "reason", "why"),
        ({"customer_id": 987654}, "customer", "no such customer"),
        ({"customer_id": None}, "customer", "Choose the customer"),
    ],
)
def test_bad_request_refused_and_nothing_written(world, changes, field, message):
    """OBL AC-03: period backwards, longer than 30 days, no reason, unknown customer: a
    clear message at the field, and no row, audit event or mail written."""
    arguments = {
        "actor": world["developer"],
        "customer_id": world["customer"].pk,
        "reason": "Trace ticket SUP-1",
        "starts_at": START,
        "ends_at": START + datetime.timedelta(days=2),
        **changes,
    }
    events, mails = AuditEvent.objects.count(), OutboxMessage.objects.count()
    with time_machine.travel(START - HOUR, tick=False):
        with pytest.raises(ValidationError) as error:
            services.temporary_request(**arguments)
    assert message.lower() in " ".join(error.value.message_dict[field]).lower()
    assert TemporaryAccess.objects.count() == 0
    assert (AuditEvent.objects.count(), OutboxMessage.objects.count()) == (events, mails)


def test_thirty_days_exactly_is_allowed(world):
    """OBL AC-03: the maximum period is 30 days (elapsed), the boundary itself accepted."""
    with time_machine.travel(START - HOUR, tick=False):
        access = _request(world, days=30)
    assert access.ends_at - access.starts_at == datetime.timedelta(days=30)


def test_expiry_one_second_on_each_side_of_ends_at(world):
    """OBL AC-03: the access is active one second before `ends_at` and ended one second
    after, by the sweep alone."""
    with time_machine.travel(START - HOUR, tick=False):
        access = services.temporary_approve(actor=world["ict"], access=_request(world), note="")
    with time_machine.travel(access.ends_at - SECOND, tick=False):
        assert services.temporary_expire_due() == 0
    access.refresh_from_db()
    assert access.state == TemporaryState.ACTIVE
    with time_machine.travel(access.ends_at + SECOND, tick=False):
        assert services.temporary_expire_due() == 1
        assert services.temporary_expire_due() == 0
    access.refresh_from_db()
    assert access.state == TemporaryState.EXPIRED
    assert access.ended_at == access.ends_at


def _ended(world, ends_local: datetime.datetime):
    """Approved access whose period ends at `ends_local` (Amsterdam), expired by the sweep."""
    ends_at = ends_local.astimezone(datetime.UTC)
    starts_at = ends_at - datetime.timedelta(days=2)
    with time_machine.travel(starts_at - HOUR, tick=False):
        access = services.temporary_approve(
            actor=world["ict"],
            access=services.temporary_request(
                actor=world["developer"],
                customer_id=world["customer"].pk,
                reason="DST",
                starts_at=starts_at,
                ends_at=ends_at,
            ),
            note="",
        )
    with time_machine.travel(ends_at + SECOND, tick=False):
        services.temporary_expire_due()
    access.refresh_from_db()
    return access


def test_removal_reminder_and_escalation_one_second_on_each_side(world):
    """OBL AC-03: the ICT managers are reminded from 4 hours before the removal deadline,
    the privacy officer is told once it has passed; each once."""
    access = _ended(world, datetime.datetime(2026, 6, 10, 12, 0, tzinfo=AMS))
    due = access.removal_due_at
    with time_machine.travel(due - 4 * HOUR - SECOND, tick=False):
        assert services.temporary_removal_sweep() == (0, 0)
    with time_machine.travel(due - 4 * HOUR + SECOND, tick=False):
        assert services.temporary_removal_sweep() == (1, 0)
        assert services.temporary_removal_sweep() == (0, 0)
    assert _mailed(f"{access.pk}:removal_reminder") == {
        "ict@processor.example",
        "ict2@processor.example",
    }
    with time_machine.travel(due, tick=False):
        assert services.temporary_removal_sweep() == (0, 0)
    with time_machine.travel(due + SECOND, tick=False):
        assert services.temporary_removal_sweep() == (0, 1)
        assert services.temporary_removal_sweep() == (0, 0)
    assert _mailed(f"{access.pk}:removal_overdue") == {"po@processor.example"}
    access.refresh_from_db()
    assert access.reminded_at == due - 4 * HOUR + SECOND
    assert access.escalated_at == due + SECOND
    assert "access.temporary.removal_escalated" in _actions(access)


def test_confirmed_removal_stops_reminders(world):
    """OBL AC-03: once a named person confirmed the removal nothing is swept any more."""
    access = _ended(world, datetime.datetime(2026, 6, 10, 12, 0, tzinfo=AMS))
    services.temporary_confirm_removal(actor=world["officer"], access=access, note="Removed")
    with time_machine.travel(access.removal_due_at + HOUR, tick=False):
        assert services.temporary_removal_sweep() == (0, 0)
    with pytest.raises(ValidationError, match="already confirmed"):
        services.temporary_confirm_removal(actor=world["ict"], access=access, note="again")


@pytest.mark.parametrize(
    ("ends_local", "due_shown"),
    [
        # Spring: the clocks go from 02:00 CET to 03:00 CEST on 29 March 2026.
        (datetime.datetime(2026, 3, 28, 12, 0, tzinfo=AMS), "29 March 2026, 13:00 CEST"),
        # Autumn: from 03:00 CEST back to 02:00 CET on 25 October 2026.
        (datetime.datetime(2026, 10, 24, 12, 0, tzinfo=AMS), "25 October 2026, 11:00 CET"),
    ],
)
def test_deadlines_across_dst_are_elapsed_hours(world, ends_local, due_shown):
    """OBL AC-03: across the DST changes the period ends at its own instant (one second on
    each side) and the removal deadline is 24 elapsed hours later, shown in Amsterdam time."""
    ends_at = ends_local.astimezone(datetime.UTC)
    starts_at = ends_at - datetime.timedelta(days=2)
    with time_machine.travel(starts_at - HOUR, tick=False):
        access = services.temporary_approve(
            actor=world["ict"],
            access=services.temporary_request(
                actor=world["developer"],
                customer_id=world["customer"].pk,
                reason="DST",
                starts_at=starts_at,
                ends_at=ends_at,
            ),
            note="",
        )
    with time_machine.travel(ends_at - SECOND, tick=False):
        assert services.temporary_expire_due() == 0
    with time_machine.travel(ends_at + SECOND, tick=False):
        assert services.temporary_expire_due() == 1
    access.refresh_from_db()
    assert access.removal_due_at - access.ends_at == 24 * HOUR
    assert local_deadline(access.removal_due_at) == due_shown
    with time_machine.travel(access.removal_due_at, tick=False):
        assert services.temporary_removal_sweep() == (1, 0)
    with time_machine.travel(access.removal_due_at + SECOND, tick=False):
        assert services.temporary_removal_sweep() == (0, 1)


def test_revoke_only_active_and_confirm_only_ended(world):
    """OBL AC-03: a request cannot be revoked, running access not confirmed as removed."""
    with time_machine.travel(START - HOUR, tick=False):
        access = _request(world)
        with pytest.raises(ValidationError, match="Only approved"):
            services.temporary_revoke(actor=world["ict"], access=access, note="x")
        access = services.temporary_approve(actor=world["ict"], access=access, note="")
        with pytest.raises(ValidationError, match="not ended"):
            services.temporary_confirm_removal(actor=world["ict"], access=access, note="x")
        with pytest.raises(ValidationError):
            services.temporary_revoke(actor=world["ict"], access=access, note="")
