"""The dossier's machine-readable files (AU-03, BR-02): `dossier.json`, `timeline.csv`,
`messages.csv` and `decisions.csv`, written row by row (never one string in memory) and
compressed on the way into files in a temporary folder: each file's rows, size, SHA-256 and
MD5 (the PDF's checksum of an embedded file) are counted over its text as it passes, and the
compressed bytes are what the PDF embeds (`breaches.dossier.files`), so the text is never
read back, hashed again or compressed a second time. While the timeline passes by, what the
PDF shows of it is kept: the incident's own entries one by one, and the entries about single
customers (their notices, messages and letters) counted per kind with their first and last
moment, so the PDF does not grow with the number of customers.

The files keep codes (actions, states) as stored: they are for machines; `event_label`
beside `event` gives the people words in the reader's language.
"""

from __future__ import annotations

import csv
import hashlib
import json
import zlib
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from audits.actions import audit_action_label
from breaches.dossier.streams import MESSAGE_FIELDS, plain
from breaches.models import DECISION_FIELDS
from compliance.csv_safe import cell

FORMAT_VERSION = 2
TIMELINE_COLUMNS = (
    "at",
    "source",
    "event",
    "event_label",
    "actor",
    "role",
    "object",
    "customer_id",
    "detail",
)
MESSAGE_COLUMNS = ("notice_id", "customer_id", "customer", *MESSAGE_FIELDS)
# Message columns whose values are the product's own: ids, counts, codes and UTC times
# (`plain`), never negative, never starting like a formula, ASCII — written as they are;
# every other column can hold text from outside and goes through `cell`.
OWN_MESSAGE_FIELDS = frozenset(
    (
        "id",
        "language",
        "status",
        "attempts",
        "created_at",
        "accepted_at",
        "failed_at",
        "escalated_at",
    )
)
DECISION_COLUMNS = ("notice_id", "customer_id", "customer", "revision", "recorded_at", "by")
DECISION_COLUMNS += DECISION_FIELDS
DECISION_ROW = DECISION_COLUMNS[3:]  # a revision's own columns, after the notice's
# The incident's own entries, shown one by one in the PDF; all others are counted per kind.
INCIDENT_OBJECTS = ("breaches.Incident:", "breaches.IncidentUpdate:")
# Text gathered before it is encoded, hashed and compressed in one go (characters).
BUFFER = 1 << 18
# Pieces of one file waiting to be compressed before its writer waits for them.
QUEUED = 4
# zlib's default: a tenth larger than level 9 and several times faster on these files.
COMPRESSION_LEVEL = 6
_JSON = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=plain
).encode


@dataclass
class AttachedFile:
    """One file: `path` holds its text compressed with zlib (a PDF FlateDecode stream);
    `size`, `sha256` and `md5` are those of the text itself (UTF-8)."""

    name: str
    path: Path
    rows: int = 0
    size: int = 0
    sha256: str = ""
    md5: str = ""

    def compressed(self) -> bytes:
        return self.path.read_bytes()

    def text(self) -> str:
        """The file's text (tests; the PDF embeds `compressed()` as it is)."""
        return zlib.decompress(self.compressed()).decode()


class _Sink:
    """A text file handle for `csv.writer` and the JSON writer: gathers text, then hands it
    on in pieces of `BUFFER` characters to be encoded, hashed and compressed into the file's
    `path` by `worker` (one thread for all files, so each file's pieces stay in order; zlib
    and hashlib let other threads run while they work, so the rows are encoded meanwhile)."""

    def __init__(self, file: AttachedFile, worker: ThreadPoolExecutor):
        self.file = file
        self._worker = worker
        self._parts: list[str] = []
        self._pending = 0
        self._queued: deque[Future] = deque()
        self._sha256 = hashlib.sha256()
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._zlib = zlib.compressobj(COMPRESSION_LEVEL)
        self._out = file.path.open("wb")

    def write(self, text: str) -> None:
        self._parts.append(text)
        self._pending += len(text)
        if self._pending >= BUFFER:
            self._hand_on()

    def _hand_on(self, *, last: bool = False) -> None:
        parts, self._parts, self._pending = self._parts, [], 0
        self._queued.append(self._worker.submit(self._compress, parts, last))
        while len(self._queued) > QUEUED or (last and self._queued):
            self._queued.popleft().result()  # at most QUEUED pieces wait; errors surface

    def _compress(self, parts: list[str], last: bool) -> None:
        data = "".join(parts).encode()
        self.file.size += len(data)
        self._sha256.update(data)
        self._md5.update(data)
        self._out.write(self._zlib.compress(data))
        if last:
            self._out.write(self._zlib.flush())

    def close(self) -> None:
        if self._out.closed:
            return
        try:
            self._hand_on(last=True)
        finally:
            while self._queued:
                self._queued.popleft().exception()
            self._out.close()
        self.file.sha256 = self._sha256.hexdigest()
        self.file.md5 = self._md5.hexdigest()


@dataclass
class TimelineGroup:
    event: str
    label: str
    count: int
    first: object
    last: object


@dataclass
class TimelineDigest:
    """What the PDF shows of the timeline."""

    entries: list[dict] = field(default_factory=list)
    groups: dict[str, TimelineGroup] = field(default_factory=dict)
    total: int = 0

    def add(self, entry: dict, *, keep_all: bool, label: str) -> None:
        self.total += 1
        if keep_all or entry["object"].startswith(INCIDENT_OBJECTS):
            self.entries.append(entry)
            return
        group = self.groups.get(entry["event"])
        if group is None:
            self.groups[entry["event"]] = TimelineGroup(
                entry["event"], label, 1, entry["at"], entry["at"]
            )
        else:
            group.count += 1
            group.last = entry["at"]

    @property
    def grouped(self) -> list[TimelineGroup]:
        return sorted(self.groups.values(), key=lambda g: (g.first, g.event))


def _remembered(function) -> dict[str, str]:
    """`function(action)` remembered per action: the language stays the same while the
    files are written, and the timeline repeats a handful of actions many times."""

    class Remembered(dict):
        def __missing__(self, action: str) -> str:
            value = self[action] = function(action)
            return value

    return Remembered()


def attachments_write(
    folder: Path,
    *,
    header: dict,
    notices: Iterable[dict],
    timeline: Iterable[dict],
    keep_all: bool = False,
) -> tuple[list[AttachedFile], TimelineDigest, list[dict]]:
    """Write the four files into `folder` in one pass over `notices` and one over
    `timeline`. Returns the files, the timeline digest for the PDF and — with `keep_all`
    (a dossier of one customer) — the notice rows themselves, else none."""
    folder = Path(folder)
    files = {
        name: AttachedFile(name, folder / f"{name}.z")
        for name in ("dossier.json", "timeline.csv", "messages.csv", "decisions.csv")
    }
    kept: list[dict] = []
    digest = TimelineDigest()
    labels = _remembered(audit_action_label)
    label_cells = _remembered(lambda action: cell(labels[action]))
    event_cells = _remembered(cell)
    counts = dict.fromkeys(files, 0)
    worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dossier-zlib")
    opened = {name: _Sink(file, worker) for name, file in files.items()}
    try:
        data = opened["dossier.json"]
        head = _JSON({"format_version": FORMAT_VERSION, **header})
        data.write(head[:-1] + ("," if len(head) > 2 else "") + '"notices":[')
        messages = csv.writer(opened["messages.csv"])
        decisions = csv.writer(opened["decisions.csv"])
        messages.writerow(MESSAGE_COLUMNS)
        decisions.writerow(DECISION_COLUMNS)
        for number, notice in enumerate(notices):
            data.write(("\n" if number == 0 else ",\n") + _JSON(notice))
            common = [
                cell(notice["id"]),
                cell(notice["customer"]["id"]),
                cell(notice["customer"]["name"]),
            ]
            for message in notice["messages"]:
                messages.writerow(
                    common
                    + [
                        message.get(c) if c in OWN_MESSAGE_FIELDS else cell(message.get(c))
                        for c in MESSAGE_FIELDS
                    ]
                )
            for decision in notice["decision_history"]:
                decisions.writerow(common + [cell(decision.get(c)) for c in DECISION_ROW])
            counts["dossier.json"] += 1
            counts["messages.csv"] += len(notice["messages"])
            counts["decisions.csv"] += len(notice["decision_history"])
            if keep_all:
                kept.append(notice)
        # The timeline is in timeline.csv only (each entry's detail as JSON in its cell):
        # writing it twice would double the largest part of the data.
        data.write('\n],"timeline":"timeline.csv"}\n')
        events = csv.writer(opened["timeline.csv"])
        events.writerow(TIMELINE_COLUMNS)
        for entry in timeline:
            event = entry["event"]
            digest.add(entry, keep_all=keep_all, label=labels[event])
            # The time, source, role and customer id are the product's own (as in
            # OWN_MESSAGE_FIELDS); the rest goes through `cell` (once per action for its code
            # and label).
            events.writerow(
                [
                    plain(entry["at"]),
                    entry.get("source"),
                    event_cells[event],
                    label_cells[event],
                    cell(entry.get("actor")),
                    entry.get("role"),
                    cell(entry["object"]),
                    entry.get("customer_id"),
                    cell(entry.get("detail")),
                ]
            )
            counts["timeline.csv"] += 1
    finally:
        try:
            for sink in opened.values():
                sink.close()
        finally:
            worker.shutdown()
    for name, file in files.items():
        file.rows = counts[name]
    return list(files.values()), digest, kept
