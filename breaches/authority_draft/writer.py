"""One field of the draft in the form's language: its label, who fills it, and the wording
for "not yet known" and "to be completed by you"."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import translation

from breaches.authority_draft.labels import TEXT
from compliance import moments
from compliance.templatetags.compliance_tags import local_deadline

AP = "ap"
GBA = "gba"

# Who provides a field's content.
BY_PROCESSOR = "processor"  # prefilled from what the processor knows
BY_YOUR_RECORD = "your_record"  # from the decision the customer recorded in the portal
BY_YOU = "controller"  # only the controller knows: "to be completed by you"


class Writer:
    """Builds fields in one language; knows the marker and the "not yet known" wording."""

    def __init__(self, language: str, processor_name: str):
        self.index = 1 if language == "nl" else 0
        self.language = language
        self.processor_name = processor_name

    def t(self, key: str, **values) -> str:
        text = TEXT[key][self.index]
        return text.format(**values) if values else text

    def when(self, value: datetime.datetime | None) -> str:
        with translation.override(self.language):
            return local_deadline(value)

    def day(self, value: datetime.date | None) -> str:
        return moments.day_text(value, language=self.language)

    def yes_no(self, value: bool | None) -> str:
        if value is None:
            return self.t("not_yet_known")
        return self.t("yes" if value else "no")

    def number_range(self, low: int | None, high: int | None) -> str:
        if low is None and high is None:
            return self.t("not_yet_known")
        if low is not None and high is not None:
            return str(low) if low == high else self.t("range", low=low, high=high)
        if low is not None:
            return self.t("at_least", low=low)
        return self.t("at_most", high=high)

    def field(self, key: str, *, value=None, display: str = "", by: str = BY_PROCESSOR, note=""):
        """One form field. A processor field without content reads "not yet known" (it
        follows in phases, Art. 33(4)); a controller field without content carries the
        marker."""
        if by == BY_PROCESSOR and not display:
            display = self.t("not_yet_known")
        to_complete = by == BY_YOU
        if to_complete:
            display = self.t("to_complete")
        return {
            "key": key,
            "label": self.t(key),
            "value": value,
            "display": display,
            "filled_by": by,
            "source": self.t(f"source_{by}", processor=self.processor_name),
            "to_complete": to_complete,
            "note": note,
        }


def iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def cb(value: Decimal | None) -> bool | None:
    return None if value is None else value > 0
