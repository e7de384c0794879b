"""Database restores of the audit chain (AU-03): after a restore from a backup the chain
ends at an earlier position than anchors already sent out name. Recording the restore
("restored at sequence N", who and when) lets verification report the anchored positions
after N as lost in the restore rather than as tampering."""

from __future__ import annotations

from django.db import transaction

from audits import hashing
from audits.actions import AuditAction
from audits.models import ChainHead, ChainRestore
from audits.services import audit_seal, event_record


def restore_record(*, recorded_by: str, note: str = "") -> ChainRestore:
    """Record that the database was restored and the chain now ends at its current head.
    Run it right after the restore, before new events are sealed."""
    with transaction.atomic():
        head = ChainHead.objects.select_for_update().filter(pk=1).first()
        seq, chain_hash = (head.seq, head.chain_hash) if head else (0, hashing.GENESIS_HASH)
        restore = ChainRestore.objects.create(
            seq=seq, chain_hash=chain_hash, recorded_by=recorded_by[:254], note=note
        )
        event_record(
            actor=recorded_by or None,
            action=AuditAction.AUDIT_DATABASE_RESTORE_RECORDED,
            obj=restore,
            after={"seq": seq, "chain_hash": chain_hash, "recorded_by": recorded_by, "note": note},
        )
    audit_seal()
    return restore
