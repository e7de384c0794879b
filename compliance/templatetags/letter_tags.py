"""Page numbers of the PDF letters: "Page 2 of 5" / "Pagina 2 van 5" in the letter's language.

A letter's pages are numbered in the bottom-right margin box with CSS counters. A document
that is the later part of a letter (the breach letter's shared pages, appended after the
customer's own page) starts its count at `first` and states the letter's `total` pages.
"""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()

PAGE_NUMBER_FONT = 'font: 7.5pt "Letter Sans", "DejaVu Sans", sans-serif; color: #555;'


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def page_of_content(*, page: int | None = None, total: int | None = None) -> str:
    """The CSS `content` value: the words of the active language around the page counter
    (or the fixed `page`) and the number of pages (or the fixed `total`)."""
    text = _("Page {page} of {pages}")
    values = {
        "page": str(page) if page is not None else None,
        "pages": str(total) if total is not None else None,
    }
    parts = []
    for piece in text.replace("{pages}", "\0pages\0").replace("{page}", "\0page\0").split("\0"):
        if piece in values:
            fixed = values[piece]
            parts.append(_css_string(fixed) if fixed is not None else f"counter({piece})")
        elif piece:
            parts.append(_css_string(piece))
    return " ".join(parts)


@register.simple_tag
def page_numbers_style(first: int = 1, total: int | None = None, page: int | None = None):
    """A <style> numbering every page "Page x of y"; `first` is the number of the first
    page, `total` the letter's number of pages when this document is only part of it, and
    `page` a fixed number for a document of one page."""
    content = page_of_content(page=page, total=total)
    rules = [f"@page {{ @bottom-right {{ content: {content}; {PAGE_NUMBER_FONT} }} }}"]
    if first != 1 and page is None:
        rules.append(f"@page :first {{ counter-increment: page {int(first)}; }}")
    # Our own words (escaped as CSS strings) and numbers only.
    return mark_safe("<style>\n" + "\n".join(rules) + "\n</style>")  # noqa: S308
