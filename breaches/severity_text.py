"""One way to write an incident's ENISA severity for people (issue 17): "1.75 · Low".

The score always with two decimals (a score of 2 read "2 · Medium" beside "1.75 · Low"),
in the reader's number format ("1,75 · Laag" in Dutch), then the band's label. Pages,
mails, letters and the dossier use this; machine exports keep the score and the band code.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import formats, translation

from breaches.models import SeverityBand


def severity_text(score: Decimal | float | None, band: str, *, language: str | None = None) -> str:
    """ "1.75 · Low"; empty when the incident has not been assessed."""
    if score is None or band not in SeverityBand.values:
        return ""
    if language:
        with translation.override(language):
            return severity_text(score, band)
    return f"{formats.number_format(Decimal(score), 2)} · {SeverityBand(band).label}"


def incident_severity(incident, *, language: str | None = None) -> str:
    return severity_text(incident.severity_score, incident.severity_band, language=language)
