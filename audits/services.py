"""Writes to the audit trail: record (append), seal (link into the chain), erase a payload.

Writers never touch the chain head, so a sign-in does not wait behind a 10,000-customer
fan-out; the sealer holds the head lock only while it numbers one batch (AU-03).
"""

import logging

from django.db import models, transaction
from django.utils import timezone

from audits import hashing
from audits.actions import RECORDABLE, AuditAction
from audits.middleware import current_request_id
from audits.models import AuditEvent, ChainHead

logger = logging.getLogger(__name__)

SEAL_BATCH_SIZE = 1000
PAYLOAD_ERASED = AuditAction.AUDIT_PAYLOAD_ERASED.value


class ChainHeadMissing(RuntimeError):
    """Sealed events exist but the chain head row is gone: the trail was tampered with."""


def _actor_fields(actor) -> tuple[int | None, str, str]:
    """(user id, label, role) for a user, the SYSTEM actor, a label string or None."""
    user_id = getattr(actor, "pk", None)
    if user_id is not None:
        label = getattr(actor, "email", "") or str(actor)
        return user_id, label, getattr(actor, "role", "") or ""
    if actor is None or isinstance(actor, str):
        return None, actor or "system", "system"
    return None, str(actor) or "system", getattr(actor, "role", "") or "system"


def _event_build(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    before: dict | None = None,
    after: dict | None = None,
    customer_id: int | None = None,
    request_id: str | None = None,
) -> AuditEvent:
    action_check(action)
    action = str(action)  # an AuditAction member is stored as its plain value
    actor_id, actor_label, role = _actor_fields(actor)
    before = hashing.normalise_payload(before)
    after = hashing.normalise_payload(after)
    event = AuditEvent(
        occurred_at=timezone.now(),
        actor_id=actor_id,
        actor_label=actor_label[:254],
        role=role[:30],
        action=action,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        customer_id=customer_id,
        request_id=request_id if request_id is not None else (current_request_id() or ""),
        before=before,
        after=after,
        hash_format=hashing.CURRENT_FORMAT,
        salt=hashing.new_salt(),
        personal=hashing.personal_paths(before=before, after=after, actor_id=actor_id),
    )
    event.payload_hash = event.compute_payload_hash()
    event.content_hash = event.compute_content_hash()
    return event


def action_check(action: str) -> None:
    """Refuse an action that is not in `audits.actions.AuditAction`: a new action is
    listed there first, with its label."""
    if action not in RECORDABLE:
        raise ValueError(
            f"unknown audit action {action!r}: add it to audits.actions.AuditAction first"
        )


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_record must run inside the transaction of the change it records")


def event_record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    before: dict | None = None,
    after: dict | None = None,
    customer_id: int | None = None,
    request_id: str | None = None,
) -> AuditEvent:
    """Record one audit event inside the caller's transaction (BR-02, AU-03).

    Only an INSERT: the content and payload hashes are computed here, the chain link is
    added by `audit_seal` once the caller's transaction has committed.
    """
    _require_transaction()
    event = _event_build(
        actor=actor,
        action=action,
        obj=obj,
        before=before,
        after=after,
        customer_id=customer_id,
        request_id=request_id,
    )
    event.save(force_insert=True)
    return event


def events_record(events: list[dict]) -> list[AuditEvent]:
    """Record many audit events in one INSERT inside the caller's transaction (AU-03).

    Each dict holds `event_record`'s arguments; the events are sealed in this order.
    """
    _require_transaction()
    built = [_event_build(**spec) for spec in events]
    if built:
        AuditEvent.objects.bulk_create(built)
    return built


def _chain_head_for_update() -> ChainHead:
    head = ChainHead.objects.select_for_update().filter(pk=1).first()
    if head is not None:
        return head
    if AuditEvent.objects.filter(seq__isnull=False).exists():
        raise ChainHeadMissing("the audit chain head is missing; run manage.py verify_audit_chain")
    ChainHead.objects.get_or_create(pk=1)
    return ChainHead.objects.select_for_update().get(pk=1)


def _seal_batch(batch_size: int) -> int:
    with transaction.atomic():
        head = _chain_head_for_update()
        # Under READ COMMITTED this sees only committed events; one still in flight with a
        # lower id is simply sealed by a later pass, so seal order is chain order.
        events = list(
            AuditEvent.objects.filter(seq__isnull=True)
            .order_by("id")
            .only("id", "content_hash")[:batch_size]
        )
        if not events:
            return 0
        seq, prev = head.seq, head.chain_hash
        for event in events:
            seq += 1
            event.seq = seq
            event.prev_chain_hash = prev
            event.chain_hash = hashing.chain_hash(
                prev_chain_hash=prev, content_hash=event.content_hash
            )
            prev = event.chain_hash
        AuditEvent.objects.bulk_update(events, ["seq", "prev_chain_hash", "chain_hash"])
        head.seq, head.chain_hash, head.sealed_at = seq, prev, timezone.now()
        head.save(update_fields=["seq", "chain_hash", "sealed_at"])
        return len(events)


def audit_seal(*, batch_size: int = SEAL_BATCH_SIZE) -> int:
    """Link every committed, unsealed event into the hash chain, in id order (AU-03).

    Each batch is its own short transaction holding the chain-head lock, so concurrent
    sealers (beat tick and an in-process call) take turns and never fork the chain.
    Returns the number of events sealed.
    """
    sealed = 0
    while True:
        count = _seal_batch(batch_size)
        sealed += count
        if count < batch_size:
            break
    if sealed:
        logger.debug("sealed %d audit events", sealed)
    return sealed


def _erase_row(event: AuditEvent, now) -> AuditEvent:
    for name, value in hashing.erased_values(event.as_row()).items():
        setattr(event, name, value)
    event.erased_at = now
    return event


ERASED_COLUMNS = ["before", "after", "actor_label", "salt", "erased_at"]


def event_payload_erase(*, event: AuditEvent, actor, reason: str) -> AuditEvent:
    """Erase the personal data of an event at the end of its retention (AU-03).

    Format 2: each personal field (and the actor's label) is replaced by a marker holding
    its digest and the salt is cleared; the kept fields stay. Format 1: before/after become
    the tombstone (the label in the header cannot be erased). The hashes stay, so the chain
    still verifies. The erasure itself is recorded as an event. Erasing twice is a no-op.
    """
    with transaction.atomic():
        event = AuditEvent.objects.select_for_update().get(pk=event.pk)
        if event.erased_at is not None:
            return event
        _erase_row(event, timezone.now())
        event.save(update_fields=ERASED_COLUMNS)
        event_record(
            actor=actor,
            action=PAYLOAD_ERASED,
            obj=event,
            after={"reason": reason, "erased_event_seq": event.seq},
            customer_id=event.customer_id,
        )
    return event


def events_payload_erase(*, ids, actor, reason: str) -> int:
    """`event_payload_erase` for many events in one transaction (the retention sweep's
    batch): one UPDATE, and one recorded erasure per event. Returns how many it erased."""
    with transaction.atomic():
        events = list(
            AuditEvent.objects.select_for_update()
            .filter(pk__in=list(ids), erased_at__isnull=True)
            .order_by("id")
        )
        if not events:
            return 0
        now = timezone.now()
        for event in events:
            _erase_row(event, now)
        AuditEvent.objects.bulk_update(events, ERASED_COLUMNS)
        events_record(
            [
                {
                    "actor": actor,
                    "action": PAYLOAD_ERASED,
                    "obj": event,
                    "after": {"reason": reason, "erased_event_seq": event.seq},
                    "customer_id": event.customer_id,
                }
                for event in events
            ]
        )
    return len(events)
