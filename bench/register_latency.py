"""p95 of the public subprocessor register page and of its Atom feed under 50 concurrent
clients, against the p95 of a trivial page in the same run (issue 6).

gunicorn is started by the benchmark as in the Procfile (2 workers × 4 threads) on a free
loopback port, with the production settings (DEBUG off, compressed manifest static files,
the Redis cache: database 15 of the broker's Redis) and the URLs of bench/urls.py, which add
`/bench/ping` — a page that goes through the whole middleware stack and returns "ok": the
baseline. /healthz is measured beside it (it checks the database and the broker). The
register holds 30 active subprocessors with locations and products and 3 announced changes.

50 client threads, each with its own keep-alive connection, request the register, the feed
and the trivial page in turn (BENCH_REQUESTS per client, default 60) after a warm-up; value
is the larger of the register's and the feed's p95.
"""

from __future__ import annotations

import datetime
import os
import shutil
import tempfile
from pathlib import Path

from bench import common, latency

NAME = "register_latency"
CLIENTS = 50
TARGET_RATIO = 2


def register_fill(officer) -> int:
    from django.utils import timezone

    from compliance.models import Product
    from subprocessors.models import ProcessingLocation, Subprocessor
    from subprocessors.services import change_notice_announce, change_notice_draft

    products = [
        Product.objects.get_or_create(code=code, defaults={"name": code.title()})[0]
        for code in ("profit", "payroll", "hrm", "insights")
    ]
    countries = ["NL", "DE", "BE", "IE", "FR", "SE"]
    made = []
    for i in range(30):
        sub = Subprocessor.objects.create(
            legal_entity=f"Subprocessor {i:02d} B.V.",
            purpose=f"Service {i}: hosting, e-mail delivery, support tooling and monitoring.",
            certifications="ISO 27001" if i % 2 else "ISO 27001, SOC 2 type II",
            flow_down_reference=f"DPA-{2020 + i % 5}-{i:03d}",
            flow_down_signed_on=datetime.date(2020 + i % 5, 1 + i % 12, 1),
            status="active",
            active_since=datetime.date(2020 + i % 5, 1 + i % 12, 1),
        )
        sub.products.set(products[: 1 + i % len(products)])
        for k in range(1 + i % 3):
            ProcessingLocation.objects.create(
                subprocessor=sub,
                name=f"Data centre {k}",
                city=f"City {i}-{k}",
                country=countries[(i + k) % len(countries)],
            )
        made.append(sub)
    for sub in made[:3]:
        notice = change_notice_draft(
            actor=officer,
            kind="new_location",
            subprocessor=sub,
            effective_at=timezone.now() + datetime.timedelta(days=30),
            description="A second data centre for resilience.",
            location_name="Frankfurt data centre",
            location_city="Frankfurt am Main",
            location_country="DE",
        )
        change_notice_announce(actor=officer, notice=notice)
    return len(made)


def run() -> dict:
    per_client = int(os.environ.get("BENCH_REQUESTS", "60"))
    tmp = Path(tempfile.mkdtemp(prefix="bench-register-"))
    env, described = common.environment(tmp, common.free_port(), "register")
    server = None
    try:
        common.log(NAME, "migrating ...")
        common.migrate(env)
        web, server, port = latency.web_serve(env, tmp)
        common.django_setup(web)
        from django.core.cache import cache
        from django.urls import reverse

        from compliance.models import Role

        common.processor_profile()
        officer = common.user_make("officer@processor.example", Role.PRIVACY_OFFICER)
        subprocessors = register_fill(officer)
        cache.clear()  # database 15 of the benchmark's Redis: nothing else lives there
        register, feed = reverse("subprocessors:register"), reverse("subprocessors:feed")
        ping, health = "/bench/ping", reverse("healthz")
        paths = [register, feed, ping]
        common.log(NAME, f"warming up, then {CLIENTS} clients × {per_client} requests ...")
        warm = latency.load(port, paths + [health], clients=4, requests_per_client=20)
        if warm["errors"]:
            raise RuntimeError(f"warm-up failed: {warm['errors'][:5]}")
        outcome = latency.load(port, paths, clients=CLIENTS, requests_per_client=per_client)
        if outcome["errors"]:
            raise RuntimeError(f"{len(outcome['errors'])} errors: {outcome['errors'][:5]}")
        health_run = latency.load(port, [health], clients=CLIENTS, requests_per_client=10)
        summary = latency.latency_summary(outcome["samples"])
        value = max(summary[register]["p95_ms"], summary[feed]["p95_ms"])
        total = sum(len(v) for v in outcome["samples"].values())
        return {
            "params": {
                "clients": CLIENTS,
                "requests_per_client": per_client,
                "requests": total,
                "requests_per_second": round(total / outcome["seconds"], 1),
                "server": "gunicorn config.wsgi, 2 workers x 4 threads, production settings "
                "(DEBUG off), cache in Redis",
                "subprocessors": subprocessors,
                "announced_changes": 3,
                "pages": summary,
                "value_is": "max(p95 register, p95 feed)",
                "baseline_is": "p95 of /bench/ping (whole middleware stack, returns 'ok')",
                "healthz_alone": latency.latency_summary(health_run["samples"])[health],
                "note": common.SHARED_NOTE + "; the 50 client threads run on the same 2 cores",
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
