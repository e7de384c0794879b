"""Verification of the audit chain (AU-03, BR-02): the walk behind `verify_audit_chain`, the
chain check of the Audit section and evidence bundles (`audits.selectors.chain_verify`).

The walk reads plain rows (`values_list(*hashing.ROW_FIELDS)`, a server-side cursor in
chunks, no model instances) in chain order, and checks each with `hashing.row_payload_ok`
and `hashing.row_content_hash` — the one place the hashes of each format are computed. It
stops at the first break. Held against an anchor (a position and chain hash kept outside the
database, `audits.anchors`), it also checks that the chain still holds the anchored hash at
the anchored position, which catches a rewrite of the whole chain, and tells the events
after the anchor apart: a break there is in the unanchored tail. Positions lost with a
recorded database restore made after the anchor are reported as lost, not as tampering.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audits import hashing
from audits.actions import AuditAction
from audits.models import AuditEvent, ChainAnchor, ChainHead, ChainRestore

# An event still unsealed after this long means the sealer (Celery beat) is not running.
UNSEALED_GRACE = datetime.timedelta(minutes=1)
CHUNK_SIZE = 5000
PROGRESS_EVERY = 10_000
PAYLOAD_ERASED = AuditAction.AUDIT_PAYLOAD_ERASED.value


class Problem:
    CONTENT_CHANGED = "content_changed"
    PAYLOAD_CHANGED = "payload_changed"
    CHAIN_BROKEN = "chain_broken"
    SEQ_GAP = "seq_gap"
    REORDERED = "reordered"
    HEAD_MISMATCH = "head_mismatch"
    ERASURE_UNRECORDED = "erasure_unrecorded"
    UNSEALED = "unsealed"
    ANCHOR_MISMATCH = "anchor_mismatch"
    ANCHOR_MISSING = "anchor_missing"


@dataclass(frozen=True)
class ChainBreak:
    kind: str
    message: str
    event_id: int | None = None
    seq: int | None = None


@dataclass
class AnchorOutcome:
    """How the chain stands against one anchor: `ok` when every event up to the anchored
    position verifies and the chain still holds the anchored hash there (or, after a
    recorded restore, at the restored position); `after` events follow the anchor."""

    seq: int
    chain_hash: str
    anchored_at: datetime.datetime | None = None
    ok: bool = False
    after: int = 0
    found_hash: str | None = None
    restore: ChainRestore | None = None
    lost_first: int | None = None
    lost_last: int | None = None


@dataclass
class ChainVerification:
    """The outcome of walking the chain: `breaks` holds the first break (if any), an anchor
    mismatch, and then any freshness problem (events the sealer should have sealed by now)."""

    count: int = 0
    head_seq: int = 0
    head_hash: str = hashing.GENESIS_HASH
    unsealed_count: int = 0
    breaks: list[ChainBreak] = field(default_factory=list)
    anchor: AnchorOutcome | None = None

    @property
    def ok(self) -> bool:
        return not self.breaks

    @property
    def first_break(self) -> ChainBreak | None:
        return self.breaks[0] if self.breaks else None

    @property
    def tail_breaks(self) -> list[ChainBreak]:
        """Breaks after the anchored position (the unanchored tail)."""
        if self.anchor is None:
            return []
        return [b for b in self.breaks if b.seq is not None and b.seq > self.anchor.seq]

    @property
    def anchored_breaks(self) -> list[ChainBreak]:
        """Breaks at or before the anchored position, or not tied to a position."""
        tail = self.tail_breaks
        return [b for b in self.breaks if b not in tail]


def _sealed_rows():
    return (
        AuditEvent.objects.filter(seq__isnull=False)
        .order_by("seq")
        .values_list(*hashing.ROW_FIELDS)
        .iterator(chunk_size=CHUNK_SIZE)
    )


def _reordered(row: dict) -> ChainBreak | None:
    predecessor = (
        AuditEvent.objects.filter(chain_hash=row["prev_chain_hash"])
        .exclude(pk=row["id"])
        .values("pk", "seq")
        .first()
    )
    if predecessor and predecessor["seq"] is not None and predecessor["seq"] > row["seq"]:
        return ChainBreak(
            Problem.REORDERED,
            _(
                "Events were reordered: this event was sealed after event %(id)s, "
                "which now sits at position %(seq)s."
            )
            % {"id": predecessor["pk"], "seq": predecessor["seq"]},
            row["id"],
            row["seq"],
        )
    return None


def row_check(row: dict, *, expected_seq: int, prev_hash: str) -> ChainBreak | None:
    """The first problem of one sealed row (a dict of ROW_FIELDS) at its place in the chain."""
    if row["seq"] != expected_seq:
        return ChainBreak(
            Problem.SEQ_GAP,
            _("Chain positions %(first)s to %(last)s are missing: events were deleted.")
            % {"first": expected_seq, "last": row["seq"] - 1},
            row["id"],
            expected_seq,
        )
    if row["prev_chain_hash"] != prev_hash:
        return _reordered(row) or ChainBreak(
            Problem.CHAIN_BROKEN,
            _(
                "The link to the previous event does not match: an event before it was removed "
                "or changed."
            ),
            row["id"],
            row["seq"],
        )
    if not hashing.row_payload_ok(row):
        message = (
            _("The payload (before/after) was changed.")
            if row["erased_at"] is None
            else _("The payload was changed after its erasure.")
        )
        return ChainBreak(Problem.PAYLOAD_CHANGED, message, row["id"], row["seq"])
    if hashing.row_content_hash(row) != row["content_hash"]:
        return ChainBreak(
            Problem.CONTENT_CHANGED,
            _("The content of the event was changed."),
            row["id"],
            row["seq"],
        )
    if row["chain_hash"] != hashing.chain_hash(
        prev_chain_hash=prev_hash, content_hash=row["content_hash"]
    ):
        return ChainBreak(
            Problem.CHAIN_BROKEN,
            _("The chain hash of the event was changed."),
            row["id"],
            row["seq"],
        )
    return None


def _walk(result: ChainVerification, marks: set[int], progress, every: int):
    """Walk the sealed rows; returns (chain hashes at the `marks` positions, erased ids)."""
    prev_hash, expected_seq = hashing.GENESIS_HASH, 1
    found: dict[int, str] = {0: hashing.GENESIS_HASH}
    erased: list[int] = []
    fields = hashing.ROW_FIELDS
    for values in _sealed_rows():
        row = dict(zip(fields, values, strict=True))
        problem = row_check(row, expected_seq=expected_seq, prev_hash=prev_hash)
        if problem:
            result.breaks.append(problem)
            break
        if row["erased_at"] is not None:
            erased.append(row["id"])
        prev_hash = row["chain_hash"]
        if expected_seq in marks:
            found[expected_seq] = prev_hash
        expected_seq += 1
        result.count += 1
        if progress is not None and result.count % every == 0:
            progress(result.count)
    result.head_seq, result.head_hash = result.count, prev_hash
    return found, erased


def _head_check(result: ChainVerification) -> None:
    head = ChainHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.chain_hash) if head else (None, None)
    if head_seq is not None and head_seq > result.count:
        result.breaks.append(
            ChainBreak(
                kind=Problem.SEQ_GAP,
                message=_(
                    "Chain positions %(first)s to %(last)s are missing: the last "
                    "events were deleted."
                )
                % {"first": result.count + 1, "last": head_seq},
                seq=result.count + 1,
            )
        )
    elif head is None and result.count:
        result.breaks.append(
            ChainBreak(
                kind=Problem.HEAD_MISMATCH,
                message=_("The chain head is missing."),
                seq=result.count + 1,
            )
        )
    elif head is not None and (head_seq, head_hash) != (result.count, result.head_hash):
        result.breaks.append(
            ChainBreak(
                kind=Problem.HEAD_MISMATCH,
                message=_("The chain head (position %(seq)s) does not match the last sealed event.")
                % {"seq": head_seq},
                seq=max(head_seq, result.count + 1),
            )
        )


def _erasures_check(result: ChainVerification, erased_ids: list[int]) -> None:
    recorded = set(
        AuditEvent.objects.filter(
            action=PAYLOAD_ERASED, object_type="audits.AuditEvent"
        ).values_list("object_id", flat=True)
    )
    missing = [pk for pk in erased_ids if str(pk) not in recorded]
    if missing:
        event = AuditEvent.objects.values("pk", "seq").get(pk=missing[0])
        result.breaks.append(
            ChainBreak(
                kind=Problem.ERASURE_UNRECORDED,
                message=_("The payload was erased without a recorded erasure."),
                event_id=event["pk"],
                seq=event["seq"],
            )
        )


def _unsealed_check(result: ChainVerification, grace: datetime.timedelta) -> None:
    unsealed = AuditEvent.objects.filter(seq__isnull=True)
    result.unsealed_count = unsealed.count()
    stale = unsealed.filter(occurred_at__lt=timezone.now() - grace)
    oldest = stale.order_by("id").values("pk").first()
    if oldest:
        result.breaks.append(
            ChainBreak(
                kind=Problem.UNSEALED,
                message=_(
                    "%(count)s events are still unsealed after %(grace)s seconds: is the "
                    "sealer (Celery beat, audits.tasks.audit_seal) running?"
                )
                % {"count": stale.count(), "grace": int(grace.total_seconds())},
                event_id=oldest["pk"],
            )
        )


def anchored_at_of(seq: int, chain_hash: str) -> datetime.datetime | None:
    """When a stored anchor of this position and hash was made (None: none stored)."""
    return (
        ChainAnchor.objects.filter(seq=seq, chain_hash=chain_hash)
        .order_by("anchored_at")
        .values_list("anchored_at", flat=True)
        .first()
    )


def _restore_for(seq: int, anchored_at) -> ChainRestore | None:
    """The earliest restore to a position before `seq` recorded after the anchor was made."""
    restores = ChainRestore.objects.filter(seq__lt=seq)
    if anchored_at is not None:
        restores = restores.filter(recorded_at__gt=anchored_at)
    return restores.order_by("seq", "recorded_at").first()


def _sealed_after(seq: int) -> int:
    """How many sealed events lie after a position (the tail, whether it verifies or not)."""
    return AuditEvent.objects.filter(seq__gt=seq).count()


def _anchor_check(result: ChainVerification, outcome: AnchorOutcome, found: dict) -> None:
    prefix_intact = not [b for b in result.breaks if b.seq is None or b.seq <= outcome.seq]
    outcome.found_hash = found.get(outcome.seq)
    outcome.after = _sealed_after(outcome.seq)
    restore = outcome.restore
    if restore is not None and found.get(restore.seq) == restore.chain_hash:
        # The anchored positions after the restore point went with the restore.
        outcome.lost_first, outcome.lost_last = restore.seq + 1, outcome.seq
        outcome.ok = not [b for b in result.breaks if b.seq is None or b.seq <= restore.seq]
        outcome.after = _sealed_after(restore.seq)
        return
    outcome.restore = None
    if not prefix_intact:
        return
    if outcome.found_hash is None:
        result.breaks.insert(
            0,
            ChainBreak(
                kind=Problem.ANCHOR_MISSING,
                message=_(
                    "The chain ends at position %(count)s, before the anchored position "
                    "%(seq)s: anchored events were deleted."
                )
                % {"count": result.count, "seq": outcome.seq},
                seq=result.count + 1,
            ),
        )
    elif outcome.found_hash != outcome.chain_hash:
        result.breaks.insert(
            0,
            ChainBreak(
                kind=Problem.ANCHOR_MISMATCH,
                message=_(
                    "At the anchored position %(seq)s the chain no longer holds the anchored "
                    "hash: the chain up to there was rewritten."
                )
                % {"seq": outcome.seq},
                seq=outcome.seq,
            ),
        )
    else:
        outcome.ok = True


def chain_verify(
    *,
    unsealed_grace: datetime.timedelta = UNSEALED_GRACE,
    anchor=None,
    progress: Callable[[int], None] | None = None,
    progress_every: int = PROGRESS_EVERY,
) -> ChainVerification:
    """Walk the sealed events by chain position and report the first break (AU-03, BR-02):
    a changed header or payload, a deleted, inserted or reordered event, or a head that
    does not match the last event. Also reports events left unsealed for too long.

    `anchor` (anything with `seq`, `chain_hash` and optionally `anchored_at`, such as a
    `ChainAnchor` or `audits.anchors.AnchorPoint`) holds the chain against that anchor; see
    `ChainVerification.anchor`. `progress(count)` is called every `progress_every` rows."""
    result = ChainVerification()
    outcome = None
    marks: set[int] = set()
    if anchor is not None:
        anchored_at = getattr(anchor, "anchored_at", None)
        if not isinstance(anchored_at, datetime.datetime):
            anchored_at = anchored_at_of(anchor.seq, anchor.chain_hash)
        outcome = AnchorOutcome(
            seq=anchor.seq, chain_hash=anchor.chain_hash, anchored_at=anchored_at
        )
        outcome.restore = _restore_for(anchor.seq, anchored_at)
        marks = {anchor.seq} | ({outcome.restore.seq} if outcome.restore else set())
    found, erased_ids = _walk(result, marks, progress, progress_every)
    if result.ok:
        _head_check(result)
    if result.ok and erased_ids:
        _erasures_check(result, erased_ids)
    if outcome is not None:
        _anchor_check(result, outcome, found)
        result.anchor = outcome
    _unsealed_check(result, unsealed_grace)
    return result


def newest_anchor() -> ChainAnchor | None:
    return ChainAnchor.objects.order_by("-anchored_at", "-id").first()


def chain_total() -> int:
    """How many sealed events a full check walks (for its progress)."""
    head = ChainHead.objects.filter(pk=1).values_list("seq", flat=True).first()
    return head if head is not None else AuditEvent.objects.filter(~Q(seq=None)).count()
