"""The Audit section's CSV export of 1,000,000 audit events through the product's own endpoint
(/audit/history/export.csv: scoping, labels and neutralised cells included), in rows per
second, against a plain loop in the same run: a psycopg server-side cursor over the same
table writing the same stored columns with csv.writer (issue 13, AU-03).

Data (set-up, not measured): `bench.audit_trail` — 2,000 customers (one named with a formula),
40 people and BENCH_ROWS (default 1,000,000) events with payloads of 200-400 bytes of JSON.

gunicorn as in the Procfile (production settings, gthread) but with one worker, started
afresh for each measured export so its peak RSS (VmHWM of /proc/<worker>/status) belongs to
that export alone: the newest tenth of the rows first (about 100,000), then all of them.
The client is a signed-in privacy officer (second-factor mark), reading the stream and
hashing it; the export's own audit event gives the rows and the SHA-256, which must match.
Before that, for two small selections (one day; the customer whose name is a formula) the
endpoint's bytes are compared with `csv_export` called in this process.

value = rows per second of the full export; baseline = the plain loop's rows per second
(the faster of one run before and one after the export); target ratio >= 0.5; and peak RSS
at all rows <= 1.2 x the peak at the newest tenth (`params.rss`).
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import http.client
import io
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from bench import common, latency

NAME = "history_export"
TARGET_RATIO = 0.5
RSS_FACTOR = 1.2
# --------------------------------------------------------------------------- measuring


def worker_pid(master: int, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn started no worker")


def proc_status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} for {pid}")


class RssPoller:
    """The largest VmRSS of a process, polled every 50 ms while running."""

    def __init__(self, pid: int):
        self.pid, self.peak_kb, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, proc_status_kb(self.pid, "VmRSS"))
            self._stop.wait(0.05)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def http_get(port: int, path: str, cookie: str, *, keep: bool = False) -> dict:
    """One GET, the body read in 256 KiB pieces and hashed (kept only if asked)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
    started = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": cookie, "Accept-Language": "en"})
    response = conn.getresponse()
    digest, size, kept, first = hashlib.sha256(), 0, [], None
    while chunk := response.read(1 << 18):
        first = first or time.perf_counter()
        digest.update(chunk)
        size += len(chunk)
        if keep:
            kept.append(chunk)
    seconds = time.perf_counter() - started
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"{path}: HTTP {response.status}: {b''.join(kept)[:300]!r}")
    return {
        "seconds": seconds,
        "first_byte_seconds": (first or started) - started,
        "bytes": size,
        "sha256": digest.hexdigest(),
        "body": b"".join(kept) if keep else None,
    }


def recorded_export(after_id: int, timeout: float = 60) -> dict:
    """The export's own audit event (written as its stream ends)."""
    from audits.models import AuditEvent

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        event = (
            AuditEvent.objects.filter(action="audit.history_exported", id__gt=after_id)
            .order_by("-id")
            .first()
        )
        if event is not None:
            return event.after
        time.sleep(0.1)
    raise RuntimeError("the export recorded no audit event")


def plain_loop(database_url: str) -> tuple[int, float]:
    """Rows and seconds of a psycopg server-side cursor over the trail, newest first, writing
    the stored columns the export draws on with csv.writer, in pieces of 1,000 rows."""
    import psycopg

    started = time.perf_counter()
    rows = 0
    with (
        psycopg.connect(database_url) as conn,
        open(os.devnull, "wb") as sink,
        conn.cursor(name="bench_plain") as cursor,
    ):
        cursor.itersize = 5000
        cursor.execute(
            "SELECT seq, id, occurred_at, actor_label, role, action, object_type, object_id,"
            " customer_id, request_id, before::text, after::text, content_hash, chain_hash"
            " FROM audits_auditevent ORDER BY id DESC"
        )
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for record in cursor:
            writer.writerow(record)
            rows += 1
            if rows % 1000 == 0:
                sink.write(buffer.getvalue().encode())
                buffer.seek(0)
                buffer.truncate()
        sink.write(buffer.getvalue().encode())
    return rows, time.perf_counter() - started


def served_export(web: dict, path: str, cookie: str, warm_path: str) -> dict:
    """One export on a fresh one-worker gunicorn: a small warm-up export first, then the
    measured one; its time, bytes, the worker's peak RSS, and what the export recorded."""
    from audits.models import AuditEvent

    port = common.free_port()
    server = latency.gunicorn_start(web, port, workers=1, threads=4)
    try:
        pid = worker_pid(server.pid)
        http_get(port, warm_path, cookie)
        rss_before = proc_status_kb(pid, "VmRSS")
        last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
        with RssPoller(pid) as poller:
            fetched = http_get(port, path, cookie)
        recorded = recorded_export(last)
        hwm = proc_status_kb(pid, "VmHWM")
    finally:
        latency_stop(server)
    if recorded["sha256"] != fetched["sha256"] or not recorded["complete"]:
        raise RuntimeError(f"the bytes received do not match the recorded export: {recorded}")
    return {
        "rows": recorded["rows"],
        "seconds": round(fetched["seconds"], 2),
        "first_byte_seconds": round(fetched["first_byte_seconds"], 2),
        "rows_per_second": round(recorded["rows"] / fetched["seconds"]),
        "mb": round(fetched["bytes"] / 2**20, 1),
        "worker_rss_mb_before": round(rss_before / 1024, 1),
        "worker_peak_rss_mb": round(hwm / 1024, 1),
        "worker_peak_rss_polled_mb": round(poller.peak_kb / 1024, 1),
    }


def latency_stop(server) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


def exports_equal(web: dict, officer, cookie: str, queries: list[dict]) -> list[dict]:
    """For each small selection, the endpoint's bytes and `csv_export` in this process."""
    from django.http import QueryDict
    from django.utils import translation

    from web.audit.history import HistoryFilterForm, history_events
    from web.audit.streams import csv_export

    port = common.free_port()
    server = latency.gunicorn_start(web, port, workers=1, threads=4)
    checked = []
    try:
        for query in queries:
            encoded = urlencode(query)
            served = http_get(port, f"/audit/history/export.csv?{encoded}", cookie, keep=True)
            form = HistoryFilterForm(QueryDict(encoded), user=officer)
            if not form.is_valid():
                raise RuntimeError(f"selection {query} invalid: {form.errors}")
            with translation.override("en"):
                stream = csv_export(history_events(form), scope=form.scope, done=lambda *args: None)
                expected = b"".join(stream)
            rows = expected.count(b"\r\n") - 1
            if served["body"] != expected or rows < 1:
                raise RuntimeError(f"endpoint and csv_export differ for {query} ({rows} rows)")
            neutralised = b"'=HYPERLINK" in expected and b',"=HYPERLINK' not in expected
            checked.append(
                {
                    "selection": query,
                    "rows": rows,
                    "equal": True,
                    "formula_neutralised": neutralised,
                }
            )
    finally:
        latency_stop(server)
    return checked


def run() -> dict:
    rows = int(os.environ.get("BENCH_ROWS") or 1_000_000)
    tmp = Path(tempfile.mkdtemp(prefix="bench-history-export-"))
    env, described = common.environment(tmp, common.free_port(), "history_export")
    if described["database"] != "postgresql":
        common.cleanup(env, described)
        raise common.missing("history_export needs PostgreSQL: set DATABASE_URL (make bench)")
    try:
        common.log(NAME, f"{rows} audit events; migrating ...")
        common.migrate(env)
        web = latency.web_environment(env, tmp)
        (tmp / "static").mkdir()  # no page with static files is served here
        common.django_setup(web)
        from django.db import connection

        from audits.models import AuditEvent
        from bench.audit_trail import CUSTOMERS, trail_setup
        from bench.dashboard_latency import session_cookie

        trail = trail_setup(rows, NAME)
        officer, people, formula = trail["officer"], trail["people"], trail["formula_customer"]
        filled = trail["filled"]
        setup_seconds = filled["setup_seconds"]
        cookie = session_cookie(officer)

        one_day = {"period_from": "2025-06-01", "period_to": "2025-06-01"}
        checked = exports_equal(
            web, officer, cookie, [one_day, {"customer": formula.customer_number}]
        )
        common.log(NAME, f"endpoint equals csv_export: {checked}")

        # The newest tenth: from the Amsterdam day after the one of the tenth-newest row.
        tenth = AuditEvent.objects.order_by("-id").values_list("occurred_at", flat=True)
        tenth_day = tenth[rows // 10].astimezone(ZoneInfo("Europe/Amsterdam")).date()
        newest = {"period_from": (tenth_day + datetime.timedelta(days=1)).isoformat()}
        export = "/audit/history/export.csv"
        warm = f"{export}?{urlencode(one_day)}"
        database_url = env["DATABASE_URL"]

        common.log(NAME, "plain loop ...")
        loops = [plain_loop(database_url)]
        common.log(NAME, f"plain loop: {loops[-1]}; export of the newest tenth ...")
        small = served_export(web, f"{export}?{urlencode(newest)}", cookie, warm)
        common.log(NAME, f"newest tenth: {small}; export of everything ...")
        full = served_export(web, export, cookie, warm)
        common.log(NAME, f"everything: {full}; plain loop again ...")
        loops.append(plain_loop(database_url))
        if connection.vendor == "postgresql":
            connection.close()
        plain_rows = loops[0][0]
        baseline = round(max(r / s for r, s in loops))
        rss_ratio = round(full["worker_peak_rss_mb"] / small["worker_peak_rss_mb"], 3)
        if full["rows"] < rows:
            raise RuntimeError(f"the full export gave {full['rows']} rows of {rows}")
        return {
            "params": {
                "rows": rows,
                "plain_loop_rows": plain_rows,
                "plain_loop_rows_per_second": [round(r / s) for r, s in loops],
                "export_all": full,
                "export_newest_tenth": {**small, "selection": newest},
                "rss": {
                    "peak_mb_all_rows": full["worker_peak_rss_mb"],
                    "peak_mb_newest_tenth": small["worker_peak_rss_mb"],
                    "ratio": rss_ratio,
                    "target": f"<= {RSS_FACTOR}",
                    "met": rss_ratio <= RSS_FACTOR,
                    "how": "VmHWM of the one gunicorn worker, started afresh for each export "
                    "and warmed with a one-day export",
                },
                "equal_to_csv_export": checked,
                "customers": CUSTOMERS,
                "people": len(people),
                "data": filled,
                "server": "gunicorn config.wsgi, 1 worker x 4 threads (gthread), production "
                "settings (DEBUG off); client: http.client on loopback, body hashed",
                "value_is": "rows per second of /audit/history/export.csv (all rows, signed-in "
                "privacy officer), first request byte to last response byte",
                "baseline_is": "rows per second of a psycopg server-side cursor (itersize 5000) "
                "writing the stored columns with csv.writer to /dev/null, the faster of one run "
                "before and one after the export",
                "setup_seconds": round(setup_seconds, 1),
                "note": common.SHARED_NOTE + "; client, server and PostgreSQL share them",
                **described,
            },
            "value": full["rows_per_second"],
            "unit": "rows/s",
            "baseline": baseline,
            "target": TARGET_RATIO,
            "target_op": ">=",
            "rss_target_met": rss_ratio <= RSS_FACTOR,
        }
    finally:
        common.cleanup(env, described)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    print(f"run it with: python bench/run.py {NAME}")
