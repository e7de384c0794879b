"""The append-only trigger and real concurrency: PostgreSQL only (DATABASE_URL)."""

import json
import threading

import pytest
from django.db import DatabaseError, connection, transaction

from audits import hashing
from audits.models import AuditEvent, ChainHead
from audits.selectors import chain_verify
from audits.services import (
    audit_seal,
    event_payload_erase,
    event_record,
    events_payload_erase,
)
from audits.tests.conftest import postgres_only, record_events, record_v1_event

pytestmark = [postgres_only, pytest.mark.postgres]


def raw(sql, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_trigger_refuses_update_of_an_event():
    """OBL AU-03: on PostgreSQL the database itself refuses to change an event."""
    (event,) = record_events(1)
    with pytest.raises(DatabaseError, match="append-only"):
        raw("UPDATE audits_auditevent SET action = 'forged' WHERE id = %s", [event.pk])
    audit_seal()
    with pytest.raises(DatabaseError, match="append-only"):
        raw("UPDATE audits_auditevent SET action = 'forged' WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        raw(
            "UPDATE audits_auditevent SET after = CAST(%s AS jsonb) WHERE id = %s",
            [json.dumps({"forged": True}), event.pk],
        )
    assert AuditEvent.objects.get(pk=event.pk).action == event.action


@pytest.mark.django_db
def test_trigger_refuses_delete_of_an_event():
    """OBL AU-03, OBL BR-02: nothing is deleted from the trail."""
    events = record_events(2)
    audit_seal()
    with pytest.raises(DatabaseError, match="append-only"):
        raw("DELETE FROM audits_auditevent WHERE id = %s", [events[0].pk])
    (unsealed,) = record_events(1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=unsealed.pk).delete()
    assert AuditEvent.objects.count() == 3


@pytest.mark.django_db
def test_trigger_refuses_resealing():
    """OBL AU-03: a sealed event's position and chain hashes never change again."""
    events = record_events(2)
    audit_seal()
    with pytest.raises(DatabaseError, match="append-only"):
        raw("UPDATE audits_auditevent SET seq = seq + 10 WHERE id = %s", [events[0].pk])
    with pytest.raises(DatabaseError, match="append-only"):
        raw("UPDATE audits_auditevent SET chain_hash = %s WHERE id = %s", ["0" * 64, events[1].pk])


@pytest.mark.django_db
def test_trigger_refuses_sealing_that_changes_anything_else():
    (event,) = record_events(1)
    with pytest.raises(DatabaseError, match="append-only"):
        raw(
            "UPDATE audits_auditevent SET seq = 1, prev_chain_hash = %s, chain_hash = %s, "
            "action = 'forged' WHERE id = %s",
            ["0" * 64, "1" * 64, event.pk],
        )


@pytest.mark.django_db
def test_trigger_refuses_erasure_other_than_the_tombstone():
    (event,) = record_events(1)
    audit_seal()
    with pytest.raises(DatabaseError, match="append-only"):
        raw(
            "UPDATE audits_auditevent SET before = NULL, after = CAST(%s AS jsonb), "
            "erased_at = now() WHERE id = %s",
            [json.dumps({"forged": True}), event.pk],
        )


@pytest.mark.django_db
def test_trigger_allows_sealing_and_erasure(privacy_officer):
    """OBL AU-03: the two permitted updates pass the trigger and the chain verifies."""
    events = record_events(3)
    assert audit_seal() == 3
    erased = event_payload_erase(event=events[1], actor=privacy_officer, reason="retention")
    assert audit_seal() == 1
    erased.refresh_from_db()
    assert erased.hash_format == 2 and erased.salt == ""
    assert set(erased.after["name"]) == {"erased"} and erased.after["count"] == 1
    assert chain_verify().ok


@pytest.mark.django_db
def test_trigger_allows_format_1_tombstone_beside_format_2(privacy_officer):
    """OBL AU-03: a format-1 row is still erased with the tombstone; the chain verifies."""
    old = record_v1_event(actor=privacy_officer, after={"email": "jan@example.nl"})
    (new,) = record_events(1, actor=privacy_officer)
    audit_seal()
    assert events_payload_erase(ids=[old.pk, new.pk], actor="system", reason="retention") == 2
    audit_seal()
    assert AuditEvent.objects.get(pk=old.pk).after == hashing.TOMBSTONE
    assert chain_verify().ok


@pytest.mark.django_db
def test_trigger_refuses_format_2_erasure_that_is_not_exact(privacy_officer):
    """OBL AU-03: a format-2 row is never tombstoned, never loses a kept field, never keeps
    its salt while its values are erased."""
    (event,) = record_events(1, actor=privacy_officer)
    audit_seal()
    row = AuditEvent.objects.get(pk=event.pk).as_row()
    good = hashing.erased_values(row)
    before, after, label = json.dumps(good["before"]), good["after"], good["actor_label"]
    attempts = [
        (json.dumps(hashing.TOMBSTONE), json.dumps(hashing.TOMBSTONE), label, ""),
        (before, json.dumps({**after, "count": 9}), label, ""),
        (before, json.dumps({**after, "name": "x"}), label, ""),
        (before, json.dumps(after), row["actor_label"], ""),
        (before, json.dumps(after), label, row["salt"]),
    ]
    for before, after, label, salt in attempts:
        with pytest.raises(DatabaseError):
            raw(
                "UPDATE audits_auditevent SET before = CAST(%s AS jsonb), "
                "after = CAST(%s AS jsonb), actor_label = %s, salt = %s, erased_at = now() "
                "WHERE id = %s",
                [before, after, label, salt, event.pk],
            )
    raw(
        "UPDATE audits_auditevent SET before = CAST(%s AS jsonb), after = CAST(%s AS jsonb), "
        "actor_label = %s, salt = '', erased_at = now() WHERE id = %s",
        [json.dumps(good["before"]), json.dumps(good["after"]), good["actor_label"], event.pk],
    )
    assert hashing.row_payload_ok(AuditEvent.objects.get(pk=event.pk).as_row())


def _in_thread(target, errors):
    def run():
        try:
            target()
        except BaseException as exc:  # reported to the test thread
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
def test_late_committed_lower_id_is_sealed_later():
    """OBL AU-03: an event committed after a later-numbered one is chained after it."""
    inserted, release = threading.Event(), threading.Event()
    errors: list = []
    late_ids: list[int] = []

    def slow_service():
        with transaction.atomic():
            late_ids.append(event_record(actor="system", action="customer.updated").pk)
            inserted.set()
            assert release.wait(30)

    thread = _in_thread(slow_service, errors)
    assert inserted.wait(30)
    (quick,) = record_events(1)
    assert audit_seal() == 1  # the slow one is not committed yet
    release.set()
    thread.join(30)
    assert not errors, errors
    assert audit_seal() == 1

    late, quick = AuditEvent.objects.get(pk=late_ids[0]), AuditEvent.objects.get(pk=quick.pk)
    assert late.pk < quick.pk
    assert (quick.seq, late.seq) == (1, 2)
    result = chain_verify()
    assert result.ok and result.count == 2


@pytest.mark.django_db(transaction=True)
def test_writer_does_not_wait_for_a_fan_out_or_the_sealer():
    """OBL AU-03: a sign-in's event commits at once while a 1,000-customer fan-out is still
    in its transaction and a sealer holds the chain head."""
    fan_out_done, head_locked, release = threading.Event(), threading.Event(), threading.Event()
    errors: list = []

    def fan_out():
        with transaction.atomic():
            for i in range(1000):
                event_record(actor="system", action="outbox.queued", customer_id=i)
            fan_out_done.set()
            assert release.wait(30)

    def sealer_holding_the_head():
        with transaction.atomic():
            ChainHead.objects.select_for_update().get_or_create(pk=1)
            head_locked.set()
            assert release.wait(30)

    threads = [_in_thread(fan_out, errors)]
    assert fan_out_done.wait(60)
    threads.append(_in_thread(sealer_holding_the_head, errors))
    assert head_locked.wait(30)

    with transaction.atomic():
        with connection.cursor() as cursor:
            # Waiting on any lock would fail this transaction instead of hanging the test.
            cursor.execute("SET LOCAL lock_timeout = '200ms'")
        sign_in = event_record(actor="system", action="auth.signed_in")
    assert AuditEvent.objects.filter(pk=sign_in.pk).exists()

    release.set()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert audit_seal() == 1001
    result = chain_verify()
    assert result.ok and result.count == 1001


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_and_sealers_never_fork_the_chain():
    """OBL AU-03: writers and two sealers running at once give one unbroken chain."""
    writers, transactions, per_transaction = 6, 20, 3
    writers_done = threading.Event()
    errors: list = []
    passes: list[int] = []

    def write():
        for t in range(transactions):
            with transaction.atomic():
                for e in range(per_transaction):
                    event_record(actor="system", action="customer.updated", after={"t": t, "e": e})

    def seal():
        while not writers_done.is_set():
            passes.append(audit_seal(batch_size=7))

    sealers = [_in_thread(seal, errors) for _ in range(2)]
    writer_threads = [_in_thread(write, errors) for _ in range(writers)]
    for thread in writer_threads:
        thread.join(120)
    writers_done.set()
    for thread in sealers:
        thread.join(120)
    assert not errors, errors
    audit_seal()

    total = writers * transactions * per_transaction
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, total + 1))
    prevs = list(AuditEvent.objects.values_list("prev_chain_hash", flat=True))
    assert len(set(prevs)) == total  # no two events claim the same predecessor: no fork
    result = chain_verify()
    assert result.ok, result.breaks
    assert result.count == total
    assert sum(passes) > 0  # the sealers really ran alongside the writers
