"""The customers' values of a breach-notice letter, laid out in batches at the places of the
stationery's boxes (BR-06; see `breaches.letters`)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.safestring import mark_safe

from breaches.letters.stationery import (
    FIELDS_TEMPLATE,
    Box,
    Variant,
    _html_to_pdf,
    _render_html,
    letter_title,
)
from breaches.models import CustomerNotice
from compliance.documents import (
    DocumentRenderError,
)


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
    # The moments the letter's version states (BR-04).
    aware_at: datetime.datetime | None = None
    authority_due_at: datetime.datetime | None = None

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
