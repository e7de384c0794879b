"""Customer audits (AU-01, AU-02) through the services: recording with and without
informing the customer, the request from the portal, the steps, the mails, the audit
events and what a customer-scoped reader of the trail sees; the beat one second on each
side of its deadlines."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from audits.models import AuditEvent
from compliance.models import Contact, OutboxMessage, Role
from processing.models.audits import AuditKind, CustomerAudit, CustomerAuditState
from processing.selectors.audits import audits_for
from processing.services import audits as services
from tests.factories import CustomerFactory, UserFactory

NOW = datetime.datetime(2026, 6, 1, 8, 0, tzinfo=datetime.UTC)
GROUND = "Order of the examining magistrate 2026/17: no disclosure"


@pytest.fixture
def world(db):
    customer = CustomerFactory(name="Bakkerij Jansen")
    other = CustomerFactory(name="Slagerij Pietersen")
    Contact.objects.create(
        customer=customer,
        name="Breach Desk",
        email="breach@jansen.example",
        receives_breach_notices=True,
    )
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


def _record(world, *, inform=True, ground="", **changes):
    data = {
        "actor": world["officer"],
        "customer_id": world["customer"].pk,
        "kind": AuditKind.REGULATOR,
        "auditor": "Audit & Co",
        "scope": "Access control of the hosting",
        "starts_on": datetime.date(2026, 6, 20),
        "ends_on": datetime.date(2026, 6, 22),
        "inform": inform,
        "ground": ground,
        **changes,
    }
    return services.audit_record(**data)


def _mails(audit):
    return set(
        OutboxMessage.objects.filter(
            cause_id=audit.pk, key__startswith="processing:audit:"
        ).values_list("to_email", flat=True)
    )


def test_recorded_audit_informs_admins_and_breach_contacts(world):
    """OBL AU-01: recorded, scheduled, the customer's administrators and breach contacts
    mailed through the outbox; customer_informed_at set; the event carries the customer."""
    with time_machine.travel(NOW, tick=False):
        audit = _record(world)
    assert audit.state == CustomerAuditState.SCHEDULED
    assert audit.customer_informed_at == NOW
    assert _mails(audit) == {world["admin"].email, "breach@jansen.example"}
    event = AuditEvent.objects.get(action="processing.audit.recorded")
    assert event.customer_id == world["customer"].pk
    assert audits_for(world["admin"]).get() == audit


def test_not_informed_needs_a_ground_and_hides_everything_from_the_customer(world):
    """OBL AU-01: without a ground not informing is refused and nothing written; with one,
    no mail, no event the customer's readers can find, no row in the portal, and the
    ground is in no event payload."""
    events, mails = AuditEvent.objects.count(), OutboxMessage.objects.count()
    with pytest.raises(ValidationError) as error:
        _record(world, inform=False)
    assert "ground" in error.value.message_dict
    assert (AuditEvent.objects.count(), OutboxMessage.objects.count()) == (events, mails)
    assert not CustomerAudit.objects.exists()
    audit = _record(world, inform=False, ground=GROUND)
    assert audit.customer_informed_at is None and audit.not_informed_ground == GROUND
    assert _mails(audit) == set()
    event = AuditEvent.objects.get(action="processing.audit.recorded")
    assert event.customer_id is None
    assert GROUND not in str(event.before) + str(event.after)
    for reader in ("admin", "contact", "customer_auditor"):
        assert not audits_for(world[reader]).exists()
    assert audits_for(world["auditor"]).get() == audit
    services.audit_start(actor=world["officer"], audit=audit)
    assert AuditEvent.objects.get(action="processing.audit.started").customer_id is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"customer_id": None}, "customer"),
        ({"customer_id": 999999}, "customer"),
        ({"kind": AuditKind.REQUESTED}, "kind"),
        ({"auditor": "  "}, "auditor"),
        ({"scope": ""}, "scope"),
        ({"starts_on": None}, "starts_on"),
        ({"ends_on": datetime.date(2026, 6, 1)}, "ends_on"),
        ({"ground": "a ground while informing"}, "ground"),
    ],
)
def test_bad_record_refused_and_nothing_written(world, changes, field):
    """OBL AU-01: bad input is refused with a message at its field; nothing written."""
    events, mails = AuditEvent.objects.count(), OutboxMessage.objects.count()
    with pytest.raises(ValidationError) as error:
        _record(world, **changes)
    assert field in error.value.message_dict
    assert (AuditEvent.objects.count(), OutboxMessage.objects.count()) == (events, mails)
    assert not CustomerAudit.objects.exists()


def test_requested_audit_whole_workflow(world):
    """OBL AU-02: asked for with the acknowledgement of cost, scheduled, started, report
    recorded; each step one audit event with the customer; the customer told."""
    with pytest.raises(ValidationError) as error:
        services.audit_request(
            actor=world["admin"],
            scope="Backups",
            preferred_period="March",
            auditor="",
            cost_acknowledged=False,
        )
    assert "cost_acknowledged" in error.value.message_dict
    assert not CustomerAudit.objects.exists()
    audit = services.audit_request(
        actor=world["admin"],
        scope="Backups",
        preferred_period="March",
        auditor="",
        cost_acknowledged=True,
    )
    assert audit.kind == AuditKind.REQUESTED and audit.cost_agreed
    assert world["officer"].email in _mails(audit)
    services.audit_schedule(
        actor=world["officer"],
        audit=audit,
        starts_on=datetime.date(2026, 7, 1),
        ends_on=datetime.date(2026, 7, 2),
    )
    services.audit_start(actor=world["officer"], audit=audit)
    with pytest.raises(ValidationError):
        services.audit_report(actor=world["officer"], audit=audit, received_on=None, reference="")
    audit = services.audit_report(
        actor=world["officer"],
        audit=CustomerAudit.objects.get(pk=audit.pk),
        received_on=datetime.date(2026, 5, 30),
        reference="Report AC-2026-07",
    )
    assert audit.state == CustomerAuditState.REPORTED
    actions = list(
        AuditEvent.objects.filter(action__startswith="processing.audit.")
        .order_by("pk")
        .values_list("action", "customer_id")
    )
    assert actions == [
        (f"processing.audit.{step}", world["customer"].pk)
        for step in ("requested", "scheduled", "started", "reported")
    ]
    assert world["admin"].email in _mails(audit)
    with pytest.raises(ValidationError):
        services.audit_cancel(actor=world["officer"], audit=audit, reason="late")


def test_auditor_and_customer_cannot_write(world):
    """OBL AU-01, AU-02: the auditor reads and cannot write; a customer never steers."""
    from django.core.exceptions import PermissionDenied

    audit = _record(world)
    for user in ("auditor", "customer_auditor", "admin"):
        with pytest.raises(PermissionDenied):
            services.audit_start(actor=world[user], audit=audit)
    with pytest.raises(PermissionDenied):
        _record(world, actor=world["auditor"])
    with pytest.raises(PermissionDenied):
        services.audit_request(
            actor=world["customer_auditor"],
            scope="x",
            preferred_period="y",
            auditor="",
            cost_acknowledged=True,
        )


def test_reminder_one_second_on_each_side(world):
    """OBL AU-02: a scheduled audit reminds the privacy officer 7 days before its first
    day (Amsterdam midnight), once."""
    audit = _record(world)  # starts 20 June 2026; reminder from 13 June 00:00 Amsterdam
    remind = datetime.datetime(2026, 6, 12, 22, 0, tzinfo=datetime.UTC)
    assert services.remind_from(audit) == remind
    with time_machine.travel(remind - datetime.timedelta(seconds=1), tick=False):
        assert services.audit_sweep() == (0, 0)
    with time_machine.travel(remind, tick=False):
        assert services.audit_sweep() == (1, 0)
        assert services.audit_sweep() == (0, 0)
    audit.refresh_from_db()
    assert audit.reminded_at == remind
    event = AuditEvent.objects.get(action="processing.audit.reminded")
    assert event.customer_id == world["customer"].pk
    assert world["officer"].email in _mails(audit)


def test_escalation_one_second_on_each_side(world):
    """OBL AU-02: an asked-for audit still unscheduled 14 days after it was asked for is
    escalated to the privacy officers, once; a scheduled one is not."""
    with time_machine.travel(NOW, tick=False):
        audit = services.audit_request(
            actor=world["admin"],
            scope="Backups",
            preferred_period="March",
            auditor="",
            cost_acknowledged=True,
        )
    due = NOW + datetime.timedelta(days=14)
    with time_machine.travel(due - datetime.timedelta(seconds=1), tick=False):
        assert services.audit_sweep() == (0, 0)
    with time_machine.travel(due, tick=False):
        assert services.audit_sweep() == (0, 1)
        assert services.audit_sweep() == (0, 0)
    audit.refresh_from_db()
    assert audit.escalated_at == due
    assert AuditEvent.objects.filter(action="processing.audit.escalated").count() == 1


def test_demo_fills_the_register_once(world):
    """OBL AU-01, AU-02: the demo adds a scheduled request, an informed regulator audit and
    one kept from the customer on a legal ground; loading again adds nothing."""
    from processing.demo import audits as demo

    people = {Role.PRIVACY_OFFICER: world["officer"], Role.CUSTOMER_ADMIN: world["admin"]}
    for _ in range(2):
        demo.load(now=NOW, people=people, customers=[world["customer"], world["other"]])
    audits = CustomerAudit.objects.all()
    assert audits.count() == 3
    assert audits.filter(kind=AuditKind.REQUESTED, state=CustomerAuditState.SCHEDULED).exists()
    assert audits.filter(customer_informed_at__isnull=False, kind=AuditKind.REGULATOR).exists()
    assert audits.exclude(not_informed_ground="").get().customer == world["other"]
