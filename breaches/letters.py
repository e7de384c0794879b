"""PDF letters of breach notices, rendered fast for thousands of customers (BR-06).

A letter is the customer's own page (its name and number, its own deadline, the link to
its notice, the document reference) followed by the pages every affected customer shares
(the incident, the Art. 33(3) contents, the measures). WeasyPrint's fixed cost per document
(fonts, stylesheet, PDF writing) is most of a one-page render, so:

- the shared pages are rendered once per (incident, language) and kept, keyed by the
  SHA-256 of their HTML: an edited incident gives other HTML and so a fresh render;
- the customers' own pages are rendered in batches, many customers in one WeasyPrint
  document; each customer's section carries an anchor, so its first page is known from
  the layout itself, whatever the length of its name;
- pypdf then assembles each letter (own page(s), then the shared pages), sets its title,
  author, language and dates, and the letter is stored as its own immutable StoredDocument
  with the SHA-256 of exactly the bytes issued.

`pdf/breach_notice_letter.html` renders the same letter from scratch in one document.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, TextStringObject
from simple_history.utils import bulk_update_with_history
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError

from audits.services import events_record
from breaches import deadlines
from breaches.models import CustomerNotice
from compliance.documents import (
    PDF_BASE_URL,
    DocumentRenderError,
    StaticOnlyURLFetcher,
    document_build,
    document_render,
    documents_store,
    template_version,
)
from compliance.models import StoredDocument
from compliance.selectors import processor_profile

OWN_TEMPLATE = "pdf/breach_notice_letter_batch.html"
SHARED_TEMPLATE = "pdf/breach_notice_letter_shared.html"
LETTER_TEMPLATE = "pdf/breach_notice_letter.html"
# Stored as the letter's template: both parts it is made of.
TEMPLATE_NAME = f"{OWN_TEMPLATE} + {SHARED_TEMPLATE}"
# Customers per WeasyPrint document: past ~50 the fixed cost is spread thin and a larger
# batch only holds more memory.
BATCH_SIZE = 50

# Shared pages by the SHA-256 of their HTML; small, as one task serves one or two incidents.
_SHARED_CACHE: OrderedDict[str, bytes] = OrderedDict()
_SHARED_CACHE_SIZE = 8


def letter_template_version() -> str:
    """One version over both templates (each already hashes what it includes)."""
    digest = hashlib.sha256()
    for name in (OWN_TEMPLATE, SHARED_TEMPLATE):
        digest.update(f"{name}\0{template_version(name)}\0".encode())
    return digest.hexdigest()


def _html_to_pdf(html: str):
    try:
        return HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=StaticOnlyURLFetcher()).render()
    except FatalURLFetchingError as exc:
        raise DocumentRenderError(str(exc.__cause__ or exc)) from exc


def _render_html(template_name: str, context: dict, language: str) -> str:
    with translation.override(language), timezone.override(settings.DISPLAY_TIME_ZONE):
        return render_to_string(template_name, context)


def letter_title(incident, language: str) -> str:
    with translation.override(language):
        return _("Security incident notice %(number)s") % {"number": incident.pk}


def enclosure_title(incident, language: str) -> str:
    with translation.override(language):
        return _("Enclosure: security incident %(number)s") % {"number": incident.pk}


def shared_pages_render(*, incident, language: str, processor) -> bytes:
    """The pages every customer of `incident` shares, in `language` (PDF bytes)."""
    html = _render_html(
        SHARED_TEMPLATE,
        {
            "incident": incident,
            "processor": processor,
            "document_title": enclosure_title(incident, language),
            "authority_hours": deadlines.AUTHORITY_DECISION_HOURS,
        },
        language,
    )
    key = hashlib.sha256(html.encode()).hexdigest()
    if key in _SHARED_CACHE:
        _SHARED_CACHE.move_to_end(key)
        return _SHARED_CACHE[key]
    content = _html_to_pdf(html).write_pdf()
    _SHARED_CACHE[key] = content
    while len(_SHARED_CACHE) > _SHARED_CACHE_SIZE:
        _SHARED_CACHE.popitem(last=False)
    return content


@dataclass
class _Letter:
    notice: CustomerNotice
    document_reference: str
    notice_link: str

    @property
    def customer(self):
        return self.notice.customer


def own_pages_render(
    *, incident, language: str, letters: Sequence[_Letter], processor, issued_at
) -> tuple[bytes, list[range]]:
    """Every customer's own page(s) in one document; the page range of each letter."""
    html = _render_html(
        OWN_TEMPLATE,
        {
            "incident": incident,
            "processor": processor,
            "letters": letters,
            "document_title": letter_title(incident, language),
            "issued_at": issued_at,
            "authority_hours": deadlines.AUTHORITY_DECISION_HOURS,
        },
        language,
    )
    document = _html_to_pdf(html)
    starts: dict[int, int] = {}
    for number, page in enumerate(document.pages):
        for anchor in page.anchors:
            if anchor.startswith("letter-"):
                starts.setdefault(int(anchor.removeprefix("letter-")), number)
    if sorted(starts) != list(range(len(letters))):
        raise DocumentRenderError("a letter's own page has no anchor in the batch")
    bounds = [starts[i] for i in range(len(letters))] + [len(document.pages)]
    return document.write_pdf(), [range(a, b) for a, b in itertools.pairwise(bounds)]


def letters_assemble(
    *, own_pdf: bytes, ranges: Sequence[range], shared_pdf: bytes, metadata: dict, language: str
) -> list[bytes]:
    """One PDF per letter: its own pages from the batch, then the shared pages."""
    own = PdfReader(io.BytesIO(own_pdf))
    shared = PdfReader(io.BytesIO(shared_pdf))
    letters = []
    for pages in ranges:
        writer = PdfWriter()
        for number in pages:
            writer.add_page(own.pages[number])
        for page in shared.pages:
            writer.add_page(page)
        writer.add_metadata(metadata)
        writer.root_object[NameObject("/Lang")] = TextStringObject(language)
        out = io.BytesIO()
        writer.write(out)
        letters.append(out.getvalue())
    return letters


def notice_letters_render(
    *, notice_ids: Sequence[int], batch_size: int = BATCH_SIZE
) -> list[StoredDocument]:
    """Render and store the PDF letters of these notices, skipping those that have one
    (BR-06: evidence of what each customer was told; never on the sending path).

    Each letter is its own immutable StoredDocument (SHA-256, template and version,
    language, customer) with a `document.issued` and a `notice.letter_stored` audit event,
    written in one transaction per batch together with the notices' link to it."""
    from breaches.services.common import notice_link

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
                _Letter(notice=n, document_reference=str(r), notice_link=notice_link(n.pk))
                for n, r in zip(batch, references, strict=True)
            ]
            own_pdf, ranges = own_pages_render(
                incident=incident,
                language=language,
                letters=letters,
                processor=processor,
                issued_at=issued_at,
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
                own_pdf=own_pdf,
                ranges=ranges,
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
    from breaches.services.common import notice_link

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
