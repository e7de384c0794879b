"""The local SMTP sink of the embedded default: every message lands as an .eml file."""

import email.policy
import itertools
import logging
import uuid
from datetime import UTC, datetime
from email.parser import BytesHeaderParser
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from compliance.smtpd import serve_forever

log = logging.getLogger("compliance.mail_sink")


class SinkHandler:
    """Writes each message to `directory` (or only counts it, with `discard`)."""

    def __init__(self, directory: Path | None):
        self.directory = directory
        self.counter = itertools.count(1)
        self.received = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        self.received += 1
        if self.directory is None:
            return "250 OK"
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        path = self.directory / f"{stamp}-{next(self.counter):06d}-{uuid.uuid4().hex[:8]}.eml"
        envelope_lines = (
            f"X-Sink-Envelope-From: {envelope.mail_from}\r\n"
            f"X-Sink-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n"
        ).encode()
        path.write_bytes(envelope_lines + envelope.original_content)
        headers = BytesHeaderParser(policy=email.policy.compat32).parsebytes(
            envelope.original_content
        )
        log.info(
            "mail to %s: %s (%s) -> %s",
            ", ".join(envelope.rcpt_tos),
            headers.get("Subject", ""),
            headers.get("Message-ID", ""),
            path.name,
        )
        return "250 OK"


class Command(BaseCommand):
    help = "Local SMTP sink: stores every received message as an .eml file in MAIL_SINK_DIR."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=1025)
        parser.add_argument("--dir", default=str(settings.MAIL_SINK_DIR))
        parser.add_argument(
            "--discard", action="store_true", help="Count messages without storing them."
        )

    def handle(self, *args, host, port, dir, discard, **options):  # noqa: A002
        directory = None if discard else Path(dir)
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)
        handler = SinkHandler(directory)

        def ready():
            where = (
                "discarding messages" if directory is None else f"writing .eml files to {directory}"
            )
            self.stdout.write(f"Mail sink on {host}:{port}, {where}", self.style.SUCCESS)
            self.stdout.flush()

        serve_forever(handler, host=host, port=port, on_ready=ready)
        self.stdout.write(f"Mail sink stopped after {handler.received} message(s).")
        self.stdout.flush()
