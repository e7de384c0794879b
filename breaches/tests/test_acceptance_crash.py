"""Each acceptance is recorded as it happens: a worker killed in the middle of a fan-out
sends again at most the message that was in flight, and its rows go out again within a
minute (BR-03, BR-05).

Real parts: a child Python process runs `outbox_sweep()` with the product's own delivery
settings against the test's database and a real aiosmtpd server, and is killed with
SIGKILL; the later sweep runs in this process at a clock moved just past the lease.
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
from django.db.models import Min
from django.utils import timezone

from breaches.models import CustomerNotice
from breaches.tests.processes import ACCEPT_BEFORE_HOLD, CUSTOMERS, wait_until_holding
from compliance.models import OutboxMessage, OutboxStatus
from compliance.outbox import outbox_sweep

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("temporary_broker")]

LEASE_LIMIT = timedelta(minutes=1)
WORKER = "doomed-worker"

# The product's delivery settings, unchanged; with a number, the child kills itself right
# after the server accepted that many messages and before anything else runs.
CHILD = """
import os
import signal
import sys

import django

django.setup()
from compliance import outbox

die_after = int(sys.argv[2])
accepted = []


def die(message):
    accepted.append(message.pk)
    if len(accepted) == die_after:
        os.kill(os.getpid(), signal.SIGKILL)


if die_after:
    outbox.delivery.after_acceptance_hook = die
outbox.outbox_sweep(worker=sys.argv[1], max_seconds=120)
print("sweep finished", flush=True)
"""


def start_worker(database_url: str, smtp_port: int, log: Path, die_after: int = 0):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url,
        "TEST_SMTP_PORT": str(smtp_port),
        "CELERY_BROKER_URL": "memory://",
    }
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, WORKER, str(die_after)],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def notice_rows():
    return OutboxMessage.objects.filter(cause_type="breaches.CustomerNotice")


def assert_informed_by_first_acceptance(incident):
    """Every customer is informed at the earliest acceptance among its messages."""
    first = dict(
        notice_rows()
        .values("cause_id")
        .annotate(first=Min("accepted_at"))
        .values_list("cause_id", "first")
    )
    notices = CustomerNotice.objects.filter(incident=incident)
    assert notices.count() == CUSTOMERS
    for notice in notices:
        assert notice.informed_at == first[notice.pk]


def test_killed_while_sending_resends_nothing_accepted(
    fanout, shared_database, holding_smtp, tmp_path
):
    """OBL BR-05, BR-03: killed while the server holds a message, the worker had recorded
    every message the server accepted before it; its claim runs out within a minute; the
    later sweep sends each remaining message once, so no recipient gets anything twice, and
    each customer is informed at its first recorded acceptance."""
    incident, _customers = fanout
    handler = holding_smtp.handler
    rows = notice_rows()
    log = tmp_path / "worker.log"
    worker = start_worker(shared_database, holding_smtp.port, log)
    try:
        wait_until_holding(handler, worker, log)
        accepted_by_server = set(handler.message_ids())
        assert len(accepted_by_server) == ACCEPT_BEFORE_HOLD
        recorded = dict(
            OutboxMessage.objects.filter(status=OutboxStatus.ACCEPTED).values_list(
                "message_id", "accepted_at"
            )
        )
        assert set(recorded) == accepted_by_server
        held = OutboxMessage.objects.filter(status=OutboxStatus.SENDING)
        assert held.exists()
        assert not held.filter(claimed_until__gt=timezone.now() + LEASE_LIMIT).exists()
        killed_at = timezone.now()
        worker.send_signal(signal.SIGKILL)
        assert worker.wait(timeout=30) == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=30)
    handler.hold_after = None
    handler.release.set()

    with time_machine.travel(killed_at + LEASE_LIMIT + timedelta(seconds=1), tick=True):
        result = outbox_sweep(max_seconds=30)
    assert result.failed == 0 and result.deferred == 0
    assert not OutboxMessage.objects.exclude(status=OutboxStatus.ACCEPTED).exists()
    received = Counter(handler.message_ids())
    assert set(received) == set(OutboxMessage.objects.values_list("message_id", flat=True))
    assert max(received.values()) == 1
    for message_id, accepted_at in recorded.items():
        assert OutboxMessage.objects.get(message_id=message_id).accepted_at == accepted_at
    assert rows.filter(accepted_at__isnull=True).count() == 0
    assert_informed_by_first_acceptance(incident)


def test_killed_right_after_an_acceptance_resends_only_that_message(
    fanout, shared_database, holding_smtp, tmp_path
):
    """OBL BR-05, BR-03: a worker that dies between the server's 250 and its record sends
    again only that one message (same Message-ID); everything accepted before it was
    recorded, and the customers keep the times of their first recorded acceptance."""
    incident, _customers = fanout
    handler = holding_smtp.handler
    handler.hold_after = None
    dies_after = 5
    log = tmp_path / "worker.log"
    worker = start_worker(shared_database, holding_smtp.port, log, die_after=dies_after)
    try:
        assert worker.wait(timeout=120) == -signal.SIGKILL, log.read_text()
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=30)
    killed_at = timezone.now()
    accepted_by_server = handler.message_ids()
    assert len(accepted_by_server) == dies_after
    recorded = dict(
        OutboxMessage.objects.filter(status=OutboxStatus.ACCEPTED).values_list(
            "message_id", "accepted_at"
        )
    )
    assert set(recorded) == set(accepted_by_server[:-1])
    in_flight = accepted_by_server[-1]
    assert not OutboxMessage.objects.filter(
        status=OutboxStatus.SENDING, claimed_until__gt=killed_at + LEASE_LIMIT
    ).exists()

    with time_machine.travel(killed_at + LEASE_LIMIT + timedelta(seconds=1), tick=True):
        outbox_sweep(max_seconds=30)
    assert not OutboxMessage.objects.exclude(status=OutboxStatus.ACCEPTED).exists()
    received = Counter(handler.message_ids())
    assert {m for m, count in received.items() if count > 1} == {in_flight}
    assert received[in_flight] == 2
    for message_id, accepted_at in recorded.items():
        assert OutboxMessage.objects.get(message_id=message_id).accepted_at == accepted_at
    assert_informed_by_first_acceptance(incident)
