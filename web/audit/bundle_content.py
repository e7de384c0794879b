"""The deterministic content of an evidence bundle (AU-03).

A bundle is built over the events of a selection up to a stated chain position (the head
anchored for it); the same selection and position give the same bytes, whenever and
wherever it is built: entries sorted by name, each dated 1980-01-01 00:00 with mode 0644,
no random ids, no build time. It holds:

- `chain-segment.txt`: the first selected event's position and the chain hash before it,
  then the content hash of every position from there to the head, one per line;
- `documents/NNNNNNNN-NAME.pdf`: every stored PDF of the selection (letters, receipts,
  decisions, dossiers: see breaches.evidence and subprocessors.evidence) whose issue is
  recorded in the chain at or before the head (its own `document.issued` event; a document
  without one: made up to the head's moment); one whose content was erased at the end of
  its retention is listed in the manifest with its SHA-256, size and a note saying so;
- `events.jsonl`: the selected events, oldest first, with every field of
  `audits.hashing.ROW_FIELDS` (time as the canonical UTC text that is hashed); an event a
  reader limited to one customer sees without payload carries `"withheld": true`;
- `exports/audit-history.csv` and `.json`: the Audit section's exports of the selection;
- `manifest.json`: each file's SHA-256 and size, the selection in words and codes, the head
  position and hash, the seal certificate's fingerprint and the format version;
- `verify_bundle.py`: the verifier (standard library and `cryptography`).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from audits import verify_bundle
from audits.hashing import ROW_FIELDS, canonical_time
from audits.models import AuditEvent
from audits.seal import seal
from breaches.evidence import breach_document_ids
from compliance.models import StoredDocument
from compliance.templatetags.compliance_tags import local_deadline
from subprocessors.evidence import change_document_ids
from subprocessors.models import ChangeNotice
from web.audit.history import HistoryFilterForm, history_events
from web.audit.streams import EXPORT_COLUMNS, _export_records, csv_export

FIXED_TIME = (1980, 1, 1, 0, 0, 0)
VERIFIER = Path(verify_bundle.__file__)
PROGRESS_EVERY = 10_000


@dataclass
class BundleContent:
    data: bytes
    manifest: dict
    # (name in the bundle, original bytes) of every PDF, for the sealed copies beside it.
    documents: list[tuple[str, bytes]]


class _Writer:
    """A ZIP written in name order, every entry with fixed time and mode, its SHA-256 kept."""

    def __init__(self, file):
        self.zip = zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)
        self.files: dict[str, dict] = {}
        self.last = ""

    def write(self, name: str, chunks: Iterable[bytes]) -> None:
        assert name > self.last, f"{name} written out of order"
        self.last = name
        info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.create_system = 3
        info.external_attr = 0o100644 << 16
        digest, size = hashlib.sha256(), 0
        with self.zip.open(info, "w", force_zip64=True) as entry:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                entry.write(chunk)
        if name != verify_bundle.MANIFEST:
            self.files[name] = {"sha256": digest.hexdigest(), "size": size}


def _json_bytes(value) -> bytes:
    return (json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode()


def _row(values: tuple, withheld: bool) -> dict:
    row = dict(zip(ROW_FIELDS, values, strict=True))
    row["occurred_at"] = canonical_time(row["occurred_at"])
    if row["erased_at"] is not None:
        row["erased_at"] = canonical_time(row["erased_at"])
    if withheld:
        row.update(before=None, after=None, salt="", withheld=True)
    return row


def _document_ids(form: HistoryFilterForm) -> set[int]:
    data, scope = form.cleaned_data, form.scope
    customer = data["customer"].pk if data.get("customer") else None
    change = None
    if (
        data.get("object_type") == ChangeNotice._meta.label
        and (data.get("object_id") or "").isdigit()
    ):
        change = int(data["object_id"])
    if data.get("incident"):
        return breach_document_ids(incident_id=data["incident"], customer_id=customer, scope=scope)
    if change is not None:
        return change_document_ids(change_notice_id=change, customer_id=customer, scope=scope)
    if (
        customer is None
        and scope is None
        and not (data.get("period_from") or data.get("period_to"))
    ):
        return set()
    return breach_document_ids(customer_id=customer, scope=scope) | change_document_ids(
        customer_id=customer, scope=scope
    )


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


DOCUMENT_LABEL = StoredDocument._meta.label
ISSUED = "document.issued"
IDS_PER_QUERY = 2000


def _issued_positions(ids: list[int]) -> dict[int, int | None]:
    """Each document's own chain position: the sequence number of the `document.issued`
    event stored with it in one transaction (compliance.documents); None while unsealed."""
    positions: dict[int, int | None] = {}
    for start in range(0, len(ids), IDS_PER_QUERY):
        chunk = [str(pk) for pk in ids[start : start + IDS_PER_QUERY]]
        issued = AuditEvent.objects.filter(
            action=ISSUED, object_type=DOCUMENT_LABEL, object_id__in=chunk
        ).values_list("object_id", "seq")
        for object_id, seq in issued:
            pk, known = int(object_id), positions.get(int(object_id))
            if known is None or (seq is not None and seq < known):
                positions[pk] = seq  # the earliest sealed one, should there be two
    return positions


def _documents(
    form: HistoryFilterForm, head_seq: int, head_time
) -> list[tuple[StoredDocument, int | None]]:
    """The selection's documents up to the head, each with its own chain position: a
    document is in when the event recording its issue is at or before the head; one
    without such an event (none is stored without one since AU-03) when it was made up to
    the head's moment."""
    selection = form.selection()
    documents = StoredDocument.objects.filter(pk__in=_document_ids(form))
    if selection.occurred_from is not None:
        documents = documents.filter(created_at__gte=selection.occurred_from)
    if selection.occurred_before is not None:
        documents = documents.filter(created_at__lt=selection.occurred_before)
    documents = list(documents.order_by("pk").defer("content"))
    positions = _issued_positions([d.pk for d in documents])
    chosen = []
    for document in documents:
        if document.pk in positions:
            seq = positions[document.pk]
            if seq is not None and seq <= head_seq:
                chosen.append((document, seq))
        elif head_time is not None and document.created_at <= head_time:
            chosen.append((document, None))
    return chosen


def erased_note(document: StoredDocument) -> str:
    """In words (the bundle's language), why a listed document has no file in the bundle."""
    return _(
        "The content was erased on %(moment)s at the end of its retention period; the "
        "SHA-256 and size identify what was issued."
    ) % {"moment": local_deadline(document.erased_at)}


def bundle_content(
    *,
    form: HistoryFilterForm,
    head_seq: int,
    head_hash: str,
    language: str,
    words: list[tuple[str, str]],
    progress: Callable[[int], None] = lambda rows: None,
) -> BundleContent:
    """The content ZIP of a valid selection up to chain position `head_seq` (whose chain
    hash is `head_hash`), as its reader may see it, in the reader's language."""
    events = history_events(form).filter(seq__isnull=False, seq__lte=head_seq)
    head_time = (
        AuditEvent.objects.filter(seq=head_seq).values_list("occurred_at", flat=True).first()
    )
    documents = _documents(form, head_seq, head_time)
    sealed: list[tuple[str, bytes]] = []
    listed = []
    with tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024) as file, transaction.atomic():
        writer = _Writer(file)
        first = events.order_by("seq").values_list("seq", "prev_chain_hash").first()
        first_seq, before_first = first if first else (head_seq + 1, head_hash)
        segment = (
            AuditEvent.objects.filter(seq__gte=first_seq, seq__lte=head_seq)
            .order_by("seq")
            .values_list("content_hash", flat=True)
            .iterator(chunk_size=5000)
        )
        writer.write(
            verify_bundle.SEGMENT,
            _lines([f"{first_seq} {before_first}"], (h + "\n" for h in segment)),
        )
        for document, issued_seq in documents:
            name = f"documents/{document.pk:08d}-{_UNSAFE.sub('_', document.filename)[:120]}"
            erased = document.erased_at is not None
            entry = {
                "title": document.title,
                "sha256": document.sha256,
                "size": document.size,
                "created_at": canonical_time(document.created_at),
                "issued_seq": issued_seq,
                "erased": erased,
                "file": None if erased else name,
            }
            if erased:
                entry["erased_at"] = canonical_time(document.erased_at)
                with translation.override(language):
                    entry["note"] = erased_note(document)
            listed.append(entry)
            if not erased:
                content = bytes(
                    StoredDocument.objects.values_list("content", flat=True).get(pk=document.pk)
                )
                writer.write(name, [content])
                sealed.append((name, content))
        counted = {"rows": 0, "formats": set()}

        def rows():
            for values in events.order_by("seq").values_list(*ROW_FIELDS).iterator(chunk_size=2000):
                row = _row(values, form.scope is not None and values[10] is None)
                counted["rows"] += 1
                counted["formats"].add(row["hash_format"])
                if counted["rows"] % PROGRESS_EVERY == 0:
                    progress(counted["rows"])
                yield (json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n").encode()

        writer.write(verify_bundle.EVENTS, rows())
        with translation.override(language):
            csv_chunks = csv_export(events, scope=form.scope, done=lambda *args: None)
            writer.write("exports/audit-history.csv", csv_chunks)
            writer.write(
                "exports/audit-history.json",
                _json_export(events, form, head_seq, head_hash),
            )
        manifest = {
            "type": verify_bundle.BUNDLE_TYPE,
            "format_version": verify_bundle.BUNDLE_VERSION,
            "selection": {
                "codes": form.described(),
                "words": [list(pair) for pair in words],
                "language": language,
                "limited_to_customer_id": form.scope,
            },
            "chain": {
                "head_seq": head_seq,
                "head_hash": head_hash,
                "segment_first_seq": first_seq,
                "events": counted["rows"],
                "hash_formats": sorted(counted["formats"]),
            },
            "seal": {"certificate_sha256": seal().fingerprint},
            "documents": listed,
            "files": {},
        }
        verifier = VERIFIER.read_bytes()
        manifest["files"] = {
            **writer.files,
            "verify_bundle.py": {
                "sha256": hashlib.sha256(verifier).hexdigest(),
                "size": len(verifier),
            },
        }
        writer.write(verify_bundle.MANIFEST, [_json_bytes(manifest)])
        writer.write("verify_bundle.py", [verifier])
        writer.zip.close()
        file.seek(0)
        data = file.read()
    return BundleContent(data=data, manifest=manifest, documents=sealed)


def _lines(head: list[str], rest: Iterable[str], batch: int = 5000):
    buffer = [line + "\n" for line in head]
    for line in rest:
        buffer.append(line)
        if len(buffer) >= batch:
            yield "".join(buffer).encode("ascii")
            buffer.clear()
    yield "".join(buffer).encode("ascii")


def _json_export(events, form: HistoryFilterForm, head_seq: int, head_hash: str):
    """The JSON export of the selection as the Audit section writes it, with the chain head
    in place of the moment it was made (so that it is the same at every build)."""
    head = {
        "chain_head": {"seq": head_seq, "chain_hash": head_hash},
        "selection": form.described(),
    }
    text = json.dumps(head, ensure_ascii=False, sort_keys=True)
    yield (text[:-1] + ', "events": [\n').encode()
    names = EXPORT_COLUMNS
    separator = ""
    for record in _export_records(events, form.scope):
        values = dict(zip(names, record, strict=True))
        for side in ("before", "after"):
            values[side] = json.loads(values[side]) if values[side] else None
        yield (separator + json.dumps(values, ensure_ascii=False, sort_keys=True)).encode()
        separator = ",\n"
    yield b"\n]}\n"


def zip_fixed(entries: list[tuple[str, bytes]]) -> bytes:
    """A small ZIP of the given entries, sorted, with fixed times and modes."""
    buffer = io.BytesIO()
    writer = _Writer(buffer)
    for name, data in sorted(entries):
        writer.write(name, [data])
    writer.zip.close()
    return buffer.getvalue()
