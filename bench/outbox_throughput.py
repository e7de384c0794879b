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
import shutil
import tempfile
import time
from pathlib import Path

from bench import common

ROOT = common.ROOT
PRODUCER_BATCH = 500
WORKERS = 2
TARGET = 0.5


def environment(tmp: Path, smtp_port: int) -> tuple[dict, dict]:
    return common.environment(tmp, smtp_port, "outbox")


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
    sink_port = common.free_port()
    env, described = environment(tmp, sink_port)
    processes: list = []
    stop_file = tmp / "stop"
    try:
        print(
            f"outbox_throughput: {count} messages on {described['database']} + "
            f"{described['broker']}; migrating a scratch database ...",
            flush=True,
        )
        common.migrate(env)
        processes.append(common.sink_start(env, sink_port))

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

        processes.extend(common.workers_start(env, stop_file, WORKERS))
        time.sleep(2)  # let the workers start and go idle before the clock starts
        print("outbox_throughput: through the outbox ...", flush=True)
        outcome = through_outbox(count, subject, text, html, document)
        stop_file.touch()
        received = common.processes_stop(processes)
        from django.conf import settings

        return {
            "params": {
                "messages": count,
                "workers": WORKERS,
                "producer_batch": PRODUCER_BATCH,
                "claim_batch": settings.OUTBOX_BATCH_SIZE,
                "commit_group": getattr(settings, "OUTBOX_COMMIT_GROUP", 1),
                "claim_seconds": getattr(settings, "OUTBOX_CLAIM_SECONDS", 60),
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
        common.processes_stop(processes)
        common.cleanup(env, described)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    print("run it with: python bench/run.py outbox_throughput")
