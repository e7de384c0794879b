"""Reads of the audit trail: listings and the chain verification (AU-03).

Who may read the trail is the access layer's rule, above this app: the caller decides it and
passes the customer a reader is limited to (`compliance.selectors.audit_events_for_user`)."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from audits import hashing
from audits.models import AuditEvent, ChainHead
from audits.services import PAYLOAD_ERASED

# An event still unsealed after this long means the sealer (Celery beat) is not running.
UNSEALED_GRACE = datetime.timedelta(minutes=1)


def audit_events(*, customer_id: int | None) -> QuerySet[AuditEvent]:
    """Every event with its actor, or only the events about one customer when `customer_id`
    is given (a reader the caller's access rule limits to that customer)."""
    events = AuditEvent.objects.select_related("actor")
    if customer_id is not None:
        events = events.filter(customer_id=customer_id)
    return events


@dataclass(frozen=True)
class EventFilter:
    """A selection of the audit trail (AU-03): every field optional, all of them combined.

    `objects` limits the events to these objects: pairs of an object type and the ids (a
    list or a subquery of text ids) — how an incident's own events and those of its
    notices, updates and letters are found without this app knowing what an incident is.
    `incident_wide` adds, for a reader limited to one customer, the events about these
    objects that concern several customers (recorded without a customer)."""

    occurred_from: datetime.datetime | None = None
    occurred_before: datetime.datetime | None = None
    actor_id: int | None = None
    role: str = ""
    actions: tuple[str, ...] = ()
    object_type: str = ""
    object_id: str = ""
    customer_id: int | None = None
    objects: tuple = ()


# The role an event of the system (a task, a sweep, the mail server's answer) is recorded with.
SYSTEM_ROLE = "system"


# The order of a search and its exports; every filter has an index in this order.
NEWEST_FIRST = ("-occurred_at", "-id")


def audit_search(
    *, scope: int | None, selection: EventFilter, shared: tuple = ()
) -> QuerySet[AuditEvent]:
    """The events of a selection, newest first; with `scope`, only those about that one
    customer (the caller's access rule decides the scope) and, from `shared` (pairs as in
    `EventFilter.objects`), the events about those objects recorded without a customer
    because they concern several (the caller shows them without their payload)."""
    events = AuditEvent.objects.all()
    if scope is not None:
        visible = Q(customer_id=scope)
        for object_type, ids in shared:
            visible |= Q(customer_id__isnull=True, object_type=object_type, object_id__in=ids)
        events = events.filter(visible)
    if selection.customer_id is not None:
        events = events.filter(customer_id=selection.customer_id)
    if selection.occurred_from is not None:
        events = events.filter(occurred_at__gte=selection.occurred_from)
    if selection.occurred_before is not None:
        events = events.filter(occurred_at__lt=selection.occurred_before)
    if selection.actor_id is not None:
        events = events.filter(actor_id=selection.actor_id)
    if selection.role:
        events = events.filter(role=selection.role)
    if selection.actions:
        exact = [a for a in selection.actions if not a.endswith(".")]
        groups = [a for a in selection.actions if a.endswith(".")]
        match = Q(action__in=exact) if exact else Q()
        for prefix in groups:
            match |= Q(action__startswith=prefix)
        events = events.filter(match)
    if selection.object_type:
        events = events.filter(object_type=selection.object_type)
        if selection.object_id:
            events = events.filter(object_id=selection.object_id)
    if selection.objects:
        match = Q(pk__in=[])
        for object_type, ids in selection.objects:
            match |= Q(object_type=object_type, object_id__in=ids)
        events = events.filter(match)
    return events.order_by(*NEWEST_FIRST)


class Problem:
    CONTENT_CHANGED = "content_changed"
    PAYLOAD_CHANGED = "payload_changed"
    CHAIN_BROKEN = "chain_broken"
    SEQ_GAP = "seq_gap"
    REORDERED = "reordered"
    HEAD_MISMATCH = "head_mismatch"
    ERASURE_UNRECORDED = "erasure_unrecorded"
    UNSEALED = "unsealed"


@dataclass(frozen=True)
class ChainBreak:
    kind: str
    message: str
    event_id: int | None = None
    seq: int | None = None


@dataclass
class ChainVerification:
    """The outcome of walking the chain: `breaks` holds the first break (if any) and then
    any freshness problem (events the sealer should have sealed by now)."""

    count: int = 0
    head_seq: int = 0
    head_hash: str = hashing.GENESIS_HASH
    unsealed_count: int = 0
    breaks: list[ChainBreak] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks

    @property
    def first_break(self) -> ChainBreak | None:
        return self.breaks[0] if self.breaks else None


def _check_event(event: AuditEvent, *, expected_seq: int, prev_hash: str) -> ChainBreak | None:
    def brk(kind, message, seq=event.seq):
        return ChainBreak(kind=kind, message=message, event_id=event.pk, seq=seq)

    if event.seq != expected_seq:
        return brk(
            Problem.SEQ_GAP,
            _("Chain positions %(first)s to %(last)s are missing: events were deleted.")
            % {"first": expected_seq, "last": event.seq - 1},
            seq=expected_seq,
        )
    if event.prev_chain_hash != prev_hash:
        predecessor = (
            AuditEvent.objects.filter(chain_hash=event.prev_chain_hash)
            .exclude(pk=event.pk)
            .values("pk", "seq")
            .first()
        )
        if predecessor and predecessor["seq"] is not None and predecessor["seq"] > event.seq:
            return brk(
                Problem.REORDERED,
                _(
                    "Events were reordered: this event was sealed after event %(id)s, "
                    "which now sits at position %(seq)s."
                )
                % {"id": predecessor["pk"], "seq": predecessor["seq"]},
            )
        return brk(
            Problem.CHAIN_BROKEN,
            _(
                "The link to the previous event does not match: an event before it was removed "
                "or changed."
            ),
        )
    if event.erased_at is None:
        if event.compute_payload_hash() != event.payload_hash:
            return brk(Problem.PAYLOAD_CHANGED, _("The payload (before/after) was changed."))
    elif event.before != hashing.TOMBSTONE or event.after != hashing.TOMBSTONE:
        return brk(Problem.PAYLOAD_CHANGED, _("The payload was changed after its erasure."))
    if event.compute_content_hash() != event.content_hash:
        return brk(Problem.CONTENT_CHANGED, _("The content of the event was changed."))
    expected_chain = hashing.chain_hash(prev_chain_hash=prev_hash, content_hash=event.content_hash)
    if event.chain_hash != expected_chain:
        return brk(Problem.CHAIN_BROKEN, _("The chain hash of the event was changed."))
    return None


def chain_verify(*, unsealed_grace: datetime.timedelta = UNSEALED_GRACE) -> ChainVerification:
    """Walk the sealed events by chain position and report the first break (AU-03, BR-02):
    a changed header or payload, a deleted, inserted or reordered event, or a head that
    does not match the last event. Also reports events left unsealed for too long."""
    result = ChainVerification()
    prev_hash = hashing.GENESIS_HASH
    expected_seq = 1
    erased_ids: list[int] = []
    sealed = AuditEvent.objects.filter(seq__isnull=False).order_by("seq")
    for event in sealed.iterator(chunk_size=2000):
        problem = _check_event(event, expected_seq=expected_seq, prev_hash=prev_hash)
        if problem:
            result.breaks.append(problem)
            break
        if event.erased_at is not None:
            erased_ids.append(event.pk)
        prev_hash = event.chain_hash
        expected_seq += 1
        result.count += 1
    result.head_seq, result.head_hash = result.count, prev_hash

    if result.ok:
        head = ChainHead.objects.filter(pk=1).first()
        head_seq, head_hash = (head.seq, head.chain_hash) if head else (None, None)
        if head_seq is not None and head_seq > result.count:
            result.breaks.append(
                ChainBreak(
                    kind=Problem.SEQ_GAP,
                    message=_(
                        "Chain positions %(first)s to %(last)s are missing: the last "
                        "events were deleted."
                    )
                    % {"first": result.count + 1, "last": head_seq},
                    seq=result.count + 1,
                )
            )
        elif head is None and result.count:
            result.breaks.append(
                ChainBreak(kind=Problem.HEAD_MISMATCH, message=_("The chain head is missing."))
            )
        elif head is not None and (head_seq, head_hash) != (result.count, prev_hash):
            result.breaks.append(
                ChainBreak(
                    kind=Problem.HEAD_MISMATCH,
                    message=_(
                        "The chain head (position %(seq)s) does not match the last sealed event."
                    )
                    % {"seq": head_seq},
                    seq=head_seq,
                )
            )

    if result.ok and erased_ids:
        recorded = set(
            AuditEvent.objects.filter(
                action=PAYLOAD_ERASED, object_type="audits.AuditEvent"
            ).values_list("object_id", flat=True)
        )
        missing = [pk for pk in erased_ids if str(pk) not in recorded]
        if missing:
            event = AuditEvent.objects.get(pk=missing[0])
            result.breaks.append(
                ChainBreak(
                    kind=Problem.ERASURE_UNRECORDED,
                    message=_("The payload was erased without a recorded erasure."),
                    event_id=event.pk,
                    seq=event.seq,
                )
            )

    unsealed = AuditEvent.objects.filter(seq__isnull=True)
    result.unsealed_count = unsealed.count()
    stale = unsealed.filter(occurred_at__lt=timezone.now() - unsealed_grace)
    oldest = stale.order_by("id").values("pk").first()
    if oldest:
        result.breaks.append(
            ChainBreak(
                kind=Problem.UNSEALED,
                message=_(
                    "%(count)s events are still unsealed after %(grace)s seconds: is the "
                    "sealer (Celery beat, audits.tasks.audit_seal) running?"
                )
                % {"count": stale.count(), "grace": int(unsealed_grace.total_seconds())},
                event_id=oldest["pk"],
            )
        )
    return result
