"""The dossier's files: the JSON and CSV attachments and the PDF/A-3b they are embedded in
(AU-03), rendered into an immutable StoredDocument."""

from __future__ import annotations

import csv
import io
import json
import uuid

from django.utils import timezone
from django.utils.translation import gettext as _
from weasyprint import Attachment

from breaches.dossier.assembly import MESSAGE_FIELDS, dossier_data
from breaches.dossier.selection import DOSSIER_TEMPLATE, filename_prefix
from breaches.models import DECISION_FIELDS, Incident
from compliance.access import customer_scope, require
from compliance.csv_safe import cell
from compliance.documents import document_build, documents_store, pdf_render, template_version
from compliance.models import Customer, Language, ProcessorProfile, StoredDocument

TIMELINE_COLUMNS = ("at", "source", "event", "actor", "role", "object", "customer_id", "detail")
MESSAGE_COLUMNS = ("notice_id", "customer_id", "customer", *MESSAGE_FIELDS)
DECISION_COLUMNS = ("notice_id", "customer_id", "customer", "revision", "recorded_at", "by")
DECISION_COLUMNS += DECISION_FIELDS


def _csv(columns, rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(row.get(c)) for c in columns])
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


def dossier_build(*, actor, incident: Incident) -> StoredDocument:
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
        filename=f"{filename_prefix(incident.pk, scope)}{stamp}.pdf",
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
    document = dossier_build(actor=actor, incident=incident)
    [document] = documents_store(documents=[document], actor=actor)
    return document
