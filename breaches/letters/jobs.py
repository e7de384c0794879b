"""Letter versions as durable work (BR-06): claimed for a lease, rendered in batches, stored at
most once, and handed out again by the beat sweep when a doorbell was lost or a worker died.

A version (`breaches.models.NoticeLetter`) is written in the transaction that informed the
notice (`breaches.services.notice_letter_queue`), which rings the task after commit. Whoever
renders it first claims it: `claimed_until` and `claimed_by` are set with a conditional
UPDATE (`SELECT … FOR UPDATE SKIP LOCKED` first on PostgreSQL), so of two workers only one
holds a version at a time. The document is stored in a transaction that locks the notices
and the versions and stores only for a version whose `document` is still empty: a worker
whose lease ran out while another took over loses its render, never stores a second letter.
A worker killed before that commit leaves its claim to run out; `notice_letters_sweep` (beat,
every minute) claims versions whose claim ran out or that nobody claimed within
`letter_pickup_seconds()` (a lost doorbell). After `LETTER_MAX_ATTEMPTS` claims a version is
given up (`failed_at`, `notice.letter_failed`).
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from audits.services import events_record
from breaches.letters.issue import letters_render
from breaches.letters.stationery import BATCH_SIZE
from breaches.models import CustomerNotice, NoticeLetter
from compliance.documents import documents_store
from compliance.models import StoredDocument

log = logging.getLogger(__name__)

# Versions per claim: one claim is rendered in batches of BATCH_SIZE by one worker.
CLAIM_SIZE = 100
LETTER_MAX_ATTEMPTS = 5

# Called with the ids of a rendered batch just before it is stored. Tests set it to hold a
# worker in exactly that window (rendered, not yet stored) and kill it there.
before_store_hook: Callable[[list[int]], None] | None = None


def letter_claim_seconds() -> int:
    """How long a claim holds a version; a living worker renews it after every batch."""
    return getattr(settings, "LETTER_CLAIM_SECONDS", 300)


def letter_pickup_seconds() -> int:
    """A version nobody claimed this long after it was asked for (its doorbell lost) is
    taken up by the sweep; before that the doorbell's task is expected to take it."""
    return getattr(settings, "LETTER_PICKUP_SECONDS", 120)


def letter_retry_seconds() -> int:
    """After an error the version waits this long, then the sweep tries again."""
    return getattr(settings, "LETTER_RETRY_SECONDS", 60)


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:60]


OPEN = Q(document__isnull=True, failed_at__isnull=True)


def _claimable(now) -> Q:
    return OPEN & (Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))


def _forgotten(now) -> Q:
    """Open versions the sweep takes up: a claim (or a retry wait) that ran out, or never
    claimed long after they were asked for."""
    pickup = now - timedelta(seconds=letter_pickup_seconds())
    return OPEN & (
        Q(claimed_until__isnull=True, requested_at__lte=pickup) | Q(claimed_until__lte=now)
    )


@dataclass
class Claim:
    token: str
    ids: list[int] = field(default_factory=list)


def _event(version: NoticeLetter, action: str, **after) -> dict:
    return {
        "actor": None,
        "action": action,
        "obj": version.notice,
        "customer_id": version.notice.customer_id,
        "after": {"version": version.version, **after},
    }


def _give_up(candidates) -> None:
    """Inside the claim's transaction: versions claimed LETTER_MAX_ATTEMPTS times without a
    letter (a letter that fails, or kills its worker, every time) are given up."""
    spent = list(
        candidates.filter(attempts__gte=LETTER_MAX_ATTEMPTS).select_related("notice")[:CLAIM_SIZE]
    )
    if not spent:
        return
    now = timezone.now()
    for version in spent:
        version.failed_at = now
        version.claimed_until = None
        version.error = f"Not rendered after {version.attempts} attempts. {version.error}".strip()[
            :4000
        ]
    NoticeLetter.objects.bulk_update(spent, ["failed_at", "claimed_until", "error"])
    events_record(
        [_event(v, "notice.letter_failed", attempts=v.attempts, error=v.error) for v in spent]
    )
    log.error("letters given up: %s", [v.pk for v in spent])


def letters_claim(
    *, ids: Sequence[int] | None = None, worker: str | None = None, limit: int = CLAIM_SIZE
) -> Claim:
    """Take a lease on open versions: the given ones that nobody holds (the doorbell), or,
    without ids, the ones the sweep takes up (`_forgotten`). A claim is a lease, not a
    record of anything that happened, so it is not audited."""
    now = timezone.now()
    claim = Claim(token=f"{worker or _worker_name()}:{uuid.uuid4().hex[:12]}")
    due = _claimable(now) if ids is not None else _forgotten(now)
    candidates = NoticeLetter.objects.filter(due)
    if ids is not None:
        candidates = candidates.filter(pk__in=list(ids))
    lease = {
        "claimed_until": now + timedelta(seconds=letter_claim_seconds()),
        "claimed_by": claim.token,
        "attempts": F("attempts") + 1,
    }
    with transaction.atomic():
        _give_up(candidates)
        candidates = candidates.filter(attempts__lt=LETTER_MAX_ATTEMPTS).order_by(
            "requested_at", "pk"
        )
        if connection.features.has_select_for_update_skip_locked:
            # PostgreSQL: versions another worker is claiming right now are skipped.
            picked = list(
                candidates.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit]
            )
            if picked:
                NoticeLetter.objects.filter(pk__in=picked).update(**lease)
            claim.ids = picked
        else:
            # SQLite: the UPDATE repeats the condition, so of two workers that picked the
            # same candidates only one gets each version; the token tells which are ours.
            picked = list(candidates.values_list("pk", flat=True)[:limit])
            if picked:
                NoticeLetter.objects.filter(due, pk__in=picked).update(**lease)
                claim.ids = list(
                    NoticeLetter.objects.filter(claimed_by=claim.token).values_list("pk", flat=True)
                )
    return claim


def _store(*, versions: list[NoticeLetter], documents: list[StoredDocument]):
    """Store the rendered letters of versions that have none yet, point each notice at its
    highest rendered version, and record the events; one transaction."""
    with transaction.atomic():
        notices = {
            n.pk: n
            for n in CustomerNotice.objects.select_for_update(of=("self",))
            .filter(pk__in=sorted({v.notice_id for v in versions}))
            .order_by("pk")
        }
        still_open = set(
            NoticeLetter.objects.select_for_update()
            .filter(pk__in=[v.pk for v in versions], document__isnull=True)
            .values_list("pk", flat=True)
        )
        pairs = [(v, d) for v, d in zip(versions, documents, strict=True) if v.pk in still_open]
        if not pairs:
            return []
        stored = documents_store(documents=[d for _v, d in pairs])
        for version, document in pairs:
            version.document = document
            version.claimed_until = None
            version.failed_at = None
            version.error = ""
        NoticeLetter.objects.bulk_update(
            [v for v, _d in pairs], ["document", "claimed_until", "failed_at", "error"]
        )
        current: dict[int, int] = {}
        for notice_id, document_id in (
            NoticeLetter.objects.filter(notice_id__in=notices, document__isnull=False)
            .order_by("notice_id", "version")
            .values_list("notice_id", "document_id")
        ):
            current[notice_id] = document_id  # the highest version comes last
        changed = [n for n in notices.values() if n.letter_id != current.get(n.pk)]
        for notice in changed:
            notice.letter_id = current.get(notice.pk)
        if changed:
            bulk_update_with_history(changed, CustomerNotice, ["letter"])
        events_record(
            [
                _event(
                    version,
                    "notice.letter_stored",
                    document=str(document.uuid),
                    sha256=document.sha256,
                    informed_at=version.informed_at.isoformat() if version.informed_at else None,
                    authority_due_at=(
                        version.authority_due_at.isoformat() if version.authority_due_at else None
                    ),
                )
                for version, document in pairs
            ]
        )
    return stored


def _renew(claim: Claim) -> None:
    NoticeLetter.objects.filter(claimed_by=claim.token, document__isnull=True).update(
        claimed_until=timezone.now() + timedelta(seconds=letter_claim_seconds())
    )


def _attempt_failed(claim: Claim, versions: Sequence[NoticeLetter], exc: Exception) -> None:
    error = f"{type(exc).__name__}: {exc}".strip()[:4000]
    NoticeLetter.objects.filter(
        pk__in=[v.pk for v in versions], claimed_by=claim.token, document__isnull=True
    ).update(error=error, claimed_until=timezone.now() + timedelta(seconds=letter_retry_seconds()))


def _render_and_store(claim: Claim, versions: list[NoticeLetter], batch_size: int):
    stored: list[StoredDocument] = []
    for batch, documents in letters_render(versions=versions, batch_size=batch_size):
        if before_store_hook is not None:
            before_store_hook([v.pk for v in batch])
        stored.extend(_store(versions=batch, documents=documents))
        _renew(claim)
    return stored


def letters_claimed_render(*, claim: Claim, batch_size: int = BATCH_SIZE) -> list[StoredDocument]:
    """Render and store the letters of the claimed versions (BR-06). An error leaves the
    versions open with the reason for the sweep to try again after `letter_retry_seconds()`;
    when a batch fails, its versions are tried one by one, so one bad letter does not hold
    back the others."""
    versions = list(
        NoticeLetter.objects.filter(OPEN, pk__in=claim.ids, claimed_by=claim.token)
        .select_related("notice__incident", "notice__customer")
        .order_by("pk")
    )
    if not versions:
        return []
    try:
        return _render_and_store(claim, versions, batch_size)
    except Exception as exc:  # noqa: BLE001 - recorded on the versions, tried again later
        log.exception("letters %s failed", [v.pk for v in versions])
        if len(versions) == 1:
            _attempt_failed(claim, versions, exc)
            return []
    stored: list[StoredDocument] = []
    for version in NoticeLetter.objects.filter(
        OPEN, pk__in=claim.ids, claimed_by=claim.token
    ).select_related("notice__incident", "notice__customer"):
        try:
            stored.extend(_render_and_store(claim, [version], 1))
        except Exception as exc:  # noqa: BLE001 - as above, for this one letter
            log.exception("letter %s failed", version.pk)
            _attempt_failed(claim, [version], exc)
    return stored


def letter_versions_render(
    *, ids: Sequence[int], worker: str | None = None, batch_size: int = BATCH_SIZE
) -> list[StoredDocument]:
    """The doorbell's work: render the given open versions that nobody holds (BR-06)."""
    stored: list[StoredDocument] = []
    remaining = list(ids)
    while remaining:
        chunk, remaining = remaining[:CLAIM_SIZE], remaining[CLAIM_SIZE:]
        claim = letters_claim(ids=chunk, worker=worker)
        stored.extend(letters_claimed_render(claim=claim, batch_size=batch_size))
    return stored


def notice_letters_render(
    *, notice_ids: Sequence[int], batch_size: int = BATCH_SIZE
) -> list[StoredDocument]:
    """Render and store now the open letter versions of these notices (BR-06); a notice
    without an open version gets none (`breaches.services.notice_letter_queue` asks for
    them). Returns the documents stored."""
    ids = list(
        NoticeLetter.objects.filter(OPEN, notice_id__in=list(notice_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return letter_versions_render(ids=ids, batch_size=batch_size)


@dataclass
class LetterSweepResult:
    claimed: int = 0
    stored: int = 0


def notice_letters_sweep(
    *, worker: str | None = None, max_seconds: float | None = None, batch_size: int = BATCH_SIZE
) -> LetterSweepResult:
    """OBL BR-06: take up every open version whose claim ran out (a dead worker, an error's
    wait) or that nobody claimed (a lost doorbell), claim by claim, and render it; beat
    runs it every minute. Claims make a version taken up twice render once."""
    budget = (
        max_seconds if max_seconds is not None else getattr(settings, "LETTER_SWEEP_SECONDS", 50)
    )
    result = LetterSweepResult()
    started = time.monotonic()
    while time.monotonic() - started < budget:
        claim = letters_claim(worker=worker)
        if not claim.ids:
            break
        result.claimed += len(claim.ids)
        result.stored += len(letters_claimed_render(claim=claim, batch_size=batch_size))
    return result
