"""Messages per second through the notice outbox against a plain smtplib loop.

The outbox side counts everything a notice goes through: rows created with `message_queue`
(in transactions of 500, each with its audit event and doorbell), claimed by two worker
processes running the sweep, sent to a real aiosmtpd sink in its own process, and marked
accepted. The baseline sends the same messages, built by the same function, over one
smtplib connection to the same sink, in the same run.

With DATABASE_URL set this runs on PostgreSQL (in a scratch database next to the named one)
and Redis (CELERY_BROKER_URL, default redis://127.0.0.1:6379/0), starting them if they are
installed but stopped. Without it, on the embedded default (SQLite in WAL mode, filesystem
broker) in a temporary folder. BENCH_MESSAGES overrides the number of messages (20,000).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PRODUCER_BATCH = 500
WORKERS = 2
TARGET = 0.5


def _missing(message: str):
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


# --------------------------------------------------------------------------- services


def _postgres(url: str) -> str:
    """A fresh scratch database next to the one DATABASE_URL names; its URL."""
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
            raise _missing(
                f"PostgreSQL at {parsed.hostname}:{parsed.port or 5432} is not reachable ({exc})."
                " Start it (for example `pg_ctlcluster 15 main start`) or unset DATABASE_URL to"
                " measure the embedded default."
            ) from exc
    name = f"{parsed.path.lstrip('/') or 'compliance'}_bench_outbox"
    with conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parsed._replace(path=f"/{name}"))


def _postgres_drop(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, connect_timeout=3, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.path.lstrip("/")}" WITH (FORCE)')


def _redis(url: str) -> None:
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
            raise _missing(
                f"Redis at {parsed.hostname}:{parsed.port or 6379} is not reachable ({exc})."
                " Start it (for example `redis-server --daemonize yes --bind 127.0.0.1`) or set"
                " CELERY_BROKER_URL to a reachable Redis."
            ) from exc


def environment(tmp: Path, smtp_port: int) -> tuple[dict, dict]:
    """Environment variables for every benchmark process, and a description for the result."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
        BENCH_QUEUE=f"bench-outbox-{uuid.uuid4().hex[:8]}",
        PYTHONPATH=str(ROOT),
    )
    database_url = os.environ.get("DATABASE_URL")
    if database_url:
        broker = os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/0"
        if not broker.startswith("redis://"):
            raise _missing(f"with DATABASE_URL set the benchmark needs Redis, not {broker}")
        _redis(broker)
        env["DATABASE_URL"] = _postgres(database_url)
        env["CELERY_BROKER_URL"] = broker
        described = {"database": "postgresql", "broker": "redis"}
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
        env["CELERY_BROKER_URL"] = "filesystem://"
        env["BENCH_BROKER_DIR"] = str(tmp / "broker")
        described = {"database": "sqlite (WAL)", "broker": "filesystem"}
    return env, described


# --------------------------------------------------------------------------- content


def pdf_10kb() -> bytes:
    """A real one-page PDF of about 10 KB (text that does not compress away)."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    lines = [f"({hashlib.sha256(str(i).encode()).hexdigest()}) Tj T*" for i in range(132)]
    stream = DecodedStreamObject()
    stream.set_data(("BT /F1 8 Tf 10 TL 40 800 Td " + " ".join(lines) + " ET").encode())
    page[NameObject("/Contents")] = writer._add_object(stream)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def content() -> tuple[str, str, str]:
    from compliance.outbox import message_render

    paragraph = (
        "On 3 March 2025 we discovered that a misconfigured storage bucket at our hosting "
        "provider exposed backup files of the Profit application. The files contained names, "
        "e-mail addresses and payroll data of your employees. We closed access within two "
        "hours and found no evidence that the files were downloaded."
    )
    body = "\n\n".join([paragraph] * 6)
    return message_render(
        "delivery_test",
        language="en",
        context={
            "name": "{name}",
            "sender": "Processor B.V. privacy team",
            "body": body,
            "body_paragraphs": body.split("\n\n"),
        },
    )


# --------------------------------------------------------------------------- phases


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


def baseline(count: int, subject: str, text: str, html: str, document) -> float:
    from django.conf import settings
    from django.utils import timezone

    from compliance.mail import attachment_part, message_build, smtp_open
    from compliance.models import OutboxMessage
    from compliance.outbox import message_id_new

    messages = [
        OutboxMessage(
            key=f"baseline:{i}",
            message_id=message_id_new(),
            to_email=recipient(i)[0],
            to_name=recipient(i)[1],
            language="en",
            subject=subject,
            body_text=text.replace("{name}", recipient(i)[1]),
            body_html=html.replace("{name}", recipient(i)[1]),
            created_at=timezone.now(),
        )
        for i in range(count)
    ]
    part = attachment_part(document)
    started = time.perf_counter()
    conn = smtp_open()
    for message in messages:
        conn.sendmail(settings.BOUNCE_ADDRESS, [message.to_email], message_build(message, [part]))
    conn.quit()
    return count / (time.perf_counter() - started)


def recipient(i: int) -> tuple[str, str]:
    return f"contact{i}@customer{i % 50}.example", f"Contact {i}"


def through_outbox(count: int, subject: str, text: str, html: str, document) -> dict:
    from django.db import transaction

    from compliance.models import OutboxMessage, OutboxStatus
    from compliance.outbox import message_queue

    started = time.perf_counter()
    for start in range(0, count, PRODUCER_BATCH):
        with transaction.atomic():
            for i in range(start, min(count, start + PRODUCER_BATCH)):
                address, name = recipient(i)
                message_queue(
                    key=f"bench:{i}",
                    to_email=address,
                    to_name=name,
                    language="en",
                    subject=subject,
                    body_text=text.replace("{name}", name),
                    body_html=html.replace("{name}", name),
                    attachments=[document],
                )
    produced = time.perf_counter()
    open_rows = OutboxMessage.objects.filter(
        status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING]
    )
    last, last_change = None, time.monotonic()
    while (remaining := open_rows.count()) > 0:
        if remaining != last:
            last, last_change = remaining, time.monotonic()
        elif time.monotonic() - last_change > 60:
            raise RuntimeError(f"no progress for 60 s, {remaining} messages still open")
        time.sleep(0.02)
    finished = time.perf_counter()
    accepted = OutboxMessage.objects.filter(status=OutboxStatus.ACCEPTED).count()
    if accepted != count:
        raise RuntimeError(f"only {accepted} of {count} messages were accepted")
    return {
        "rate": count / (finished - started),
        "seconds": round(finished - started, 2),
        "producing_seconds": round(produced - started, 2),
    }


def run() -> dict:
    count = int(os.environ.get("BENCH_MESSAGES", "20000"))
    tmp = Path(tempfile.mkdtemp(prefix="bench-outbox-"))
    sink_port = free_port()
    env, described = environment(tmp, sink_port)
    processes: list[subprocess.Popen] = []
    stop_file = tmp / "stop"
    try:
        print(
            f"outbox_throughput: {count} messages on {described['database']} + "
            f"{described['broker']}; migrating a scratch database ...",
            flush=True,
        )
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        sink = subprocess.Popen(
            [PYTHON, "manage.py", "mail_sink", "--discard", "--port", str(sink_port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        processes.append(sink)
        wait_for_port(sink_port)

        os.environ.update(env)
        import django

        django.setup()
        from compliance.mail import attachment_part, message_build
        from compliance.models import OutboxMessage, StoredDocument
        from compliance.outbox import message_id_new

        pdf = pdf_10kb()
        document = StoredDocument.objects.create(
            title="Incident report",
            filename="incident-report.pdf",
            content=pdf,
            size=len(pdf),
            sha256=hashlib.sha256(pdf).hexdigest(),
            template_name="bench",
            template_version="1",
            language="en",
        )
        subject, text, html = content()
        sample = OutboxMessage(
            message_id=message_id_new(),
            to_email=recipient(0)[0],
            to_name=recipient(0)[1],
            subject=subject,
            body_text=text,
            body_html=html,
            language="en",
        )
        from django.utils import timezone

        sample.created_at = timezone.now()
        size = len(message_build(sample, [attachment_part(document)]))

        print("outbox_throughput: baseline (plain smtplib loop) ...", flush=True)
        base_rate = baseline(count, subject, text, html, document)

        for _ in range(WORKERS):
            processes.append(
                subprocess.Popen(
                    [PYTHON, str(Path(__file__)), "--worker", str(stop_file)], cwd=ROOT, env=env
                )
            )
        time.sleep(2)  # let the workers start and go idle before the clock starts
        print("outbox_throughput: through the outbox ...", flush=True)
        outcome = through_outbox(count, subject, text, html, document)
        stop_file.touch()
        received = _stop(processes)
        from django.conf import settings

        return {
            "params": {
                "messages": count,
                "workers": WORKERS,
                "producer_batch": PRODUCER_BATCH,
                "claim_batch": settings.OUTBOX_BATCH_SIZE,
                "commit_group": getattr(settings, "OUTBOX_COMMIT_GROUP", 50),
                "message_bytes": size,
                "attachment_bytes": len(pdf),
                "outbox_seconds": outcome["seconds"],
                "producing_seconds": outcome["producing_seconds"],
                "baseline_builds_each_message": True,
                # Both runs send to the same sink: anything above 2 x messages is a duplicate.
                "sink_received": received,
                "duplicates": None if received is None else received - 2 * count,
                **described,
            },
            "value": round(outcome["rate"], 1),
            "unit": "messages/s",
            "baseline": round(base_rate, 1),
            "target": TARGET,
        }
    finally:
        stop_file.touch()
        _stop(processes)
        _cleanup(env, described)
        shutil.rmtree(tmp, ignore_errors=True)


def _stop(processes: list[subprocess.Popen]) -> int | None:
    """Stop the workers (they finish what is due), then the sink; how many it received."""
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


def _cleanup(env: dict, described: dict) -> None:
    try:
        from django.db import connections

        connections.close_all()
    except Exception:  # noqa: BLE001 - Django may not be set up yet
        pass
    if described["database"] == "postgresql":
        _postgres_drop(env["DATABASE_URL"])
        import redis

        client = redis.Redis.from_url(env["CELERY_BROKER_URL"])
        queue = env["BENCH_QUEUE"]
        client.delete(queue, f"_kombu.binding.{queue}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        worker_main(sys.argv[2])
    else:
        print("run it with: python bench/run.py outbox_throughput")
