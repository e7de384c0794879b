"""PDF letters of breach notices, rendered fast for thousands of customers (BR-06).

A letter is the customer's own page (its name and number, its own deadline, the link to
its notice, the document reference) followed by the pages every affected customer shares
(the incident, the Art. 33(3) contents, the measures). WeasyPrint's fixed cost per document
(fonts, stylesheet, PDF writing) is most of a one-page render, and laying out a whole letter
page costs about as much again even inside a batch, so:

- the shared pages are rendered once per (incident, language) and kept, keyed by the
  SHA-256 of their HTML: an edited incident gives other HTML and so a fresh render;
- the own page is stationery plus stamped fields, as an envelope's address window: what
  the customers of an (incident, language, date, variant) share — letterhead, date, subject,
  text, labels, signature — is laid out once, with a box of fixed size left empty for each
  per-customer value (`pdf/breach_notice_letter_own.html` with part="stationery"; a variant
  is the wording: reported by the customer or not, deadline known or not, portal link or
  not). WeasyPrint reports where each box landed (its anchor);
- the customers' values are laid out in batches, one page per customer in one WeasyPrint
  document, each value absolutely positioned where the stationery has its box, in the same
  fonts; a few short lines per page instead of a whole letter;
- each letter's first page draws two Form XObjects, the stationery and the customer's
  values, each with its own resources (so font names cannot clash); the letter (that page,
  then the shared pages, title, author, language, dates) is written once per batch and
  variant by pypdf with an empty values XObject as the file's last object, and each
  customer's letter is those bytes with its own values stream in that last object and a
  fresh cross-reference table: one revision, readable as any PDF (text extraction follows
  the XObjects);
- the letter is stored as its own immutable StoredDocument with the SHA-256 of exactly the
  bytes issued.

`pdf/breach_notice_letter.html` renders the same letter from scratch in one document: the
same own-page markup with the values in their boxes, then the shared pages.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import re
import uuid
import zlib
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    TextStringObject,
)
from simple_history.utils import bulk_update_with_history
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError

from audits.services import events_record
from breaches import deadlines
from breaches.links import notice_link
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
from compliance.text import bidi_strip

STATIONERY_TEMPLATE = "pdf/breach_notice_letter_stationery.html"
FIELDS_TEMPLATE = "pdf/breach_notice_letter_fields.html"
SHARED_TEMPLATE = "pdf/breach_notice_letter_shared.html"
LETTER_TEMPLATE = "pdf/breach_notice_letter.html"
# Stored as the letter's template: the parts it is made of.
TEMPLATE_NAME = f"{STATIONERY_TEMPLATE} + {FIELDS_TEMPLATE} + {SHARED_TEMPLATE}"
# Customers per fields document: past ~50 the fixed cost is spread thin and a larger batch
# only holds more memory.
BATCH_SIZE = 50

# Rendered pages shared by many letters (the shared pages, the stationery) by the SHA-256 of
# their HTML; small, as one task serves one or two incidents.
_SHARED_CACHE: OrderedDict[str, object] = OrderedDict()
_SHARED_CACHE_SIZE = 16


def letter_template_version() -> str:
    """One version over the templates (each already hashes what it includes)."""
    digest = hashlib.sha256()
    for name in (STATIONERY_TEMPLATE, FIELDS_TEMPLATE, SHARED_TEMPLATE):
        digest.update(f"{name}\0{template_version(name)}\0".encode())
    return digest.hexdigest()


def _html_to_pdf(html: str):
    try:
        return HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=StaticOnlyURLFetcher()).render()
    except FatalURLFetchingError as exc:
        raise DocumentRenderError(str(exc.__cause__ or exc)) from exc


def _render_html(template_name: str, context: dict, language: str) -> str:
    with translation.override(language), timezone.override(settings.DISPLAY_TIME_ZONE):
        # Names and titles are laid out without bidi controls (`compliance.text`).
        return bidi_strip(render_to_string(template_name, context))


def _cached(html: str, render):
    key = hashlib.sha256(html.encode()).hexdigest()
    if key in _SHARED_CACHE:
        _SHARED_CACHE.move_to_end(key)
        return _SHARED_CACHE[key]
    value = render()
    _SHARED_CACHE[key] = value
    while len(_SHARED_CACHE) > _SHARED_CACHE_SIZE:
        _SHARED_CACHE.popitem(last=False)
    return value


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
    return _cached(html, lambda: _html_to_pdf(html).write_pdf())


@dataclass(frozen=True, order=True)
class Variant:
    """The wording of an own page, which decides which boxes it has and where."""

    reported: bool
    has_deadline: bool
    has_link: bool


# Box of one field on the stationery page: x1, y1, x2, y2 in CSS px from the page's corner.
Box = tuple[float, float, float, float]
_FIELD_ANCHOR = re.compile(r"field-(\d+)-(\w+)")


def stationery_render(
    *, incident, language: str, variants: Sequence[Variant], processor, issued_at
) -> tuple[bytes, list[dict[str, Box]]]:
    """The own page without the customers' values, one page per variant (PDF bytes), and
    where each page's boxes for those values are."""
    html = _render_html(
        STATIONERY_TEMPLATE,
        {
            "incident": incident,
            "processor": processor,
            "variants": variants,
            "document_title": letter_title(incident, language),
            "issued_at": issued_at,
            "authority_hours": deadlines.AUTHORITY_DECISION_HOURS,
        },
        language,
    )

    def render():
        document = _html_to_pdf(html)
        if len(document.pages) != len(variants):
            raise DocumentRenderError("the stationery of a letter does not fit on one page")
        boxes: list[dict[str, Box]] = []
        for number, page in enumerate(document.pages):
            found = {}
            for anchor, box in page.anchors.items():
                match = _FIELD_ANCHOR.fullmatch(anchor)
                if match and int(match.group(1)) == number:
                    found[match.group(2)] = tuple(box[:4])
            boxes.append(found)
        return document.write_pdf(), boxes

    return _cached(html, render)


def _positions_css(boxes: Sequence[dict[str, Box]]) -> str:
    rules = [
        f".fields-v{number} .field-{name} {{ left: {x1:.4f}px; top: {y1:.4f}px; "
        f"width: {x2 - x1:.4f}px; height: {y2 - y1:.4f}px; }}"
        for number, page in enumerate(boxes)
        for name, (x1, y1, x2, y2) in page.items()
    ]
    # Numbers only: nothing in it comes from a user.
    return mark_safe("\n".join(rules))  # noqa: S308


@dataclass
class _Letter:
    notice: CustomerNotice
    document_reference: str
    notice_link: str
    variant: Variant
    variant_index: int = 0

    @property
    def customer(self):
        return self.notice.customer


def fields_render(
    *, incident, language: str, letters: Sequence[_Letter], boxes: Sequence[dict[str, Box]]
) -> bytes:
    """Each customer's values on a page of its own, at the places of the stationery's boxes
    (PDF bytes, one page per letter in order)."""
    html = _render_html(
        FIELDS_TEMPLATE,
        {
            "incident": incident,
            "letters": letters,
            "document_title": letter_title(incident, language),
            "positions_css": _positions_css(boxes),
        },
        language,
    )
    document = _html_to_pdf(html)
    if len(document.pages) != len(letters):
        raise DocumentRenderError("a customer's values do not fit on their page")
    return document.write_pdf()


def _content(page) -> bytes:
    """The decoded content stream(s) of a page."""
    contents = page["/Contents"].get_object()
    if isinstance(contents, ArrayObject):
        return b"\n".join(part.get_object().get_data() for part in contents)
    return contents.get_data()


def _form(writer: PdfWriter, page, data: bytes):
    """A Form XObject drawing `data` with the resources of `page` cloned into `writer`:
    each drawing keeps its own resource names, so the two on a page cannot clash."""
    form = DecodedStreamObject()
    form.set_data(data)
    form[NameObject("/Type")] = NameObject("/XObject")
    form[NameObject("/Subtype")] = NameObject("/Form")
    form[NameObject("/BBox")] = ArrayObject(FloatObject(v) for v in page.mediabox)
    form[NameObject("/Resources")] = page["/Resources"].clone(writer)
    if "/Group" in page:
        form[NameObject("/Group")] = page["/Group"].clone(writer)
    return form


_XREF = re.compile(rb"xref\n0 (\d+)\n")
_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF")
_TRAILER_REF = re.compile(rb"/(Root|Info) (\d+ \d+ R)")


class _LetterFile:
    """One variant's letter, written once by pypdf: a first page drawing the stationery and
    an empty values XObject, then the shared pages. The values XObject is the file's last
    object, so each customer's letter is the bytes before it, its own values in it, and a
    cross-reference table and trailer of its own."""

    def __init__(self, *, stationery_page, fields_page, shared_pages, metadata, language):
        writer = PdfWriter()
        first = writer.add_blank_page(
            stationery_page.mediabox.width, stationery_page.mediabox.height
        )
        stationery = writer._add_object(
            _form(writer, stationery_page, _content(stationery_page)).flate_encode()
        )
        for page in shared_pages:
            writer.add_page(page)
        writer.add_metadata(metadata)
        writer.root_object[NameObject("/Lang")] = TextStringObject(language)
        drawing = DecodedStreamObject()
        drawing.set_data(b"q /Stationery Do Q q /Fields Do Q")
        first[NameObject("/Contents")] = writer._add_object(drawing.flate_encode())
        form = _form(writer, fields_page, b"")
        # WeasyPrint gives every page of a document the same resources; each letter's
        # values draw with the ones cloned here.
        self.resources = fields_page.raw_get("/Resources")
        fields = writer._add_object(form)  # last: replaced per letter
        first[NameObject("/Resources")] = DictionaryObject(
            {
                NameObject("/XObject"): DictionaryObject(
                    {NameObject("/Stationery"): stationery, NameObject("/Fields"): fields}
                )
            }
        )
        out = io.BytesIO()
        writer.write(out)
        data = out.getvalue()

        self.number = fields.idnum
        # The file as pypdf writes it: objects, a classic cross-reference table whose last
        # entry is the values XObject (the object written last), the trailer.
        tail = _STARTXREF.search(data, len(data) - 64)
        table = _XREF.match(data, int(tail.group(1))) if tail else None
        if table is None:
            raise DocumentRenderError("the letter's file has no cross-reference table")
        self.size = int(table.group(1))
        entries = data[table.end() : table.end() + 20 * self.size]
        start = int(entries[20 * self.number : 20 * self.number + 10] or b"0")
        if self.size != self.number + 1 or not data.startswith(b"%d 0 obj" % self.number, start):
            raise DocumentRenderError("the letter's values are not the last object of its file")
        refs = dict(_TRAILER_REF.findall(data, table.end() + 20 * self.size))
        self.root, self.info = refs[b"Root"], refs[b"Info"]
        self.head = data[:start]
        self.xref = data[table.start() : table.end()] + entries
        header = io.BytesIO()
        DictionaryObject({k: v for k, v in form.items() if k != "/Length"}).write_to_stream(header)
        self.form_header = header.getvalue()[:-2]  # without the closing ">>"

    def letter(self, fields_page, file_id: bytes) -> bytes:
        if fields_page.raw_get("/Resources") != self.resources:
            raise DocumentRenderError("the pages of the values document differ in resources")
        stream = zlib.compress(_content(fields_page))
        values = (
            b"%d 0 obj\n%s/Filter /FlateDecode /Length %d\n>>\nstream\n%s\nendstream\nendobj\n"
            % (
                self.number,
                self.form_header,
                len(stream),
                stream,
            )
        )
        body = self.head + values
        ident = file_id.hex().encode()
        trailer = (
            b"trailer\n<< /Size %d /Root %s /Info %s /ID [<%s> <%s>] >>\nstartxref\n%d\n%%%%EOF\n"
            % (
                self.size,
                self.root,
                self.info,
                ident,
                ident,
                len(body),
            )
        )
        return body + self.xref + trailer


def letters_assemble(
    *,
    letters: Sequence[_Letter],
    stationery_pdf: bytes,
    fields_pdf: bytes,
    shared_pdf: bytes,
    metadata: dict,
    language: str,
) -> list[bytes]:
    """One PDF per letter: its first page (stationery and its values), then the shared pages."""
    stationery = PdfReader(io.BytesIO(stationery_pdf))
    fields = PdfReader(io.BytesIO(fields_pdf))
    shared = PdfReader(io.BytesIO(shared_pdf))
    files: dict[int, _LetterFile] = {}
    out = []
    for number, letter in enumerate(letters):
        page = fields.pages[number]
        if letter.variant_index not in files:
            files[letter.variant_index] = _LetterFile(
                stationery_page=stationery.pages[letter.variant_index],
                fields_page=page,
                shared_pages=shared.pages,
                metadata=metadata,
                language=language,
            )
        out.append(
            files[letter.variant_index].letter(page, uuid.UUID(letter.document_reference).bytes)
        )
    return out


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
