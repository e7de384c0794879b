"""Rendering breach-notice letters: one per letter version, in batches, and the complete letter
from scratch (BR-06; see `breaches.letters`)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator, Sequence

from django.utils import timezone

from breaches import deadlines
from breaches.letters.assembly import letters_assemble
from breaches.letters.fields import _Letter, fields_render
from breaches.letters.stationery import (
    BATCH_SIZE,
    LETTER_TEMPLATE,
    TEMPLATE_NAME,
    Variant,
    enclosure_title,
    letter_pages,
    letter_template_version,
    letter_title,
    shared_pages_render,
    stationery_render,
)
from breaches.links import notice_link
from breaches.models import CustomerNotice, NoticeLetter
from compliance.documents import document_build, document_render
from compliance.models import StoredDocument
from compliance.selectors import processor_profile


def letters_render(
    *, versions: Sequence[NoticeLetter], batch_size: int = BATCH_SIZE
) -> Iterator[tuple[list[NoticeLetter], list[StoredDocument]]]:
    """Render the letters of these versions (BR-06; each states the moments its version
    records, BR-04), batch by batch: yields each batch's versions with their documents,
    built but not stored (`breaches.letters.jobs` stores them).

    The versions come with their notice, incident and customer; the shared pages are
    rendered once per (incident, language) and the customers' own pages in batches."""
    versions = sorted(
        versions, key=lambda v: (v.notice.incident_id, v.notice.customer.language, v.pk)
    )
    if not versions:
        return
    processor = processor_profile()
    template_version = letter_template_version()
    groups = itertools.groupby(
        versions, key=lambda v: (v.notice.incident_id, v.notice.customer.language)
    )
    for (_incident_id, language), group in groups:
        group = list(group)
        incident = group[0].notice.incident
        title = letter_title(incident, language)
        for start in range(0, len(group), batch_size):
            batch = group[start : start + batch_size]
            issued_at = timezone.now()
            shared_pdf = shared_pages_render(
                incident=incident, language=language, processor=processor
            )
            references = [uuid.uuid4() for _v in batch]
            letters = [
                _Letter(
                    notice=v.notice,
                    document_reference=str(r),
                    notice_link=link,
                    aware_at=v.aware_at,
                    authority_due_at=v.authority_due_at,
                    variant=Variant(
                        reported=bool(v.notice.customer_reported),
                        has_deadline=bool(v.authority_due_at),
                        has_link=bool(link),
                    ),
                )
                for v, r in zip(batch, references, strict=True)
                for link in (notice_link(v.notice_id),)
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
                total_pages=letter_pages(shared_pdf),
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
                    filename=letter_filename(v),
                    template_name=TEMPLATE_NAME,
                    template_version=template_version,
                    language=language,
                    issued_at=issued_at,
                    customer=v.notice.customer,
                    document_uuid=reference,
                )
                for v, reference, content in zip(batch, references, contents, strict=True)
            ]
            yield batch, documents


def letter_filename(version: NoticeLetter) -> str:
    notice = version.notice
    suffix = f"-v{version.version}" if version.version > 1 else ""
    return f"incident-{notice.incident_id}-notice-{notice.customer.customer_number}{suffix}.pdf"


def letter_complete_render(
    *, notice: CustomerNotice, version: NoticeLetter | None = None
) -> StoredDocument:
    """The same letter rendered from scratch as one WeasyPrint document and stored by
    `document_render` (not linked to the notice): the slow path the benchmark compares with.
    It states the moments of `version`, else the notice's own."""
    language = notice.customer.language
    stated = version or notice
    return document_render(
        template_name=LETTER_TEMPLATE,
        context={
            "incident": notice.incident,
            "notice": notice,
            "aware_at": stated.aware_at,
            "due_at": stated.authority_due_at,
            "notice_link": notice_link(notice.pk),
            "enclosure_title": enclosure_title(notice.incident, language),
            "authority_hours": deadlines.AUTHORITY_DECISION_HOURS,
        },
        language=language,
        title=letter_title(notice.incident, language),
        filename=f"incident-{notice.incident_id}-notice-{notice.customer.customer_number}.pdf",
        customer=notice.customer,
    )
