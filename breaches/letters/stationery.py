"""Stationery and layout of a breach-notice letter: the templates, the shared pages, the own page
without the customers' values and where its boxes are (BR-06; see `breaches.letters`)."""

from __future__ import annotations

import hashlib
import io
import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from pypdf import PdfReader
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError

from breaches import deadlines
from compliance.documents import (
    PDF_BASE_URL,
    DocumentRenderError,
    StaticOnlyURLFetcher,
    template_version,
)
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
    """The pages every customer of `incident` shares, in `language` (PDF bytes), numbered
    from 2 ("Page 2 of 3"): they follow the customer's own page."""
    context = {
        "incident": incident,
        "processor": processor,
        "document_title": enclosure_title(incident, language),
        "authority_hours": deadlines.AUTHORITY_DECISION_HOURS,
    }
    html = _render_html(SHARED_TEMPLATE, context, language)

    def render():
        # Laid out once to count the pages (numbers in the margin do not move the text),
        # then with the letter's total: the own page and these.
        count = len(_html_to_pdf(html).pages)
        numbered = _render_html(SHARED_TEMPLATE, {**context, "total_pages": count + 1}, language)
        return _html_to_pdf(numbered).write_pdf()

    return _cached(html, render)


def letter_pages(shared_pdf: bytes) -> int:
    """The number of pages of each letter: its own page and the shared pages."""
    return 1 + len(PdfReader(io.BytesIO(shared_pdf)).pages)


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
    *,
    incident,
    language: str,
    variants: Sequence[Variant],
    processor,
    issued_at,
    total_pages: int | None = None,
) -> tuple[bytes, list[dict[str, Box]]]:
    """The own page without the customers' values, one page per variant (PDF bytes), and
    where each page's boxes for those values are; numbered "Page 1 of `total_pages`"."""
    html = _render_html(
        STATIONERY_TEMPLATE,
        {
            "incident": incident,
            "processor": processor,
            "variants": variants,
            "document_title": letter_title(incident, language),
            "issued_at": issued_at,
            "authority_hours": deadlines.AUTHORITY_DECISION_HOURS,
            "total_pages": total_pages,
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
