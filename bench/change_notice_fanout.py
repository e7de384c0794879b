"""Seconds until the SMTP sink accepted every message of a change-notice announcement to
10,000 customers (25,000 contacts) and 5,000 confirmed subscribers (issue 6), against a
plain smtplib loop sending the same messages.

Set-up (not measured): customers with an active contract for the product the subprocessor
serves, their contacts and the confirmed subscribers written in bulk with the ORM; the
change (a new processing location) drafted with `change_notice_draft`. Measured:
`change_notice_announce` commits (its own duration is reported beside), then two worker
processes running the outbox sweep send every message to a real aiosmtpd sink in its own
process and mark it accepted (which informs each recipient); value = seconds from the
commit until the last row is accepted. Baseline: the same messages read back from the
outbox, built by the same function and sent over one smtplib connection to the same sink.

Letters: the announcement queues their rendering after commit as a Celery task that nothing
consumes in this run, so they are not rendered here.

BENCH_CUSTOMERS / BENCH_CONTACTS / BENCH_SUBSCRIBERS override 10,000 / 25,000 / 5,000.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path

from bench import common

NAME = "change_notice_fanout"
WORKERS = 2
TARGET_RATIO = 3


def subscribers_bulk(count: int) -> None:
    from django.utils import timezone

    from subprocessors.models import Subscriber

    at = timezone.now()
    Subscriber.objects.bulk_create(
        [
            Subscriber(
                email=f"reader{i}@subscriber.example",
                language="nl" if i % 2 else "en",
                confirm_token_hash=hashlib.sha256(f"bench-{i}".encode()).hexdigest(),
                confirmed_at=at,
            )
            for i in range(count)
        ],
        batch_size=5000,
    )


def run() -> dict:
    customers = int(os.environ.get("BENCH_CUSTOMERS", "10000"))
    contacts = int(os.environ.get("BENCH_CONTACTS", str(customers * 5 // 2)))
    subscribers = int(os.environ.get("BENCH_SUBSCRIBERS", str(customers // 2)))
    tmp = Path(tempfile.mkdtemp(prefix="bench-change-"))
    sink_port = common.free_port()
    env, described = common.environment(tmp, sink_port, "change")
    processes: list = []
    stop_file = tmp / "stop"
    try:
        common.log(
            NAME,
            f"{customers} customers, {contacts} contacts, {subscribers} subscribers; migrating ...",
        )
        common.migrate(env)
        processes.append(common.sink_start(env, sink_port))
        common.django_setup(env)
        from django.utils import timezone

        from compliance.models import OutboxMessage, Role
        from subprocessors.models import Subprocessor
        from subprocessors.services import change_notice_announce, change_notice_draft

        started = time.perf_counter()
        common.processor_profile()
        officer = common.user_make("officer@processor.example", Role.PRIVACY_OFFICER)
        made = common.customers_bulk(customers, contacts)
        subscribers_bulk(subscribers)
        subprocessor = Subprocessor.objects.create(
            legal_entity="Cloud Hosting GmbH",
            purpose="Hosting of the Profit application",
            flow_down_reference="DPA-2024-07",
            flow_down_signed_on=datetime.date(2024, 7, 1),
            status="active",
            active_since=datetime.date(2024, 7, 1),
        )
        subprocessor.products.set(made["products"])
        setup_seconds = time.perf_counter() - started
        common.log(NAME, f"set-up written in {setup_seconds:.1f} s")

        notice = change_notice_draft(
            actor=officer,
            kind="new_location",
            subprocessor=subprocessor,
            effective_at=timezone.now() + datetime.timedelta(days=30),
            description="A second data centre for resilience.",
            location_name="Frankfurt data centre",
            location_city="Frankfurt am Main",
            location_country="DE",
        )
        processes.extend(common.workers_start(env, stop_file, WORKERS))
        time.sleep(3)  # the workers start and go idle first

        common.log(NAME, "announcing ...")
        called = time.perf_counter()
        change_notice_announce(actor=officer, notice=notice)
        committed = time.perf_counter()
        rows = OutboxMessage.objects.filter(key__startswith=f"change_notice:{notice.pk}:announced:")
        queued = rows.count()
        common.log(NAME, f"announce committed {queued} messages in {committed - called:.1f} s")
        accepted = common.wait_accepted(rows, queued, stall_seconds=120)
        value = accepted - committed
        common.log(NAME, f"all {queued} accepted {value:.1f} s after the commit")
        stop_file.touch()

        notice.refresh_from_db()
        informed = notice.recipients.filter(informed_at__isnull=False).count()
        messages = list(rows.order_by("pk"))
        common.log(NAME, "baseline (plain smtplib loop) ...")
        base = common.smtplib_baseline(messages)
        received = common.processes_stop(processes)
        return {
            "params": {
                "customers": customers,
                "contacts": made["contacts"],
                "subscribers": subscribers,
                "messages": queued,
                "workers": WORKERS,
                "recipients_informed_at_end": informed,
                "sent_completely_at_set": notice.sent_completely_at is not None,
                "announce_call_seconds": round(committed - called, 2),
                "announce_call_plus_sending_seconds": round(accepted - called, 2),
                "letters": "not rendered here: queued as a Celery task that nothing consumes "
                "in this run",
                "setup_seconds": round(setup_seconds, 1),
                "sink_received": received,
                "note": common.SHARED_NOTE,
                **described,
            },
            "value": round(value, 2),
            "unit": "s",
            "baseline": round(base, 2),
            "target": TARGET_RATIO,
            "target_op": "<=",
        }
    finally:
        stop_file.touch()
        common.processes_stop(processes)
        common.cleanup(env, described)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    print(f"run it with: python bench/run.py {NAME}")
