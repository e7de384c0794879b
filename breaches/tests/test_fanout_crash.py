"""A worker process killed in the middle of a fan-out's delivery loses no notice.

Real parts only: a separate Python process runs `outbox_sweep()` against the test's own
database (a file copy of the SQLite test database, or the PostgreSQL test database) and a
real aiosmtpd server. The server holds the worker's connection open in the middle of a
message, the test kills the process with SIGKILL while it holds its claims, and a later sweep
in this process, at a clock moved past the claim's expiry, delivers the rest.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from breaches.models import CustomerNotice, IncidentState, NoticeState
from breaches.tests.processes import ACCEPT_BEFORE_HOLD, CUSTOMERS, wait_until_holding
from compliance.models import OutboxMessage, OutboxStatus
from compliance.outbox import claim_seconds, outbox_sweep

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("temporary_broker")]

# The worker records outcomes in groups of three, so of the seven messages accepted before
# the hold six are recorded and one is accepted by the server but not yet recorded: the one
# message the at-least-once rule may deliver twice.
COMMIT_GROUP = 3
WORKER = "doomed-worker"

CHILD = """
import sys

import django

django.setup()
from django.conf import settings

settings.OUTBOX_COMMIT_GROUP = int(sys.argv[1])

from compliance.outbox import outbox_sweep

outbox_sweep(worker=sys.argv[2], max_seconds=120)
print("sweep finished", flush=True)
"""


def start_worker(database_url: str, smtp_port: int, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url,
        "TEST_SMTP_PORT": str(smtp_port),
        # Doorbells rung by the child go nowhere; the sweep is what delivers.
        "CELERY_BROKER_URL": "memory://",
    }
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(COMMIT_GROUP), WORKER],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def test_worker_killed_mid_fanout_loses_no_notice(fanout, shared_database, holding_smtp, tmp_path):
    """OBL BR-03, BR-05: a worker process killed with SIGKILL in the middle of a fan-out's
    delivery, while it holds its claims and has had messages accepted that it had not yet
    recorded, loses no notice: a later sweep, once the claims expired, sends what it left,
    every customer ends informed and every outbox row accepted, and the only duplicates at
    the mail server are messages the killed worker had had accepted (same Message-ID)."""
    incident, customers = fanout
    handler = holding_smtp.handler
    rows = OutboxMessage.objects.all()
    total = rows.count()
    assert total == 2 * CUSTOMERS + rows.exclude(cause_type="breaches.CustomerNotice").count()

    log = tmp_path / "worker.log"
    worker = start_worker(shared_database, holding_smtp.port, log)
    try:
        wait_until_holding(handler, worker, log)
        # The worker is now waiting for the server's reply to a message, its claims held.
        accepted_by_server = set(handler.message_ids())
        assert len(accepted_by_server) == ACCEPT_BEFORE_HOLD
        recorded = set(
            rows.filter(status=OutboxStatus.ACCEPTED).values_list("message_id", flat=True)
        )
        assert recorded < accepted_by_server
        unrecorded = accepted_by_server - recorded
        assert len(unrecorded) == ACCEPT_BEFORE_HOLD % COMMIT_GROUP
        # Everything else is still claimed by the living worker, the lease not yet run out.
        held = rows.filter(status=OutboxStatus.SENDING, claimed_by__startswith=f"{WORKER}:")
        assert held.count() == total - len(recorded)
        assert not held.filter(claimed_until__lte=timezone.now()).exists()

        worker.send_signal(signal.SIGKILL)
        assert worker.wait(timeout=30) == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=30)
    handler.hold_after = None
    handler.release.set()  # the held message's sender is gone; it is refused, not received

    # Before the claims expire another sweep leaves the dead worker's rows alone.
    assert outbox_sweep(max_seconds=10).accepted == 0
    assert set(handler.message_ids()) == accepted_by_server

    later = timezone.now() + timedelta(seconds=claim_seconds() + 1)
    with time_machine.travel(later, tick=True):
        result = outbox_sweep(max_seconds=30)
    assert result.failed == 0 and result.deferred == 0
    assert result.accepted == total - len(recorded)

    # Every row accepted, every notice informed, the incident past its fan-out.
    assert not rows.exclude(status=OutboxStatus.ACCEPTED).exists()
    notices = CustomerNotice.objects.filter(incident=incident)
    assert notices.count() == CUSTOMERS
    assert not notices.filter(informed_at__isnull=True).exists()
    assert set(notices.values_list("state", flat=True)) == {NoticeState.SENT}
    assert {n.customer_id for n in notices} == {c.pk for c in customers}
    incident.refresh_from_db()
    assert incident.state == IncidentState.MONITORING

    # Each message reached its recipient; twice only when the dead worker had it accepted.
    received = Counter(handler.message_ids())
    by_id = dict(rows.values_list("message_id", "to_email"))
    assert set(received) == set(by_id)
    duplicates = {message_id for message_id, count in received.items() if count > 1}
    assert duplicates == unrecorded
    assert max(received.values()) == 2
    for delivery in handler.received:
        assert delivery.rcpt_tos == [by_id[delivery.message_id]]
