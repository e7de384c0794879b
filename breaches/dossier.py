"""The evidence dossier of one incident: a PDF/A-3b with its data attached (AU-03, BR-02).

What ISO 27001 auditors check (A.5.24–A.5.28): how the incident was registered and handled.
The dossier holds the timeline (every state change from the history tables and every audit
event of the incident, its notices, their messages and letters, and its updates), every
notice with its recipients, Message-ID, the mail server's reply and `accepted_at`, and every
customer decision with its revisions. The same data is attached as JSON and CSV (PDF/A-3
embedded files with the relationship "Data"), so an auditor can check it by machine.

Stored, not rendered on demand: it is evidence of what the processor knew at the time it was
issued, so each dossier is an immutable StoredDocument with its SHA-256; a later dossier of
the same incident is a new document beside it.

Who gets it: the privacy officer and auditors (`audit.view`). The processor's own (ISO)
auditor gets the full dossier. An auditor engaged by a customer gets a dossier filtered to
that customer: the incident's facts as told to its customers, the incident's state changes
(without who made them), and only that customer's notice, messages, decisions and audit
events — the same scope the audit trail gives such an auditor. It is stored with that
customer, so it never shows up for anyone outside it. Customer users get nothing: the
dossier is the processor's evidence about its own handling, not a customer document.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from weasyprint import Attachment

from audits.selectors import audit_events_for_user
from breaches.models import CustomerNotice, Incident, IncidentUpdate
from breaches.services.common import NOTICE_CAUSE
from compliance.access import customer_scope, require
from compliance.documents import document_render
from compliance.models import Customer, Language, OutboxMessage, StoredDocument

DOSSIER_TEMPLATE = "pdf/incident_dossier.html"
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
    "personal_data_involved",
    "data_categories",
    "special_categories",
    "special_categories_detail",
    "data_subject_categories",
    "subjects_min",
    "subjects_max",
    "records_min",
    "records_max",
    "identifiability",
    "likely_consequences",
    "data_unintelligible",
    "unintelligible_how",
    "enisa_dpc",
    "enisa_ei",
    "enisa_cb_confidentiality",
    "enisa_cb_integrity",
    "enisa_cb_availability",
    "enisa_cb_malicious",
    "severity_score",
    "severity_band",
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
DECISION_FIELDS = (
    "decision_is_breach",
    "decision_breach_reasoning",
    "decision_authority_notified",
    "decision_authority",
    "decision_authority_notified_on",
    "decision_authority_reference",
    "decision_authority_kind",
    "decision_authority_reasoning",
    "decision_subjects_informed",
    "decision_subjects_informed_on",
    "decision_subjects_how",
    "decision_subjects_reasoning",
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
TIMELINE_COLUMNS = ("at", "source", "event", "actor", "role", "object", "customer_id", "detail")
MESSAGE_COLUMNS = ("notice_id", "customer_id", "customer", *MESSAGE_FIELDS)
DECISION_COLUMNS = ("notice_id", "customer_id", "customer", "revision", "recorded_at", "by")
DECISION_COLUMNS += DECISION_FIELDS


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


# ------------------------------------------------------------------------------ selectors


def dossier_incident_get(user, pk) -> Incident:
    """The incident whose dossier the user may have, else 404 (AU-03).

    Privacy officer and the processor's auditor: any incident. A customer-engaged auditor:
    only an incident its customer has a notice of. Everyone else is refused by `audit.view`.
    """
    require(user, "audit.view")
    scope = customer_scope(user)
    incidents = Incident.objects.select_related("source_subprocessor")
    if scope is not None:
        incidents = incidents.filter(notices__customer_id=scope).distinct()
    return get_object_or_404(incidents, pk=pk)


def _filename_prefix(incident_id: int, customer_id: int | None) -> str:
    part = f"c{customer_id}" if customer_id is not None else "all"
    return f"incident-{incident_id}-dossier-{part}-"


def dossiers_for(user, incident: Incident) -> QuerySet[StoredDocument]:
    """The stored dossiers of an incident the user may download, newest first.

    A dossier is recognised by its template and its file name (`incident-<id>-dossier-…`,
    with `all` or `c<customer id>`): stored documents never change, so the name is as
    stable as a foreign key would be, without a table of our own.
    """
    require(user, "audit.view")
    scope = customer_scope(user)
    documents = (
        StoredDocument.objects.select_related("customer", "created_by")
        .defer("content")
        .filter(template_name=DOSSIER_TEMPLATE)
    )
    if scope is not None:
        return documents.filter(
            customer_id=scope, filename__startswith=_filename_prefix(incident.pk, scope)
        )
    return documents.filter(
        Q(filename__startswith=_filename_prefix(incident.pk, None), customer__isnull=True)
        | Q(filename__startswith=f"incident-{incident.pk}-dossier-c", customer__isnull=False)
    )


def dossier_get(user, incident: Incident, uuid) -> StoredDocument:
    return get_object_or_404(dossiers_for(user, incident).defer(None), uuid=uuid)


# ------------------------------------------------------------------------------ the data


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
    letter_ids = [n.letter_id for n in notices if n.letter_id]

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
    out: list[dict] = []
    last = None
    records = notice.history.filter(decided_at__isnull=False).order_by("history_date")
    for record in records:
        values = _row(record, DECISION_FIELDS)
        key = (record.decided_at, tuple(values.values()))
        if key == last:
            continue
        last = key
        out.append(
            {
                "revision": len(out) + 1,
                "recorded_at": _plain(record.decided_at),
                "by": _user_label(record.decided_by),
                **values,
            }
        )
    return out


# ------------------------------------------------------------------------------ attachments

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (CSV injection)."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv(columns, rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return buffer.getvalue()


def dossier_attachments(data: dict) -> dict[str, str]:
    """File name → content of the machine-readable files embedded in the PDF."""
    messages, decisions = [], []
    for notice in data["notices"]:
        common = {
            "notice_id": notice["id"],
            "customer_id": notice["customer"]["id"],
            "customer": notice["customer"]["name"],
        }
        messages += [{**common, **m} for m in notice["messages"]]
        decisions += [{**common, **d} for d in notice["decision_history"]]
    return {
        "dossier.json": json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True),
        "timeline.csv": _csv(TIMELINE_COLUMNS, data["timeline"]),
        "messages.csv": _csv(MESSAGE_COLUMNS, messages),
        "decisions.csv": _csv(DECISION_COLUMNS, decisions),
    }


# ------------------------------------------------------------------------------ the service


def incident_dossier_render(*, actor, incident: Incident) -> StoredDocument:
    """OBL AU-03: render and store the incident's evidence dossier (PDF/A-3b, data attached).

    BR-02: the timeline shows every state change and audit event of the incident, its
    notices and updates; every notice with its recipients, Message-ID, server reply and
    accepted_at; every customer decision with its revisions. The JSON and CSV data are
    embedded as PDF/A-3 files with the relationship "Data". The document is immutable and
    its issue is an audit event (document_render). A customer-engaged auditor gets a dossier
    filtered to its customer (see the module docstring); customer users are refused.
    """
    require(actor, "audit.view")
    scope = customer_scope(actor)
    data = dossier_data(user=actor, incident=incident)
    files = dossier_attachments(data)
    descriptions = {
        "dossier.json": _("All data of this dossier (JSON)"),
        "timeline.csv": _("Timeline (CSV)"),
        "messages.csv": _("Messages per notice (CSV)"),
        "decisions.csv": _("Customer decisions with their revisions (CSV)"),
    }
    attachments = [
        Attachment(
            string=content,
            name=name,
            description=descriptions[name],
            relationship="Data",
        )
        for name, content in files.items()
    ]
    customer = Customer.objects.get(pk=scope) if scope is not None else None
    language = getattr(actor, "language", "") or "en"
    if language not in Language.values:
        language = "en"
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    return document_render(
        template_name=DOSSIER_TEMPLATE,
        context={"data": data, "incident": incident, "attachment_names": list(files)},
        language=language,
        title=_("Evidence dossier of incident #%(number)s") % {"number": incident.pk},
        filename=f"{_filename_prefix(incident.pk, scope)}{stamp}.pdf",
        customer=customer,
        actor=actor,
        pdf_options={"pdf_variant": "pdf/a-3b", "attachments": attachments},
        audit_only=True,
    )
