"""The dossier's PDF (AU-03, BR-02): the summary, the sections, the attached data and the
processor's seal, rendered into an immutable StoredDocument.

Order of work: seal the audit chain and read its head (the dossier is built from the events
up to that position; its own issue comes after it); count and list the exceptions; write
the attachments row by row into a temporary folder, compressed on the way; render the pages
(WeasyPrint, PDF/A-3b, the files embedded with the relationship "Data" as the compressed
streams they already are); seal the PDF (PAdES, `compliance.seals`).
The stored document is the sealed PDF, its SHA-256 that of the sealed bytes.
"""

from __future__ import annotations

import contextlib
import tempfile
import uuid
from pathlib import Path

import pydyf
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from weasyprint import Attachment

from audits.services import audit_seal
from breaches.dossier.assembly import (
    chain_head,
    dossier_scope,
    exceptions,
    incident_row,
    notice_labels,
    summary_counts,
    update_rows,
    updates_of,
)
from breaches.dossier.attachments import AttachedFile, attachments_write
from breaches.dossier.selection import DOSSIER_TEMPLATE, filename_prefix
from breaches.dossier.streams import (
    notice_rows,
    plain,
    timeline_entries,
    timestamps_parsed_fast,
)
from breaches.models import Incident
from compliance.documents import (
    DocumentRenderError,
    document_build,
    documents_store,
    pdf_render,
    template_version,
)
from compliance.models import Customer, Language, ProcessorProfile, StoredDocument
from compliance.seals import pdf_seal


def _descriptions() -> dict[str, str]:
    return {
        "dossier.json": _("All data of this dossier (JSON)"),
        "timeline.csv": _("Timeline (CSV)"),
        "messages.csv": _("Messages per notice (CSV)"),
        "decisions.csv": _("Customer decisions with their revisions (CSV)"),
    }


def _page_counter() -> str:
    """The CSS `content` of the page number in the reader's language ("page 2 of 7")."""
    words = _("page %(page)s of %(pages)s") % {
        "page": '" counter(page) "',
        "pages": '" counter(pages) "',
    }
    return mark_safe(f'"{words}"')  # noqa: S308 - our own words and CSS counters only


def _placeholder(file: AttachedFile) -> bytes:
    return f"dossier attachment {file.name}, compressed beforehand".encode()


def _embed_compressed(files: list[AttachedFile]):
    """A WeasyPrint finisher: each file is handed to WeasyPrint as a short placeholder (so it
    neither reads the text again nor compresses it); once the PDF's objects are made, the
    placeholder's embedded-file stream gets the file's compressed bytes as they are (already
    a FlateDecode stream) with the size and MD5 checksum of its text (/Params)."""
    by_placeholder = {_placeholder(file): file for file in files}

    def finisher(document, pdf) -> None:
        done = set()
        for stream in pdf.objects:
            if not isinstance(stream, pydyf.Stream) or len(stream.stream) != 1:
                continue
            if stream.extra.get("Type") != "/EmbeddedFile":
                continue
            file = by_placeholder.get(stream.stream[0])
            if file is None:
                continue
            stream.stream = [file.compressed()]
            stream.compress = False
            stream.extra["Filter"] = "/FlateDecode"
            stream.extra["Params"]["Size"] = file.size
            stream.extra["Params"]["CheckSum"] = f"<{file.md5}>"
            done.add(file.name)
        missing = sorted({file.name for file in files} - done)
        if missing:
            raise DocumentRenderError(f"attachments not embedded: {', '.join(missing)}")

    return finisher


def dossier_build(*, actor, incident: Incident) -> StoredDocument:
    """Render the dossier as `actor` may see it into an unsaved, immutable StoredDocument
    (the slow part: no transaction is held while it runs)."""
    scope = dossier_scope(actor, incident)
    audit_seal()
    head = chain_head()
    language = getattr(actor, "language", "") or "en"
    if language not in Language.values:
        language = "en"
    customer = Customer.objects.get(pk=scope) if scope is not None else None
    issued_at = timezone.now()
    document_uuid = uuid.uuid4()
    updates = updates_of(incident)
    with translation.override(language), contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="dossier-")))
        counts = summary_counts(incident, scope)
        header = {
            "generated_at": plain(issued_at),
            "scope": "all" if scope is None else {"customer_id": scope},
            "chain_head": {
                "seq": head["seq"],
                "chain_hash": head["chain_hash"],
                "sealed_at": plain(head["sealed_at"]),
            },
            "incident": incident_row(incident, scope),
            "summary": {k: plain(v) for k, v in counts.items() if k not in ("words",)},
            "updates": update_rows(updates),
        }
        with timestamps_parsed_fast():
            files, timeline, kept = attachments_write(
                folder,
                header=header,
                notices=notice_rows(incident=incident, scope=scope),
                timeline=timeline_entries(
                    user=actor, incident=incident, scope=scope, head_seq=head["seq"]
                ),
                keep_all=scope is not None,
            )
        descriptions = _descriptions()
        attachments = [
            Attachment(
                string=_placeholder(file),
                name=file.name,
                description=descriptions[file.name],
                relationship="Data",
            )
            for file in files
        ]
        title = _("Evidence dossier of incident #%(number)s") % {"number": incident.pk}
        content = pdf_render(
            template_name=DOSSIER_TEMPLATE,
            context={
                "processor": ProcessorProfile.objects.first(),
                "customer": customer,
                "document_title": title,
                "document_reference": str(document_uuid),
                "issued_at": issued_at,
                "requested_by": actor,
                "incident": incident,
                "full": scope is None,
                "head": head,
                "counts": counts,
                "exceptions": exceptions(incident, scope),
                "updates": updates,
                "timeline": timeline,
                "notices": [notice_labels(n) for n in kept],
                "files": [(f, descriptions[f.name]) for f in files],
                "page_counter": _page_counter(),
            },
            language=language,
            pdf_options={
                "pdf_variant": "pdf/a-3b",
                "attachments": attachments,
                "finisher": _embed_compressed(files),
            },
        )
    content = pdf_seal(content)
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
    """OBL AU-03: render and store the incident's evidence dossier (PDF/A-3b, data attached,
    sealed), synchronously. Pages and the API ask for it with `dossier_request_create`
    instead; this is the same work in one call (tests, shell).

    BR-02: the summary says who was informed when (the share within 48 hours, the late ones
    with their reasons), what the customers decided, the updates and the audit chain head
    the dossier was built from; the sections list only exceptions one by one. The JSON and
    CSV files attached (PDF/A-3, relationship "Data") hold every notice with its recipients,
    Message-ID, server reply and accepted_at, every decision revision and the whole
    timeline. The document is immutable, sealed by the processor (PAdES), and its issue is
    an audit event (`document.issued`). A customer-engaged auditor gets a dossier filtered
    to its customer (see the package docstring); customer users are refused.
    """
    document = dossier_build(actor=actor, incident=incident)
    [document] = documents_store(documents=[document], actor=actor)
    return document
