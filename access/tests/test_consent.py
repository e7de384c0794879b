"""Customer consent and uses of access (AC-04): services, deadlines and audit events."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from access.models.consent import AccessConsent, AccessUse, ConsentLevel, ConsentState
from access.models.temporary import TemporaryAccess
from access.services import consent as services
from audits.models import AuditEvent
from compliance.models import OutboxMessage, Role

T0 = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)
SECOND = datetime.timedelta(seconds=1)


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def people(make_user, customer, other_customer):
    return {
        "officer": make_user(Role.PRIVACY_OFFICER),
        "ict": make_user(Role.ICT_MANAGER),
        "employee": make_user(Role.STAFF_MEMBER),
        "admin": make_user(Role.CUSTOMER_ADMIN, customer=customer),
        "contact": make_user(Role.CUSTOMER_CONTACT, customer=customer),
        "other_admin": make_user(Role.CUSTOMER_ADMIN, customer=other_customer),
        "auditor": make_user(Role.AUDITOR),
    }


def _ask(people, customer, level=ConsentLevel.READ_WRITE, days=10):
    return services.consent_request(
        actor=people["officer"],
        customer=customer,
        employee=people["employee"],
        purpose="Repair the import",
        level=level,
        starts_at=timezone.now(),
        ends_at=timezone.now() + days * DAY,
    )


def _actions(consent):
    return list(
        AuditEvent.objects.filter(object_id=str(consent.pk), action__startswith="access.consent")
        .order_by("id")
        .values_list("action", "customer_id")
    )


def test_request_grant_withdraw_confirm_with_mail_and_audit(clock, people, customer):
    """OBL AC-04: staff ask, the customer's administrator grants (narrower, shorter) and
    withdraws; access ends at once, removal is confirmed by a named person; every step has
    its audit event with the customer, and mails go to the administrators and the staff."""
    consent = _ask(people, customer)
    assert OutboxMessage.objects.filter(to_email=people["admin"].email).count() == 1
    assert not OutboxMessage.objects.filter(to_email=people["contact"].email).exists()
    assert not OutboxMessage.objects.filter(to_email=people["other_admin"].email).exists()
    clock.shift(60)
    consent = services.consent_grant(
        actor=people["admin"],
        consent=consent,
        level=ConsentLevel.READ,
        ends_at=consent.ends_at - 5 * DAY,
        note="ok",
    )
    assert consent.state == ConsentState.GRANTED
    assert consent.level == ConsentLevel.READ
    assert consent.ends_at == T0 + 5 * DAY
    assert OutboxMessage.objects.filter(to_email=people["employee"].email).count() == 1
    clock.shift(60)
    consent = services.consent_withdraw(actor=people["admin"], consent=consent)
    assert consent.state == ConsentState.WITHDRAWN
    assert consent.ended_by == people["admin"]
    assert consent.removal_due_at == timezone.now() + datetime.timedelta(hours=24)
    consent = services.consent_removal_confirm(actor=people["ict"], consent=consent)
    assert consent.removal_confirmed_by == people["ict"]
    assert _actions(consent) == [
        ("access.consent.requested", customer.pk),
        ("access.consent.granted", customer.pk),
        ("access.consent.withdrawn", customer.pk),
        ("access.consent.removal_confirmed", customer.pk),
    ]
    assert consent.history.count() == 4


def test_refuse_and_no_second_answer(clock, people, customer):
    """OBL AC-04: a refusal is final; a second answer is refused and writes nothing."""
    consent = _ask(people, customer)
    consent = services.consent_refuse(actor=people["admin"], consent=consent, note="no")
    assert consent.state == ConsentState.REFUSED
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="already answered"):
        services.consent_grant(actor=people["admin"], consent=consent)
    with pytest.raises(ValidationError):
        services.consent_withdraw(actor=people["admin"], consent=consent)
    assert AuditEvent.objects.count() == events
    assert _actions(consent)[-1] == ("access.consent.refused", customer.pk)


@pytest.mark.parametrize("who", ["other_admin", "contact", "auditor", "employee", "officer"])
def test_only_that_customers_admin_decides(clock, people, customer, who):
    """OBL AC-04: another customer's administrator, a customer contact, the auditor and
    staff cannot grant, refuse or withdraw."""
    consent = _ask(people, customer)
    for decide in (services.consent_grant, services.consent_refuse):
        with pytest.raises(PermissionDenied):
            decide(actor=people[who], consent=consent)
    consent.refresh_from_db()
    assert consent.state == ConsentState.REQUESTED


def test_grant_cannot_widen(clock, people, customer):
    """OBL AC-04: the administrator may narrow the level and shorten the period, never widen;
    a refused grant writes nothing."""
    consent = _ask(people, customer, level=ConsentLevel.READ)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        services.consent_grant(
            actor=people["admin"],
            consent=consent,
            level=ConsentLevel.READ_WRITE,
            ends_at=consent.ends_at + SECOND,
        )
    assert set(error.value.message_dict) == {"level", "ends_at"}
    consent.refresh_from_db()
    assert consent.state == ConsentState.REQUESTED
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    "change, field",
    [
        ({"purpose": "  "}, "purpose"),
        ({"level": "admin"}, "level"),
        ({"ends_at": T0 - DAY}, "ends_at"),
        ({"ends_at": T0 + 400 * DAY}, "ends_at"),
    ],
)
def test_bad_request_refused_nothing_written(clock, people, customer, change, field):
    """OBL AC-04: bad input is refused with a message on its field, and nothing is written."""
    arguments = {
        "actor": people["officer"],
        "customer": customer,
        "employee": people["employee"],
        "purpose": "x",
        "level": ConsentLevel.READ,
        "starts_at": T0,
        "ends_at": T0 + DAY,
    } | change
    with pytest.raises(ValidationError) as error:
        services.consent_request(**arguments)
    assert field in error.value.message_dict
    assert not AccessConsent.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_auditor_cannot_ask(clock, people, customer):
    """OBL AC-04: the auditor reads and cannot write."""
    with pytest.raises(PermissionDenied):
        services.consent_request(
            actor=people["auditor"],
            customer=customer,
            employee=people["employee"],
            purpose="x",
            level=ConsentLevel.READ,
            starts_at=T0,
            ends_at=T0 + DAY,
        )


def test_expiry_one_second_each_side(clock, people, customer):
    """OBL AC-04: a granted consent ends by itself at `ends_at`: not a second before, and a
    second after the sweep has ended it (audit event by the system, staff mailed)."""
    consent = _ask(people, customer, days=2)
    consent = services.consent_grant(actor=people["admin"], consent=consent)
    clock.move_to(consent.ends_at - SECOND)
    assert services.consent_sweep()["expired"] == 0
    consent.refresh_from_db()
    assert consent.state == ConsentState.GRANTED
    clock.move_to(consent.ends_at + SECOND)
    assert services.consent_sweep()["expired"] == 1
    consent.refresh_from_db()
    assert consent.state == ConsentState.EXPIRED
    assert consent.ended_at == consent.ends_at
    assert consent.removal_due_at == consent.ends_at + datetime.timedelta(hours=24)
    assert _actions(consent)[-1] == ("access.consent.expired", customer.pk)
    assert services.consent_sweep()["expired"] == 0


def test_removal_reminder_and_escalation_one_second_each_side(clock, people, customer):
    """OBL AC-04: an unconfirmed removal is reminded 4 hours before its deadline (ICT
    manager) and escalated once it passed (privacy officer), each once, to the second."""
    consent = services.consent_grant(actor=people["admin"], consent=_ask(people, customer))
    consent = services.consent_withdraw(actor=people["admin"], consent=consent)
    due = consent.removal_due_at
    clock.move_to(due - datetime.timedelta(hours=4) - SECOND)
    assert services.consent_sweep()["reminded"] == 0
    clock.move_to(due - datetime.timedelta(hours=4) + SECOND)
    assert services.consent_sweep() == {"expired": 0, "reminded": 1, "escalated": 0}
    assert OutboxMessage.objects.filter(
        to_email=people["ict"].email, key__contains=":reminder"
    ).exists()
    clock.move_to(due - SECOND)
    assert services.consent_sweep()["escalated"] == 0
    clock.move_to(due + SECOND)
    assert services.consent_sweep()["escalated"] == 1
    assert OutboxMessage.objects.filter(
        to_email=people["officer"].email, key__contains=":escalation"
    ).exists()
    assert services.consent_sweep() == {"expired": 0, "reminded": 0, "escalated": 0}
    actions = [a for a, _ in _actions(consent)]
    assert actions[-2:] == ["access.consent.removal_reminded", "access.consent.removal_escalated"]


def _use(people, customer=None, **kwargs):
    arguments = {
        "actor": people["employee"],
        "customer": customer,
        "user": people["employee"],
        "basis": "consent",
        "activity": "Looked at the import",
        "level": ConsentLevel.READ,
    } | kwargs
    return services.access_use_record(**arguments)


def test_use_under_consent_needs_a_covering_grant(clock, people, customer, other_customer):
    """OBL AC-04: a use under consent is refused without a granted consent covering that
    employee, customer, level and moment; nothing is written then."""
    consent = _ask(people, customer, level=ConsentLevel.READ)
    with pytest.raises(ValidationError, match="No consent"):
        _use(people, customer)  # only asked
    consent = services.consent_grant(actor=people["admin"], consent=consent)
    clock.shift(60)
    use = _use(people, customer)
    assert (use.basis, use.basis_id) == ("consent", consent.pk)
    event = AuditEvent.objects.get(action="access.use.recorded")
    assert event.customer_id == customer.pk
    for kwargs in (
        {"customer": other_customer},
        {"level": ConsentLevel.READ_WRITE},
        {"used_at": T0 - DAY},
        {"user": people["ict"], "actor": people["ict"]},
    ):
        with pytest.raises(ValidationError):
            _use(people, **({"customer": customer} | kwargs))
    consent = services.consent_withdraw(actor=people["admin"], consent=consent)
    clock.shift(1)
    with pytest.raises(ValidationError, match="No consent"):
        _use(people, customer)
    # A use during the consent, recorded afterwards, is still covered.
    _use(people, customer, used_at=T0 + 30 * SECOND)
    assert AccessUse.objects.count() == 2


def test_use_refused_for_someone_else_by_staff_member_and_auditor(clock, people, customer):
    """OBL AC-04: a staff member records only their own uses; the auditor records none."""
    with pytest.raises(ValidationError, match="your own"):
        _use(people, customer, user=people["ict"])
    with pytest.raises(PermissionDenied):
        _use(people, customer, actor=people["auditor"])
    assert not AccessUse.objects.exists()


def test_use_under_temporary_access_checks_it_is_active(clock, people, customer):
    """OBL AC-04: a use under temporary access needs that employee's approved access to that
    customer at that moment."""
    with pytest.raises(ValidationError, match="temporary"):
        _use(people, customer, basis="temporary")
    access = TemporaryAccess.objects.create(
        requester=people["employee"],
        customer=customer,
        reason="x",
        starts_at=T0,
        ends_at=T0 + DAY,
    )
    with pytest.raises(ValidationError, match="temporary"):
        _use(people, customer, basis="temporary")  # still requested
    TemporaryAccess.objects.filter(pk=access.pk).update(
        state="active", decided_at=T0, decided_by=people["ict"]
    )
    clock.shift(60)
    assert _use(people, customer, basis="temporary").basis_id == access.pk
    clock.move_to(T0 + DAY + SECOND)
    with pytest.raises(ValidationError, match="temporary"):
        _use(people, customer, basis="temporary")
