"""Text as people read it in a line: subjects, file names, PDF letters, CSV cells.

Unicode bidi controls (embeddings, overrides, isolates and the direction marks) in a title
typed into the product would reorder what follows them where it is shown: a subject or a
download name `invoice<U+202E>fdp.exe` reads as `invoiceexe.pdf`. They are kept in the
database as typed (the evidence is what was entered) and removed where text leaves the
product: mails (`compliance.outbox`), PDFs (`compliance.documents`, `breaches.letters`),
CSV files (`breaches.dossier`) and download names (`compliance.documents`,
`compliance.api_pdf`, `breaches.views.evidence`).
"""

# U+061C ARABIC LETTER MARK, U+200E/U+200F LEFT-TO-RIGHT/RIGHT-TO-LEFT MARK,
# U+202A..U+202E embeddings, pop and overrides, U+2066..U+2069 isolates and their pop.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_WITHOUT_BIDI = dict.fromkeys(map(ord, BIDI_CONTROLS))


def bidi_strip(value: str) -> str:
    """`value` without bidi control characters."""
    if value.isascii():  # none to remove (a constant-time check in CPython)
        return value
    return value.translate(_WITHOUT_BIDI)
