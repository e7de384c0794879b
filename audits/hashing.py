"""Hashes of the audit chain (AU-03). Pure functions, also used by migrations: never change
what an existing format version hashes; add a new version instead. Each row records its
`hash_format`; rows of both formats verify side by side in one chain.

Both formats:

- `chain_hash`: SHA-256 of the previous chain hash followed by the event's content hash.
- `content_hash`: SHA-256 of the canonical JSON of a header plus the payload hash, so that
  personal data can be erased while the content hash, and with it the chain, stays intact.

Format 1 (rows written before issue 14):

- `payload_hash`: SHA-256 of the canonical JSON of {"before": ..., "after": ...}.
- the header holds the actor's id *and label* (an e-mail address), so the label can never
  be erased; erasure replaces before and after as a whole by `TOMBSTONE`, and the unsalted
  payload hash still lets a guessed payload be confirmed.

Format 2 (every new row):

- the header holds the actor as an id only (no label), plus role, action, object type/id,
  customer id, request id, time and the payload hash (`content_hash_v2`).
- the payload hash commits to before, after and the actor label (`payload_commitment`):
  each *personal* field — a top-level key of before/after, or `actor_label` — is committed
  as `personal_digest(salt, path, value)` = SHA-256 of the canonical JSON of
  [salt, path, value], with a random per-event `salt`; every other field (times, states,
  counts, ids, codes) is committed by value. Which paths are personal is decided once, at
  write time (`personal_paths`), and stored with the row (`personal`), so verification
  never depends on later code changes.
- erasure (`erased_values`) replaces each personal value by {"erased": digest}, the actor
  label column by "erased:" + digest, and clears the salt: the chain still verifies, the
  non-personal fields stay readable and checked, and a guessed value can no longer be
  confirmed (its digest needs the salt, which is gone).
"""

import datetime
import hashlib
import json
import math
import re
import secrets
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

FORMAT_VERSION = 1
FORMAT_2 = 2
# The format new events are written with.
CURRENT_FORMAT = FORMAT_2
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


# --- Format 2 ---------------------------------------------------------------------------

ACTOR_LABEL = "actor_label"
ERASED = "erased"
# What an erased actor label column holds: this prefix and the label's digest.
ERASED_LABEL_PREFIX = "erased:"
SIDES = ("before", "after")

# A string under a key naming one of these is personal (free text or a person's details).
PERSONAL_KEY_WORDS = (
    "email",
    "mail",
    "name",
    "address",
    "phone",
    "label",
    "contact",
    "recipient",
    "text",
    "reason",
    "note",
    "description",
    "summary",
    "title",
    "comment",
    "lessons",
    "cause",
    "subject",
    "body",
)
# Strings kept as they are: ISO dates and times, and lowercase code-like strings (states,
# enum values, hashes, UUIDs, slugs, dotted action names, paths).
_ISO = re.compile(
    r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$"
    r"|^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$"
)
_CODE = re.compile(r"^[a-z0-9_.:/+\-]*$")


def _key_personal(key: str) -> bool:
    key = key.lower()
    return any(word in key for word in PERSONAL_KEY_WORDS)


def _id_key(key: str) -> bool:
    key = key.lower()
    return key == "id" or key.endswith("_id")


def value_personal(value: Any, *, key: str = "") -> bool:
    """Whether a payload value holds personal data (decided at write time).

    Numbers, booleans and null are kept; a string is personal under a personal key (see
    `PERSONAL_KEY_WORDS`), or when it holds "@" or spaces, or is not an ISO date/time or a
    lowercase code (an identifier under a key "id" or "…_id", such as a Message-ID, is
    kept unless it holds spaces); a list or object is personal when anything in it is."""
    if value is None or isinstance(value, bool | int | float):
        return False
    if isinstance(value, str):
        if key and _key_personal(key):
            return True
        if _id_key(key) and " " not in value:
            return False
        if "@" in value or " " in value:
            return True
        return not (_ISO.match(value) or _CODE.match(value))
    if isinstance(value, list):
        return any(value_personal(item, key=key) for item in value)
    if isinstance(value, dict):
        return any(value_personal(v, key=str(k)) or _key_personal(str(k)) for k, v in value.items())
    return True


def personal_paths(*, before: Any, after: Any, actor_id: int | None) -> list[str]:
    """The personal paths of a new event: "before.KEY"/"after.KEY" per top-level key (or
    "before"/"after" for a side that is not an object), and "actor_label" for a person."""
    paths = [ACTOR_LABEL] if actor_id is not None else []
    for side, value in zip(SIDES, (before, after), strict=True):
        if isinstance(value, dict):
            paths += [f"{side}.{k}" for k, v in value.items() if value_personal(v, key=str(k))]
        elif value_personal(value):
            paths.append(side)
    return sorted(paths)


def new_salt() -> str:
    return secrets.token_hex(32)


def personal_digest(salt: str, path: str, value: Any) -> str:
    """The commitment to one personal value: SHA-256 of canonical JSON [salt, path, value]."""
    return _sha256(canonical_json([salt, path, value]))


def erased_marker(digest: str) -> dict:
    return {ERASED: digest}


def _marker_digest(value: Any) -> str | None:
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get(ERASED), str):
        return value[ERASED]
    return None


def _digests(row: dict) -> dict[str, str] | None:
    """path -> digest for every personal path of a format-2 row: computed with the salt
    before erasure, read from the markers after it; None if an erased row lacks a marker."""
    personal = row["personal"] or []
    erased = row["erased_at"] is not None
    digests = {}
    for path in personal:
        if path == ACTOR_LABEL:
            value = row["actor_label"]
            if erased:
                if not value.startswith(ERASED_LABEL_PREFIX):
                    return None
                digests[path] = value[len(ERASED_LABEL_PREFIX) :]
                continue
        else:
            side, dot, key = path.partition(".")
            if side not in SIDES:
                return None
            container = row[side]
            if dot:
                if not isinstance(container, dict) or key not in container:
                    return None
                value = container[key]
            else:
                value = container
            if erased:
                digest = _marker_digest(value)
                if digest is None:
                    return None
                digests[path] = digest
                continue
        digests[path] = personal_digest(row["salt"], path, value)
    return digests


def payload_commitment(row: dict) -> str | None:
    """The format-2 payload hash of a row (a dict of ROW_FIELDS), before or after erasure;
    None when the row cannot hold a valid payload (e.g. an erased row with a salt)."""
    personal = sorted(row["personal"] or [])
    erased = row["erased_at"] is not None
    if erased == bool(row["salt"]):
        return None
    digests = _digests(row)
    if digests is None:
        return None

    def commit(path, value):
        return {"sha256": digests[path]} if path in digests else value

    committed = {}
    for side in SIDES:
        value = row[side]
        if isinstance(value, dict):
            value = {k: commit(f"{side}.{k}", v) for k, v in value.items()}
        committed[side] = commit(side, value)
    document = {
        "v": FORMAT_2,
        "personal": personal,
        "before": committed["before"],
        "after": committed["after"],
        ACTOR_LABEL: commit(ACTOR_LABEL, row["actor_label"]),
    }
    return _sha256(canonical_json(document))


def content_hash_v2(
    *,
    occurred_at: datetime.datetime,
    actor_id: int | None,
    role: str,
    action: str,
    object_type: str,
    object_id: str,
    customer_id: int | None,
    request_id: str,
    payload_hash: str,
) -> str:
    header = {
        "v": FORMAT_2,
        "time": canonical_time(occurred_at),
        "actor_id": actor_id,
        "role": role,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "customer_id": customer_id,
        "request_id": request_id,
        "payload_hash": payload_hash,
    }
    return _sha256(canonical_json(header))


def erased_values(row: dict) -> dict:
    """The columns erasure changes, with their new values (erased_at is the caller's): in
    format 1 the tombstone payload; in format 2 the markers, the label digest, no salt."""
    if row["hash_format"] == FORMAT_VERSION:
        return {"before": TOMBSTONE, "after": TOMBSTONE}
    digests = _digests({**row, "erased_at": None})
    values = {"before": row["before"], "after": row["after"], "actor_label": row["actor_label"]}
    for path, digest in digests.items():
        if path == ACTOR_LABEL:
            values[ACTOR_LABEL] = ERASED_LABEL_PREFIX + digest
            continue
        side, dot, key = path.partition(".")
        if dot:
            values[side] = {**values[side], key: erased_marker(digest)}
        else:
            values[side] = erased_marker(digest)
    values["salt"] = ""
    return values


# --- What a verifier calls per row ----------------------------------------------------------

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


def row_payload_hash(row: dict) -> str | None:
    """The payload hash of a row as stored now, in the row's own format (None: no valid
    payload can be read from it)."""
    if row["hash_format"] == FORMAT_2:
        return payload_commitment(row)
    return payload_hash(before=row["before"], after=row["after"])


def row_payload_ok(row: dict) -> bool:
    """Whether the stored payload of a row (a dict of ROW_FIELDS) still matches its
    payload hash, in the row's own format; an erased row must hold what erasure leaves."""
    if row["hash_format"] == FORMAT_2:
        return payload_commitment(row) == row["payload_hash"]
    if row["hash_format"] != FORMAT_VERSION:
        return False
    if row["erased_at"] is not None:
        return row["before"] == TOMBSTONE and row["after"] == TOMBSTONE
    return payload_hash(before=row["before"], after=row["after"]) == row["payload_hash"]


def row_content_hash(row: dict) -> str:
    """The content hash of a row (a dict of ROW_FIELDS), computed in the row's own format."""
    if row["hash_format"] == FORMAT_2:
        return content_hash_v2(
            occurred_at=row["occurred_at"],
            actor_id=row["actor_id"],
            role=row["role"],
            action=row["action"],
            object_type=row["object_type"],
            object_id=row["object_id"],
            customer_id=row["customer_id"],
            request_id=row["request_id"],
            payload_hash=row["payload_hash"],
        )
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
