"""Hash format 2 beside format 1: the actor as an id in the header, personal fields salted
and erasable, kept fields readable after erasure (AU-03)."""

import hashlib
import json

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audits import hashing
from audits.models import AuditEvent
from audits.selectors import Problem, chain_verify
from audits.services import audit_seal, event_payload_erase, event_record, events_payload_erase
from audits.tests.conftest import json_param, record_v1_event, tamper

pytestmark = pytest.mark.django_db

BEFORE = {"email": "jan@example.nl", "state": "pending", "since": "2026-01-02"}
AFTER = {
    "email": "jan.jansen@example.nl",
    "name": "Jan Jansen",
    "state": "informed",
    "informed_at": "2026-12-04T15:49:00+00:00",
    "count": 3,
    "late": False,
}


def _record(actor, before=BEFORE, after=AFTER, customer_id=7):
    with transaction.atomic():
        return event_record(
            actor=actor,
            action="customer.updated",
            before=before,
            after=after,
            customer_id=customer_id,
        )


def test_new_events_use_format_2_with_their_personal_paths(privacy_officer):
    """OBL AU-03: a new event is written in format 2; its personal paths are fixed at once."""
    event = AuditEvent.objects.get(pk=_record(privacy_officer).pk)
    assert event.hash_format == 2 and len(event.salt) == 64
    assert event.personal == ["actor_label", "after.email", "after.name", "before.email"]
    assert hashing.row_payload_ok(event.as_row())
    assert hashing.row_content_hash(event.as_row()) == event.content_hash


def test_system_events_keep_their_label_and_codes_are_kept():
    """OBL AU-03: counts, states, times, ids and codes are not personal; the system is not."""
    with transaction.atomic():
        event = event_record(
            actor="system",
            action="customer.updated",
            after={
                "message_id": "<abc.123@mail.example>",
                "customers": [1, 2, 3],
                "rule": "all_customers",
                "sha256": "ab" * 32,
                "reason": "superseded",
                "note": "Called Jan",
            },
        )
    assert event.personal == ["after.note", "after.reason"]


def test_formats_1_and_2_verify_side_by_side(privacy_officer):
    """OBL AU-03: rows of both formats in one chain verify, each in its own format."""
    record_v1_event(actor=privacy_officer, before=BEFORE, after=AFTER)
    _record(privacy_officer)
    record_v1_event(actor="system", after={"count": 1})
    _record("system")
    audit_seal()
    formats = list(AuditEvent.objects.order_by("seq").values_list("hash_format", flat=True))
    assert formats == [1, 2, 1, 2]
    result = chain_verify()
    assert result.ok, result.breaks
    assert result.count == 4


def test_erasure_keeps_kept_fields_and_the_chain(privacy_officer):
    """OBL AU-03: erasing a format-2 event replaces only its personal values and the actor
    label by their digests, clears the salt, and the chain still verifies."""
    event = _record(privacy_officer)
    audit_seal()
    erased = event_payload_erase(event=event, actor=privacy_officer, reason="retention")
    audit_seal()
    erased.refresh_from_db()
    assert erased.salt == "" and erased.erased_at is not None
    assert erased.actor_label.startswith(hashing.ERASED_LABEL_PREFIX)
    assert set(erased.after["email"]) == {"erased"} and set(erased.after["name"]) == {"erased"}
    assert {k: erased.after[k] for k in ("state", "informed_at", "count", "late")} == {
        k: AFTER[k] for k in ("state", "informed_at", "count", "late")
    }
    assert erased.before["state"] == "pending" and erased.before["since"] == "2026-01-02"
    assert (erased.payload_hash, erased.content_hash) == (event.payload_hash, event.content_hash)
    result = chain_verify()
    assert result.ok, result.breaks


def test_bulk_erasure_records_each_erasure(privacy_officer):
    """OBL AU-03: the sweep's batch erasure records one erasure per event, in one go."""
    events = [_record(privacy_officer) for _ in range(3)]
    v1 = record_v1_event(actor=privacy_officer, before=BEFORE, after=AFTER)
    audit_seal()
    ids = [e.pk for e in events] + [v1.pk]
    assert events_payload_erase(ids=ids, actor="system", reason="retention") == 4
    assert events_payload_erase(ids=ids, actor="system", reason="retention") == 0
    audit_seal()
    assert AuditEvent.objects.get(pk=v1.pk).after == hashing.TOMBSTONE
    assert AuditEvent.objects.filter(action="audit.payload_erased").count() == 4
    result = chain_verify()
    assert result.ok, result.breaks


def _erased(privacy_officer):
    event = _record(privacy_officer)
    audit_seal()
    event_payload_erase(event=event, actor="system", reason="retention")
    audit_seal()
    return AuditEvent.objects.get(pk=event.pk)


def test_changed_kept_field_after_erasure_is_detected(privacy_officer):
    """OBL AU-03: a kept field changed after erasure is reported at that event."""
    erased = _erased(privacy_officer)
    tamper(
        f"UPDATE audits_auditevent SET after = {json_param()} WHERE id = %s",
        [json.dumps({**erased.after, "state": "forged"}), erased.pk],
    )
    brk = chain_verify().first_break
    assert (brk.kind, brk.event_id) == (Problem.PAYLOAD_CHANGED, erased.pk)


def test_changed_personal_value_is_detected(privacy_officer):
    """OBL AU-03: a personal value changed before erasure, or a marker changed after it."""
    event = _record(privacy_officer)
    other = _record(privacy_officer)
    audit_seal()
    tamper(
        f"UPDATE audits_auditevent SET after = {json_param()} WHERE id = %s",
        [json.dumps({**AFTER, "email": "piet@example.nl"}), event.pk],
    )
    brk = chain_verify().first_break
    assert (brk.kind, brk.event_id) == (Problem.PAYLOAD_CHANGED, event.pk)
    tamper(
        f"UPDATE audits_auditevent SET after = {json_param()} WHERE id = %s",
        [json.dumps(AFTER), event.pk],
    )
    assert chain_verify().ok
    event_payload_erase(event=other, actor="system", reason="retention")
    audit_seal()
    erased = AuditEvent.objects.get(pk=other.pk)
    tamper(
        f"UPDATE audits_auditevent SET after = {json_param()} WHERE id = %s",
        [json.dumps({**erased.after, "email": {"erased": "0" * 64}}), erased.pk],
    )
    brk = chain_verify().first_break
    assert (brk.kind, brk.event_id) == (Problem.PAYLOAD_CHANGED, erased.pk)


def test_a_guessed_value_cannot_be_confirmed_after_erasure(privacy_officer):
    """OBL AU-03: after erasure no salt is left, so a guessed e-mail address or label can no
    longer be confirmed from what is stored (unlike format 1's unsalted payload hash)."""
    erased = _erased(privacy_officer)
    stored = json.dumps([erased.before, erased.after, erased.actor_label, erased.salt])
    guess = AFTER["email"]
    assert guess not in stored and privacy_officer.email not in stored
    assert erased.salt == ""
    digest = erased.after["email"]["erased"]
    for salt in ("", erased.payload_hash, erased.content_hash):
        assert hashing.personal_digest(salt, "after.email", guess) != digest
    unsalted = {
        hashlib.sha256(hashing.canonical_json(guess)).hexdigest(),
        hashlib.sha256(guess.encode()).hexdigest(),
    }
    assert not unsalted & set(stored.split('"'))


def test_erased_row_with_a_salt_left_is_not_valid(privacy_officer):
    """OBL AU-03: an erased row must have lost its salt."""
    erased = _erased(privacy_officer)
    assert not hashing.row_payload_ok({**erased.as_row(), "salt": "ab" * 32})


# PostgreSQL's jsonb holds no NUL character.
texts = st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=20)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False, width=32)
    | texts
    | st.sampled_from(["jan@example.nl", "Jan Jansen", "informed", "2026-12-04"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(texts, children, max_size=3),
    max_leaves=8,
)
payloads = st.none() | st.dictionaries(
    st.sampled_from(["email", "name", "state", "count", "at", "note", "x", "a.b", ""]) | texts,
    json_values,
    max_size=5,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(before=payloads, after=payloads, person=st.booleans())
def test_random_payloads_verify_before_and_after_erasure(privacy_officer, before, after, person):
    """OBL AU-03: for any payload, the row verifies as written and after erasure, erasure
    keeps every non-personal field, and changing a kept field is detected."""
    actor = privacy_officer if person else "system"
    with transaction.atomic():
        event = event_record(actor=actor, action="customer.updated", before=before, after=after)
    row = AuditEvent.objects.get(pk=event.pk).as_row()
    assert hashing.row_payload_ok(row)
    assert hashing.row_content_hash(row) == event.content_hash
    erased = {**row, **hashing.erased_values(row), "erased_at": event.occurred_at}
    assert hashing.row_payload_ok(erased)
    assert hashing.row_content_hash(erased) == event.content_hash
    for side in hashing.SIDES:
        if isinstance(row[side], dict):
            for key, value in row[side].items():
                if f"{side}.{key}" not in row["personal"]:
                    assert erased[side][key] == value
                    forged = {**erased, side: {**erased[side], key: ["forged", value]}}
                    assert not hashing.row_payload_ok(forged)
    # The same erasure through the database (on PostgreSQL, through its trigger).
    assert events_payload_erase(ids=[event.pk], actor="system", reason="retention") == 1
    stored = AuditEvent.objects.get(pk=event.pk).as_row()
    assert hashing.row_payload_ok(stored)
    assert (stored["before"], stored["after"]) == (erased["before"], erased["after"])
