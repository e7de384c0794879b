"""Cells for files a spreadsheet opens (CSV, XLSX): never run as a formula (CSV injection)
and shown as typed (no bidi control characters, `compliance.text`)."""

from __future__ import annotations

import json

from compliance.text import bidi_strip

# A spreadsheet reads a cell starting with one of these as a formula (or a DDE command).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


def cell(value) -> str:
    """The text of one cell: '' for None, JSON for lists and dicts, and a leading
    apostrophe before a formula-like start, so the cell reads back as text."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        value = _JSON(value)
    text = bidi_strip(value if type(value) is str else str(value))
    return "'" + text if text.startswith(FORMULA_START) else text
