"""The change-notice fan-out at scale: bulk queuing, and acceptances recorded by several
workers without taking turns on the notice row (SP-03)."""

import datetime
import threading

import pytest
from django.db import connection, connections, transaction

from audits.models import AuditEvent
from compliance.models import OutboxMessage
from subprocessors.models import ChangeNotice, ChangeNoticeRecipient
from subprocessors.services import change_notice_announce, change_notices_go_live_due
from subprocessors.services.change_notices import recipient_informed
from subprocessors.tests.conftest import START, customer_with_contract
from subprocessors.tests.test_change_notices import draft_location

DAY = datetime.timedelta(days=1)


def test_fan_out_queues_each_contact_once_with_its_cause_and_audit_event(
    privacy_officer, hosting, product, clock
):
    """OBL SP-03: one message per notice contact, caused by the customer's recipient row,
    recorded in that customer's audit trail; queuing again adds nothing."""
    first = customer_with_contract(product, contacts=3)
    second = customer_with_contract(product, contacts=1)
    notice = change_notice_announce(
        actor=privacy_officer, notice=draft_location(privacy_officer, hosting)
    )
    for customer in (first, second):
        recipient = notice.recipients.get(customer=customer)
        rows = OutboxMessage.objects.filter(customer=customer)
        assert rows.count() == customer.contacts.count()
        assert set(rows.values_list("cause_type", "cause_id")) == {
            ("subprocessors.ChangeNoticeRecipient", recipient.pk)
        }
        events = AuditEvent.objects.filter(action="outbox.queued", customer_id=customer.pk)
        keys = {m["key"] for e in events for m in e.after["messages"]}
        assert keys == set(rows.values_list("key", flat=True))

    from subprocessors.services.notice_mail import fan_out

    with transaction.atomic():
        again = fan_out(
            notice=notice,
            event="announced",
            recipients=list(notice.recipients.all()),
            actor=privacy_officer,
            customer_template="subprocessor_change_announced",
            subscriber_template="subprocessor_change_announced_subscriber",
        )
    assert again == 4
    assert OutboxMessage.objects.count() == 4


def test_beat_records_sent_completely_a_lost_check_left_unset(
    privacy_officer, hosting, product, clock
):
    """OBL SP-03: if the check after the last acceptance was lost, the beat sweep records
    `sent_completely_at` as the last customer's informed moment."""
    customer_with_contract(product)
    notice = change_notice_announce(
        actor=privacy_officer, notice=draft_location(privacy_officer, hosting)
    )
    # As if a worker died between committing the acceptance and its check.
    notice.recipients.update(informed_at=START + DAY)
    clock.move_to(START + 2 * DAY)
    change_notices_go_live_due()
    notice.refresh_from_db()
    assert notice.sent_completely_at == START + DAY
    assert AuditEvent.objects.filter(action="change_notice.sent_completely").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_informing_the_last_customers_at_once(privacy_officer, hosting, product, clock):
    """OBL SP-03: two outbox transactions informing the last two customers concurrently do
    not wait for each other (only recipient rows are locked), and `sent_completely_at` is
    recorded exactly once, as the later informed moment, once both committed."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: no two transactions can overlap")
    customer_with_contract(product)
    customer_with_contract(product)
    notice = change_notice_announce(
        actor=privacy_officer, notice=draft_location(privacy_officer, hosting)
    )
    recipients = list(ChangeNoticeRecipient.objects.filter(change_notice=notice).order_by("pk"))
    both_in_flight = threading.Barrier(2, timeout=10)
    errors: list[BaseException] = []

    def worker(recipient, at):
        try:
            with transaction.atomic():
                recipient_informed(recipient_id=recipient.pk, informed_at=at)
                # Neither has committed: each still sees the other's customer as open.
                both_in_flight.wait()
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=worker, args=(recipients[0], START + DAY)),
        threading.Thread(target=worker, args=(recipients[1], START + 2 * DAY)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    notice = ChangeNotice.objects.get(pk=notice.pk)
    assert notice.sent_completely_at == START + 2 * DAY
    assert AuditEvent.objects.filter(action="change_notice.sent_completely").count() == 1
