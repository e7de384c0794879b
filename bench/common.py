"""What every benchmark shares: services, a scratch database, the SMTP sink, sweep workers,
bulk set-up of customers and contacts and the plain smtplib baseline (latency sampling of the
web server: `bench.latency`).

Benchmarks run on PostgreSQL (a scratch database next to the one DATABASE_URL names) and
Redis (CELERY_BROKER_URL), starting them when they are installed but stopped; without
DATABASE_URL, on the embedded default (SQLite in WAL mode, filesystem broker) in a temporary
folder. Run as `python -m bench.common --worker STOP_FILE` it is one outbox worker.
"""

from __future__ import annotations

import datetime
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SHARED_NOTE = "other jobs may share the 2 cores: machine.load_average tells how busy it was"


def missing(message: str):
    from bench.run import Missing

    return Missing(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {timeout} s")


def log(name: str, text: str) -> None:
    print(f"{name}: {text}", flush=True)


# --------------------------------------------------------------------------- services


def postgres_scratch(url: str, suffix: str) -> str:
    """A fresh scratch database `<name>_bench_<suffix>` next to the one `url` names."""
    import psycopg

    parsed = urlparse(url)
    admin = urlunparse(parsed._replace(path="/postgres"))

    def connect():
        return psycopg.connect(admin, connect_timeout=3, autocommit=True)

    try:
        conn = connect()
    except psycopg.OperationalError:
        if shutil.which("pg_ctlcluster") and parsed.hostname in ("127.0.0.1", "localhost"):
            subprocess.run(["pg_ctlcluster", "15", "main", "start"], check=False)
            time.sleep(2)
        try:
            conn = connect()
        except psycopg.OperationalError as exc:
            raise missing(
                f"PostgreSQL at {parsed.hostname}:{parsed.port or 5432} is not reachable ({exc})."
                " Start it (`make services`, or `pg_ctlcluster 15 main start`) or unset"
                " DATABASE_URL to measure the embedded default."
            ) from exc
    name = f"{parsed.path.lstrip('/') or 'compliance'}_bench_{suffix}"
    with conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parsed._replace(path=f"/{name}"))


def postgres_drop(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, connect_timeout=3, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.path.lstrip("/")}" WITH (FORCE)')


def redis_ready(url: str) -> None:
    import redis

    parsed = urlparse(url)

    def ping():
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()

    try:
        ping()
    except redis.exceptions.ConnectionError:
        if shutil.which("redis-server") and parsed.hostname in ("127.0.0.1", "localhost"):
            subprocess.run(
                [
                    "redis-server",
                    "--daemonize",
                    "yes",
                    "--bind",
                    "127.0.0.1",
                    "--port",
                    str(parsed.port or 6379),
                ],
                check=False,
                stdout=subprocess.DEVNULL,
            )
            time.sleep(1)
        try:
            ping()
        except redis.exceptions.ConnectionError as exc:
            raise missing(
                f"Redis at {parsed.hostname}:{parsed.port or 6379} is not reachable ({exc})."
                " Start it (`make services`, or `redis-server --daemonize yes --bind"
                " 127.0.0.1`) or set CELERY_BROKER_URL to a reachable Redis."
            ) from exc


def environment(tmp: Path, smtp_port: int, suffix: str) -> tuple[dict, dict]:
    """Environment variables for every process of one benchmark, and a description of the
    database and broker for its result."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
        BENCH_QUEUE=f"bench-{suffix}-{uuid.uuid4().hex[:8]}",
        PYTHONPATH=str(ROOT),
    )
    database_url = os.environ.get("DATABASE_URL")
    if database_url:
        broker = os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/0"
        if not broker.startswith("redis://"):
            raise missing(f"with DATABASE_URL set the benchmark needs Redis, not {broker}")
        redis_ready(broker)
        env["DATABASE_URL"] = postgres_scratch(database_url, suffix)
        env["CELERY_BROKER_URL"] = broker
        described = {"database": "postgresql", "broker": "redis"}
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
        env["CELERY_BROKER_URL"] = "filesystem://"
        env["BENCH_BROKER_DIR"] = str(tmp / "broker")
        described = {"database": "sqlite (WAL)", "broker": "filesystem"}
    return env, described


def migrate(env: dict) -> None:
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )


def django_setup(env: dict) -> None:
    """Set Django up in this process against the benchmark's database."""
    os.environ.update(env)
    import django

    django.setup()


def cleanup(env: dict, described: dict) -> None:
    try:
        from django.db import connections

        connections.close_all()
    except Exception:  # noqa: BLE001 - Django may not be set up yet
        pass
    if described.get("database") == "postgresql" and "DATABASE_URL" in env:
        postgres_drop(env["DATABASE_URL"])
        import redis

        client = redis.Redis.from_url(env["CELERY_BROKER_URL"])
        queue = env["BENCH_QUEUE"]
        client.delete(queue, f"_kombu.binding.{queue}")


# --------------------------------------------------------------------------- sink + workers


def sink_start(env: dict, port: int) -> subprocess.Popen:
    """The real aiosmtpd sink in its own process, discarding what it accepts."""
    sink = subprocess.Popen(
        [PYTHON, "manage.py", "mail_sink", "--discard", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    wait_for_port(port)
    return sink


def workers_start(env: dict, stop_file: Path, count: int) -> list[subprocess.Popen]:
    """Worker processes, each running the outbox sweep in a loop until stop_file exists."""
    return [
        subprocess.Popen(
            [PYTHON, "-m", "bench.common", "--worker", str(stop_file)], cwd=ROOT, env=env
        )
        for _ in range(count)
    ]


def worker_main(stop_file: str) -> None:
    import django

    django.setup()
    from compliance.outbox import outbox_sweep

    name = f"bench-{os.getpid()}"
    while True:
        result = outbox_sweep(worker=name, max_seconds=5)
        if not (result.accepted or result.failed or result.deferred):
            if os.path.exists(stop_file):
                return
            time.sleep(0.02)


def processes_stop(processes: list[subprocess.Popen]) -> int | None:
    """Stop the workers (they finish what is due), then the sink (processes[0]); how many
    messages the sink received."""
    received = None
    for process in processes[1:]:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    if processes and processes[0].poll() is None:
        processes[0].send_signal(signal.SIGTERM)
        try:
            output, _ = processes[0].communicate(timeout=10)
            match = re.search(r"stopped after (\d+) message", output)
            received = int(match.group(1)) if match else None
        except subprocess.TimeoutExpired:
            processes[0].kill()
    return received


def wait_accepted(
    queryset, expected: int, *, stall_seconds: float = 60, poll_seconds: float = 0.25
) -> float:
    """Wait until `expected` rows of the outbox queryset are accepted; perf_counter then.
    Polls every poll_seconds: a COUNT over tens of thousands of rows every few milliseconds
    would take CPU from the workers being measured."""
    from compliance.models import OutboxStatus

    accepted_rows = queryset.filter(status=OutboxStatus.ACCEPTED)
    last, last_change = None, time.monotonic()
    while True:
        done = accepted_rows.count()
        if done >= expected:
            return time.perf_counter()
        if done != last:
            last, last_change = done, time.monotonic()
        elif time.monotonic() - last_change > stall_seconds:
            open_ = queryset.exclude(status=OutboxStatus.ACCEPTED).values_list("status", flat=True)
            raise RuntimeError(
                f"no progress for {stall_seconds} s: {done} of {expected} accepted; "
                f"others: {sorted(set(open_))}"
            )
        time.sleep(poll_seconds)


def smtplib_baseline(messages: Sequence) -> float:
    """Seconds a plain smtplib loop needs to build and send the given OutboxMessage rows
    over one connection, as the outbox builds them (attachments left out: none here)."""
    from django.conf import settings

    from compliance.mail import message_build, smtp_open

    started = time.perf_counter()
    conn = smtp_open()
    for message in messages:
        conn.sendmail(settings.BOUNCE_ADDRESS, [message.to_email], message_build(message, []))
    conn.quit()
    return time.perf_counter() - started


# --------------------------------------------------------------------------- bulk set-up


def customers_bulk(
    count: int,
    contacts: int,
    *,
    product_codes: Sequence[str] = ("profit",),
    batch: int = 5000,
) -> dict:
    """`count` customers, each with an active contract for the products, and `contacts`
    contacts in all: one subscription contact each, the rest breach contacts spread over the
    customers. Set-up, not a measured path: written with bulk_create, without history."""
    from compliance.models import Contact, Contract, Customer, Product

    products = [
        Product.objects.get_or_create(code=code, defaults={"name": code.title()})[0]
        for code in product_codes
    ]
    first = Customer.objects.count()
    customers = Customer.objects.bulk_create(
        [
            Customer(
                name=f"Customer {first + i} B.V.",
                customer_number=f"B{first + i:07d}",
                country="NL" if i % 3 else "BE",
                language="nl" if i % 2 else "en",
            )
            for i in range(count)
        ],
        batch_size=batch,
    )
    if customers and customers[0].pk is None:
        customers = list(Customer.objects.order_by("pk")[first:])
    contracts = Contract.objects.bulk_create(
        [
            Contract(customer=c, starts_on=datetime.date(2024, 1, 1), agreement_model="standard")
            for c in customers
        ],
        batch_size=batch,
    )
    if contracts and contracts[0].pk is None:
        contracts = list(Contract.objects.order_by("pk")[-len(customers) :])
    through = Contract.products.through
    through.objects.bulk_create(
        [through(contract_id=k.pk, product_id=p.pk) for k in contracts for p in products],
        batch_size=batch,
    )
    rows = []
    for customer in customers:
        rows.append(
            Contact(
                customer=customer,
                name=f"Subscription contact {customer.pk}",
                email=f"subscription{customer.pk}@customer{customer.pk}.example",
                is_subscription_contact=True,
            )
        )
    extra = max(0, contacts - len(customers))
    for j in range(extra):
        customer = customers[j % len(customers)]
        rows.append(
            Contact(
                customer=customer,
                name=f"Security contact {j}",
                email=f"security{j}@customer{customer.pk}.example",
                receives_breach_notices=True,
                language="" if j % 4 else "en",
            )
        )
    Contact.objects.bulk_create(rows, batch_size=batch)
    return {"customers": [c.pk for c in customers], "products": products, "contacts": len(rows)}


def user_make(email: str, role: str, customer=None):
    from compliance.models import User

    return User.objects.create_user(
        email, password="correct horse battery staple", role=role, customer=customer
    )


def processor_profile() -> None:
    from compliance.models import ProcessorProfile

    if not ProcessorProfile.objects.exists():
        ProcessorProfile.objects.create(
            legal_name="Processor B.V.",
            privacy_team_name="Processor B.V. privacy team",
            privacy_email="privacy@processor.example",
        )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        worker_main(sys.argv[2])
    else:
        print("usage: python -m bench.common --worker STOP_FILE")
