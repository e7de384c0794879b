"""pypdf assembly of breach-notice letters: the stationery and a customer's values as two Form
XObjects on the first page, then the shared pages; byte-exact per customer (BR-06; see
`breaches.letters`)."""

from __future__ import annotations

import io
import re
import uuid
import zlib
from collections.abc import Sequence

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    TextStringObject,
)

from breaches.letters.fields import _Letter
from compliance.documents import (
    DocumentRenderError,
)


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
