"""Fixtures for the cross-app suites: Playwright with Debian's Chromium.

Never run `playwright install`: it downloads a browser and fails here; the system
Chromium is used instead.
"""

import datetime
import os

import pytest
import time_machine

# The real SMTP server (aiosmtpd) and a throw-away broker, shared with the sign-in journeys.
from compliance.tests.conftest import smtp_server, temporary_broker  # noqa: F401

# Playwright's sync API runs an event loop in the test thread; Django then refuses ORM
# calls from that thread unless told that this is safe (it is: the loop is Playwright's).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_FLAGS],
    }


@pytest.fixture
def clock():
    """Real time, but movable; the live server thread shares it."""
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC), tick=True) as traveller:
        yield traveller
