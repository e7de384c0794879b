"""p95 of the Audit section's search page over 1,000,000 audit events under 20 concurrent
clients, against the p95 of a trivial page in the same run (issue 13, AU-03).

Data (set-up, not measured): `bench.audit_trail` — 2,000 customers, 40 people and
BENCH_ROWS (default 1,000,000) events over 700 days from 1 January 2025.

gunicorn as in dashboard_latency (production settings, 2 workers × 4 threads, loopback);
each of 20 client threads has its own signed-in privacy officer session (second-factor
mark) and requests in turn: the history filtered by a period and an action (March 2026 —
nine months before the newest event — and failed sign-ins), the history of one customer,
and /bench/ping (BENCH_REQUESTS per client, default 45). Every search is recorded in the
trail, as in the product. value = the larger of the two pages' p95. Before the load, each
page is also timed alone (one client), for what it costs unqueued, with three more: March
2025 (20 months back) with failed sign-ins, with the family "Sign-in and accounts", and
without an action.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from bench import common, latency

NAME = "audit_search_latency"
CLIENTS = 20
TARGET_RATIO = 3
PERIOD_ACTION = {
    "period_from": "2026-03-01",
    "period_to": "2026-03-31",
    "action": "auth.sign_in_failed",
}


def run() -> dict:
    rows = int(os.environ.get("BENCH_ROWS") or 1_000_000)
    per_client = int(os.environ.get("BENCH_REQUESTS") or 45)
    tmp = Path(tempfile.mkdtemp(prefix="bench-audit-search-"))
    env, described = common.environment(tmp, common.free_port(), "audit_search")
    if described["database"] != "postgresql":
        common.cleanup(env, described)
        raise common.missing(f"{NAME} needs PostgreSQL: set DATABASE_URL (make bench)")
    server = None
    try:
        common.log(NAME, f"{rows} audit events; migrating ...")
        common.migrate(env)
        web, server, port = latency.web_serve(env, tmp)
        common.django_setup(web)
        from django.db import connection
        from django.urls import reverse

        from audits.models import AuditEvent
        from bench.audit_trail import trail_setup
        from bench.dashboard_latency import session_cookie
        from compliance.models import Customer

        trail = trail_setup(rows, NAME)
        officer = trail["officer"]
        customer = Customer.objects.get(pk=trail["customers"][len(trail["customers"]) // 2])
        search = reverse("audit_search")
        by_period = f"{search}?{urlencode(PERIOD_ACTION)}"
        by_customer = f"{search}?{urlencode({'customer': customer.customer_number})}"
        ping = "/bench/ping"
        paths = [by_period, by_customer, ping]
        # Timed alone only: a period 20 months back, with one action, a family, or nothing.
        older = {**PERIOD_ACTION, "period_from": "2025-03-01", "period_to": "2025-03-31"}
        extras = [
            f"{search}?{urlencode(older)}",
            f"{search}?{urlencode({**older, 'action': 'auth.'})}",
            f"{search}?{urlencode({**older, 'action': ''})}",
        ]
        matches = {
            "period_and_action": AuditEvent.objects.filter(
                action=PERIOD_ACTION["action"],
                occurred_at__gte="2026-02-28T23:00:00+00:00",
                occurred_at__lt="2026-03-31T22:00:00+00:00",
            ).count(),
            "customer": AuditEvent.objects.filter(customer_id=customer.pk).count(),
        }
        cookies = [session_cookie(officer) for _ in range(CLIENTS)]

        def headers_for(n: int, path: str) -> dict:
            return {"Cookie": cookies[n], "Accept-Language": "en"}

        warm = latency.load(port, paths, clients=2, requests_per_client=9, headers_for=headers_for)
        if warm["errors"]:
            raise RuntimeError(f"warm-up failed: {warm['errors'][:5]}")
        common.log(NAME, "each page alone ...")
        alone = latency.load(
            port,
            paths + extras,
            clients=1,
            requests_per_client=per_client * 2,
            headers_for=headers_for,
        )
        common.log(NAME, f"{CLIENTS} clients × {per_client} requests ...")
        outcome = latency.load(
            port, paths, clients=CLIENTS, requests_per_client=per_client, headers_for=headers_for
        )
        errors = alone["errors"] + outcome["errors"]
        if errors:
            raise RuntimeError(f"{len(errors)} errors: {errors[:5]}")
        summary = latency.latency_summary(outcome["samples"])
        value = max(summary[by_period]["p95_ms"], summary[by_customer]["p95_ms"])
        total = sum(len(v) for v in outcome["samples"].values())
        events = AuditEvent.objects.count()
        if connection.vendor == "postgresql":
            connection.close()
        return {
            "params": {
                "clients": CLIENTS,
                "requests_per_client": per_client,
                "requests": total,
                "requests_per_second": round(total / outcome["seconds"], 1),
                "events": events,
                "matching_events": matches,
                "pages": summary,
                "pages_alone": latency.latency_summary(alone["samples"]),
                "data": trail["filled"],
                "server": "gunicorn config.wsgi, 2 workers x 4 threads, production settings "
                "(DEBUG off), cache in Redis",
                "value_is": "max(p95 history by period and action, p95 history of one customer)"
                ", 50 rows a page",
                "baseline_is": "p95 of /bench/ping (whole middleware stack, returns 'ok')",
                "sessions": "one privacy officer session per client",
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
