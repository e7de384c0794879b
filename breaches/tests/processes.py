"""Fixtures for tests with real processes: the test's database reachable from a child
process, an SMTP server that holds a message until told, and a notified fan-out.

Imported by `breaches/tests/conftest.py`, so every test module here can ask for them.
"""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from breaches.services import affected_select, incident_notify, incident_report, incident_triage
from compliance.tests.conftest import RecordingHandler, SMTPServer, free_port

CUSTOMERS = 12
# The server accepts this many messages, then holds the next one until the worker is dead.
ACCEPT_BEFORE_HOLD = 7


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


def wait_until_holding(handler: HoldingHandler, worker: subprocess.Popen, log: Path) -> None:
    for _ in range(600):  # at most a minute
        if handler.holding.wait(timeout=0.1):
            return
        if worker.poll() is not None:
            pytest.fail(f"the worker ended before the hold:\n{log.read_text()}")
    pytest.fail(f"the worker never reached the hold:\n{log.read_text()}")


def wait_for(
    condition,
    *,
    what: str,
    limit: float = 20.0,
    worker: subprocess.Popen | None = None,
    log: Path | None = None,
) -> float:
    """Poll `condition` until it is true or `limit` seconds passed (never a bare sleep);
    the seconds it took. With `worker`, fail at once when that process ended meanwhile."""
    pause = threading.Event()
    started = time.monotonic()
    output = (lambda: ":\n" + log.read_text()) if log is not None else (lambda: "")
    while time.monotonic() - started < limit:
        if condition():
            return time.monotonic() - started
        if worker is not None and worker.poll() is not None:
            pytest.fail(f"the worker ended while waiting for {what}{output()}")
        pause.wait(0.05)
    pytest.fail(f"no {what} within {limit} s{output()}")
