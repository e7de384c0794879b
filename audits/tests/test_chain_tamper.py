"""Tamper test of the anchored audit chain (AU-03): 1,000 random mutations made directly in
the database, each in a savepoint rolled back after its verification."""

import random

import pytest
from django.db import connection, transaction

from audits import hashing
from audits.anchors import AnchorPoint, anchor_make
from audits.models import AuditEvent, ChainHead
from audits.services import audit_seal
from audits.tests.conftest import record_events
from audits.verification import chain_verify

pytestmark = pytest.mark.django_db

EVENTS = 300
ANCHORED = 200
MUTATIONS = 1000
SEED = 14
HEADER_COLUMNS = ["action", "actor_label", "object_id", "request_id", "role", "object_type"]
HASH_COLUMNS = ["payload_hash", "content_hash", "chain_hash", "prev_chain_hash"]
KINDS = ["header", "time", "payload", "hash", "delete", "swap", "insert", "rewrite"]


@pytest.fixture(autouse=True)
def _seal_files(settings, tmp_path):
    settings.EVIDENCE_SEAL_KEY_FILE = str(tmp_path / "seal" / "key.pem")
    settings.EVIDENCE_SEAL_CERT_FILE = str(tmp_path / "seal" / "certificate.pem")


def _sql(cursor, sql, params=()):
    cursor.execute(sql, params)


def _rows() -> list[dict]:
    return [
        dict(zip(hashing.ROW_FIELDS, values, strict=True))
        for values in AuditEvent.objects.filter(seq__isnull=False)
        .order_by("seq")
        .values_list(*hashing.ROW_FIELDS)
    ]


def _json(value) -> str:
    return hashing.canonical_json(value).decode()


def _json_param() -> str:
    return "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"


def _reseq(cursor, first: int, shift: int) -> None:
    """Move every position from `first` on by `shift`, through negatives (unique seq)."""
    _sql(cursor, "UPDATE audits_auditevent SET seq = -(seq + %s) WHERE seq >= %s", [shift, first])
    _sql(cursor, "UPDATE audits_auditevent SET seq = -seq WHERE seq < 0")


def _rewrite_from(cursor, rows: list[dict], start: int) -> None:
    """Recompute every hash from position `start` on consistently, head included: what
    someone who controls the database and knows the hash rules can do."""
    prev = rows[start - 2]["chain_hash"] if start > 1 else hashing.GENESIS_HASH
    for row in rows[start - 1 :]:
        content = hashing.row_content_hash(row)
        chain = hashing.chain_hash(prev_chain_hash=prev, content_hash=content)
        _sql(
            cursor,
            "UPDATE audits_auditevent SET content_hash = %s, prev_chain_hash = %s,"
            " chain_hash = %s WHERE id = %s",
            [content, prev, chain, row["id"]],
        )
        prev = chain
    _sql(cursor, f"UPDATE {ChainHead._meta.db_table} SET chain_hash = %s", [prev])


def _mutate(kind: str, rng: random.Random, rows: list[dict]) -> tuple[int, bool]:
    """Apply one mutation; (the first position it touches, whether it keeps every hash
    consistent — then only the anchor can tell)."""
    p = rng.randint(1, len(rows))
    row = rows[p - 1]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _sql(cursor, "SET LOCAL session_replication_role = replica")
        if kind == "header":
            column = rng.choice(HEADER_COLUMNS)
            _sql(
                cursor,
                f"UPDATE audits_auditevent SET {column} = %s WHERE id = %s",
                ["x", row["id"]],
            )
        elif kind == "time":
            _sql(
                cursor,
                "UPDATE audits_auditevent SET occurred_at = %s WHERE id = %s",
                [row["occurred_at"].replace(year=2020), row["id"]],
            )
        elif kind == "payload":
            after = {**(row["after"] or {}), "count": rng.randint(1000, 9999)}
            _sql(
                cursor,
                f"UPDATE audits_auditevent SET after = {_json_param()} WHERE id = %s",
                [_json(after), row["id"]],
            )
        elif kind == "hash":
            column = rng.choice(HASH_COLUMNS)
            forged = f"{rng.getrandbits(256):064x}"
            _sql(
                cursor,
                f"UPDATE audits_auditevent SET {column} = %s WHERE id = %s",
                [forged, row["id"]],
            )
        elif kind == "delete":
            _sql(cursor, "DELETE FROM audits_auditevent WHERE id = %s", [row["id"]])
        elif kind == "swap":
            q = rng.choice([n for n in range(1, len(rows) + 1) if n != p])
            other = rows[q - 1]
            _sql(cursor, "UPDATE audits_auditevent SET seq = -1 WHERE id = %s", [row["id"]])
            _sql(cursor, "UPDATE audits_auditevent SET seq = %s WHERE id = %s", [p, other["id"]])
            _sql(cursor, "UPDATE audits_auditevent SET seq = %s WHERE id = %s", [q, row["id"]])
            p = min(p, q)
        elif kind == "insert":
            p = rng.randint(1, len(rows) + 1)
            _forged_insert(cursor, rows, p)
        elif kind == "rewrite":
            _sql(
                cursor,
                "UPDATE audits_auditevent SET request_id = %s WHERE id = %s",
                ["rewritten", row["id"]],
            )
            rows = [dict(r) for r in rows]
            rows[p - 1]["request_id"] = "rewritten"
            _rewrite_from(cursor, rows, p)
            return p, True
    return p, False


def _forged_insert(cursor, rows: list[dict], p: int) -> None:
    """A forged event at position p, with hashes consistent with its predecessor; the events
    from p on move one position up."""
    model = rows[max(p - 2, 0)]
    prev = rows[p - 2]["chain_hash"] if p > 1 else hashing.GENESIS_HASH
    forged = {**model, "request_id": "forged", "seq": p, "prev_chain_hash": prev}
    forged["content_hash"] = hashing.row_content_hash(forged)
    forged["chain_hash"] = hashing.chain_hash(
        prev_chain_hash=prev, content_hash=forged["content_hash"]
    )
    _reseq(cursor, p, 1)
    columns = [f for f in hashing.ROW_FIELDS if f != "id"]
    values = []
    for name in columns:
        value = forged[name]
        values.append(_json(value) if name in ("before", "after", "personal") else value)
    marks = ", ".join(
        _json_param() if n in ("before", "after", "personal") else "%s" for n in columns
    )
    _sql(cursor, f"INSERT INTO audits_auditevent ({', '.join(columns)}) VALUES ({marks})", values)


def _build_chain() -> AnchorPoint:
    record_events(ANCHORED)
    anchor = anchor_make()
    assert anchor.seq == ANCHORED
    record_events(EVENTS - ANCHORED - 1)  # the anchor's own event is one of them
    audit_seal()
    assert AuditEvent.objects.filter(seq__isnull=False).count() == EVENTS
    return AnchorPoint(anchor.seq, anchor.chain_hash, anchor.anchored_at)


def test_every_anchored_mutation_is_detected_and_the_tail_reported_as_tail():
    """OBL AU-03: 1,000 random mutations directly in the database (changed header, time,
    payload or hash; deleted, reordered or inserted events; whole-chain rewrites checked
    against the anchored digest) — every mutation at or before the anchor is detected, the
    untouched chain raises no alarm, and mutations only after the anchor are reported as the
    unanchored tail."""
    anchor = _build_chain()
    rows = _rows()
    clean = chain_verify(anchor=anchor)
    assert clean.ok and clean.anchor.ok and clean.anchor.after == EVENTS - ANCHORED

    rng = random.Random(SEED)
    seen = {kind: 0 for kind in KINDS}
    for n in range(MUTATIONS):
        kind = KINDS[n % len(KINDS)] if n < len(KINDS) else rng.choice(KINDS)
        seen[kind] += 1
        with transaction.atomic():
            position, consistent = _mutate(kind, rng, rows)
            result = chain_verify(anchor=anchor)
            transaction.set_rollback(True)
        where = f"mutation {n} ({kind} at position {position})"
        if position <= ANCHORED:
            assert not result.anchor.ok, where
            assert result.anchored_breaks, where
            if kind in ("header", "time", "payload", "hash"):
                assert result.first_break.seq == position, where
        else:
            assert result.anchor.ok, where
            assert not result.anchored_breaks, where
            assert result.anchor.after >= EVENTS - ANCHORED - 1, where  # one deleted
            if not consistent:
                assert result.tail_breaks, where
                assert min(b.seq for b in result.tail_breaks) >= position, where

    assert all(seen.values()), seen
    after = chain_verify(anchor=anchor)
    assert after.ok and after.anchor.ok


def test_whole_chain_rewrite_verifies_on_its_own_but_not_against_the_anchor():
    """OBL AU-03: a consistent rewrite of the whole chain passes a check of the chain alone;
    only the anchored digest kept outside the database shows it."""
    anchor = _build_chain()
    rows = _rows()
    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                _sql(cursor, "SET LOCAL session_replication_role = replica")
            _sql(cursor, "UPDATE audits_auditevent SET request_id = 'rewritten' WHERE seq = 1")
            rows[0]["request_id"] = "rewritten"
            _rewrite_from(cursor, rows, 1)
        assert chain_verify().ok
        result = chain_verify(anchor=anchor)
        assert not result.ok and result.first_break.kind == "anchor_mismatch"
        assert result.first_break.seq == ANCHORED
        transaction.set_rollback(True)
