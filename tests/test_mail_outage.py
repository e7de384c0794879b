"""The mail server down: the privacy officer sees it at once, and what resolved itself closes
itself (BR-03, BR-04, BR-05; issue 12, item 5).

Real parts: an aiosmtpd server that is stopped and started on the same port, the outbox's own
sweep, the dashboard and /healthz through the Django test client signed in as a privacy
officer. The first test runs in-process at a moved clock; the second runs the sweep in a
separate worker process against this test's database, with short real deadlines, and waits
for each condition with a time limit.
"""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from audits.models import AuditEvent
from breaches.models import CustomerNotice
from breaches.tests.processes import shared_database, wait_for  # noqa: F401 - a fixture
from compliance.models import (
    BREACH_NOTICE_CAUSE,
    AlertResolution,
    EscalationReason,
    MailOutage,
    OutboxMessage,
    OutboxStatus,
)
from compliance.outbox import (
    alert_close_by_acceptance,
    closed_alerts,
    mail_server_probe,
    mail_server_reachable,
    mail_server_unreachable,
    open_alerts,
    outbox_sweep,
)
from compliance.tests.conftest import RecordingHandler, SMTPServer, free_port
from tests.auth import sign_in
from tests.outage_helpers import customer_with, dashboard, notify, world

START = datetime.datetime(2026, 9, 1, 8, 0, tzinfo=datetime.UTC)
BANNER = "The mail server cannot be reached"
AT_RISK_48 = "48-hour deadlines at risk"
AT_RISK_72 = "72-hour deadlines at risk"


@pytest.fixture
def down_smtp(settings):
    """A real SMTP server on a port of its own, not started: connections are refused."""
    server = SMTPServer(RecordingHandler(), free_port())
    settings.EMAIL_HOST = server.host
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    yield server
    server.stop()


@pytest.mark.django_db
def test_outage_shown_within_a_minute_and_alerts_close_themselves(down_smtp, settings, client):
    """OBL BR-05, BR-03, BR-04: with the mail server refusing connections the sweep records
    an outage, and within 60 s the privacy officer's dashboard shows it: since when, how many
    messages wait (breach notices counted apart), the 48-hour deadline of the incident whose
    customers are not informed yet and the 72-hour deadline of a notice whose customer has
    mail waiting; /healthz says degraded. When the server is back the next sweep ends the
    outage and sends everything; the alerts escalated meanwhile close themselves (by the
    system, audited) and stay visible as closed."""
    settings.OUTBOX_ESCALATE_AFTER_SECONDS = 10 * 60
    with time_machine.travel(START, tick=False) as clock:
        officer, staff, product = world()
        early = customer_with(product, language="en", name="Early B.V.")
        down_smtp.start()
        informed = notify(officer, staff, product, "Old export readable")
        outbox_sweep()
        notice = CustomerNotice.objects.get(incident=informed, customer=early)
        assert notice.authority_due_at is not None  # its 72 hours run

        # The mail server goes down; a second incident is notified to two customers.
        down_smtp.stop()
        customer_with(product, language="nl", name="Later B.V.")
        clock.shift(datetime.timedelta(hours=1))
        pending = notify(officer, staff, product, "Backup bucket public")
        sign_in(client, officer)
        assert BANNER not in dashboard(client)
        assert client.get("/healthz").json()["mail_server"]["ok"] is True

        first_refusal = START + datetime.timedelta(hours=1)
        assert outbox_sweep().server_down
        outage = MailOutage.objects.get()
        assert outage.started_at == first_refusal and outage.ended_at is None
        assert "cannot connect" in outage.last_reply

        clock.shift(datetime.timedelta(seconds=59))
        page = dashboard(client)
        assert BANNER in page
        assert "mail server since 1 September 2026, 11:00 CEST." in page
        waiting = OutboxMessage.objects.filter(status=OutboxStatus.PENDING)
        breach = waiting.filter(cause_type=BREACH_NOTICE_CAUSE).count()
        assert breach == 4  # two customers, two recipients each
        assert f"{waiting.count()} messages are waiting ({breach} breach notices)" in page
        banner = page.split('id="mail-outage"')[1].split("</section>")[0]
        assert AT_RISK_48 in banner and "Backup bucket public" in banner
        assert "2 customers not informed yet" in banner
        assert AT_RISK_72 in banner and "Old export readable — Early B.V." in banner
        assert "All mail was accepted" not in page
        health = client.get("/healthz")
        assert health.status_code == 200
        assert health.json()["status"] == "degraded"
        assert health.json()["mail_server"] == {
            "ok": False,
            "unreachable_since": first_refusal.isoformat(),
            "failed_connections": 1,
        }

        # Still down after the escalation limit: the waiting messages become alerts, breach
        # notices apart from other mail.
        clock.shift(datetime.timedelta(minutes=10))
        outbox_sweep()
        escalated = OutboxMessage.objects.filter(escalation_reason=EscalationReason.OVERDUE)
        assert escalated.count() == waiting.count()
        groups = client.get(reverse("dashboard")).context["outbox_alert_groups"]
        assert {m.cause_type for m in groups["breach_notices"]["alerts"]} == {BREACH_NOTICE_CAUSE}
        assert BREACH_NOTICE_CAUSE not in {m.cause_type for m in groups["other"]["alerts"]}
        assert groups["breach_notices"]["count"] == 4
        # The first refusal, then this sweep's probe and its attempt at the due rows.
        assert MailOutage.objects.get().failures == 3

        # The server is back. The waiting rows still back off, but the sweep's probe notices
        # the server at once, the outage ends and the rows go out in the same sweep.
        down_smtp.start()
        clock.shift(datetime.timedelta(seconds=5))
        back_at = START + datetime.timedelta(hours=1, minutes=11, seconds=4)
        assert mail_server_probe() is True  # what the beat sweep does first
        result = outbox_sweep()
        assert result.accepted == escalated.count()
        assert not OutboxMessage.objects.exclude(status=OutboxStatus.ACCEPTED).exists()
        outage.refresh_from_db()
        assert outage.ended_at == back_at
        assert not CustomerNotice.objects.filter(
            incident=pending, informed_at__isnull=True
        ).exists()

        page = dashboard(client)
        assert BANNER not in page
        assert client.get("/healthz").json()["status"] == "ok"
        assert list(open_alerts(officer)) == []
        closed = list(closed_alerts(officer))
        assert len(closed) == escalated.count()
        assert {m.alert_resolution for m in closed} == {AlertResolution.ACCEPTED}
        assert {m.alert_resolved_by_id for m in closed} == {None}
        alerts_page = client.get(reverse("outbox_alerts")).content.decode()
        closed_section = alerts_page.split('id="closed-alerts"')[1]
        assert closed_section.count("Closed itself: the mail server accepted the message") == len(
            closed
        )
        assert "Breach notices (4)" in closed_section

    events = AuditEvent.objects.filter(action__startswith="outbox.mail_server_")
    assert [(e.action, e.actor_id) for e in events.order_by("id")] == [
        ("outbox.mail_server_down", None),
        ("outbox.mail_server_up", None),
    ]
    closed_events = AuditEvent.objects.filter(action="outbox.alert_closed")
    assert closed_events.count() == len(closed)
    assert set(closed_events.values_list("actor_id", flat=True)) == {None}


# --------------------------------------------------------------------------- across processes

WORKER = """
import sys
import threading
import time
from pathlib import Path

import django

django.setup()
from django.conf import settings

import compliance.outbox.delivery as delivery

# Short real deadlines: escalate after 3 s, retry after 1 to 2 s.
settings.OUTBOX_ESCALATE_AFTER_SECONDS = 3
delivery.BACKOFF_FIRST_SECONDS = 1
delivery.BACKOFF_MAX_SECONDS = 2

from compliance.outbox import mail_server_probe, outbox_sweep

stop = Path(sys.argv[1])
tick = threading.Event()
ends = time.monotonic() + 240
while not stop.exists() and time.monotonic() < ends:
    mail_server_probe()  # what the beat sweep does first while an outage is open
    outbox_sweep(max_seconds=5)
    tick.wait(0.3)  # beat's period, shortened
print("worker stopped", flush=True)
"""


def start_worker(database_url: str, smtp_port: int, stop: Path, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url,
        "TEST_SMTP_PORT": str(smtp_port),
        "CELERY_BROKER_URL": "memory://",
    }
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, str(stop)],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


@pytest.mark.django_db(transaction=True)
def test_worker_process_reports_outage_and_its_end(shared_database, down_smtp, tmp_path):  # noqa: F811
    """OBL BR-05, BR-03: a separate worker process sweeping against a mail server that
    refuses connections records the outage, and the officer's dashboard shows the banner
    within 60 s of the first refused connection (real time); the worker's overdue messages
    become alerts. Once the server is started again the worker ends the outage and delivers
    everything; the banner goes and the alerts closed themselves, visible as closed."""
    officer, staff, product = world()
    for n in range(3):
        customer_with(product, language="en", name=f"Customer {n} B.V.")
    incident = notify(officer, staff, product, "Laptop stolen")
    client = sign_in(Client(), officer)
    stop, log = tmp_path / "stop", tmp_path / "worker.log"

    started = time.monotonic()
    worker = start_worker(shared_database, down_smtp.port, stop, log)
    try:
        # Measured from the worker's start, so from before its first refused connection.
        seconds = wait_for(
            lambda: BANNER in dashboard(client), limit=60, what="banner", worker=worker, log=log
        )
        assert seconds < 60
        page = dashboard(client)
        outage = MailOutage.objects.get(ended_at__isnull=True)
        assert outage.started_at.astimezone(datetime.UTC) >= datetime.datetime.now(
            tz=datetime.UTC
        ) - datetime.timedelta(seconds=time.monotonic() - started + 1)
        banner = page.split('id="mail-outage"')[1].split("</section>")[0]
        assert "Laptop stolen" in banner and "3 customers not informed yet" in banner
        assert "breach notices)" in banner
        health = client.get("/healthz")
        assert health.status_code == 200 and health.json()["status"] == "degraded"

        notices = OutboxMessage.objects.filter(cause_type=BREACH_NOTICE_CAUSE)
        wait_for(
            lambda: notices.filter(escalation_reason=EscalationReason.OVERDUE).count() == 6,
            limit=30,
            what="escalation",
            worker=worker,
            log=log,
        )
        assert open_alerts(officer, breach_notices=True).count() == 6

        down_smtp.start()
        wait_for(
            lambda: (
                not MailOutage.objects.filter(ended_at__isnull=True).exists()
                and not OutboxMessage.objects.exclude(status=OutboxStatus.ACCEPTED).exists()
            ),
            limit=60,
            what="delivery after the outage",
            worker=worker,
            log=log,
        )
    finally:
        stop.touch()
        try:
            worker.wait(timeout=30)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait(timeout=30)

    assert not CustomerNotice.objects.filter(incident=incident, informed_at__isnull=True).exists()
    assert BANNER not in dashboard(client)
    assert client.get("/healthz").json()["mail_server"]["ok"] is True
    assert open_alerts(officer).count() == 0
    assert closed_alerts(officer, breach_notices=True).count() == 6
    assert set(closed_alerts(officer).values_list("alert_resolution", flat=True)) == {
        AlertResolution.ACCEPTED
    }
    section = client.get(reverse("outbox_alerts")).content.decode().split('id="closed-alerts"')[1]
    assert "Closed itself" in section and "Breach notices (6)" in section
    received = {r.message_id for r in down_smtp.handler.received}
    assert received == set(OutboxMessage.objects.values_list("message_id", flat=True))
    assert AuditEvent.objects.filter(action="outbox.mail_server_down").count() == 1
    assert AuditEvent.objects.filter(action="outbox.mail_server_up").count() == 1


# --------------------------------------------------------------------------- the parts


@pytest.mark.django_db
def test_outage_is_one_row_and_reachable_costs_one_query(django_assert_num_queries):
    """OBL BR-05: failures while an outage is open count on it (one outage, one audit
    event); a working connection without an open outage costs one query."""
    with django_assert_num_queries(1):
        mail_server_reachable()
    mail_server_unreachable(reply="0 cannot connect")
    mail_server_unreachable(reply="0 cannot connect again")
    outage = MailOutage.objects.get()
    assert outage.failures == 2 and outage.last_reply == "0 cannot connect again"
    assert AuditEvent.objects.filter(action="outbox.mail_server_down").count() == 1
    mail_server_reachable()
    outage.refresh_from_db()
    assert outage.ended_at is not None
    with django_assert_num_queries(1):
        mail_server_reachable()
    mail_server_unreachable(reply="0 down again")
    assert MailOutage.objects.filter(ended_at__isnull=True).count() == 1
    assert MailOutage.objects.count() == 2


@pytest.mark.django_db
def test_alert_close_by_acceptance_sets_fields_and_audits(customer):
    """OBL BR-05: an overdue alert whose message is accepted closes itself by the system; a
    bounce alert does not, and a message without an alert is left alone."""
    from django.db import transaction

    def row(n, **kw):
        return OutboxMessage.objects.create(
            key=f"t:{n}",
            message_id=f"<t{n}@processor.example>",
            customer=customer,
            to_email=f"a{n}@customer.example",
            language="en",
            subject="Hello",
            body_text="Hello",
            **kw,
        )

    at = datetime.datetime(2026, 9, 1, 9, 0, tzinfo=datetime.UTC)
    overdue = row(1, escalated_at=at, escalation_reason=EscalationReason.OVERDUE)
    bounced = row(2, escalated_at=at, escalation_reason=EscalationReason.BOUNCED)
    plain = row(3)
    with transaction.atomic():
        fields = alert_close_by_acceptance(overdue, at + datetime.timedelta(minutes=5))
        assert alert_close_by_acceptance(bounced, at) == []
        assert alert_close_by_acceptance(plain, at) == []
    assert "alert_resolved_at" in fields and "alert_resolution" in fields
    assert overdue.alert_resolved_at == at + datetime.timedelta(minutes=5)
    assert overdue.alert_resolution == AlertResolution.ACCEPTED
    event = AuditEvent.objects.get(action="outbox.alert_closed")
    assert event.actor_id is None and event.object_id == str(overdue.pk)
