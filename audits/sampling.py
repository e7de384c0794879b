"""Reproducible samples for the auditor (AU-03): the selection rule and the write that
records a drawn sample with the chain head of that moment.

The rule (`FORMULA`), so anyone can re-derive a sample from its recipe:

    key(id) = SHA-256 of the UTF-8 bytes of f"{seed}|{id}", as 64 lower-case hex digits
    sample  = the `size` population ids with the smallest key, smallest first

`id` is the record's primary key written in decimal (no padding); the seed is used exactly
as typed. Which ids form the population (the records of one kind in a period, limited to
one customer for an auditor engaged by that customer) is decided above this app, which
knows no other app's models: the caller passes the ids in.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable

from django.db import transaction

from audits.actions import AuditAction
from audits.hashing import GENESIS_HASH
from audits.models import AuditSample, ChainHead
from audits.services import event_record

FORMULA = "sha256-utf8(seed|id)-lowest-n-v1"
FORMULA_TEXT = 'SHA-256 of the UTF-8 text f"{seed}|{id}", hex; the n ids with the lowest digest'
MAX_SAMPLE_SIZE = 1000
MAX_SEED_LENGTH = 100


def sample_key(seed: str, member_id: int | str) -> str:
    """The sort key of one population member: hex SHA-256 of UTF-8 `f"{seed}|{id}"`."""
    return hashlib.sha256(f"{seed}|{member_id}".encode()).hexdigest()


def sample_select(ids: Iterable[int], *, seed: str, size: int) -> list[int]:
    """The `size` ids with the lowest `sample_key`, lowest first. Pure: ids in, ids out;
    duplicates count once, and a population smaller than `size` is taken whole."""
    if size < 0:
        raise ValueError("a sample size is at least 0")
    unique = set(ids)
    ranked = sorted(unique, key=lambda member: sample_key(seed, member))
    return ranked[:size]


def chain_head_now() -> tuple[int, str]:
    """(position, hash) of the last sealed event: the genesis hash before any sealing."""
    head = ChainHead.objects.filter(pk=1).values_list("seq", "chain_hash").first()
    return head if head is not None else (0, GENESIS_HASH)


def sample_draw(
    *,
    actor,
    kind: str,
    period_from: datetime.date,
    period_to: datetime.date,
    seed: str,
    size: int,
    population_ids: Iterable[int],
    customer_id: int | None,
) -> AuditSample:
    """Draw and record a sample (AU-03): the members by `sample_select`, the population's
    size, the chain head at this moment and who drew it; the drawing is itself an event
    (`audit.sample_drawn`) carrying the whole recipe and the members."""
    if not seed or len(seed) > MAX_SEED_LENGTH:
        raise ValueError("a seed of 1 to 100 characters is needed")
    if not 1 <= size <= MAX_SAMPLE_SIZE:
        raise ValueError(f"a sample size from 1 to {MAX_SAMPLE_SIZE} is needed")
    if period_to < period_from:
        raise ValueError("the period ends before it starts")
    population = sorted(set(population_ids))
    members = sample_select(population, seed=seed, size=size)
    with transaction.atomic():
        chain_seq, chain_hash = chain_head_now()
        sample = AuditSample.objects.create(
            kind=kind,
            period_from=period_from,
            period_to=period_to,
            seed=seed,
            size=size,
            formula=FORMULA,
            population_size=len(population),
            member_ids=members,
            chain_seq=chain_seq,
            chain_hash=chain_hash,
            customer_id=customer_id,
            drawn_by=actor,
        )
        event_record(
            actor=actor,
            action=AuditAction.AUDIT_SAMPLE_DRAWN,
            obj=sample,
            after={
                "kind": kind,
                "period_from": period_from.isoformat(),
                "period_to": period_to.isoformat(),
                "size": size,
                "seed": seed,
                "formula": FORMULA,
                "population_size": len(population),
                "chain_seq": chain_seq,
                "chain_hash": chain_hash,
                "member_ids": members,
            },
            customer_id=customer_id,
        )
    return sample


def export_record(
    *,
    actor,
    what: str,
    file_format: str,
    rows: int,
    sha256: str,
    selection: dict,
    customer_id: int | None,
) -> None:
    """Record that an auditor's evidence view or a sample was exported (AU-03: the
    auditor is audited): the selection, the rows and the file's SHA-256."""
    action = AuditAction.AUDIT_EVIDENCE_EXPORTED
    if what == "sample":
        action = AuditAction.AUDIT_SAMPLE_EXPORTED
    with transaction.atomic():
        event_record(
            actor=actor,
            action=action,
            after={
                "format": file_format,
                "rows": rows,
                "sha256": sha256,
                "selection": selection,
            },
            customer_id=customer_id,
        )
