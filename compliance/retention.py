"""Retention and erasure of personal data (AU-03).

The privacy officer confirms one retention period per kind of record (`RetentionRule`; the
defaults and their reasons below and in docs/operations.md). Every day the sweep
(`retention_sweep`, Celery beat) erases, once a record's period has passed:

- audit events: the personal fields of format-2 events (salted digests stay, the salt goes,
  times, states, counts and roles stay) and, of format-1 events, the whole payload (the
  tombstone; their header label cannot be erased);
- change history (django-simple-history): the text fields naming or reaching a person
  (`HISTORY_PERSONAL_WORDS`) of historical rows;
- stored documents: the content (the SHA-256, size and metadata stay); the documents of
  audit exports and evidence bundles by their own, shorter period;
- the outbox: recipients, subjects, texts and the mail server's replies of finished
  messages (status, times and Message-ID stay).

What is kept is the processor's proof that it met its duties: when, what state, who by
role. Each batch is one transaction and records what it erased as an audit event (counts
and ids, never content).
"""

import datetime
import hashlib

from django.apps import apps
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from audits import hashing
from audits.actions import AuditAction
from audits.models import AuditEvent
from audits.services import PAYLOAD_ERASED, event_record, events_payload_erase
from compliance.access import require
from compliance.models import HistoryExport, OutboxMessage, StoredDocument
from compliance.models.outbox import OutboxStatus
from compliance.models.retention import RetentionKind, RetentionRule

BATCH_SIZE = 500
SWEEP_REASON = "retention"

# kind: (days, reason). The reasons are English msgids, shown translated.
DEFAULT_RULES = {
    RetentionKind.AUDIT_PERSONAL: (
        730,
        gettext_noop(
            "Two yearly audits can still ask who did what; after that the times, states and "
            "roles in the trail prove the processor's duties without naming anyone."
        ),
    ),
    RetentionKind.HISTORY_PERSONAL: (
        730,
        gettext_noop(
            "Earlier versions of contacts, users and notices answer questions of the same two "
            "audit years; the current records keep their own data for as long as they exist."
        ),
    ),
    RetentionKind.DOCUMENTS: (
        1825,
        gettext_noop(
            "Letters, receipts and dossiers are the customers' evidence that they were "
            "informed; a claim for damages can be brought for five years (art. 3:310 BW). "
            "The SHA-256 and the details of each document are kept after that."
        ),
    ),
    RetentionKind.EXPORTS: (
        90,
        gettext_noop(
            "Exports and evidence bundles are copies handed to an auditor; the records they "
            "were made from stay, so three months to download them is enough."
        ),
    ),
    RetentionKind.OUTBOX: (
        180,
        gettext_noop(
            "Recipients and texts of sent e-mail are needed while a bounce or a question "
            "about delivery can still come in; the delivery times and states are kept."
        ),
    ),
}

# A text field of a historical row whose name holds one of these reaches a person.
HISTORY_PERSONAL_WORDS = ("email", "name", "phone", "address", "contact", "recipient", "note")
# Fields matching the words above that name no person.
HISTORY_KEPT = {("compliance.HistoricalProduct", "name")}


def rules() -> dict[str, RetentionRule]:
    """The retention table, the defaults created on first use."""
    existing = {rule.kind: rule for rule in RetentionRule.objects.all()}
    for kind, (days, reason) in DEFAULT_RULES.items():
        if kind not in existing:
            existing[kind], _ = RetentionRule.objects.get_or_create(
                kind=kind, defaults={"period_days": days, "reason": reason}
            )
    return {kind.value: existing[kind] for kind in RetentionKind}


def rule_confirm(*, actor, kind: str, period_days: int, reason: str) -> RetentionRule:
    """The privacy officer confirms (or changes) one period; recorded in the audit trail."""
    require(actor, "retention.change")
    rules()
    with transaction.atomic():
        rule = RetentionRule.objects.select_for_update().get(kind=kind)
        before = {"period_days": rule.period_days, "reason": rule.reason}
        changed = (period_days, reason) != (rule.period_days, rule.reason)
        rule.period_days, rule.reason = period_days, reason
        rule.confirmed_by, rule.confirmed_at = actor, timezone.now()
        rule.save()
        event_record(
            actor=actor,
            action=(
                AuditAction.RETENTION_RULE_CHANGED
                if changed
                else AuditAction.RETENTION_RULE_CONFIRMED
            ),
            obj=rule,
            before=before,
            after={"kind": kind, "period_days": period_days, "reason": reason},
        )
    return rule


def _record(kind: str, cutoff: datetime.datetime, count: int, ids: list) -> None:
    event_record(
        actor=None,
        action=AuditAction.RETENTION_ERASED,
        after={"kind": kind, "before": cutoff.isoformat(), "count": count, "ids": ids},
    )


# --- audit events ---------------------------------------------------------------------------


def _audit_candidates(cutoff):
    old = AuditEvent.objects.filter(erased_at__isnull=True, occurred_at__lt=cutoff)
    # Erasures the sweep itself recorded name no one; never erase them (no endless chain).
    return old.exclude(action=PAYLOAD_ERASED, actor__isnull=True)


def _audit_batch_ids(cutoff, after_id: int) -> tuple[list[int], int | None]:
    """The next batch of ids to erase, and the id to continue after (None: done)."""
    v2 = (
        _audit_candidates(cutoff)
        .filter(hash_format=hashing.FORMAT_2, id__gt=after_id)
        .exclude(personal=[])
        .order_by("id")
        .values_list("id", flat=True)[:BATCH_SIZE]
    )
    ids = list(v2)
    if ids:
        return ids, ids[-1]
    return [], None


def _audit_v1_batches(cutoff):
    """Format-1 events with something personal in their payload, in batches."""
    last = 0
    while True:
        rows = list(
            _audit_candidates(cutoff)
            .filter(hash_format=hashing.FORMAT_VERSION, id__gt=last)
            .filter(Q(before__isnull=False) | Q(after__isnull=False))
            .order_by("id")
            .values_list("id", "before", "after")[:BATCH_SIZE]
        )
        if not rows:
            return
        last = rows[-1][0]
        ids = [
            pk
            for pk, before, after in rows
            if hashing.personal_paths(before=before, after=after, actor_id=None)
        ]
        if ids:
            yield ids


def _audit_erase(ids: list[int], cutoff) -> int:
    with transaction.atomic():
        count = events_payload_erase(ids=ids, actor=None, reason=SWEEP_REASON)
        if count:
            _record(RetentionKind.AUDIT_PERSONAL, cutoff, count, sorted(ids))
    return count


def audit_sweep(cutoff) -> int:
    erased = 0
    after_id = 0
    while after_id is not None:
        ids, after_id = _audit_batch_ids(cutoff, after_id)
        if ids:
            erased += _audit_erase(ids, cutoff)
    for ids in _audit_v1_batches(cutoff):
        erased += _audit_erase(ids, cutoff)
    return erased


# --- change history -------------------------------------------------------------------------


def history_models():
    """Each historical model with its personal text fields."""
    found = []
    for model in apps.get_models():
        names = {f.name for f in model._meta.fields}
        if "history_date" not in names or "history_id" not in names:
            continue
        fields = [
            f
            for f in model._meta.fields
            if isinstance(f, models.CharField | models.TextField)
            and not f.choices
            and (
                f.name == "history_change_reason"
                or any(word in f.name.lower() for word in HISTORY_PERSONAL_WORDS)
            )
            and (model._meta.label, f.name) not in HISTORY_KEPT
        ]
        if fields:
            found.append((model, fields))
    return found


def history_sweep(cutoff) -> int:
    erased = 0
    for model, fields in history_models():
        filled = Q()
        for f in fields:
            filled |= Q(**{f"{f.name}__gt": ""})
        blank = {f.name: None if f.null else "" for f in fields}
        while True:
            with transaction.atomic():
                ids = list(
                    model.objects.filter(filled, history_date__lt=cutoff)
                    .order_by("history_id")
                    .values_list("history_id", flat=True)[:BATCH_SIZE]
                )
                if not ids:
                    break
                model.objects.filter(history_id__in=ids).update(**blank)
                _record(
                    f"{RetentionKind.HISTORY_PERSONAL}:{model._meta.label_lower}",
                    cutoff,
                    len(ids),
                    ids,
                )
            erased += len(ids)
    return erased


# --- stored documents -----------------------------------------------------------------------


def document_sweep(cutoff, *, exports: bool) -> int:
    kind = RetentionKind.EXPORTS if exports else RetentionKind.DOCUMENTS
    export_documents = HistoryExport.objects.filter(document__isnull=False).values("document_id")
    erased = 0
    while True:
        with transaction.atomic():
            documents = StoredDocument.objects.filter(erased_at__isnull=True, created_at__lt=cutoff)
            if exports:
                documents = documents.filter(pk__in=export_documents)
            else:
                documents = documents.exclude(pk__in=export_documents)
            ids = list(documents.order_by("pk").values_list("pk", flat=True)[:BATCH_SIZE])
            if not ids:
                break
            count = StoredDocument.objects.filter(pk__in=ids).content_erase(at=timezone.now())
            _record(kind, cutoff, count, ids)
        erased += count
    return erased


# --- outbox ---------------------------------------------------------------------------------

OUTBOX_ERASED_KEY = "erased:"


def outbox_sweep(cutoff) -> int:
    finished = [OutboxStatus.ACCEPTED, OutboxStatus.FAILED]
    erased = 0
    while True:
        with transaction.atomic():
            messages = list(
                OutboxMessage.objects.select_for_update()
                .filter(status__in=finished, created_at__lt=cutoff)
                .exclude(key__startswith=OUTBOX_ERASED_KEY)
                .order_by("pk")
                .only("pk", "key")[:BATCH_SIZE]
            )
            if not messages:
                break
            for message in messages:
                # The key may hold an address; its hash keeps it unique.
                message.key = OUTBOX_ERASED_KEY + hashlib.sha256(message.key.encode()).hexdigest()
            OutboxMessage.objects.bulk_update(messages, ["key"])
            ids = [m.pk for m in messages]
            OutboxMessage.objects.filter(pk__in=ids).update(
                to_name="", to_email="", subject="", body_text="", body_html="", last_reply=""
            )
            _record(RetentionKind.OUTBOX, cutoff, len(ids), ids)
        erased += len(ids)
    return erased


# --- the sweep ------------------------------------------------------------------------------


def retention_sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Erase what has passed its retention period; returns the counts per kind."""
    now = now or timezone.now()
    periods = {kind: datetime.timedelta(days=rule.period_days) for kind, rule in rules().items()}

    def cutoff(kind):
        return now - periods[kind]

    return {
        RetentionKind.AUDIT_PERSONAL: audit_sweep(cutoff(RetentionKind.AUDIT_PERSONAL)),
        RetentionKind.HISTORY_PERSONAL: history_sweep(cutoff(RetentionKind.HISTORY_PERSONAL)),
        RetentionKind.DOCUMENTS: document_sweep(cutoff(RetentionKind.DOCUMENTS), exports=False),
        RetentionKind.EXPORTS: document_sweep(cutoff(RetentionKind.EXPORTS), exports=True),
        RetentionKind.OUTBOX: outbox_sweep(cutoff(RetentionKind.OUTBOX)),
    }
