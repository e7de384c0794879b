"""What /healthz reports: the database, the broker, how long ago the outbox was swept, and
whether the mail server can be reached.

`status` is "ok", "degraded" or "down". Down (HTTP 503): the database or the broker is
unreachable, so the product cannot work. Degraded (HTTP 200): the product works and keeps
queuing mail, but the mail server has been unreachable since `mail_server.unreachable_since`
(BR-05), so notices wait; it stays 200 because the web application itself is healthy (a load
balancer must keep sending the privacy officer to the dashboard that shows the outage), and
a monitor alerts on `status != "ok"`. No error text of the mail server is shown here (the
endpoint is public); the dashboard and the audit trail carry it.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.db import connection
from kombu import Connection

from compliance.outbox import SWEEP_HEARTBEAT, heartbeat_age, mail_outage_open

BROKER_TIMEOUT_SECONDS = 2.0


def database_check() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        return False, exc.__class__.__name__
    return True, ""


def broker_check(
    url: str | None = None,
    transport_options: dict | None = None,
    timeout: float = BROKER_TIMEOUT_SECONDS,
) -> tuple[bool, str]:
    url = url or settings.CELERY_BROKER_URL
    if transport_options is None:
        transport_options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    if url.startswith("filesystem://"):
        # The filesystem transport "connects" to anything; what matters is the folders.
        for key in ("data_folder_in", "data_folder_out"):
            folder = transport_options.get(key)
            if folder and not (os.path.isdir(folder) and os.access(folder, os.W_OK)):
                return False, f"broker folder {folder} is missing or not writable"
    try:
        with Connection(url, transport_options=transport_options, connect_timeout=timeout) as conn:
            conn.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0, timeout=timeout
            )
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        return False, exc.__class__.__name__
    return True, ""


def mail_server_check() -> dict:
    """The mail server as the outbox last found it: ok, or unreachable since when."""
    outage = mail_outage_open()
    if outage is None:
        return {"ok": True, "unreachable_since": None, "failed_connections": 0}
    return {
        "ok": False,
        "unreachable_since": outage.started_at.isoformat(),
        "failed_connections": outage.failures,
    }


def health_report() -> tuple[dict, bool]:
    """The report and whether the product can work (database and broker up); see the
    module's docstring for "degraded"."""
    database_ok, database_error = database_check()
    broker_ok, broker_error = broker_check()
    sweep_age = heartbeat_age(SWEEP_HEARTBEAT) if database_ok else None
    mail_server = (
        mail_server_check()
        if database_ok
        else {"ok": None, "unreachable_since": None, "failed_connections": None}
    )
    if not (database_ok and broker_ok):
        status = "down"
    elif not mail_server["ok"]:
        status = "degraded"
    else:
        status = "ok"
    report = {
        "status": status,
        "database": {"ok": database_ok, "error": database_error},
        "broker": {"ok": broker_ok, "error": broker_error},
        "outbox_sweep": {
            "age_seconds": None if sweep_age is None else round(sweep_age, 1),
            # Beat rings every 30 s; a few missed ticks mean beat or the worker is not running.
            "ok": sweep_age is not None and sweep_age < 120,
        },
        "mail_server": mail_server,
    }
    return report, database_ok and broker_ok
