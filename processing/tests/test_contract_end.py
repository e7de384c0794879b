"""RT-01 contract end: the dates (Amsterdam, one second on each side, across DST), the
services (record the end, early deletion, sweep, confirmation with its certificate), bad
input refused with nothing written, and each step's audit event."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from pypdf import PdfReader

from audits.models import AuditEvent
from compliance.models import Contract, OutboxMessage, Role
from processing.models.contract_end import DeletionState, EnvironmentDeletion
from processing.services import contract_end as services
from processing.services import contract_end_dates as dates
from tests.factories import ContractFactory, CustomerFactory, UserFactory

AMS = ZoneInfo("Europe/Amsterdam")
SECOND = datetime.timedelta(seconds=1)


def ams(*args):
    return datetime.datetime(*args, tzinfo=AMS)


# --------------------------------------------------------------------------- pure dates


def test_contract_end_is_the_end_of_the_last_day():
    """RT-01: a contract ending on 31 March ends at midnight Amsterdam (CEST, UTC+2)."""
    assert dates.contract_end_moment(datetime.date(2026, 3, 31)) == ams(2026, 4, 1)
    assert dates.contract_end_moment(datetime.date(2026, 3, 31)) == datetime.datetime(
        2026, 3, 31, 22, 0, tzinfo=datetime.UTC
    )


def test_deletion_due_one_year_later_in_local_time_across_dst():
    """RT-01: archived one year after the end of the last day: 1 January (CET) and an end in
    summer (CEST) due in the same local midnight a year later."""
    assert dates.deletion_due(datetime.date(2026, 12, 31)) == ams(2028, 1, 1)
    assert dates.deletion_due(datetime.date(2026, 12, 31)).utcoffset() == datetime.timedelta(0)
    assert dates.deletion_due(datetime.date(2026, 12, 31)) == datetime.datetime(
        2027, 12, 31, 23, 0, tzinfo=datetime.UTC
    )
    # Ends on 28 March 2026 (CET); due 29 March 2027, after the change to CEST (28 March).
    due = dates.deletion_due(datetime.date(2026, 3, 28))
    assert due == datetime.datetime(2027, 3, 28, 22, 0, tzinfo=datetime.UTC)
    # The contract ends on 29 Feb 2028: due 1 March 2029.
    assert dates.deletion_due(datetime.date(2028, 2, 28)) == ams(2029, 3, 1)


def test_early_deletion_fifth_working_day():
    """RT-01: early deletion: the end of the fifth working day after the request day."""
    friday = ams(2026, 10, 23, 15, 0)
    # Mon 26 … Fri 30 October: due at the end of Friday 30 October (after the DST change).
    assert dates.early_deletion_due(friday, ams(2030, 1, 1)) == ams(2026, 10, 31)
    # never later than it was
    assert dates.early_deletion_due(friday, ams(2026, 10, 28)) == ams(2026, 10, 28)
    # 23:59:59 Amsterdam on Friday still counts from Friday; a second later from Saturday
    late = ams(2026, 10, 23, 23, 59, 59)
    assert dates.early_deletion_due(late, ams(2030, 1, 1)) == ams(2026, 10, 31)
    assert dates.early_deletion_due(late + SECOND, ams(2030, 1, 1)) == ams(2026, 10, 31)
    sunday_end = ams(2026, 10, 25, 23, 59, 59)
    assert dates.early_deletion_due(sunday_end + SECOND, ams(2030, 1, 1)) == ams(2026, 11, 3)


def test_backup_expiry_from_the_deletion_moment():
    """RT-01 (terms 7.3): daily 31 days, monthly 12 months, yearly (1 January) 7 years."""
    backups = dates.backup_expiry(ams(2027, 6, 15, 10, 0))
    assert backups.daily_until == ams(2027, 7, 17)
    assert backups.monthly_taken_on == datetime.date(2027, 6, 1)
    assert backups.monthly_until == ams(2028, 6, 1)
    assert backups.yearly_taken_on == datetime.date(2027, 1, 1)
    assert backups.yearly_until == ams(2034, 1, 1)
    assert backups.last_until == ams(2034, 1, 1)
    # Deleted at 00:30 Amsterdam on 1 January (still 31 December in UTC): that day's yearly
    # backup may hold the data.
    new_year = dates.backup_expiry(ams(2028, 1, 1, 0, 30))
    assert new_year.yearly_taken_on == datetime.date(2028, 1, 1)
    before = dates.backup_expiry(ams(2028, 1, 1) - SECOND)
    assert before.yearly_taken_on == datetime.date(2027, 1, 1)
    assert before.monthly_taken_on == datetime.date(2027, 12, 1)


# --------------------------------------------------------------------------- services


@pytest.fixture
def world(db):
    customer = CustomerFactory(name="Bakkerij Jansen", language="nl")
    return {
        "customer": customer,
        "contract": ContractFactory(customer=customer, starts_on=datetime.date(2024, 1, 1)),
        "admin": UserFactory(role=Role.CUSTOMER_ADMIN, customer=customer, email="a@jansen.nl"),
        "contact": UserFactory(role=Role.CUSTOMER_CONTACT, customer=customer),
        "other_admin": UserFactory(role=Role.CUSTOMER_ADMIN, customer=CustomerFactory()),
        "ict": UserFactory(role=Role.ICT_MANAGER, email="ict@processor.example"),
        "officer": UserFactory(role=Role.PRIVACY_OFFICER, email="po@processor.example"),
        "auditor": UserFactory(role=Role.AUDITOR),
    }


def _actions(deletion):
    return list(
        AuditEvent.objects.filter(
            object_type="processing.EnvironmentDeletion", object_id=str(deletion.pk)
        )
        .order_by("pk")
        .values_list("action", flat=True)
    )


def _record(world, ends_on=datetime.date(2026, 6, 30)):
    return services.contract_end_record(
        actor=world["officer"], contract_id=world["contract"].pk, ends_on=ends_on
    )


def test_record_contract_end_sets_due_date(world):
    """RT-01: recording the end sets the contract's end and the deletion due date."""
    deletion = _record(world)
    world["contract"].refresh_from_db()
    assert world["contract"].ends_on == datetime.date(2026, 6, 30)
    assert deletion.deletion_due_at == ams(2027, 7, 1)
    assert deletion.state == DeletionState.SCHEDULED
    assert _actions(deletion) == ["processing.deletion.scheduled"]
    assert AuditEvent.objects.filter(action="contract.updated").count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"contract_id": None, "ends_on": datetime.date(2026, 1, 1)}, "contract"),
        ({"contract_id": 999999, "ends_on": datetime.date(2026, 1, 1)}, "contract"),
        ({"ends_on": None}, "ends_on"),
        ({"ends_on": datetime.date(2020, 1, 1)}, "ends_on"),
    ],
)
def test_record_refuses_bad_input_and_writes_nothing(world, kwargs, field):
    """RT-01: bad input refused with a message on its field; nothing written."""
    kwargs = {"contract_id": world["contract"].pk, **kwargs}
    with pytest.raises(ValidationError) as error:
        services.contract_end_record(actor=world["officer"], **kwargs)
    assert field in error.value.message_dict
    assert not EnvironmentDeletion.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="processing.").exists()
    assert Contract.objects.get(pk=world["contract"].pk).ends_on is None


def test_record_twice_and_running_contract_refused(world):
    """RT-01: the end is recorded once; a customer with a contract running on keeps it."""
    _record(world)
    with pytest.raises(ValidationError):
        _record(world, ends_on=datetime.date(2026, 7, 31))
    other = ContractFactory(customer=CustomerFactory())
    ContractFactory(customer=other.customer, starts_on=datetime.date(2025, 1, 1))
    with pytest.raises(ValidationError, match="runs on"):
        services.contract_end_record(
            actor=world["officer"], contract_id=other.pk, ends_on=datetime.date(2026, 1, 1)
        )


def test_only_the_privacy_officer_records(world):
    """RT-01: the ICT manager, the auditor and the customer cannot record an end."""
    for who in ("ict", "auditor", "admin"):
        with pytest.raises(PermissionDenied):
            services.contract_end_record(
                actor=world[who],
                contract_id=world["contract"].pk,
                ends_on=datetime.date(2026, 1, 1),
            )
    assert not EnvironmentDeletion.objects.exists()


def test_sweep_creates_missing_rows(world):
    """RT-01: a contract whose end was set elsewhere gets its deletion from the beat."""
    Contract.objects.filter(pk=world["contract"].pk).update(ends_on=datetime.date(2026, 12, 31))
    running = ContractFactory(customer=CustomerFactory(), ends_on=datetime.date(2026, 1, 1))
    ContractFactory(customer=running.customer, starts_on=datetime.date(2025, 6, 1))
    assert services.deletion_schedule_missing() == 1
    assert services.deletion_schedule_missing() == 0
    deletion = EnvironmentDeletion.objects.get()
    assert deletion.deletion_due_at == ams(2028, 1, 1)
    assert _actions(deletion) == ["processing.deletion.scheduled"]


def test_early_deletion_is_binding_and_moves_the_date(world):
    """RT-01: the administrator's request needs the confirmation, moves the date, is
    recorded with who/when, and cannot be asked twice or by a contact."""
    deletion = _record(world)
    with pytest.raises(ValidationError) as error:
        services.deletion_request_early(actor=world["admin"], deletion=deletion, confirmed=False)
    assert "confirm" in error.value.message_dict
    deletion.refresh_from_db()
    assert deletion.early_requested_at is None
    with pytest.raises(PermissionDenied):
        services.deletion_request_early(actor=world["contact"], deletion=deletion, confirmed=True)
    with pytest.raises(PermissionDenied):
        services.deletion_request_early(
            actor=world["other_admin"], deletion=deletion, confirmed=True
        )
    with time_machine.travel(ams(2026, 8, 5, 11, 0), tick=False):  # a Wednesday
        deletion = services.deletion_request_early(
            actor=world["admin"], deletion=deletion, confirmed=True
        )
    assert deletion.deletion_due_at == ams(2026, 8, 13)
    assert deletion.early_requested_by == world["admin"]
    assert deletion.early_requested_at == ams(2026, 8, 5, 11, 0)
    with pytest.raises(ValidationError, match="already"):
        services.deletion_request_early(actor=world["admin"], deletion=deletion, confirmed=True)
    assert _actions(deletion) == [
        "processing.deletion.scheduled",
        "processing.deletion.early_requested",
    ]
    assert OutboxMessage.objects.filter(key__contains=":early:").count() == 2


def test_sweep_reminds_one_second_on_each_side_and_escalates(world):
    """RT-01: the reminder 7 days before the due moment (not a second earlier), the
    escalation a second after it; each once."""
    deletion = _record(world)  # due 1 July 2027 00:00 CEST
    remind_at = deletion.deletion_due_at - datetime.timedelta(days=7)
    assert services.deletion_sweep(remind_at - SECOND) == (0, 0)
    assert services.deletion_sweep(remind_at) == (1, 0)
    assert services.deletion_sweep(remind_at + SECOND) == (0, 0)
    assert services.deletion_sweep(deletion.deletion_due_at) == (0, 0)
    assert services.deletion_sweep(deletion.deletion_due_at + SECOND) == (0, 1)
    assert services.deletion_sweep(deletion.deletion_due_at + 2 * SECOND) == (0, 0)
    assert _actions(deletion)[1:] == [
        "processing.deletion.reminded",
        "processing.deletion.escalated",
    ]
    assert {m.to_email for m in OutboxMessage.objects.filter(key__contains=":overdue:")} == {
        "ict@processor.example",
        "po@processor.example",
    }


def test_confirm_deletion_issues_certificate(world):
    """RT-01: the ICT manager confirms what was deleted; the certificate (Dutch for a Dutch
    customer) states when, the backup expiry and the processor's own retention."""
    deletion = _record(world)
    with pytest.raises(ValidationError) as error:
        services.deletion_confirm(actor=world["ict"], deletion=deletion, what="  ")
    assert "what" in error.value.message_dict
    for who in ("officer", "auditor", "admin"):
        with pytest.raises(PermissionDenied):
            services.deletion_confirm(actor=world[who], deletion=deletion, what="All")
    with time_machine.travel(ams(2027, 7, 2, 10, 0), tick=False):
        deletion = services.deletion_confirm(
            actor=world["ict"], deletion=deletion, what="Database and file store of the tenant"
        )
    assert deletion.state == DeletionState.DELETED
    assert deletion.deleted_at == ams(2027, 7, 2, 10, 0)
    assert deletion.deletion_confirmed_by == world["ict"]
    assert deletion.certificate.customer == world["customer"]
    assert deletion.certificate.language == "nl"
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(deletion.certificate.content)).pages
    )
    assert "Database and file store of the tenant" in text
    assert "2 juli 2027, 10:00 CEST" in text
    assert "3 augustus 2027, 00:00 CEST" in text  # daily: the end of 2 August (31 days)
    assert "1 juli 2028, 00:00 CEST" in text  # monthly backup of 1 July 2027, 12 months
    assert "1 januari 2034, 00:00 CET" in text  # yearly backup of 1 January 2027, 7 years
    assert "bewaartermijnentabel" in text.replace("\n", " ")  # its own records: the table
    with pytest.raises(ValidationError):
        services.deletion_confirm(actor=world["ict"], deletion=deletion, what="again")
    actions = _actions(deletion)
    assert actions[-1] == "processing.deletion.confirmed"
    event = AuditEvent.objects.get(action="processing.deletion.confirmed")
    assert event.customer_id == world["customer"].pk
    assert event.after["late"] is True
