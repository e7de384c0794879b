"""Retention rules and the narrow erasure paths of the sweep (AU-03)."""

import datetime
import hashlib

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction

from audits.models import AuditEvent
from audits.selectors import chain_verify
from audits.services import audit_seal, event_record
from compliance.models import OutboxMessage, StoredDocument
from compliance.models.documents import DocumentImmutableError
from compliance.models.outbox import OutboxStatus
from compliance.models.retention import RetentionKind, RetentionRule
from compliance.retention import DEFAULT_RULES, retention_sweep, rule_confirm, rules

pytestmark = pytest.mark.django_db
START = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC)


def _document(customer=None, content=b"%PDF-1.7 Jan de Vries"):
    document = StoredDocument(
        customer=customer,
        title="Letter",
        filename="letter.pdf",
        content=content,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        template_name="probe.html",
        template_version="1",
        language="en",
    )
    document.save()
    return document


def test_defaults_are_created_on_first_use_with_their_reasons():
    """OBL AU-03: every kind of record has a period and a reason before anyone confirms."""
    table = rules()
    assert set(table) == {k.value for k in RetentionKind}
    for kind, (days, reason) in DEFAULT_RULES.items():
        assert (table[kind].period_days, table[kind].reason) == (days, reason)
        assert table[kind].confirmed_at is None
    assert RetentionRule.objects.count() == len(RetentionKind)


def test_confirming_and_changing_are_audit_events(privacy_officer):
    """OBL AU-03: the privacy officer's confirmation and change are recorded."""
    days, reason = DEFAULT_RULES[RetentionKind.OUTBOX]
    with time_machine.travel(START, tick=False):
        rule = rule_confirm(actor=privacy_officer, kind="outbox", period_days=days, reason=reason)
    assert (rule.confirmed_by, rule.confirmed_at) == (privacy_officer, START)
    rule_confirm(actor=privacy_officer, kind="outbox", period_days=days + 1, reason=reason)
    actions = list(
        AuditEvent.objects.filter(action__startswith="retention.rule").values_list(
            "action", flat=True
        )
    )
    assert actions == ["retention.rule_confirmed", "retention.rule_changed"]
    assert RetentionRule.objects.get(kind="outbox").period_days == days + 1


def test_document_content_erasure_is_the_one_change_allowed(customer):
    """OBL AU-03: the content goes, the SHA-256, size and metadata stay; nothing else."""
    document = _document(customer)
    assert StoredDocument.objects.filter(pk=document.pk).content_erase(at=START) == 1
    assert StoredDocument.objects.filter(pk=document.pk).content_erase(at=START) == 0
    stored = StoredDocument.objects.get(pk=document.pk)
    assert (bytes(stored.content), stored.erased_at) == (b"", START)
    assert (stored.sha256, stored.size, stored.title) == (
        document.sha256,
        document.size,
        document.title,
    )
    with pytest.raises(DocumentImmutableError):
        StoredDocument.objects.filter(pk=document.pk).update(title="Tampered")


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_trigger_allows_only_the_content_erasure(customer):
    """OBL AU-03: raw SQL may erase the content, and only that, once."""
    document = _document(customer)
    for sql in (
        "UPDATE compliance_storeddocument SET content = '', erased_at = now(), "
        "title = 'Tampered' WHERE id = %s",
        "UPDATE compliance_storeddocument SET content = '\\x00'::bytea, erased_at = now() "
        "WHERE id = %s",
        "UPDATE compliance_storeddocument SET content = '' WHERE id = %s",
        "UPDATE compliance_storeddocument SET sha256 = '', erased_at = now(), content = '' "
        "WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="immutable"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [document.pk])
    assert StoredDocument.objects.filter(pk=document.pk).content_erase(at=START) == 1
    with pytest.raises(DatabaseError, match="immutable"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE compliance_storeddocument SET erased_at = now() WHERE id = %s",
                [document.pk],
            )


def test_outbox_keeps_the_proof_of_delivery(customer):
    """OBL AU-03: a sent message loses recipient and text, keeps status, times and id."""
    with time_machine.travel(START, tick=False) as clock:
        message = OutboxMessage.objects.create(
            key="notice:1:jan@alpha.example",
            message_id="<m1@processor.example>",
            customer=customer,
            to_name="Jan de Vries",
            to_email="jan@alpha.example",
            language="en",
            subject="Incident",
            body_text="Dear Jan de Vries",
            status=OutboxStatus.ACCEPTED,
            accepted_at=START,
        )
        pending = OutboxMessage.objects.create(
            key="notice:2",
            message_id="<m2@processor.example>",
            to_email="piet@alpha.example",
            language="en",
            subject="Incident",
            body_text="Dear Piet",
        )
        days = rules()["outbox"].period_days
        clock.move_to(START + datetime.timedelta(days=days, seconds=1))
        assert retention_sweep()["outbox"] == 1
    message.refresh_from_db()
    assert (message.to_name, message.to_email, message.body_text, message.subject) == (
        "",
        "",
        "",
        "",
    )
    assert "jan" not in message.key and message.key.startswith("erased:")
    assert (message.status, message.accepted_at, message.message_id) == (
        OutboxStatus.ACCEPTED,
        START,
        "<m1@processor.example>",
    )
    pending.refresh_from_db()
    assert pending.to_email == "piet@alpha.example"  # not finished: never erased


def test_sweep_erases_once_and_leaves_what_names_no_one(privacy_officer):
    """OBL AU-03: a second sweep finds nothing more; events without personal data, and the
    sweep's own records, are never erased; the chain verifies throughout."""
    with time_machine.travel(START, tick=False) as clock:
        with transaction.atomic():
            personal = event_record(
                actor=privacy_officer, action="customer.updated", after={"name": "Jan de Vries"}
            )
            plain = event_record(actor=None, action="customer.updated", after={"count": 3})
        audit_seal()
        days = rules()["audit_personal"].period_days
        clock.move_to(START + datetime.timedelta(days=days, seconds=1))
        assert retention_sweep()["audit_personal"] == 1
        clock.move_to(START + datetime.timedelta(days=3 * days))
        assert retention_sweep()["audit_personal"] == 0
        audit_seal()
    assert AuditEvent.objects.get(pk=personal.pk).erased_at is not None
    assert AuditEvent.objects.get(pk=plain.pk).erased_at is None
    summary = AuditEvent.objects.get(action="retention.erased", after__kind="audit_personal")
    assert summary.after["count"] == 1 and summary.personal == []
    result = chain_verify()
    assert result.ok, result.breaks


def test_operations_manual_lists_the_defaults():
    """OBL AU-03: docs/operations.md states every default period with its reason."""
    from pathlib import Path

    text = Path(__file__).resolve().parents[2].joinpath("docs", "operations.md").read_text()
    table = text.split("## Retention and erasure (AU-03)", 1)[1].split("\n## ", 1)[0]
    for kind, (days, _reason) in DEFAULT_RULES.items():
        label = str(RetentionKind(kind).label)
        row = next(line for line in table.splitlines() if line.startswith(f"| {label} |"))
        assert f"| {days:,} days |" in row, (kind, row)
