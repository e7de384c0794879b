"""Running an aiosmtpd handler in the foreground, for the mail sink and the bounce receiver."""

from __future__ import annotations

import logging
import signal
import threading

from aiosmtpd.controller import Controller

# Notices with a PDF attached are far below this; it only stops abuse of an open port.
DATA_SIZE_LIMIT = 50 * 1024 * 1024


def serve_forever(handler, *, host: str, port: int, on_ready=None) -> None:
    """Serve until SIGINT or SIGTERM."""
    # aiosmtpd logs every SMTP command at INFO; the handlers log one line per message instead.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    controller = Controller(handler, hostname=host, port=port, data_size_limit=DATA_SIZE_LIMIT)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    controller.start()
    try:
        if on_ready:
            on_ready()
        stop.wait()
    finally:
        controller.stop()
