"""The audit trail with the core's users and customers as actors (AU-03): events written
by services seal into an intact chain, and an erased payload keeps it verifiable."""

import pytest
from django.db import transaction

from audits import hashing
from audits.models import AuditEvent, ChainHead
from audits.selectors import chain_verify
from audits.services import PAYLOAD_ERASED, audit_seal, event_payload_erase, event_record
from audits.tests.conftest import record_events, sealed
from compliance.access import SYSTEM

pytestmark = pytest.mark.django_db


def test_events_written_by_services_verify(privacy_officer, customer):
    """OBL AU-03: events recorded in the service's transaction seal into an intact chain."""
    events = record_events(3, actor=privacy_officer, customer_id=customer.pk)
    events += record_events(2)

    assert audit_seal() == 5
    result = chain_verify()

    assert result.ok, result.breaks
    assert result.count == 5
    events = sealed(events)
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_chain_hash == hashing.GENESIS_HASH
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_chain_hash == before.chain_hash
    assert result.head_hash == events[-1].chain_hash == ChainHead.objects.get().chain_hash
    first = events[0]
    assert (first.actor_id, first.role, first.customer_id) == (
        privacy_officer.pk,
        privacy_officer.role,
        customer.pk,
    )
    # Dates are stored as text, exactly as hashed.
    assert first.before == {"name": "old 0", "since": "2024-01-01"}
    assert first.payload_hash == first.compute_payload_hash()


def test_system_and_label_actors():
    with transaction.atomic():
        a = event_record(actor=SYSTEM, action="outbox.deferred")
        b = event_record(actor="bounce receiver", action="outbox.bounced")
        c = event_record(actor=None, action="customer.updated")
    assert (a.actor_label, a.role, a.actor_id) == ("system", "system", None)
    assert (b.actor_label, b.role) == ("bounce receiver", "system")
    assert c.actor_label == "system"
    audit_seal()
    assert chain_verify().ok


def test_erasure_keeps_the_chain_verifiable(privacy_officer):
    """OBL AU-03: a payload erased at the end of its retention leaves a verifiable chain."""
    events = record_events(3, actor=privacy_officer)
    audit_seal()
    target = sealed(events)[1]

    erased = event_payload_erase(event=target, actor=privacy_officer, reason="retention ended")
    audit_seal()

    erased.refresh_from_db()
    # Hash format 2: the personal fields become markers, the kept ones stay (AU-03).
    assert set(erased.before["name"]) == {"erased"} and set(erased.after["name"]) == {"erased"}
    assert erased.before["since"] == "2024-01-01"
    assert (erased.after["count"], erased.after["ratio"]) == (1, 0.5)
    assert erased.actor_label.startswith(hashing.ERASED_LABEL_PREFIX) and erased.salt == ""
    assert erased.erased_at is not None
    assert (erased.payload_hash, erased.content_hash, erased.chain_hash) == (
        target.payload_hash,
        target.content_hash,
        target.chain_hash,
    )
    record = AuditEvent.objects.get(action=PAYLOAD_ERASED)
    assert record.object_id == str(target.pk)
    assert record.after == {"reason": "retention ended", "erased_event_seq": 2}
    result = chain_verify()
    assert result.ok, result.breaks
    assert result.count == 4
    # Erasing twice changes nothing and records nothing.
    event_payload_erase(event=target, actor=privacy_officer, reason="again")
    assert AuditEvent.objects.filter(action=PAYLOAD_ERASED).count() == 1
