"""Verification of the audit chain over 1,000,000 events (issue 14, AU-03): rows verified per
second by the product's full verification (`audits.selectors.chain_verify`, the code behind
`manage.py verify_audit_chain` and the Audit section's chain check, held against an anchor)
against a plain loop in the same run that reads the same rows with a psycopg server-side
cursor and does the same canonical serialisation and SHA-256 per row (payload hash, content
hash, chain hash) with nothing else around it.

Data (set-up, not measured): BENCH_ROWS (default 1,000,000) sealed events with real hashes,
made in this process with `audits.hashing` (hash format 1: the format the committed hashing
writes; payloads of about 250 bytes of JSON, a mix of actions, actors and customers) and
written with COPY (the indexes dropped first and built again after); the chain head; one
anchor at nine tenths of the chain, so the last tenth is the unanchored tail.

value = rows per second of `chain_verify(anchor=...)` (every row); baseline = the plain
loop's rows per second (the faster of one run before and one after); target ratio >= 0.5.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from bench import common

NAME = "audit_chain_verify"
TARGET_RATIO = 0.5
ACTIONS = [
    ("customer.updated", "compliance.Customer"),
    ("contact.updated", "compliance.Contact"),
    ("outbox.queued", "compliance.OutboxMessage"),
    ("outbox.accepted", "compliance.OutboxMessage"),
    ("notice.informed", "breaches.CustomerNotice"),
    ("auth.signed_in", "compliance.User"),
    ("incident.triaged", "breaches.Incident"),
]
COLUMNS = (
    "occurred_at, actor_id, actor_label, role, action, object_type, object_id, customer_id,"
    " request_id, before, after, payload_hash, content_hash, seq, prev_chain_hash,"
    " chain_hash, erased_at, hash_format, salt, personal"
)


def _rows(count: int):
    """The events, with their real hashes, as COPY rows; and the last chain hash."""
    from audits import hashing

    start = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    prev = hashing.GENESIS_HASH
    for i in range(1, count + 1):
        action, object_type = ACTIONS[i % len(ACTIONS)]
        person = i % 7 != 0
        label = f"person{i % 40}@processor.example" if person else "system"
        role = "staff_member" if person else "system"
        customer = 1 + i % 2000 if i % 3 else None
        before = {"phone": f"+31 30 {i % 10_000_000:07d}", "note": "Moved to the new office."}
        after = {
            "email": f"contact{i % 9973}@customer{customer or 0}.example",
            "name": "Jan de Vries" if i % 2 else "Fatima el Amrani",
            "phone": f"+31 20 {(i * 7) % 10_000_000:07d}",
            "language": "nl" if i % 3 else "en",
            "receives_breach_notices": i % 2 == 0,
            "count": i,
        }
        occurred = start + datetime.timedelta(seconds=i * 60, microseconds=i % 1000)
        request_id = hashlib.md5(str(i).encode()).hexdigest() if person else ""  # noqa: S324
        payload = hashing.payload_hash(before=before, after=after)
        content = hashing.content_hash(
            occurred_at=occurred,
            actor_id=None,
            actor_label=label,
            role=role,
            action=action,
            object_type=object_type,
            object_id=str(i % 400_000),
            customer_id=customer,
            request_id=request_id,
            payload_hash=payload,
        )
        chain = hashing.chain_hash(prev_chain_hash=prev, content_hash=content)
        yield (
            occurred,
            None,
            label,
            role,
            action,
            object_type,
            str(i % 400_000),
            customer,
            request_id,
            json.dumps(before),
            json.dumps(after),
            payload,
            content,
            i,
            prev,
            chain,
            None,
            1,
            "",
            "[]",
        )
        prev = chain


def chain_fill(count: int) -> dict:
    from django.db import connection

    from audits.models import ChainHead

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'audits_auditevent'"
            " AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        last = None
        with cursor.cursor.copy(f"COPY audits_auditevent ({COLUMNS}) FROM STDIN") as copy:
            for row in _rows(count):
                copy.write_row(row)
                last = row
                if row[13] % 200_000 == 0:
                    common.log(NAME, f"{row[13]} events written")
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute("VACUUM ANALYZE audits_auditevent")
        cursor.execute("SELECT pg_total_relation_size('audits_auditevent')")
        size = cursor.fetchone()[0]
    ChainHead.objects.update_or_create(pk=1, defaults={"seq": count, "chain_hash": last[15]})
    return {"seconds": round(time.perf_counter() - started, 1), "table_mb": round(size / 2**20)}


def plain_loop(database_url: str) -> tuple[int, float, str]:
    """Rows, seconds and the last chain hash of a psycopg server-side cursor over the sealed
    events in chain order, doing per row the canonical JSON and SHA-256 of the payload, the
    header and the chain link, and comparing each with the stored hash."""
    import psycopg

    def canonical(value) -> bytes:
        return json.dumps(
            value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        ).encode("utf-8")

    def sha(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()

    started = time.perf_counter()
    rows, prev, bad = 0, "0" * 64, 0
    with psycopg.connect(database_url) as conn, conn.cursor(name="bench_plain") as cursor:
        cursor.itersize = 5000
        cursor.execute(
            "SELECT occurred_at, actor_id, actor_label, role, action, object_type, object_id,"
            " customer_id, request_id, before, after, payload_hash, content_hash,"
            " prev_chain_hash, chain_hash FROM audits_auditevent"
            " WHERE seq IS NOT NULL ORDER BY seq"
        )
        for r in cursor:
            payload = sha(canonical({"before": r[9], "after": r[10]}))
            header = {
                "v": 1,
                "time": r[0].astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "actor_id": r[1],
                "actor_label": r[2],
                "role": r[3],
                "action": r[4],
                "object_type": r[5],
                "object_id": r[6],
                "customer_id": r[7],
                "request_id": r[8],
                "payload_hash": r[11],
            }
            content = sha(canonical(header))
            chain = sha((prev + r[12]).encode("ascii"))
            if payload != r[11] or content != r[12] or r[13] != prev or chain != r[14]:
                bad += 1
            prev = r[14]
            rows += 1
    if bad:
        raise RuntimeError(f"the plain loop found {bad} rows that do not verify")
    return rows, time.perf_counter() - started, prev


def product_verify(anchor) -> dict:
    from audits.selectors import chain_verify

    seen = []
    started = time.perf_counter()
    result = chain_verify(anchor=anchor, progress=seen.append, progress_every=100_000)
    seconds = time.perf_counter() - started
    if not result.ok or not result.anchor.ok:
        raise RuntimeError(f"the chain did not verify: {result.breaks[:3]}")
    return {
        "rows": result.count,
        "seconds": round(seconds, 2),
        "rows_per_second": round(result.count / seconds),
        "events_after_anchor": result.anchor.after,
        "progress_calls": len(seen),
        "head_hash": result.head_hash,
    }


def run() -> dict:
    rows = int(os.environ.get("BENCH_ROWS") or 1_000_000)
    tmp = Path(tempfile.mkdtemp(prefix="bench-chain-verify-"))
    env, described = common.environment(tmp, common.free_port(), NAME)
    if described["database"] != "postgresql":
        common.cleanup(env, described)
        raise common.missing(f"{NAME} needs PostgreSQL: set DATABASE_URL (make bench)")
    try:
        common.log(NAME, f"{rows} audit events; migrating ...")
        common.migrate(env)
        os.environ["EVIDENCE_SEAL_KEY_FILE"] = str(tmp / "seal" / "key.pem")
        os.environ["EVIDENCE_SEAL_CERT_FILE"] = str(tmp / "seal" / "certificate.pem")
        common.django_setup(env)
        from django.conf import settings
        from django.db import connection

        settings.EVIDENCE_SEAL_KEY_FILE = os.environ["EVIDENCE_SEAL_KEY_FILE"]
        settings.EVIDENCE_SEAL_CERT_FILE = os.environ["EVIDENCE_SEAL_CERT_FILE"]
        from audits.anchors import AnchorPoint
        from audits.models import AuditEvent

        filled = chain_fill(rows)
        common.log(NAME, f"set up: {filled}")
        at = rows * 9 // 10
        anchored = AuditEvent.objects.values_list("chain_hash", flat=True).get(seq=at)
        anchor = AnchorPoint(at, anchored)
        database_url = env["DATABASE_URL"]

        common.log(NAME, "plain loop ...")
        loops = [plain_loop(database_url)]
        common.log(NAME, f"plain loop: {loops[-1][:2]}; chain_verify ...")
        full = product_verify(anchor)
        common.log(NAME, f"chain_verify: {full}; plain loop again ...")
        loops.append(plain_loop(database_url))
        if loops[0][2] != full["head_hash"]:
            raise RuntimeError("the plain loop and chain_verify end in different hashes")
        connection.close()
        baseline = round(max(r / s for r, s, _ in loops))
        return {
            "params": {
                "rows": rows,
                "hash_format": 1,
                "product": full,
                "plain_loop_rows_per_second": [round(r / s) for r, s, _ in loops],
                "anchor_at": at,
                "data": filled,
                "value_is": "rows per second of audits.selectors.chain_verify(anchor=...) over "
                "every sealed event (values_list of hashing.ROW_FIELDS, server-side chunks, "
                "row_payload_ok and row_content_hash per row, head, erasure and unsealed "
                "checks, the anchor check)",
                "baseline_is": "rows per second of a psycopg server-side cursor (itersize 5000) "
                "over the same rows doing the canonical JSON and SHA-256 of payload, header and "
                "chain link per row, the faster of one run before and one after",
                "note": common.SHARED_NOTE + "; the verifier and PostgreSQL share them",
                **described,
            },
            "value": full["rows_per_second"],
            "unit": "rows/s",
            "baseline": baseline,
            "target": TARGET_RATIO,
            "target_op": ">=",
        }
    finally:
        common.cleanup(env, described)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    print(f"run it with: python bench/run.py {NAME}")
