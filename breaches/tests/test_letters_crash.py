"""A worker process killed in the middle of rendering the letters of a fan-out loses no letter
and issues none twice (BR-06).

Real parts only: a separate Python process renders the open letter versions against the
test's own database (a file copy of the SQLite test database, or the PostgreSQL test
database; the `shared_database` fixture of test_fanout_crash.py), as the doorbell's task
does, in batches. It stores its first batch, then is held after rendering its second batch
and before storing it, and killed there with SIGKILL while it holds its claims. A sweep in
this process leaves the dead worker's claims alone until their lease runs out; at a clock
moved past it (`time_machine`, this process only) the sweep renders the rest.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from audits.models import AuditEvent
from breaches import letters
from breaches.models import CustomerNotice, NoticeLetter
from breaches.services import (
    affected_select,
    incident_notify,
    incident_report,
    incident_triage,
    notice_letters_sweep,
    notice_out_of_band_record,
)
from compliance.models import StoredDocument

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("temporary_broker")]

CUSTOMERS = 10
BATCH = 4  # letters per batch: the worker stores 4, is killed holding 4 rendered, 2 to go
LEASE_SECONDS = 30
WORKER = "doomed-letter-worker"

CHILD = """
import sys

import django

django.setup()
from django.conf import settings

settings.LETTER_CLAIM_SECONDS = int(sys.argv[1])

from breaches.letters import jobs
from breaches.models import NoticeLetter

batches = []


def hold_at_the_second_batch(ids):
    batches.append(ids)
    print("rendered", len(batches), ",".join(map(str, ids)), flush=True)
    if len(batches) == 2:
        sys.stdin.readline()  # the test never writes: held here until it is killed


jobs.before_store_hook = hold_at_the_second_batch
ids = list(NoticeLetter.objects.filter(document__isnull=True).values_list("pk", flat=True))
jobs.letter_versions_render(ids=ids, worker=sys.argv[2], batch_size=int(sys.argv[3]))
print("finished", flush=True)
"""


@pytest.fixture
def informed(shared_database, staff, officer, processor, product, make_customer):  # noqa: F811
    """An incident notified to CUSTOMERS customers, each informed (out of band), so each has
    an open version of its letter, rendered by nobody yet."""
    for _ in range(CUSTOMERS):
        make_customer(product, language="en")
    incident = incident_report(
        actor=staff, title="Backup bucket public", description="A backup bucket was public."
    )
    incident_triage(actor=officer, incident=incident, personal_data_involved=True)
    affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident)
    for notice in CustomerNotice.objects.filter(incident=incident):
        notice_out_of_band_record(actor=officer, notice=notice, note="Phoned the contact.")
    assert NoticeLetter.objects.filter(document__isnull=True).count() == CUSTOMERS
    return incident


class Output:
    """The child's output, line by line, read by a thread so the test can wait for a line
    with a time limit."""

    def __init__(self, stream):
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream):
        for raw in stream:
            self.lines.put(raw.decode(errors="replace").rstrip("\n"))

    def wait_for(self, prefix: str, worker: subprocess.Popen, limit: float = 120) -> str:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if worker.poll() is not None and self.lines.empty():
                    break
                continue
            self.seen.append(line)
            if line.startswith(prefix):
                return line
        pytest.fail(f"the worker never said {prefix!r}:\n" + "\n".join(self.seen))


def start_worker(database_url: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": "memory://",
    }
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(LEASE_SECONDS), WORKER, str(BATCH)],
        cwd=settings.BASE_DIR,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def test_worker_killed_mid_render_loses_no_letter(informed, shared_database):  # noqa: F811
    """OBL BR-06: a worker killed with SIGKILL while rendering a fan-out's letters, after it
    stored one batch and while it holds the next rendered but not stored, loses no letter:
    the sweep leaves its claims alone until their lease runs out, then renders every letter
    it left, and each notice version ends with exactly one letter."""
    versions = NoticeLetter.objects.all()
    worker = start_worker(shared_database)
    output = Output(worker.stdout)
    try:
        output.wait_for("rendered 1", worker)
        held_line = output.wait_for("rendered 2", worker)
        held = {int(i) for i in held_line.split()[2].split(",")}
        assert len(held) == BATCH
        # The first batch is stored; the second is rendered in the worker, not stored; the
        # rest waits. Every version without a letter is claimed by the living worker.
        stored_before = set(versions.filter(document__isnull=False).values_list("pk", flat=True))
        assert len(stored_before) == BATCH and not stored_before & held
        open_versions = versions.filter(document__isnull=True)
        assert open_versions.count() == CUSTOMERS - BATCH
        assert not open_versions.exclude(claimed_by__startswith=f"{WORKER}:").exists()
        assert not open_versions.filter(claimed_until__lte=timezone.now()).exists()

        worker.send_signal(signal.SIGKILL)
        assert worker.wait(timeout=30) == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=30)

    # While the dead worker's lease runs, another sweep leaves its versions alone.
    assert notice_letters_sweep().claimed == 0
    assert versions.filter(document__isnull=False).count() == BATCH

    later = timezone.now() + timedelta(seconds=LEASE_SECONDS + 1)
    with time_machine.travel(later, tick=True):
        result = notice_letters_sweep()
    assert (result.claimed, result.stored) == (CUSTOMERS - BATCH, CUSTOMERS - BATCH)

    # Every version has exactly one letter; every notice points at it; nothing twice.
    assert not versions.filter(document__isnull=True).exists()
    documents = StoredDocument.objects.filter(template_name=letters.TEMPLATE_NAME)
    assert documents.count() == CUSTOMERS
    assert set(documents.values_list("pk", flat=True)) == set(
        versions.values_list("document_id", flat=True)
    )
    per_version = Counter(versions.values_list("notice_id", "version"))
    assert set(per_version.values()) == {1} and len(per_version) == CUSTOMERS
    for notice in CustomerNotice.objects.filter(incident=informed):
        assert notice.letter_id == versions.get(notice=notice).document_id
    stored_events = AuditEvent.objects.filter(action="notice.letter_stored")
    assert Counter(e.object_id for e in stored_events) == Counter(
        str(n) for n in versions.values_list("notice_id", flat=True)
    )
    attempts = Counter(versions.values_list("attempts", flat=True))
    assert attempts == {1: BATCH, 2: CUSTOMERS - BATCH}
