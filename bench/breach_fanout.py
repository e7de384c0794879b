"""Seconds from the notify commit until the SMTP sink accepted every notice of an incident
affecting 10,000 customers with 25,000 contacts (issue 5), against a plain smtplib loop.

Set-up (not measured): customers, contracts and contacts written in bulk with the ORM; an
incident reported, triaged and its affected customers selected by product with the real
services. Measured: `incident_notify` commits (its own duration is reported beside), then
two worker processes running the outbox sweep send every message to a real aiosmtpd sink in
its own process and mark it accepted; the clock stops when the last row is accepted.
Baseline: the same messages (read back from the outbox) built by the same function and sent
by one plain smtplib connection to the same sink, in the same run.

Letters: `incident_notify` queues their rendering as Celery tasks after commit; nothing
consumes the benchmark's queue, so they are not rendered here (letters_render measures them).

BENCH_CUSTOMERS / BENCH_CONTACTS override 10,000 / 25,000 for a quick run.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from bench import common

NAME = "breach_fanout"
WORKERS = 2
TARGET_RATIO = 3
TARGET_SECONDS = 120


def run() -> dict:
    customers = int(os.environ.get("BENCH_CUSTOMERS", "10000"))
    contacts = int(os.environ.get("BENCH_CONTACTS", str(customers * 5 // 2)))
    tmp = Path(tempfile.mkdtemp(prefix="bench-breach-"))
    sink_port = common.free_port()
    env, described = common.environment(tmp, sink_port, "breach")
    processes: list = []
    stop_file = tmp / "stop"
    try:
        common.log(NAME, f"{customers} customers, {contacts} contacts; migrating ...")
        common.migrate(env)
        processes.append(common.sink_start(env, sink_port))
        common.django_setup(env)

        from breaches.services import (
            affected_select,
            incident_notify,
            incident_report,
            incident_triage,
        )
        from breaches.services.common import NOTICE_CAUSE
        from compliance.models import OutboxMessage, Role

        started = time.perf_counter()
        common.processor_profile()
        officer = common.user_make("officer@processor.example", Role.PRIVACY_OFFICER)
        made = common.customers_bulk(customers, contacts)
        setup_seconds = time.perf_counter() - started
        common.log(NAME, f"set-up written in {setup_seconds:.1f} s")

        incident = incident_report(
            actor=officer,
            title="Backup files exposed at the hosting provider",
            description=(
                "A misconfigured storage bucket at our hosting provider exposed backup files "
                "of the Profit application for about two hours."
            ),
            products=made["products"],
            personal_data_possible=True,
        )
        incident_triage(
            actor=officer,
            incident=incident,
            personal_data_involved=True,
            data_categories="Names, e-mail addresses, payroll data",
            data_subject_categories="Employees of the customers",
            subjects_min=1000,
            subjects_max=250000,
            likely_consequences="Phishing aimed at the employees; no financial loss known.",
            data_unintelligible=False,
            enisa_dpc=2,
            enisa_ei="0.5",
            measures_taken="Access closed within two hours; keys rotated.",
            measures_proposed="Storage policies checked daily.",
        )
        affected_select(actor=officer, incident=incident, rule="product", products=made["products"])

        processes.extend(common.workers_start(env, stop_file, WORKERS))
        time.sleep(3)  # the workers start, send the officers' alert and go idle first

        common.log(NAME, "notifying ...")
        called = time.perf_counter()
        result = incident_notify(actor=officer, incident=incident)
        committed = time.perf_counter()
        queued = result.messages_queued
        common.log(NAME, f"notify committed {queued} messages in {committed - called:.1f} s")
        rows = OutboxMessage.objects.filter(cause_type=NOTICE_CAUSE)
        accepted = common.wait_accepted(rows, queued, stall_seconds=120)
        value = accepted - committed
        common.log(NAME, f"all {queued} accepted {value:.1f} s after the commit")
        stop_file.touch()

        from breaches.models import CustomerNotice

        informed = CustomerNotice.objects.filter(informed_at__isnull=False).count()
        messages = list(rows.order_by("pk"))
        size = sum(len(m.body_text) + len(m.body_html) for m in messages) / len(messages)
        common.log(NAME, "baseline (plain smtplib loop) ...")
        base = common.smtplib_baseline(messages)
        received = common.processes_stop(processes)
        return {
            "params": {
                "customers": customers,
                "contacts": made["contacts"],
                "messages": queued,
                "workers": WORKERS,
                "notices_informed_at_end": informed,
                "notify_call_seconds": round(committed - called, 2),
                "notify_call_plus_sending_seconds": round(accepted - called, 2),
                "mean_body_chars": round(size),
                "letters": "not rendered here: queued as Celery tasks that nothing consumes "
                "in this run (the letters_render benchmark measures them)",
                "setup_seconds": round(setup_seconds, 1),
                # Outbox, officers' alert and baseline all go to the same sink.
                "sink_received": received,
                "note": common.SHARED_NOTE,
                **described,
            },
            "value": round(value, 2),
            "unit": "s",
            "baseline": round(base, 2),
            "target": TARGET_RATIO,
            "target_op": "<=",
            "value_target": {"op": "<=", "value": TARGET_SECONDS},
        }
    finally:
        stop_file.touch()
        common.processes_stop(processes)
        common.cleanup(env, described)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    print(f"run it with: python bench/run.py {NAME}")
