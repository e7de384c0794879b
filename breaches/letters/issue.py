"""Issuing breach-notice letters: render, assemble and store one per notice (BR-06; see
`breaches.letters`)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from audits.services import events_record
from breaches import deadlines
from breaches.letters.assembly import letters_assemble
from breaches.letters.fields import _Letter, fields_render
from breaches.letters.stationery import (
    BATCH_SIZE,
    LETTER_TEMPLATE,
    TEMPLATE_NAME,
    Variant,
    enclosure_title,
    letter_template_version,
    letter_title,
    shared_pages_render,
    stationery_render,
)
from breaches.links import notice_link
from breaches.models import CustomerNotice
from compliance.documents import (
    document_build,
    document_render,
    documents_store,
)
from compliance.models import StoredDocument
from compliance.selectors import processor_profile


def notice_letters_render(
    *, notice_ids: Sequence[int], batch_size: int = BATCH_SIZE
) -> list[StoredDocument]:
    """Render and store the PDF letters of these notices, skipping those that have one
    (BR-06: evidence of what each customer was told; never on the sending path).

    Each letter is its own immutable StoredDocument (SHA-256, template and version,
    language, customer) with a `document.issued` and a `notice.letter_stored` audit event,
    written in one transaction per batch together with the notices' link to it."""
    notices = list(
        CustomerNotice.objects.filter(pk__in=list(notice_ids), letter__isnull=True)
        .select_related("incident", "customer")
        .order_by("incident_id", "customer__language", "pk")
    )
    if not notices:
        return []
    processor = processor_profile()
    version = letter_template_version()
    stored: list[StoredDocument] = []
    groups = itertools.groupby(notices, key=lambda n: (n.incident_id, n.customer.language))
    for (_incident_id, language), group in groups:
        group = list(group)
        incident = group[0].incident
        title = letter_title(incident, language)
        for start in range(0, len(group), batch_size):
            batch = group[start : start + batch_size]
            issued_at = timezone.now()
            shared_pdf = shared_pages_render(
                incident=incident, language=language, processor=processor
            )
            references = [uuid.uuid4() for _n in batch]
            letters = [
                _Letter(
                    notice=n,
                    document_reference=str(r),
                    notice_link=link,
                    variant=Variant(
                        reported=bool(n.customer_reported),
                        has_deadline=bool(n.authority_due_at),
                        has_link=bool(link),
                    ),
                )
                for n, r in zip(batch, references, strict=True)
                for link in (notice_link(n.pk),)
            ]
            variants = sorted({letter.variant for letter in letters})
            for letter in letters:
                letter.variant_index = variants.index(letter.variant)
            stationery_pdf, boxes = stationery_render(
                incident=incident,
                language=language,
                variants=variants,
                processor=processor,
                issued_at=issued_at,
            )
            fields_pdf = fields_render(
                incident=incident, language=language, letters=letters, boxes=boxes
            )
            metadata = {
                "/Title": title,
                "/Author": processor.legal_name if processor else "",
                "/Subject": incident.title,
                "/Creator": "WeasyPrint, pypdf",
                "/CreationDate": issued_at.strftime("D:%Y%m%d%H%M%S+00'00'"),
                "/ModDate": issued_at.strftime("D:%Y%m%d%H%M%S+00'00'"),
            }
            contents = letters_assemble(
                letters=letters,
                stationery_pdf=stationery_pdf,
                fields_pdf=fields_pdf,
                shared_pdf=shared_pdf,
                metadata=metadata,
                language=language,
            )
            documents = [
                document_build(
                    content=content,
                    title=title,
                    filename=f"incident-{incident.pk}-notice-{n.customer.customer_number}.pdf",
                    template_name=TEMPLATE_NAME,
                    template_version=version,
                    language=language,
                    issued_at=issued_at,
                    customer=n.customer,
                    document_uuid=reference,
                )
                for n, reference, content in zip(batch, references, contents, strict=True)
            ]
            stored.extend(_store(batch=batch, documents=documents))
    return stored


def _store(*, batch, documents) -> list[StoredDocument]:
    with transaction.atomic():
        # Another worker may have stored a letter meanwhile (a task delivered twice):
        # keep its letter, issue none for that notice.
        locked = {
            n.pk: n
            for n in CustomerNotice.objects.select_for_update()
            .filter(pk__in=[n.pk for n in batch], letter__isnull=True)
            .select_related("customer")
        }
        pairs = [(locked[n.pk], d) for n, d in zip(batch, documents, strict=True) if n.pk in locked]
        if not pairs:
            return []
        stored = documents_store(documents=[d for _n, d in pairs])
        for notice, document in pairs:
            notice.letter = document
        bulk_update_with_history([n for n, _d in pairs], CustomerNotice, ["letter"])
        events_record(
            [
                {
                    "actor": None,
                    "action": "notice.letter_stored",
                    "obj": notice,
                    "after": {"document": str(document.uuid), "sha256": document.sha256},
                    "customer_id": notice.customer_id,
                }
                for notice, document in pairs
            ]
        )
    return stored


def letter_complete_render(*, notice: CustomerNotice) -> StoredDocument:
    """The same letter rendered from scratch as one WeasyPrint document and stored by
    `document_render` (not linked to the notice): the slow path the benchmark compares with."""
    language = notice.customer.language
    return document_render(
        template_name=LETTER_TEMPLATE,
        context={
            "incident": notice.incident,
            "notice": notice,
            "notice_link": notice_link(notice.pk),
            "enclosure_title": enclosure_title(notice.incident, language),
            "authority_hours": deadlines.AUTHORITY_DECISION_HOURS,
        },
        language=language,
        title=letter_title(notice.incident, language),
        filename=f"incident-{notice.incident_id}-notice-{notice.customer.customer_number}.pdf",
        customer=notice.customer,
    )
