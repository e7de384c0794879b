import datetime
import io
import json

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from audits import hashing
from audits.models import AuditEvent, ChainHead
from audits.selectors import Problem, chain_verify
from audits.services import audit_seal, event_payload_erase, event_record
from audits.tests.conftest import json_param, not_on_postgres, record_events, sealed, tamper

pytestmark = pytest.mark.django_db


def test_sealing_is_idempotent_and_appends():
    """OBL AU-03: a second pass seals only the new events, continuing the same chain."""
    record_events(2)
    audit_seal()
    assert audit_seal() == 0
    later = record_events(2)
    assert audit_seal() == 2
    assert [e.seq for e in sealed(later)] == [3, 4]
    assert chain_verify().ok


def test_sealing_in_small_batches_gives_the_same_chain():
    record_events(7)
    assert audit_seal(batch_size=3) == 7
    result = chain_verify()
    assert result.ok and result.count == 7


@pytest.mark.parametrize(
    ("column", "kind"),
    [
        ("action", Problem.CONTENT_CHANGED),
        # Hash format 2: the actor's label is committed in the payload, not the header.
        ("actor_label", Problem.PAYLOAD_CHANGED),
        ("object_id", Problem.CONTENT_CHANGED),
        ("request_id", Problem.CONTENT_CHANGED),
    ],
)
def test_changed_content_is_reported_at_that_event(column, kind):
    """OBL AU-03: changing one event's header in the database is reported at that event."""
    events = record_events(5)
    audit_seal()
    target = sealed(events)[2]

    tamper(f"UPDATE audits_auditevent SET {column} = %s WHERE id = %s", ["forged", target.pk])

    brk = chain_verify().first_break
    assert (brk.kind, brk.event_id, brk.seq) == (kind, target.pk, 3)


def test_changed_time_is_reported_at_that_event():
    """OBL AU-03: backdating an event is a content change."""
    events = record_events(3)
    audit_seal()
    target = sealed(events)[1]
    tamper(
        "UPDATE audits_auditevent SET occurred_at = %s WHERE id = %s",
        [target.occurred_at - datetime.timedelta(days=1), target.pk],
    )
    brk = chain_verify().first_break
    assert (brk.kind, brk.event_id) == (Problem.CONTENT_CHANGED, target.pk)


def test_changed_payload_is_reported_at_that_event():
    """OBL AU-03: changing the before/after of one event is reported at that event."""
    events = record_events(4)
    audit_seal()
    target = sealed(events)[1]

    tamper(
        f"UPDATE audits_auditevent SET after = {json_param()} WHERE id = %s",
        [json.dumps({"name": "forged", "count": 1, "ratio": 0.5}), target.pk],
    )

    brk = chain_verify().first_break
    assert (brk.kind, brk.event_id, brk.seq) == (Problem.PAYLOAD_CHANGED, target.pk, 2)


def test_payload_and_its_hash_changed_together_is_a_content_change():
    events = record_events(3)
    audit_seal()
    target = sealed(events)[1]
    forged = {**target.as_row(), "before": None, "after": {"forged": True}, "personal": []}
    tamper(
        f"UPDATE audits_auditevent SET before = NULL, after = {json_param()}, payload_hash = %s, "
        f"personal = {json_param()} WHERE id = %s",
        [json.dumps(forged["after"]), hashing.row_payload_hash(forged), "[]", target.pk],
    )
    brk = chain_verify().first_break
    assert (brk.kind, brk.event_id) == (Problem.CONTENT_CHANGED, target.pk)


def test_rehashed_event_breaks_the_chain_at_that_event():
    """OBL AU-03: even with its content hash recomputed, a changed event no longer links."""
    events = record_events(3)
    audit_seal()
    target = sealed(events)[1]
    target.action = "forged"
    tamper(
        "UPDATE audits_auditevent SET action = %s, content_hash = %s WHERE id = %s",
        ["forged", target.compute_content_hash(), target.pk],
    )
    brk = chain_verify().first_break
    assert (brk.kind, brk.event_id, brk.seq) == (Problem.CHAIN_BROKEN, target.pk, 2)


def test_deleted_event_is_reported_at_its_position():
    """OBL AU-03, OBL BR-02: removing one event from the trail is reported where it was."""
    events = record_events(5)
    audit_seal()
    events = sealed(events)
    gone, following = events[2], events[3]

    tamper("DELETE FROM audits_auditevent WHERE id = %s", [gone.pk])

    brk = chain_verify().first_break
    assert brk.kind == Problem.SEQ_GAP
    assert brk.seq == gone.seq
    assert brk.event_id == following.pk


def test_deleted_and_renumbered_event_breaks_the_link():
    """OBL AU-03: closing the gap after a deletion is caught by the chain link."""
    events = record_events(4)
    audit_seal()
    events = sealed(events)
    tamper("DELETE FROM audits_auditevent WHERE id = %s", [events[1].pk])
    for event in events[2:]:
        tamper("UPDATE audits_auditevent SET seq = seq - 1 WHERE id = %s", [event.pk])

    brk = chain_verify().first_break
    assert (brk.kind, brk.event_id, brk.seq) == (Problem.CHAIN_BROKEN, events[2].pk, 2)


def test_deleted_last_event_is_reported_by_the_head():
    """OBL AU-03: the chain head remembers how long the chain was."""
    events = record_events(3)
    audit_seal()
    tamper("DELETE FROM audits_auditevent WHERE id = %s", [events[-1].pk])

    brk = chain_verify().first_break
    assert (brk.kind, brk.seq) == (Problem.SEQ_GAP, 3)


def test_reordered_events_are_reported_at_the_first_moved_event():
    """OBL AU-03: swapping the chain positions of two events is reported there."""
    events = record_events(5)
    audit_seal()
    a, b = sealed(events)[1:3]  # seq 2 and 3

    tamper("UPDATE audits_auditevent SET seq = -1 WHERE id = %s", [a.pk])
    tamper("UPDATE audits_auditevent SET seq = %s WHERE id = %s", [a.seq, b.pk])
    tamper("UPDATE audits_auditevent SET seq = %s WHERE id = %s", [b.seq, a.pk])

    brk = chain_verify().first_break
    assert (brk.kind, brk.event_id, brk.seq) == (Problem.REORDERED, b.pk, 2)


def test_changed_head_is_reported():
    record_events(2)
    audit_seal()
    tamper("UPDATE audits_chainhead SET chain_hash = %s", ["f" * 64])
    assert chain_verify().first_break.kind == Problem.HEAD_MISMATCH


def test_erasure_of_an_unsealed_event_seals_fine():
    (event,) = record_events(1)
    event_payload_erase(event=event, actor="retention sweep", reason="retention ended")
    audit_seal()
    assert chain_verify().ok


def test_erased_payload_cannot_be_refilled():
    """OBL AU-03: once erased, the tombstone itself is checked."""
    events = record_events(2)
    event_payload_erase(event=events[0], actor="system", reason="retention ended")
    audit_seal()
    tamper(
        f"UPDATE audits_auditevent SET after = {json_param()} WHERE id = %s",
        [json.dumps({"name": "forged"}), events[0].pk],
    )
    brk = chain_verify().first_break
    assert (brk.kind, brk.event_id) == (Problem.PAYLOAD_CHANGED, events[0].pk)


def test_silent_erasure_is_reported():
    """OBL AU-03: hiding a payload without the recorded erasure is reported."""
    events = record_events(2)
    audit_seal()
    erased = hashing.erased_values(sealed(events)[1].as_row())
    tamper(
        f"UPDATE audits_auditevent SET before = {json_param()}, after = {json_param()}, "
        "actor_label = %s, salt = '', erased_at = %s WHERE id = %s",
        [
            json.dumps(erased["before"]),
            json.dumps(erased["after"]),
            erased["actor_label"],
            timezone.now(),
            events[1].pk,
        ],
    )
    brk = chain_verify().first_break
    assert (brk.kind, brk.event_id) == (Problem.ERASURE_UNRECORDED, events[1].pk)


@not_on_postgres
def test_late_committed_lower_id_is_sealed_in_a_later_pass():
    """OBL AU-03: an event that commits after a later one (lower id, sealed later) is
    chained after it; nothing forks or is skipped. (On SQLite, the late commit is simulated
    by taking the row away before the first pass and putting it back afterwards; the
    PostgreSQL suite does it with a real open transaction.)"""
    late, early = record_events(2)
    snapshot = AuditEvent.objects.get(pk=late.pk)
    AuditEvent.objects.filter(pk=late.pk).delete()  # "not yet committed"

    assert audit_seal() == 1
    assert chain_verify().ok

    snapshot.save(force_insert=True)  # "commits now"
    assert audit_seal() == 1

    late, early = AuditEvent.objects.get(pk=late.pk), AuditEvent.objects.get(pk=early.pk)
    assert late.pk < early.pk
    assert (early.seq, late.seq) == (1, 2)
    assert late.prev_chain_hash == early.chain_hash
    result = chain_verify()
    assert result.ok and result.count == 2


def test_events_left_unsealed_are_reported_after_a_minute():
    """OBL AU-03: a stopped sealer shows up in the verification."""
    (event,) = record_events(1)
    assert chain_verify().ok  # just recorded: the sealer has a minute
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=61)):
        brk = chain_verify().first_break
    assert (brk.kind, brk.event_id) == (Problem.UNSEALED, event.pk)
    audit_seal()
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=61)):
        assert chain_verify().ok


def test_missing_chain_head_stops_the_sealer():
    from audits.services import ChainHeadMissing

    record_events(1)
    audit_seal()
    tamper("DELETE FROM audits_chainhead")
    record_events(1)
    with pytest.raises(ChainHeadMissing):
        audit_seal()
    assert chain_verify().first_break.kind == Problem.HEAD_MISMATCH


def test_verify_command_prints_head_hash_and_count():
    record_events(3)
    out = io.StringIO()
    call_command("verify_audit_chain", "--seal", stdout=out)
    head = ChainHead.objects.get()
    assert f"3 events, head hash {head.chain_hash}" in out.getvalue()


def test_verify_command_fails_at_the_first_broken_event():
    """OBL AU-03: the command names the broken event and exits non-zero."""
    events = record_events(3)
    audit_seal()
    tamper("UPDATE audits_auditevent SET action = 'forged' WHERE id = %s", [events[1].pk])
    err = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("verify_audit_chain", stdout=io.StringIO(), stderr=err)
    assert exc.value.returncode == 1
    assert f"event id={events[1].pk}, seq=2 [content_changed]" in err.getvalue()


def test_beat_task_seals():
    from audits.tasks import audit_seal as audit_seal_task

    record_events(2)
    assert audit_seal_task.apply().get() == 2
    assert chain_verify().count == 2


@pytest.mark.django_db(transaction=True)
def test_event_record_outside_a_transaction_raises():
    """OBL BR-02: an event can only be written with the change it records."""
    with pytest.raises(RuntimeError):
        event_record(actor="system", action="customer.updated")
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_sealer_sees_only_committed_events():
    """OBL AU-03: a rolled-back change leaves no event, sealed or not."""
    with pytest.raises(ValueError), transaction.atomic():
        event_record(actor="system", action="customer.updated")
        raise ValueError("the change failed")
    record_events(1)
    assert audit_seal() == 1
    result = chain_verify()
    assert result.ok and result.count == 1
