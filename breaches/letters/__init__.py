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
  bytes issued, once per letter version (`breaches.models.NoticeLetter`): a version is asked
  for when the notice is informed and states the customer's own deadline (BR-04); it is
  durable work, claimed, rendered, stored at most once and taken up again by a sweep after
  a crash (`jobs`).

`pdf/breach_notice_letter.html` renders the same letter from scratch in one document: the
same own-page markup with the values in their boxes, then the shared pages.

The parts: `stationery` (templates, shared pages, the own page's stationery and its boxes),
`fields` (the customers' values in batches), `assembly` (pypdf: one file per letter),
`issue` (render and assemble the letters of versions, batch by batch), `jobs` (claim, store,
sweep).
"""

from breaches.letters.assembly import letters_assemble
from breaches.letters.fields import fields_render
from breaches.letters.issue import letter_complete_render, letter_filename, letters_render
from breaches.letters.jobs import (
    LetterSweepResult,
    letter_versions_render,
    letters_claim,
    letters_claimed_render,
    notice_letters_render,
    notice_letters_sweep,
)
from breaches.letters.stationery import (
    _SHARED_CACHE,
    BATCH_SIZE,
    FIELDS_TEMPLATE,
    LETTER_TEMPLATE,
    SHARED_TEMPLATE,
    STATIONERY_TEMPLATE,
    TEMPLATE_NAME,
    Box,
    Variant,
    enclosure_title,
    letter_template_version,
    letter_title,
    shared_pages_render,
    stationery_render,
)

__all__ = [
    "_SHARED_CACHE",
    "BATCH_SIZE",
    "FIELDS_TEMPLATE",
    "LETTER_TEMPLATE",
    "SHARED_TEMPLATE",
    "STATIONERY_TEMPLATE",
    "TEMPLATE_NAME",
    "Box",
    "LetterSweepResult",
    "Variant",
    "enclosure_title",
    "fields_render",
    "letter_complete_render",
    "letter_filename",
    "letter_template_version",
    "letter_title",
    "letter_versions_render",
    "letters_assemble",
    "letters_claim",
    "letters_claimed_render",
    "letters_render",
    "notice_letters_render",
    "notice_letters_sweep",
    "shared_pages_render",
    "stationery_render",
]
