"""A worker process killed in the middle of a fan-out's delivery loses no notice.

Real parts only: a separate Python process runs `outbox_sweep()` against the test's own
database (a file copy of the SQLite test database, or the PostgreSQL test database) and a
real aiosmtpd server. The server holds the worker's connection open in the middle of a
message, the test kills the process with SIGKILL while it holds its claims, and a later sweep
in this process, at a clock moved past the claim's expiry, delivers the rest.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.utils import timezone

from breaches.models import CustomerNotice, IncidentState, NoticeState
from breaches.services import affected_select, incident_notify, incident_report, incident_triage
from compliance.models import OutboxMessage, OutboxStatus
from compliance.outbox import claim_seconds, outbox_sweep
from compliance.tests.conftest import (  # noqa: F401 - temporary_broker is a fixture
    RecordingHandler,
    SMTPServer,
    free_port,
    temporary_broker,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("temporary_broker")]

CUSTOMERS = 12
# The server accepts this many messages, then holds the next one until the worker is dead.
ACCEPT_BEFORE_HOLD = 7
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
settings.OUTBOX_COMMIT_SECONDS = 3600  # group by count only, so the test is deterministic

from compliance.outbox import outbox_sweep

outbox_sweep(worker=sys.argv[2], max_seconds=120)
print("sweep finished", flush=True)
"""


@dataclass
class HoldingHandler(RecordingHandler):
    """Accepts `hold_after` messages, then answers no DATA until `release` is set; a message
    held like that is never recorded as received (its sender is gone by then)."""

    hold_after: int | None = None
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.hold_after is not None and len(self.received) >= self.hold_after:
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait)
            return "421 4.3.2 Service not available, closing transmission channel"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def shared_database(transactional_db, tmp_path):
    """The URL under which a child process reaches the database this test uses.

    PostgreSQL: the test database itself. SQLite: the test database lives in this process's
    memory, so it is copied (schema included) to a file and this process switches to that
    file for the test; the in-memory database is kept open and restored afterwards.
    """
    db = connection.settings_dict
    if connection.vendor != "sqlite":
        user = quote(db.get("USER") or "", safe="")
        password = quote(db.get("PASSWORD") or "", safe="")
        credentials = f"{user}:{password}@" if user else ""
        host = db.get("HOST") or "127.0.0.1"
        port = f":{db['PORT']}" if db.get("PORT") else ""
        yield f"postgres://{credentials}{host}{port}/{quote(db['NAME'], safe='')}"
        return
    path = tmp_path / "fanout.sqlite3"
    connection.ensure_connection()
    memory = connection.connection
    target = sqlite3.connect(path)
    memory.backup(target)
    target.close()
    saved_name = db["NAME"]
    connection.connection = None  # the next query opens the file
    db["NAME"] = str(path)
    try:
        yield f"sqlite:///{path}"
    finally:
        connection.close()
        db["NAME"] = saved_name
        connection.connection = memory


@pytest.fixture
def holding_smtp(settings):
    handler = HoldingHandler(hold_after=ACCEPT_BEFORE_HOLD)
    server = SMTPServer(handler, free_port())
    server.start()
    settings.EMAIL_HOST = server.host
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    yield server
    handler.release.set()
    server.stop()


@pytest.fixture
def fanout(shared_database, staff, officer, processor, product, make_customer):
    """An incident notified to CUSTOMERS customers, two recipients each, nothing sent yet."""
    customers = [make_customer(product, language="en") for _ in range(CUSTOMERS)]
    incident = incident_report(
        actor=staff, title="Backup bucket public", description="A backup bucket was public."
    )
    incident = incident_triage(
        actor=officer,
        incident=incident,
        personal_data_involved=True,
        data_categories="Names and addresses",
        likely_consequences="Phishing",
    )
    incident = affected_select(actor=officer, incident=incident, rule="product", products=[product])
    result = incident_notify(actor=officer, incident=incident)
    assert result.notices_created == CUSTOMERS
    assert result.messages_queued == 2 * CUSTOMERS
    return incident, customers


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


def wait_until_holding(handler: HoldingHandler, worker: subprocess.Popen, log: Path) -> None:
    for _ in range(600):  # at most a minute
        if handler.holding.wait(timeout=0.1):
            return
        if worker.poll() is not None:
            pytest.fail(f"the worker ended before the hold:\n{log.read_text()}")
    pytest.fail(f"the worker never reached the hold:\n{log.read_text()}")


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
