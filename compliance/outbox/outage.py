"""Whether the mail server can be reached: an outage starts at the first refused
connection and ends at the next connection that works (BR-05).

The delivery loop reports both; the privacy officer's dashboard and /healthz read the open
outage. (Filled in by the outage work of issue 12.)
"""

from __future__ import annotations


def mail_server_unreachable(*, reply: str) -> None:
    """A connection to the mail server failed (refused, timed out, TLS or login failed)."""


def mail_server_reachable() -> None:
    """A connection to the mail server worked."""
