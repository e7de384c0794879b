"""A real SMTP server for outbox tests (aiosmtpd on a free port)."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from dataclasses import dataclass, field

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core.cache import cache

from compliance.tests.signin_helpers import NOW


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes

    @property
    def message(self):
        return email.message_from_bytes(self.content, policy=email.policy.default)

    @property
    def message_id(self) -> str:
        return self.message["Message-ID"]


@dataclass
class RecordingHandler:
    """Answers RCPT per recipient as told (default 250) and records what it accepted."""

    rcpt_replies: dict[str, str] = field(default_factory=dict)
    data_reply: str = "250 2.0.0 OK queued"
    received: list[Received] = field(default_factory=list)
    connections: int = 0
    arrived: threading.Event = field(default_factory=threading.Event)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_HELO(self, server, session, envelope, hostname):  # noqa: N802
        self.connections += 1
        session.host_name = hostname
        return f"250 {server.hostname}"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        reply = self.rcpt_replies.get(address.lower())
        if reply and not reply.startswith("2"):
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if not self.data_reply.startswith("2"):
            return self.data_reply
        self.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
        )
        self.arrived.set()
        return self.data_reply

    def message_ids(self) -> list[str]:
        return [r.message_id for r in self.received]


class SMTPServer:
    """A started aiosmtpd server; `stop()` and `start()` simulate an outage on the same port."""

    def __init__(self, handler: RecordingHandler, port: int):
        self.handler = handler
        self.host = "127.0.0.1"
        self.port = port
        self.controller: Controller | None = None

    def start(self):
        self.controller = Controller(self.handler, hostname=self.host, port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server; the outbox is pointed at it."""
    server = SMTPServer(RecordingHandler(), free_port())
    server.start()
    settings.EMAIL_HOST = server.host
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    yield server
    server.stop()


@pytest.fixture
def temporary_broker(tmp_path):
    """Points the project's Celery app at a fresh filesystem broker folder."""
    from config.celery import app

    folder = tmp_path / "broker"
    (folder / "queue").mkdir(parents=True)
    options = {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "store_processed": False,
        "polling_interval": 0.05,
    }
    # Read and write URLs too: Celery prefers a CELERY_BROKER_URL environment variable (set in
    # CI) over broker_url, but not over these.
    keys = ("broker_url", "broker_read_url", "broker_write_url", "broker_transport_options")
    saved = {key: app.conf.get(key) for key in keys}
    app.conf.update(
        broker_url="filesystem://",
        broker_read_url="filesystem://",
        broker_write_url="filesystem://",
        broker_transport_options=options,
    )
    app._after_fork()  # forget pooled connections to the previous broker
    yield app
    app.conf.update(saved)
    app._after_fork()


@pytest.fixture
def fresh_cache():
    """allauth keeps rate limits and used TOTP codes in the cache; the sign-in tests run at
    one frozen time, so each starts and ends with an empty cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def mail(smtp_server, temporary_broker):
    """The real SMTP server, with the outbox's doorbell on a broker of this test's own."""
    return smtp_server


@pytest.fixture
def clock():
    """The sign-in tests' frozen moment (modules with a clock of their own override it)."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller
