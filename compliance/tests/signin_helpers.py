"""Helpers for the sign-in tests: read mail from the real SMTP server, compute TOTP codes."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import re
import struct
import time

from compliance.outbox import outbox_sweep

# The sign-in tests run at one frozen moment (the `signin_clock` fixture).
NOW = datetime.datetime(2026, 5, 4, 9, 0, 5, tzinfo=datetime.UTC)

CODE_RE = re.compile(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", re.MULTILINE)
LINK_RE = re.compile(r"(https?://\S+/accounts/invitation/[\w-]+/)")
SECRET_RE = re.compile(r'id="totp-secret">([A-Z2-7]+)<')

PASSWORD = "Vlinder-Kastanje-Rivier-93"


def totp(secret: str, at: float | None = None, period: int = 30) -> str:
    """RFC 6238 (HMAC-SHA1, 6 digits), computed independently of allauth."""
    counter = int((time.time() if at is None else at) // period)
    key = base64.b32decode(secret, casefold=True)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def fresh_totp(clock, secret: str, period: int = 30) -> str:
    """Move `clock` (a time_machine traveller) to the start of the next window and return
    that window's code: it cannot expire between typing and checking, and it is not a code
    an earlier sign-in in this process already used (allauth refuses a code twice)."""
    clock.shift(period - (time.time() % period) + 0.5)
    return totp(secret, period=period)


def mails_to(smtp_server, address: str):
    outbox_sweep(max_seconds=5)
    return [r for r in smtp_server.handler.received if address in r.rcpt_tos]


def text_of(received) -> str:
    message = received.message
    part = message.get_body(preferencelist=("plain",))
    return part.get_content()


def last_code(smtp_server, address: str) -> str:
    mails = mails_to(smtp_server, address)
    assert mails, f"no mail to {address}"
    match = CODE_RE.search(text_of(mails[-1]))
    assert match, text_of(mails[-1])
    return match.group(1)


def session_id(client) -> str:
    cookie = client.cookies.get("sessionid")
    return cookie.value if cookie else ""
