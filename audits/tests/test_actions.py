"""The audit actions are one typed enumeration (AU-03): every member has people words, and
`event_record` refuses a string that is not listed."""

import pytest
from django.db import transaction

from audits.actions import RECORDABLE, TIMELINE_ONLY, AuditAction, audit_action_label
from audits.models import AuditEvent
from audits.services import event_record, events_record


def test_every_action_has_a_label_in_people_words():
    for member in AuditAction:
        label = str(member.label)
        assert label and label != member.value, member.value
    labels = [str(m.label) for m in AuditAction]
    assert len(labels) == len(set(labels)), "two actions share a label"


def test_values_are_the_stored_strings():
    assert AuditAction.AUTH_SIGNED_IN == "auth.signed_in"
    assert AuditAction("notice.state:queued") is AuditAction.NOTICE_STATE_QUEUED
    assert audit_action_label("auth.signed_in") == "Signed in"
    assert audit_action_label("retired.action") == "retired.action"


def test_timeline_entries_are_not_recordable():
    assert TIMELINE_ONLY
    assert not RECORDABLE & {m.value for m in TIMELINE_ONLY}
    assert all(
        m.value.startswith(("incident.state:", "notice.state:", "update.")) for m in TIMELINE_ONLY
    )


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["customer.renamed", "notice.state:queued", ""])
def test_event_record_refuses_an_unlisted_action(action):
    with transaction.atomic(), pytest.raises(ValueError, match=repr(action)):
        event_record(actor="system", action=action)
    with transaction.atomic(), pytest.raises(ValueError, match="AuditAction"):
        events_record([{"actor": "system", "action": action}])
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_event_record_takes_a_member_and_stores_its_value():
    with transaction.atomic():
        event = event_record(actor="system", action=AuditAction.CUSTOMER_UPDATED)
    stored = AuditEvent.objects.get(pk=event.pk)
    assert type(stored.action) is str and stored.action == "customer.updated"
    assert stored.content_hash == stored.compute_content_hash()
