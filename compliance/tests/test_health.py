"""/healthz: database, broker and the age of the last outbox sweep."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from compliance.health import broker_check
from compliance.outbox import outbox_sweep
from compliance.tests.conftest import free_port


def test_healthz_reports_database_broker_and_sweep_age(client, db, smtp_server, tmp_path, settings):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(tmp_path),
        "data_folder_out": str(tmp_path),
    }
    start = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        body = client.get("/healthz").json()
        assert body["outbox_sweep"] == {"age_seconds": None, "ok": False}
        outbox_sweep()
        clock.shift(timedelta(seconds=42))
        response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True
    assert body["outbox_sweep"] == {"age_seconds": 42.0, "ok": True}


def test_healthz_is_503_when_the_broker_is_down(client, db, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False
    assert response.json()["database"]["ok"] is True


def test_filesystem_broker_with_missing_folder_is_down(tmp_path):
    ok, error = broker_check(
        "filesystem://", {"data_folder_in": str(tmp_path / "missing")}, timeout=1
    )
    assert not ok and "missing" in error


def test_healthz_is_public(client, db):
    assert client.get("/healthz").status_code in (200, 503)
