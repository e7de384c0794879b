"""Anchoring the chain outside the database (AU-03).

An anchor is a signed statement of the chain head: the position and chain hash of the last
sealed event, when, which seal signed it (the SHA-256 fingerprint of its certificate) and
which installation. It is stored here and sent out by `compliance.anchoring` to addresses
outside the administrators' control; whoever holds an anchor can later check that the chain
still ends in the anchored hash at the anchored position (`verify_audit_chain --against`),
so a rewrite of the whole chain by someone who controls the database shows.

The statement is canonical JSON (`hashing.canonical_json`): the bytes signed are the bytes
stored and sent, so a holder checks the signature over exactly what it received.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audits import hashing
from audits.actions import AuditAction
from audits.models import AnchorReason, ChainAnchor, ChainHead
from audits.seal import seal, signature_valid
from audits.services import audit_seal, event_record

STATEMENT_TYPE = "audit-chain-anchor"
STATEMENT_VERSION = 1


def instance_name() -> str:
    """Which installation an anchor is of: its public address."""
    return getattr(settings, "AUDIT_ANCHOR_INSTANCE", "") or settings.SITE_URL


def statement_build(*, seq: int, chain_hash: str, anchored_at, fingerprint: str, reason: str):
    return hashing.canonical_json(
        {
            "type": STATEMENT_TYPE,
            "v": STATEMENT_VERSION,
            "seq": seq,
            "chain_hash": chain_hash,
            "anchored_at": hashing.canonical_time(anchored_at),
            "certificate_sha256": fingerprint,
            "instance": instance_name(),
            "reason": reason,
        }
    )


def anchor_make(*, reason: str = AnchorReason.DAILY, actor=None) -> ChainAnchor:
    """Seal what is committed, sign the chain head with the processor's seal and store the
    anchor (with its audit event); sending it out is the caller's (compliance) part."""
    audit_seal()
    processor_seal = seal()
    with transaction.atomic():
        # The head row lock: the anchored head is one the sealer finished, never half a batch.
        head = ChainHead.objects.select_for_update().filter(pk=1).first()
        seq, chain_hash = (head.seq, head.chain_hash) if head else (0, hashing.GENESIS_HASH)
        anchored_at = timezone.now()
        statement = statement_build(
            seq=seq,
            chain_hash=chain_hash,
            anchored_at=anchored_at,
            fingerprint=processor_seal.fingerprint,
            reason=str(reason),
        )
        anchor = ChainAnchor.objects.create(
            seq=seq,
            chain_hash=chain_hash,
            anchored_at=anchored_at,
            reason=reason,
            statement=statement.decode("utf-8"),
            signature=processor_seal.sign_b64(statement),
            certificate_sha256=processor_seal.fingerprint,
        )
        event_record(
            actor=actor,
            action=AuditAction.AUDIT_CHAIN_ANCHORED,
            obj=anchor,
            after={
                "seq": seq,
                "chain_hash": chain_hash,
                "reason": str(reason),
                "certificate_sha256": processor_seal.fingerprint,
            },
        )
    return anchor


def anchor_digest(anchor: ChainAnchor) -> str:
    """The short form people copy from the mail: "SEQ:HASH"."""
    return f"{anchor.seq}:{anchor.chain_hash}"


def anchor_document(anchor: ChainAnchor) -> dict:
    """What is sent out (the webhook's JSON, the file attached to a bundle): the signed
    statement exactly as signed, the signature and the certificate to check it with."""
    return {
        "digest": anchor_digest(anchor),
        "statement": anchor.statement,
        "signature": anchor.signature,
        "certificate_sha256": anchor.certificate_sha256,
        "certificate_pem": seal().certificate_pem.decode("ascii"),
    }


def anchor_signature_ok(anchor: ChainAnchor) -> bool:
    """Whether the stored statement still carries the seal's signature."""
    processor_seal = seal()
    if processor_seal.fingerprint != anchor.certificate_sha256:
        return False
    return signature_valid(
        processor_seal.certificate,
        anchor.statement.encode("utf-8"),
        base64.b64decode(anchor.signature),
    )


@dataclass(frozen=True)
class AnchorPoint:
    """A position and chain hash a verification is held against."""

    seq: int
    chain_hash: str
    anchored_at: object = None
    source: str = ""


class AnchorUnreadable(ValueError):
    pass


def anchor_parse(text: str) -> AnchorPoint:
    """An anchor as given by a person: "SEQ:HASH" as in the mail, or the path of a saved
    statement (the statement's JSON, or the sent document holding it)."""
    text = text.strip()
    seq_text, sep, chain_hash = text.partition(":")
    if sep and seq_text.isdigit() and len(chain_hash) == 64:
        try:
            int(chain_hash, 16)
        except ValueError:
            pass
        else:
            return AnchorPoint(seq=int(seq_text), chain_hash=chain_hash.lower(), source=text)
    path = Path(text)
    if not path.is_file():
        raise AnchorUnreadable(f"{text!r} is neither SEQ:HASH nor a saved anchor statement")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(document.get("statement"), str):
            document = json.loads(document["statement"])
        seq, chain_hash = int(document["seq"]), str(document["chain_hash"]).lower()
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise AnchorUnreadable(f"{text}: not an anchor statement ({exc})") from exc
    return AnchorPoint(
        seq=seq, chain_hash=chain_hash, anchored_at=document.get("anchored_at"), source=text
    )
