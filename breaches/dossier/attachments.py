"""The dossier's machine-readable files (AU-03, BR-02): `dossier.json`, `timeline.csv`,
`messages.csv` and `decisions.csv`, written row by row into files in a temporary folder
(never one string in memory), with each file's rows, size and SHA-256 for the PDF's list
of attachments. While the timeline passes by, what the PDF shows of it is kept: the
incident's own entries one by one, and the entries about single customers (their notices,
messages and letters) counted per kind with their first and last moment, so the PDF does
not grow with the number of customers.

The files keep codes (actions, states) as stored: they are for machines; `event_label`
beside `event` gives the people words in the reader's language.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterable
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
DECISION_COLUMNS = ("notice_id", "customer_id", "customer", "revision", "recorded_at", "by")
DECISION_COLUMNS += DECISION_FIELDS
# The incident's own entries, shown one by one in the PDF; all others are counted per kind.
INCIDENT_OBJECTS = ("breaches.Incident:", "breaches.IncidentUpdate:")
BUFFER = 1 << 16


@dataclass
class AttachedFile:
    name: str
    path: Path
    rows: int = 0
    size: int = 0
    sha256: str = ""


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

    def add(self, entry: dict, *, keep_all: bool) -> None:
        self.total += 1
        if keep_all or str(entry["object"]).startswith(INCIDENT_OBJECTS):
            self.entries.append(entry)
            return
        group = self.groups.get(entry["event"])
        if group is None:
            label = audit_action_label(entry["event"])
            self.groups[entry["event"]] = TimelineGroup(
                entry["event"], label, 1, entry["at"], entry["at"]
            )
        else:
            group.count += 1
            group.last = entry["at"]

    @property
    def grouped(self) -> list[TimelineGroup]:
        return sorted(self.groups.values(), key=lambda g: (g.first, g.event))


def _finish(file: AttachedFile) -> AttachedFile:
    digest = hashlib.sha256()
    with file.path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    file.sha256 = digest.hexdigest()
    file.size = file.path.stat().st_size
    return file


def _json(value) -> str:
    return json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=plain
    )


def _entry_plain(entry: dict) -> dict:
    return {**entry, "at": plain(entry["at"])}


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
        name: AttachedFile(name, folder / name)
        for name in ("dossier.json", "timeline.csv", "messages.csv", "decisions.csv")
    }
    kept: list[dict] = []
    digest = TimelineDigest()
    opened = {
        name: file.path.open("w", encoding="utf-8", newline="", buffering=BUFFER)
        for name, file in files.items()
    }
    try:
        data = opened["dossier.json"]
        head = _json({"format_version": FORMAT_VERSION, **header})
        data.write(head[:-1] + ("," if len(head) > 2 else "") + '"notices":[')
        messages = csv.writer(opened["messages.csv"])
        decisions = csv.writer(opened["decisions.csv"])
        messages.writerow(MESSAGE_COLUMNS)
        decisions.writerow(DECISION_COLUMNS)
        for number, notice in enumerate(notices):
            data.write(("\n" if number == 0 else ",\n") + _json(notice))
            files["dossier.json"].rows += 1
            common = {
                "notice_id": notice["id"],
                "customer_id": notice["customer"]["id"],
                "customer": notice["customer"]["name"],
            }
            for message in notice["messages"]:
                row = {**common, **message}
                messages.writerow([cell(row.get(c)) for c in MESSAGE_COLUMNS])
                files["messages.csv"].rows += 1
            for decision in notice["decision_history"]:
                row = {**common, **decision}
                decisions.writerow([cell(row.get(c)) for c in DECISION_COLUMNS])
                files["decisions.csv"].rows += 1
            if keep_all:
                kept.append(notice)
        # The timeline is in timeline.csv only (each entry's detail as JSON in its cell):
        # writing it twice would double the largest part of the data.
        data.write('\n],"timeline":"timeline.csv"}\n')
        events = csv.writer(opened["timeline.csv"])
        events.writerow(TIMELINE_COLUMNS)
        for entry in timeline:
            digest.add(entry, keep_all=keep_all)
            row = _entry_plain(entry)
            row["event_label"] = audit_action_label(row["event"])
            events.writerow([cell(row.get(c)) for c in TIMELINE_COLUMNS])
            files["timeline.csv"].rows += 1
    finally:
        for handle in opened.values():
            handle.close()
    return [_finish(file) for file in files.values()], digest, kept
