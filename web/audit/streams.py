"""The Audit section's exports streamed row by row (AU-03): CSV and one JSON document of a
selection, read with a server-side cursor inside a transaction, payloads as the database's
JSON text, 1,000 rows per chunk, so memory does not grow with the rows. Cells people typed
are neutralised (`compliance.csv_safe`); the SHA-256 of exactly the bytes sent and the
number of rows go to `done` when the stream ends, also when the reader stops early.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterator

from django.db import transaction
from django.db.models import CharField, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from audits.models import AuditEvent
from compliance.csv_safe import FORMULA_START, cell
from compliance.text import BIDI_CONTROLS
from web.audit.history import _Labels, _local_zone

EXPORT_COLUMNS = (
    "seq",
    "id",
    "occurred_at",
    "occurred_at_local",
    "actor",
    "role",
    "action",
    "action_label",
    "object_type",
    "object_id",
    "customer_id",
    "customer",
    "request_id",
    "before",
    "after",
    "content_hash",
    "chain_hash",
)
_FETCHED = (
    "seq",
    "id",
    "occurred_at",
    "actor_id",
    "actor_label",
    "role",
    "action",
    "object_type",
    "object_id",
    "customer_id",
    "request_id",
    "before_text",
    "after_text",
    "content_hash",
    "chain_hash",
)


def _export_values(events: QuerySet[AuditEvent]) -> Iterator[tuple]:
    # Payloads are read as the database's text, not decoded and encoded again per row.
    return (
        events.annotate(
            before_text=Cast("before", CharField()), after_text=Cast("after", CharField())
        )
        .values_list(*_FETCHED)
        .iterator(chunk_size=5000)
    )


def _export_records(events: QuerySet[AuditEvent], scope: int | None) -> Iterator[tuple]:
    """One tuple of text per event, in EXPORT_COLUMNS order (payloads as JSON text)."""
    labels = _Labels.load(scope=scope)
    zone = _local_zone()
    actions, customers = labels.actions, labels.customers
    for (
        seq,
        pk,
        occurred_at,
        actor_id,
        actor_label,
        role,
        action,
        object_type,
        object_id,
        customer_id,
        request_id,
        before,
        after,
        content_hash,
        chain_hash,
    ) in _export_values(events):
        if labels.shared(customer_id):
            before = after = None
        yield (
            seq,
            pk,
            occurred_at.isoformat(),
            occurred_at.astimezone(zone).isoformat(),
            labels.actor(actor_id, actor_label, role),
            role,
            action,
            actions.get(action, action),
            object_type,
            object_id,
            customer_id,
            customers.get(customer_id, "") if customer_id is not None else "",
            request_id,
            before,
            after,
            content_hash,
            chain_hash,
        )


_BIDI = re.compile(f"[{BIDI_CONTROLS}]").search


def _text_cell(value: str | None) -> str:
    """`cell(value)` for what people or payloads typed, skipping its work where it would
    change nothing (no formula-like start, no bidi control): most cells of a large export."""
    if value is None or value.startswith(FORMULA_START) or (not value.isascii() and _BIDI(value)):
        return cell(value)
    return value


def spreadsheet_row(r: tuple) -> tuple:
    """An export record as a spreadsheet (CSV or Excel) gets it: what people or payloads
    typed — actor, object, customer, request id, payloads — neutralised."""
    text = _text_cell
    return (*r[:4], text(r[4]), *r[5:8], text(r[8]), text(r[9]), r[10]) + (
        text(r[11]),
        text(r[12]),
        text(r[13]),
        text(r[14]),
        r[15],
        r[16],
    )


class _Digest:
    """Counts the rows and hashes exactly the bytes sent."""

    def __init__(self):
        self.sha256 = hashlib.sha256()
        self.rows = 0

    def take(self, text: str) -> bytes:
        data = text.encode()
        self.sha256.update(data)
        return data


ExportDone = Callable[[int, str, bool], None]

# Rows per chunk written to the client: big enough to amortise, small enough to stream.
CHUNK_ROWS = 1000


def csv_export(
    events: QuerySet[AuditEvent], *, scope: int | None, done: ExportDone
) -> Iterator[bytes]:
    """The selection as CSV, streamed; `done(rows, sha256, complete)` runs at the end, also
    when the reader stops early. The rows are read in a transaction, so that PostgreSQL
    streams them: outside one, Django's server-side cursor is declared WITH HOLD and the
    whole selection is computed and stored before the first row."""
    digest = _Digest()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    complete, rows = False, []
    try:
        with transaction.atomic():
            for r in _export_records(events, scope):
                rows.append(spreadsheet_row(r))
                if len(rows) == CHUNK_ROWS:
                    writer.writerows(rows)
                    digest.rows += len(rows)
                    rows.clear()
                    yield digest.take(buffer.getvalue())
                    buffer.seek(0)
                    buffer.truncate()
        writer.writerows(rows)
        digest.rows += len(rows)
        yield digest.take(buffer.getvalue())
        complete = True
    finally:
        done(digest.rows, digest.sha256.hexdigest(), complete)


def json_export(
    events: QuerySet[AuditEvent], *, scope: int | None, selection: dict, done: ExportDone
) -> Iterator[bytes]:
    """The selection as one JSON document, streamed: the selection, when, and the events
    (payloads as recorded); read in a transaction like the CSV."""
    digest = _Digest()
    head = json.dumps(
        {"generated_at": timezone.now().isoformat(), "selection": selection},
        ensure_ascii=False,
        sort_keys=True,
    )
    parts = [head[:-1] + ', "events": [\n']
    complete = False
    names = EXPORT_COLUMNS[:13]
    try:
        with transaction.atomic():
            for record in _export_records(events, scope):
                fields = json.dumps(dict(zip(names, record[:13], strict=True)), ensure_ascii=False)
                parts.append(
                    ("" if digest.rows == 0 else ",\n")
                    + fields[:-1]
                    + f', "before": {record[13] or "null"}, "after": {record[14] or "null"}'
                    + f', "content_hash": "{record[15]}", "chain_hash": '
                    + (f'"{record[16]}"' if record[16] else "null")
                    + "}"
                )
                digest.rows += 1
                if digest.rows % CHUNK_ROWS == 0:
                    yield digest.take("".join(parts))
                    parts.clear()
        parts.append("\n]}\n")
        yield digest.take("".join(parts))
        complete = True
    finally:
        done(digest.rows, digest.sha256.hexdigest(), complete)
