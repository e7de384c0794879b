"""The data of an incident's evidence dossier (AU-03, BR-02): the incident, its updates, every
notice with its messages and decisions, and the timeline, scoped by the user."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from breaches.decisions import decision_versions
from breaches.models import (
    ASSESSMENT_FIELDS,
    DECISION_FIELDS,
    CustomerNotice,
    Incident,
    IncidentUpdate,
    NoticeLetter,
)
from breaches.services.common import NOTICE_CAUSE
from compliance.access import customer_scope, require
from compliance.models import OutboxMessage, StoredDocument
from compliance.selectors import audit_events_for_user

DOSSIER_FORMAT_VERSION = 1

INCIDENT_FIELDS = (
    "id",
    "title",
    "description",
    "source",
    "state",
    "systems",
    "personal_data_possible",
    "occurred_at",
    "found_at_source",
    "discovered_at",
    "discovered_at_reason",
    "reported_at",
    "customer_due_at",
    "dismissed_reason",
    "dismissed_at",
    *ASSESSMENT_FIELDS,
    "triaged_at",
    "measures_taken",
    "measures_proposed",
    "root_cause",
    "lessons_learned",
    "selection_rule",
    "selected_at",
    "notify_late_reason",
    "notified_at",
    "resolved_at",
    "closed_at",
)
# Processor-internal: left out of a dossier filtered to one customer.
INTERNAL_INCIDENT_FIELDS = ("dismissed_reason", "selection_rule", "selected_at")

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
    "intention_recipient",
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


def _plain(value):
    """A JSON-ready value: aware datetimes in UTC ISO 8601, decimals as strings."""
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _row(obj, fields) -> dict:
    return {name: _plain(getattr(obj, name)) for name in fields}


def _user_label(user) -> str:
    if user is None:
        return "system"
    return getattr(user, "email", "") or str(user)


def dossier_data(*, user, incident: Incident) -> dict:
    """Everything the dossier shows, as plain data (also its JSON attachment), scoped by
    the user: a customer-engaged auditor's dossier holds only its customer's part."""
    require(user, "audit.view")
    scope = customer_scope(user)
    if scope is not None and not incident.notices.filter(customer_id=scope).exists():
        raise Http404
    full = scope is None

    notices = list(
        CustomerNotice.objects.filter(incident=incident)
        .filter(**({} if full else {"customer_id": scope}))
        .select_related("customer")
        .order_by("customer__name", "pk")
    )
    notice_ids = [n.pk for n in notices]
    messages = list(
        OutboxMessage.objects.filter(cause_type=NOTICE_CAUSE, cause_id__in=notice_ids).order_by(
            "created_at", "pk"
        )
    )
    by_notice: dict[int, list[OutboxMessage]] = {}
    for message in messages:
        by_notice.setdefault(message.cause_id, []).append(message)
    updates = list(IncidentUpdate.objects.filter(incident=incident).order_by("number"))
    # Every version of every notice's letter (BR-06), not only the current one.
    versions = list(
        NoticeLetter.objects.filter(notice_id__in=notice_ids, document__isnull=False)
        .order_by("notice_id", "version")
        .values(
            "notice_id",
            "version",
            "informed_at",
            "authority_due_at",
            "document_id",
            "document__sha256",
            "document__uuid",
        )
    )
    letter_ids = sorted(
        {n.letter_id for n in notices if n.letter_id} | {v["document_id"] for v in versions}
    )
    versions_by_notice: dict[int, list[dict]] = {}
    for version in versions:
        versions_by_notice.setdefault(version["notice_id"], []).append(
            {
                "version": version["version"],
                "informed_at": _plain(version["informed_at"]),
                "authority_due_at": _plain(version["authority_due_at"]),
                "document": str(version["document__uuid"]),
                "sha256": version["document__sha256"],
            }
        )

    incident_fields = [f for f in INCIDENT_FIELDS if full or f not in INTERNAL_INCIDENT_FIELDS]
    incident_row = _row(incident, incident_fields)
    incident_row["products"] = [p.name for p in incident.products.all()]
    if full:
        incident_row["reported_by"] = _user_label(incident.reported_by)
        incident_row["source_customer_id"] = incident.source_customer_id
        incident_row["source_subprocessor"] = (
            str(incident.source_subprocessor) if incident.source_subprocessor_id else None
        )
        incident_row["affected_customer_ids"] = sorted(
            incident.affected_customers.values_list("pk", flat=True)
        )

    timeline: list[dict] = []
    # State changes, from the history tables (django-simple-history).
    previous = None
    for record in incident.history.order_by("history_date", "history_id"):
        if record.state != previous:
            timeline.append(
                {
                    "at": _plain(record.history_date),
                    "source": "history",
                    "event": f"incident.state:{record.state}",
                    "actor": _user_label(record.history_user) if full else "",
                    "role": "",
                    "object": f"breaches.Incident:{incident.pk}",
                    "customer_id": None,
                    "detail": {"state": record.state, "from": previous},
                }
            )
            previous = record.state
    for notice in notices:
        previous = None
        for record in notice.history.order_by("history_date", "history_id"):
            if record.state != previous:
                timeline.append(
                    {
                        "at": _plain(record.history_date),
                        "source": "history",
                        "event": f"notice.state:{record.state}",
                        "actor": _user_label(record.history_user),
                        "role": "",
                        "object": f"breaches.CustomerNotice:{notice.pk}",
                        "customer_id": notice.customer_id,
                        "detail": {"state": record.state, "from": previous},
                    }
                )
                previous = record.state
    # Every audit event about the incident, its notices, updates, messages and letters; the
    # audit selector already limits a customer-engaged auditor to its customer's events.
    objects = Q(object_type="breaches.Incident", object_id=str(incident.pk))
    objects |= Q(object_type="breaches.CustomerNotice", object_id__in=[str(i) for i in notice_ids])
    objects |= Q(object_type="breaches.IncidentUpdate", object_id__in=[str(u.pk) for u in updates])
    objects |= Q(
        object_type="compliance.OutboxMessage", object_id__in=[str(m.pk) for m in messages]
    )
    objects |= Q(
        object_type="compliance.StoredDocument", object_id__in=[str(i) for i in letter_ids]
    )
    for event in audit_events_for_user(user=user).filter(objects).order_by("occurred_at", "pk"):
        timeline.append(
            {
                "at": _plain(event.occurred_at),
                "source": "audit",
                "event": event.action,
                "actor": event.actor_label or "system",
                "role": event.role,
                "object": f"{event.object_type}:{event.object_id}",
                "customer_id": event.customer_id,
                "detail": {"audit_event": event.pk, "seq": event.seq, "after": event.after},
            }
        )
    for update in updates:
        timeline.append(
            {
                "at": _plain(update.created_at),
                "source": "update",
                "event": f"update.{update.kind}",
                "actor": _user_label(update.created_by) if full else "",
                "role": "",
                "object": f"breaches.IncidentUpdate:{update.pk}",
                "customer_id": None,
                "detail": {"number": update.number, "summary": update.summary},
            }
        )
    timeline.sort(key=lambda entry: (entry["at"] or "", entry["source"]))

    notice_rows = []
    for notice in notices:
        row = _row(notice, NOTICE_FIELDS)
        row["customer"] = {"id": notice.customer_id, "name": notice.customer.name}
        row["letter_sha256"] = None
        row["letters"] = versions_by_notice.get(notice.pk, [])
        row["messages"] = [_row(m, MESSAGE_FIELDS) for m in by_notice.get(notice.pk, [])]
        row["decision"] = _row(notice, DECISION_FIELDS) if notice.decided_at else None
        row["decision_history"] = _decision_history(notice)
        notice_rows.append(row)
    letters = dict(StoredDocument.objects.filter(pk__in=letter_ids).values_list("pk", "sha256"))
    for notice, row in zip(notices, notice_rows, strict=True):
        row["letter_sha256"] = letters.get(notice.letter_id)

    return {
        "format_version": DOSSIER_FORMAT_VERSION,
        "generated_at": _plain(timezone.now()),
        "scope": "all" if full else {"customer_id": scope},
        "incident": incident_row,
        "updates": [
            {
                "number": u.number,
                "kind": u.kind,
                "created_at": _plain(u.created_at),
                "summary": u.summary,
                "measures": u.measures,
                "recipients_count": u.recipients_count,
            }
            for u in updates
        ],
        "notices": notice_rows,
        "timeline": timeline,
    }


def _decision_history(notice: CustomerNotice) -> list[dict]:
    """Each distinct decision the customer recorded, oldest first (BR-04: revisable)."""
    return [
        {
            "revision": number,
            "recorded_at": _plain(record.decided_at),
            "by": _user_label(record.decided_by),
            **_row(record, DECISION_FIELDS),
        }
        for number, record in enumerate(decision_versions(notice), start=1)
    ]
