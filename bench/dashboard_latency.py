"""p95 of the privacy officer's dashboard and of a customer's notice list under 20
concurrent clients with 10,000 customers and 100,000 notices stored, against the p95 of a
trivial page in the same run (issue 5).

Data (written with bulk_create/COPY, not measured): 10,000 customers; 9 closed incidents
whose notices are all decided; one incident in monitoring whose 10,000 notices are informed,
a third of them decided, the rest awaiting the customer's decision (their 72 hours
running). Each client has its own signed-in sessions — one of the officer, one of a user of
one customer (10 notices) — made as the test helper does (tests/auth.py: a logged-in
session with the second-factor mark), with the server's SECRET_KEY.

gunicorn as in register_latency (production settings, 2 workers × 4 threads, loopback);
20 client threads request the dashboard, the notice list and /bench/ping in turn
(BENCH_REQUESTS per client, default 45). value = the larger of the two pages' p95.
BENCH_CUSTOMERS overrides 10,000 (notices = 10 × customers).
"""

from __future__ import annotations

import datetime
import os
import shutil
import tempfile
import time
from pathlib import Path

from bench import common, latency

NAME = "dashboard_latency"
CLIENTS = 20
TARGET_RATIO = 3
INCIDENTS = 10


def notices_fill(officer, customer_ids: list[int]) -> int:
    from django.utils import timezone

    from breaches.models import CustomerNotice, Incident

    now = timezone.now()
    long_ago = now - datetime.timedelta(days=300)
    incidents = []
    for i in range(INCIDENTS):
        open_ = i == INCIDENTS - 1
        at = now - datetime.timedelta(hours=30) if open_ else long_ago + datetime.timedelta(days=i)
        incidents.append(
            Incident.objects.create(
                title=f"Incident {i}",
                description="Backup files exposed at the hosting provider.",
                reported_by=officer,
                discovered_at=at,
                reported_at=at,
                customer_due_at=at + datetime.timedelta(hours=48),
                state="monitoring" if open_ else "closed",
                notified_at=at,
                closed_at=None if open_ else at + datetime.timedelta(days=30),
            )
        )
    written = 0
    for incident in incidents:
        open_ = incident.state == "monitoring"
        at = incident.notified_at
        batch = []
        for k, cid in enumerate(customer_ids):
            decided = not open_ or k % 3 == 0
            batch.append(
                CustomerNotice(
                    incident=incident,
                    customer_id=cid,
                    state="decided" if decided else "sent",
                    created_at=at,
                    notified_at=at,
                    informed_at=at,
                    informed_how="email",
                    aware_at=at,
                    authority_due_at=at + datetime.timedelta(hours=72),
                    decision_is_breach=False if decided else None,
                    decided_at=at + datetime.timedelta(hours=20) if decided else None,
                    next_reminder_at=None if decided else at + datetime.timedelta(hours=48),
                )
            )
        CustomerNotice.objects.bulk_create(batch, batch_size=5000)
        written += len(batch)
    return written


def session_cookie(user) -> str:
    """A signed-in session with the second-factor mark, as tests/auth.py makes one."""
    from django.conf import settings
    from django.test import Client

    from compliance.access import SESSION_SECOND_FACTOR

    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_SECOND_FACTOR] = "2026-01-01T00:00:00+00:00"
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def run() -> dict:
    customers = int(os.environ.get("BENCH_CUSTOMERS", "10000"))
    per_client = int(os.environ.get("BENCH_REQUESTS", "45"))
    tmp = Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    env, described = common.environment(tmp, common.free_port(), "dashboard")
    server = None
    try:
        common.log(NAME, f"{customers} customers, {customers * INCIDENTS} notices; migrating ...")
        common.migrate(env)
        web, server, port = latency.web_serve(env, tmp)
        common.django_setup(web)
        from django.db import connection
        from django.urls import reverse

        from compliance.models import Customer, Role

        started = time.perf_counter()
        common.processor_profile()
        officer = common.user_make("officer@processor.example", Role.PRIVACY_OFFICER)
        officer.confidentiality_acknowledged_on = datetime.date(2026, 1, 1)
        officer.save()
        made = common.customers_bulk(customers, customers * 5 // 2)
        notices = notices_fill(officer, made["customers"])
        customer = Customer.objects.get(pk=made["customers"][len(made["customers"]) // 2])
        reader = common.user_make("reader@customer.example", Role.CUSTOMER_CONTACT, customer)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        setup_seconds = time.perf_counter() - started
        common.log(NAME, f"{notices} notices written in {setup_seconds:.0f} s")

        dashboard, notice_list = reverse("dashboard"), reverse("portal_notices")
        ping = "/bench/ping"
        paths = [dashboard, notice_list, ping]
        cookies = [
            {"officer": session_cookie(officer), "customer": session_cookie(reader)}
            for _ in range(CLIENTS)
        ]

        def headers_for(n: int, path: str) -> dict:
            who = "customer" if path == notice_list else "officer"
            return {"Cookie": cookies[n][who]}

        common.log(NAME, f"warming up, then {CLIENTS} clients × {per_client} requests ...")
        warm = latency.load(port, paths, clients=2, requests_per_client=9, headers_for=headers_for)
        if warm["errors"]:
            raise RuntimeError(f"warm-up failed: {warm['errors'][:5]}")
        outcome = latency.load(
            port, paths, clients=CLIENTS, requests_per_client=per_client, headers_for=headers_for
        )
        if outcome["errors"]:
            raise RuntimeError(f"{len(outcome['errors'])} errors: {outcome['errors'][:5]}")
        summary = latency.latency_summary(outcome["samples"])
        value = max(summary[dashboard]["p95_ms"], summary[notice_list]["p95_ms"])
        total = sum(len(v) for v in outcome["samples"].values())
        return {
            "params": {
                "clients": CLIENTS,
                "requests_per_client": per_client,
                "requests": total,
                "requests_per_second": round(total / outcome["seconds"], 1),
                "customers": customers,
                "notices": notices,
                "open_notices_awaiting_decision": customers - (customers + 2) // 3,
                "server": "gunicorn config.wsgi, 2 workers x 4 threads, production settings "
                "(DEBUG off), cache in Redis",
                "pages": summary,
                "value_is": "max(p95 officer dashboard, p95 customer notice list)",
                "baseline_is": "p95 of /bench/ping (whole middleware stack, returns 'ok')",
                "sessions": "one officer and one customer-user session per client",
                "setup_seconds": round(setup_seconds, 1),
                "note": common.SHARED_NOTE + "; the client threads run on the same 2 cores",
                **described,
            },
            "value": value,
            "unit": "ms (p95)",
            "baseline": summary[ping]["p95_ms"],
            "target": TARGET_RATIO,
            "target_op": "<=",
        }
    finally:
        latency.server_stop(server)
        common.cleanup(env, described)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    print(f"run it with: python bench/run.py {NAME}")
