"""The embedded broker: kombu's filesystem transport, with each message written atomically.

kombu writes a message file in place, so a worker polling the folder can move and read it
before its content is on disk and die on the empty JSON (celery/kombu#1551; seen here with a
worker started while tasks were being queued). Here the message is written under a name no
consumer matches and then renamed into place; a rename within one folder is atomic, so a
consumer sees either no file or the whole message. Used only for `filesystem://`, the
embedded default of `make run`; production uses Redis.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.json import dumps

PARTIAL_SUFFIX = ".partial"


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        # Same name as kombu's (consumers sort on it and match the queue on its tail).
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = final + PARTIAL_SUFFIX
        try:
            with open(partial, "wb") as f:
                f.write(dumps(payload).encode())
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel


def register() -> None:
    """Make `filesystem://` URLs use this transport (called before the Celery app is built)."""
    TRANSPORT_ALIASES["filesystem"] = "compliance.broker:Transport"
