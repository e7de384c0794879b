"""Hashes of the audit chain (AU-03). Pure functions, also used by migrations: never change
what an existing format version hashes; add a new version instead.

- `payload_hash`: SHA-256 of the canonical JSON of {"before": ..., "after": ...}.
- `content_hash`: SHA-256 of the canonical JSON of the header fields plus `payload_hash`,
  so that a payload can be erased (tombstoned) while the content hash, and with it the
  chain, stays verifiable.
- `chain_hash`: SHA-256 of the previous chain hash followed by the event's content hash.
"""

import datetime
import hashlib
import json
import math
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

FORMAT_VERSION = 1
# The chain hash "before" the first event.
GENESIS_HASH = "0" * 64
# What an erased payload (before and after) is replaced by. The PostgreSQL trigger accepts
# exactly this value, so keep it in step with migration 0005.
TOMBSTONE = {"erased": True}


def canonical_json(value: Any) -> bytes:
    """One byte string per JSON value: sorted keys, no whitespace, UTF-8, no NaN."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def _plain_numbers(value: Any) -> Any:
    # PostgreSQL's jsonb prints 1e16 as 10000000000000000, which reads back as an int; storing
    # whole floats as ints up front makes the stored payload read back exactly as hashed.
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("audit payloads cannot hold NaN or infinity")
        return int(value) if value.is_integer() else value
    if isinstance(value, dict):
        return {str(k): _plain_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_numbers(v) for v in value]
    return value


def normalise_payload(value: Any) -> Any:
    """The JSON value as the database will give it back (dates, decimals, UUIDs as text)."""
    if value is None:
        return None
    return _plain_numbers(json.loads(json.dumps(value, cls=DjangoJSONEncoder)))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def payload_hash(*, before: Any, after: Any) -> str:
    return _sha256(canonical_json({"before": before, "after": after}))


def canonical_time(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def content_hash(
    *,
    occurred_at: datetime.datetime,
    actor_id: int | None,
    actor_label: str,
    role: str,
    action: str,
    object_type: str,
    object_id: str,
    customer_id: int | None,
    request_id: str,
    payload_hash: str,
) -> str:
    header = {
        "v": FORMAT_VERSION,
        "time": canonical_time(occurred_at),
        "actor_id": actor_id,
        "actor_label": actor_label,
        "role": role,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "customer_id": customer_id,
        "request_id": request_id,
        "payload_hash": payload_hash,
    }
    return _sha256(canonical_json(header))


def chain_hash(*, prev_chain_hash: str, content_hash: str) -> str:
    return _sha256((prev_chain_hash + content_hash).encode("ascii"))


# The columns a verifier reads of each sealed row, in this order (`values_list(*ROW_FIELDS)`);
# a verifier then needs no model instances, and an evidence bundle carries exactly these.
ROW_FIELDS = (
    "id",
    "seq",
    "hash_format",
    "occurred_at",
    "actor_id",
    "actor_label",
    "role",
    "action",
    "object_type",
    "object_id",
    "customer_id",
    "request_id",
    "before",
    "after",
    "salt",
    "personal",
    "erased_at",
    "payload_hash",
    "content_hash",
    "prev_chain_hash",
    "chain_hash",
)


def row_payload_ok(row: dict) -> bool:
    """Whether the stored payload of a row (a dict of ROW_FIELDS) still matches its
    payload hash, in the row's own format; an erased row must hold what erasure leaves."""
    if row["erased_at"] is not None:
        return row["before"] == TOMBSTONE and row["after"] == TOMBSTONE
    return payload_hash(before=row["before"], after=row["after"]) == row["payload_hash"]


def row_content_hash(row: dict) -> str:
    """The content hash of a row (a dict of ROW_FIELDS), computed in the row's own format."""
    return content_hash(
        occurred_at=row["occurred_at"],
        actor_id=row["actor_id"],
        actor_label=row["actor_label"],
        role=row["role"],
        action=row["action"],
        object_type=row["object_type"],
        object_id=row["object_id"],
        customer_id=row["customer_id"],
        request_id=row["request_id"],
        payload_hash=row["payload_hash"],
    )
