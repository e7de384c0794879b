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

Issued in the background: with thousands of customers rendering takes far longer than a web
request may. Asking writes a `DossierRequest` with its audit event (`dossier_request_create`,
one pending request per incident and scope, so a second click makes none); after commit a
Celery task renders it (`dossier_request_process`). The worker claims the request for a lease
(`claimed_until`), renders outside any transaction, then locks the row again and stores the
document only while the request is still pending: a request never gets two documents, even
when a lost task was handed out twice. `dossier_requests_sweep` (beat, every minute) hands
out requests nobody took up (a lost task, a dead worker) and fails those that did not finish
after `DOSSIER_MAX_ATTEMPTS` tries, so nothing is lost silently.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import logging
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from weasyprint import Attachment

from audits.history import acting_as
from audits.services import event_record
from breaches.models import (
    ASSESSMENT_FIELDS,
    DECISION_FIELDS,
    CustomerNotice,
    DossierRequest,
    DossierRequestState,
    Incident,
    IncidentUpdate,
)
from breaches.services.common import NOTICE_CAUSE
from compliance.access import SYSTEM, customer_scope, require
from compliance.documents import (
    DocumentRenderError,
    document_build,
    documents_store,
    pdf_render,
    template_version,
)
from compliance.doorbell import task_ring
from compliance.models import (
    Customer,
    Language,
    OutboxMessage,
    ProcessorProfile,
    StoredDocument,
)
from compliance.selectors import audit_events_for_user
from compliance.text import bidi_strip

logger = logging.getLogger(__name__)

DOSSIER_TEMPLATE = "pdf/incident_dossier.html"
DOSSIER_FORMAT_VERSION = 1
# The Celery task that renders one requested dossier (breaches.tasks).
RENDER_TASK = "breaches.tasks.dossier_request_render"

# A worker rendering a request holds it this long; after that the sweep hands it out again.
DOSSIER_RENDER_LEASE = datetime.timedelta(minutes=30)
# A request nobody took up this long after it was made (its task lost) is handed out again.
DOSSIER_PICKUP_AFTER = datetime.timedelta(minutes=2)
# After an unexpected error the request waits this long, then the sweep tries again.
DOSSIER_RETRY_AFTER = datetime.timedelta(minutes=1)
# Tries (claims by a worker) before a request is given up as failed.
DOSSIER_MAX_ATTEMPTS = 3
# Failed requests stay on the dossier page this long.
DOSSIER_FAILURES_SHOWN = datetime.timedelta(days=7)

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
    text = bidi_strip(str(value))  # shown as typed, not reordered (`compliance.text`)
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


# ------------------------------------------------------------------------------ rendering


def _dossier_build(*, actor, incident: Incident) -> StoredDocument:
    """Render the dossier as `actor` may see it into an unsaved, immutable StoredDocument
    (the slow part: no transaction is held while it runs)."""
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
    issued_at = timezone.now()
    document_uuid = uuid.uuid4()
    title = _("Evidence dossier of incident #%(number)s") % {"number": incident.pk}
    # The same context `compliance.documents.document_render` gives every document.
    content = pdf_render(
        template_name=DOSSIER_TEMPLATE,
        context={
            "processor": ProcessorProfile.objects.first(),
            "customer": customer,
            "document_title": title,
            "document_reference": str(document_uuid),
            "issued_at": issued_at,
            "data": data,
            "incident": incident,
            "attachment_names": list(files),
        },
        language=language,
        pdf_options={"pdf_variant": "pdf/a-3b", "attachments": attachments},
    )
    stamp = issued_at.strftime("%Y%m%dT%H%M%SZ")
    document = document_build(
        content=content,
        title=title,
        filename=f"{_filename_prefix(incident.pk, scope)}{stamp}.pdf",
        template_name=DOSSIER_TEMPLATE,
        template_version=template_version(DOSSIER_TEMPLATE),
        language=language,
        issued_at=issued_at,
        customer=customer,
        document_uuid=document_uuid,
        actor=actor,
    )
    document.audit_only = True
    document.full_clean()
    return document


def incident_dossier_render(*, actor, incident: Incident) -> StoredDocument:
    """OBL AU-03: render and store the incident's evidence dossier (PDF/A-3b, data attached),
    synchronously. Pages and the API ask for it with `dossier_request_create` instead; this
    is the same work in one call (tests, shell).

    BR-02: the timeline shows every state change and audit event of the incident, its
    notices and updates; every notice with its recipients, Message-ID, server reply and
    accepted_at; every customer decision with its revisions. The JSON and CSV data are
    embedded as PDF/A-3 files with the relationship "Data". The document is immutable and
    its issue is an audit event (`document.issued`). A customer-engaged auditor gets a
    dossier filtered to its customer (see the module docstring); customer users are refused.
    """
    document = _dossier_build(actor=actor, incident=incident)
    [document] = documents_store(documents=[document], actor=actor)
    return document


# ------------------------------------------------------------------------------ requests


def dossier_requests_for(user, incident: Incident) -> QuerySet[DossierRequest]:
    """The dossier requests of an incident the user may see, newest first: the privacy
    officer and the processor's auditor all of them, a customer-engaged auditor only its
    customer's (AU-03; the same rule as `dossiers_for`)."""
    require(user, "audit.view")
    scope = customer_scope(user)
    requests = DossierRequest.objects.filter(incident=incident).select_related(
        "requested_by", "customer"
    )
    if scope is not None:
        requests = requests.filter(customer_id=scope)
    return requests.order_by("-requested_at", "-pk")


@dataclass(frozen=True)
class DossierOverview:
    """What the dossier page shows: requests being prepared, recent failures, and the
    stored dossiers."""

    pending: list[DossierRequest]
    failed: list[DossierRequest]
    documents: QuerySet[StoredDocument]

    @property
    def refresh(self) -> bool:
        return bool(self.pending)


def dossier_overview(user, incident: Incident) -> DossierOverview:
    requests = dossier_requests_for(user, incident)
    since = timezone.now() - DOSSIER_FAILURES_SHOWN
    return DossierOverview(
        pending=list(requests.filter(state=DossierRequestState.PENDING)),
        failed=list(requests.filter(state=DossierRequestState.FAILED, finished_at__gte=since)),
        documents=dossiers_for(user, incident),
    )


def _request_event(request: DossierRequest, action: str, *, actor=SYSTEM, **after) -> None:
    event_record(
        actor=actor,
        action=action,
        obj=request,
        customer_id=request.customer_id,
        after={
            "incident": request.incident_id,
            "scope": request.customer_id or "all",
            "requested_by": request.requested_by_id,
            **after,
        },
    )


def dossier_request_create(*, actor, incident: Incident) -> tuple[DossierRequest, bool]:
    """OBL AU-03: ask for a new evidence dossier of the incident; rendered in the background.

    Returns the request and whether it is new: while a request of the same incident and
    scope (the actor's customer for a customer-engaged auditor, else all customers) is still
    pending, that one is returned and nothing is written (a second click). The request and
    its `dossier.requested` audit event commit together; after commit a Celery task renders
    it, and the sweep picks it up if that task is lost (BR-02: the dossier is evidence of
    the incident's handling). Access as for the dossier itself: privacy officer and auditors.
    """
    require(actor, "audit.view")
    scope = customer_scope(actor)
    if scope is not None and not incident.notices.filter(customer_id=scope).exists():
        raise Http404
    pending = DossierRequest.objects.filter(
        incident=incident, customer_id=scope, state=DossierRequestState.PENDING
    )
    with transaction.atomic():
        existing = pending.select_related("requested_by").first()
        if existing is not None:
            return existing, False
        try:
            with transaction.atomic():
                request = DossierRequest.objects.create(
                    incident=incident,
                    requested_by=actor,
                    requested_at=timezone.now(),
                    customer_id=scope,
                )
        except IntegrityError:
            # Another click won the race (the partial unique constraint).
            existing = pending.select_related("requested_by").first()
            if existing is None:
                raise
            return existing, False
        _request_event(request, "dossier.requested", actor=actor)
        transaction.on_commit(lambda: _dossier_enqueue(request.pk))
    return request, True


def _dossier_enqueue(request_id: int) -> None:
    try:
        task_ring(RENDER_TASK, request_id)
    except Exception:  # noqa: BLE001 - the request is stored; the sweep hands it out later
        logger.warning("dossier task for request %s not queued", request_id, exc_info=True)


def _locked(request_id: int) -> DossierRequest | None:
    return (
        DossierRequest.objects.select_for_update(of=("self",))
        .select_related("requested_by", "incident", "customer")
        .filter(pk=request_id)
        .first()
    )


def _fail(request: DossierRequest, error: str) -> None:
    """Inside the caller's transaction, on a locked pending request."""
    request.state = DossierRequestState.FAILED
    request.error = error[:4000]
    request.finished_at = timezone.now()
    request.claimed_until = None
    request.save()
    _request_event(request, "dossier.failed", attempts=request.attempts, error=request.error)


def _claim(request_id: int) -> DossierRequest | None:
    """Lock the request and take it for one lease, or None when it is not ours to render
    (finished, or another worker's lease still runs). A request that used up its tries is
    failed here."""
    with transaction.atomic():
        request = _locked(request_id)
        if request is None or request.state != DossierRequestState.PENDING:
            return None
        now = timezone.now()
        if request.claimed_until is not None and request.claimed_until > now:
            return None
        if request.attempts >= DOSSIER_MAX_ATTEMPTS:
            _fail(
                request,
                f"Not finished after {request.attempts} attempts (the worker stopped). "
                + request.error,
            )
            return None
        request.attempts += 1
        request.claimed_until = now + DOSSIER_RENDER_LEASE
        request.save()
        return request


# Errors that will not go away by trying again: the request fails at once.
_FINAL_ERRORS = (PermissionDenied, Http404, ValidationError, DocumentRenderError)


def dossier_request_process(*, request_id: int) -> DossierRequest | None:
    """OBL AU-03: render and store the dossier of one pending request (the Celery task's
    work; also called in-process). Idempotent: a finished request, or one another worker
    is rendering, is left alone, and the document is stored only while the request is still
    pending, in the transaction that marks it done (`dossier.issued` and `document.issued`
    events). Rendered with the rights the requester has now: a requester who lost them (or
    whose customer changed) gets a failed request, never a dossier beyond its scope.
    An unexpected error leaves the request pending for the sweep to try again, up to
    `DOSSIER_MAX_ATTEMPTS` tries; then, as for errors that cannot go away, it fails with
    the reason."""
    claimed = _claim(request_id)
    if claimed is None:
        return DossierRequest.objects.filter(pk=request_id).first()
    requester = claimed.requested_by
    with acting_as(requester):
        try:
            if customer_scope(requester) != claimed.customer_id:
                raise PermissionDenied("the requester's scope changed since the request")
            document = _dossier_build(actor=requester, incident=claimed.incident)
        except Exception as exc:  # noqa: BLE001 - recorded on the request, never lost
            logger.exception("dossier request %s failed", request_id)
            return _attempt_failed(claimed, exc)
        with transaction.atomic():
            request = _locked(request_id)
            if request is None or request.state != DossierRequestState.PENDING:
                # Another worker finished it first: its document is the one.
                return request
            [document] = documents_store(documents=[document], actor=SYSTEM)
            request.state = DossierRequestState.DONE
            request.document = document
            request.finished_at = timezone.now()
            request.claimed_until = None
            request.error = ""
            request.save()
            _request_event(
                request,
                "dossier.issued",
                document=str(document.uuid),
                sha256=document.sha256,
                attempts=request.attempts,
            )
    return request


def _attempt_failed(claimed: DossierRequest, exc: Exception) -> DossierRequest | None:
    error = f"{type(exc).__name__}: {exc}".strip()
    with transaction.atomic():
        request = _locked(claimed.pk)
        # Only the attempt that holds the request decides about it.
        if (
            request is None
            or request.state != DossierRequestState.PENDING
            or request.attempts != claimed.attempts
        ):
            return request
        if isinstance(exc, _FINAL_ERRORS) or request.attempts >= DOSSIER_MAX_ATTEMPTS:
            _fail(request, error)
        else:
            request.error = error[:4000]
            request.claimed_until = timezone.now() + DOSSIER_RETRY_AFTER
            request.save()
    return request


def dossier_requests_due(*, limit: int = 100) -> list[int]:
    """Pending requests that need a worker: never taken up within `DOSSIER_PICKUP_AFTER`
    (their task lost), or whose lease or retry wait ran out (a dead worker, an error)."""
    now = timezone.now()
    due = DossierRequest.objects.filter(state=DossierRequestState.PENDING).filter(
        Q(claimed_until__isnull=True, requested_at__lte=now - DOSSIER_PICKUP_AFTER)
        | Q(claimed_until__lte=now)
    )
    return list(due.order_by("requested_at", "pk").values_list("pk", flat=True)[:limit])


def dossier_requests_sweep(*, process=None) -> list[int]:
    """OBL AU-03: hand every due request (see `dossier_requests_due`) to a worker again, so a
    lost task or a dead worker loses no dossier. `process(request_id)` defaults to queueing
    the Celery task; the claim makes a request handed out twice render once. Returns the ids
    handed out."""
    ids = dossier_requests_due()
    for request_id in ids:
        if process is None:
            _dossier_enqueue(request_id)
        else:
            process(request_id)
    return ids
