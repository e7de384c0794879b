"""The dossier's per-customer data as streams (AU-03, BR-02): every notice with its messages,
letter versions and decision revisions, and the timeline of every state change, audit event
and update — read in bulk, a fixed number of queries whatever the number of customers, and
handed on one row at a time, never held in memory as a whole.

Notices are read in id order; their messages, letters and decision revisions are read in
the same order by one query each and joined while walking (a merge join). The timeline is
the time-ordered merge of four time-ordered queries.
"""

from __future__ import annotations

import contextlib
import datetime
import heapq
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.db import connection
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from psycopg import pq

from breaches.models import (
    DECISION_FIELDS,
    CustomerNotice,
    Incident,
    IncidentUpdate,
    NoticeLetter,
)
from breaches.services.common import NOTICE_CAUSE
from compliance.models import OutboxMessage
from compliance.selectors import audit_events_for_user

CHUNK = 2000  # rows per fetch from the database

NOTICE_FIELDS = (
    "id",
    "state",
    "created_at",
    "notified_at",
    "informed_at",
    "informed_how",
    "out_of_band_note",
    "out_of_band_at",
    "customer_reported",
    "aware_at",
    "authority_due_at",
    "late",
    "late_reason",
    "undelivered_at",
    "acknowledged_at",
    "intention_kind",
    "intention_recipients",
    "intention_planned_at",
    "intention_note",
    "intention_at",
    "decided_at",
)
MESSAGE_FIELDS = (
    "id",
    "key",
    "to_name",
    "to_email",
    "language",
    "subject",
    "message_id",
    "status",
    "attempts",
    "created_at",
    "accepted_at",
    "failed_at",
    "last_reply",
    "escalated_at",
    "escalation_reason",
)


# Values that are JSON-ready as they are (the most common by far: checked first).
_AS_IS = frozenset((str, int, bool, type(None)))


def plain(value):
    """A JSON-ready value: aware datetimes in UTC ISO 8601, decimals as strings."""
    if type(value) in _AS_IS:
        return value
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not datetime.UTC:
            value = value.astimezone(datetime.UTC)
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


@contextlib.contextmanager
def timestamps_parsed_fast():
    """While the dossier reads its rows in bulk, PostgreSQL's timestamps are parsed by
    `datetime.fromisoformat` (C) instead of psycopg's pure-Python parser that Django's
    time-zone loader builds on (about 5 µs a value, the largest single cost of reading a
    large incident). Same result: the value in the connection's time zone, as Django's
    loader gives it; text it cannot read goes to that loader. Other databases: unchanged."""
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    adapters = connection.connection.adapters
    oid = adapters.types["timestamptz"].oid
    django_loader = adapters.get_loader(oid, pq.Format.TEXT)
    if django_loader is None or not hasattr(django_loader, "timezone"):
        yield
        return

    class IsoLoader(django_loader):
        def load(self, data):
            try:
                value = datetime.datetime.fromisoformat(bytes(data).decode())
            except ValueError:
                return super().load(data)
            # Django's session is in UTC, so this converts nothing; a value with another
            # offset would still come out right rather than relabelled.
            return value if value.tzinfo is self.timezone else value.astimezone(self.timezone)

    adapters.register_loader(oid, IsoLoader)
    try:
        yield
    finally:
        adapters.register_loader(oid, django_loader)


def _plain_row(row: dict, fields) -> dict:
    as_is = _AS_IS
    return {
        name: value if type(value) in as_is else plain(value)
        for name in fields
        for value in (row[name],)
    }


def notices_of(incident: Incident, scope: int | None):
    notices = CustomerNotice.objects.filter(incident=incident)
    return notices if scope is None else notices.filter(customer_id=scope)


def notice_ids_text(incident: Incident, scope: int | None):
    """The notices' ids as audit `object_id` strings, as a subquery."""
    return notices_of(incident, scope).annotate(text=Cast("pk", CharField())).values("text")


class _Groups:
    """Rows sorted by `key`, handed out per key value in ascending order (a merge join)."""

    def __init__(self, rows: Iterable[dict], key: str):
        self._rows = iter(rows)
        self._key = key
        self._next = next(self._rows, None)

    def take(self, value) -> list[dict]:
        out = []
        while self._next is not None and self._next[self._key] < value:
            self._next = next(self._rows, None)
        while self._next is not None and self._next[self._key] == value:
            out.append(self._next)
            self._next = next(self._rows, None)
        return out


def _decision_key(row: dict) -> tuple:
    return (row["decided_at"], *(row[name] for name in DECISION_FIELDS))


def _decision_versions(rows: list[dict]) -> list[dict]:
    """Each distinct decision recorded (BR-04: revisable), oldest first; the same rule as
    `breaches.decisions.decision_versions`, over history rows read in bulk."""
    out, last = [], None
    for row in rows:
        key = _decision_key(row)
        if key != last:
            out.append(
                {
                    "revision": len(out) + 1,
                    "recorded_at": plain(row["decided_at"]),
                    "by": row["decided_by__email"] or "system",
                    **_plain_row(row, DECISION_FIELDS),
                }
            )
            last = key
    return out


def notice_rows(*, incident: Incident, scope: int | None) -> Iterator[dict]:
    """Every notice of the incident (only the scope's customer's for a customer-engaged
    auditor) with its messages, letter versions (BR-06) and decision revisions, in id
    order: four queries in all."""
    notices = notices_of(incident, scope)
    ids = notices.values("pk")
    rows = (
        notices.order_by("pk")
        .values(*NOTICE_FIELDS, *DECISION_FIELDS, "customer_id", "customer__name", "letter__sha256")
        .iterator(chunk_size=CHUNK)
    )
    messages = _Groups(
        OutboxMessage.objects.filter(cause_type=NOTICE_CAUSE, cause_id__in=ids)
        .order_by("cause_id", "created_at", "pk")
        .values("cause_id", *MESSAGE_FIELDS)
        .iterator(chunk_size=CHUNK),
        "cause_id",
    )
    letters = _Groups(
        NoticeLetter.objects.filter(notice_id__in=ids, document__isnull=False)
        .order_by("notice_id", "version")
        .values(
            "notice_id",
            "version",
            "informed_at",
            "authority_due_at",
            "document__sha256",
            "document__uuid",
        )
        .iterator(chunk_size=CHUNK),
        "notice_id",
    )
    decisions = _Groups(
        CustomerNotice.history.model.objects.filter(id__in=ids, decided_at__isnull=False)
        .order_by("id", "history_date", "history_id")
        .values("id", "decided_at", "decided_by__email", *DECISION_FIELDS)
        .iterator(chunk_size=CHUNK),
        "id",
    )
    for notice in rows:
        pk = notice["id"]
        row = _plain_row(notice, NOTICE_FIELDS)
        row["customer"] = {"id": notice["customer_id"], "name": notice["customer__name"]}
        row["letter_sha256"] = notice["letter__sha256"]
        row["letters"] = [
            {
                "version": v["version"],
                "informed_at": plain(v["informed_at"]),
                "authority_due_at": plain(v["authority_due_at"]),
                "document": str(v["document__uuid"]),
                "sha256": v["document__sha256"],
            }
            for v in letters.take(pk)
        ]
        row["messages"] = [_plain_row(m, MESSAGE_FIELDS) for m in messages.take(pk)]
        row["decision"] = _plain_row(notice, DECISION_FIELDS) if notice["decided_at"] else None
        row["decision_history"] = _decision_versions(decisions.take(pk))
        yield row


# ------------------------------------------------------------------------------ timeline

_SOURCE_ORDER = {"audit": 0, "history": 1, "update": 2}


def _state_changes(rows, *, kind: str, object_type: str, show_actor: bool) -> Iterator[dict]:
    last: dict[int, str] = {}
    for row in rows:
        pk = row["id"]
        if last.get(pk) == row["state"]:
            continue
        previous = last.get(pk)
        last[pk] = row["state"]
        yield {
            "at": row["history_date"],
            "source": "history",
            "event": f"{kind}.state:{row['state']}",
            "actor": (row["history_user__email"] or "system") if show_actor else "",
            "role": "",
            "object": f"{object_type}:{pk}",
            "customer_id": row.get("customer_id"),
            "detail": {"state": row["state"], "from": previous},
        }


def audit_objects(incident: Incident, scope: int | None) -> Q:
    """Audit events about the incident, its notices, updates, their messages and letters."""
    notices = notices_of(incident, scope)
    ids = notices.values("pk")
    messages = (
        OutboxMessage.objects.filter(cause_type=NOTICE_CAUSE, cause_id__in=ids)
        .annotate(text=Cast("pk", CharField()))
        .values("text")
    )
    letters = (
        NoticeLetter.objects.filter(notice_id__in=ids, document__isnull=False)
        .annotate(text=Cast("document_id", CharField()))
        .values("text")
    )
    current = (
        notices.filter(letter__isnull=False)
        .annotate(text=Cast("letter_id", CharField()))
        .values("text")
    )
    updates = (
        IncidentUpdate.objects.filter(incident=incident)
        .annotate(text=Cast("pk", CharField()))
        .values("text")
    )
    objects = Q(object_type="breaches.Incident", object_id=str(incident.pk))
    objects |= Q(
        object_type="breaches.CustomerNotice", object_id__in=notice_ids_text(incident, scope)
    )
    objects |= Q(object_type="breaches.IncidentUpdate", object_id__in=updates)
    objects |= Q(object_type="compliance.OutboxMessage", object_id__in=messages)
    objects |= Q(object_type="compliance.StoredDocument", object_id__in=letters)
    objects |= Q(object_type="compliance.StoredDocument", object_id__in=current)
    return objects


def timeline_entries(
    *, user, incident: Incident, scope: int | None, head_seq: int
) -> Iterator[dict]:
    """Every state change (history tables), audit event up to the chain position `head_seq`
    and published update of the incident, oldest first. `at` stays a datetime here."""
    full = scope is None
    history = Incident.history.model.objects.filter(id=incident.pk).order_by(
        "history_date", "history_id"
    )
    incident_changes = _state_changes(
        history.values("id", "state", "history_date", "history_user__email").iterator(
            chunk_size=CHUNK
        ),
        kind="incident",
        object_type="breaches.Incident",
        show_actor=full,
    )
    notice_changes = _state_changes(
        CustomerNotice.history.model.objects.filter(id__in=notices_of(incident, scope).values("pk"))
        .order_by("history_date", "history_id")
        .values("id", "customer_id", "state", "history_date", "history_user__email")
        .iterator(chunk_size=CHUNK),
        kind="notice",
        object_type="breaches.CustomerNotice",
        show_actor=True,
    )
    events = (
        audit_events_for_user(user=user)
        .filter(audit_objects(incident, scope), seq__isnull=False, seq__lte=head_seq)
        .order_by("occurred_at", "pk")
        .values(
            "pk",
            "seq",
            "occurred_at",
            "action",
            "actor_label",
            "role",
            "object_type",
            "object_id",
            "customer_id",
            "after",
        )
        .iterator(chunk_size=CHUNK)
    )
    audit = (
        {
            "at": e["occurred_at"],
            "source": "audit",
            "event": e["action"],
            "actor": e["actor_label"] or "system",
            "role": e["role"],
            "object": f"{e['object_type']}:{e['object_id']}",
            "customer_id": e["customer_id"],
            "detail": {"audit_event": e["pk"], "seq": e["seq"], "after": e["after"]},
        }
        for e in events
    )
    updates = (
        {
            "at": u.created_at,
            "source": "update",
            "event": f"update.{u.kind}",
            "actor": (u.created_by.email if u.created_by_id else "system") if full else "",
            "role": "",
            "object": f"breaches.IncidentUpdate:{u.pk}",
            "customer_id": None,
            "detail": {"number": u.number, "summary": u.summary},
        }
        for u in IncidentUpdate.objects.filter(incident=incident)
        .select_related("created_by")
        .order_by("created_at", "number")
    )
    return heapq.merge(
        incident_changes,
        notice_changes,
        audit,
        updates,
        key=lambda entry: (entry["at"], _SOURCE_ORDER[entry["source"]]),
    )
