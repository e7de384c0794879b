"""The measures taken, dated (BR-06, BR-07): the measures as reported, then each update's
and the final report's own measures, each with its moment. An update never replaces the
measures reported before it; the customer reads both, in order."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def measures_timeline(incident, updates) -> list[dict]:
    """`[{"at", "kind", "label", "text"}]`, oldest first: the incident's measures with the moment it
    was reported, then every update in `updates` that gave measures."""
    entries = []
    if incident.measures_taken:
        entries.append(
            {
                "at": incident.reported_at,
                "kind": "reported",
                "label": _("As reported"),
                "text": incident.measures_taken,
            }
        )
    for update in updates:
        if update.measures:
            entries.append(
                {
                    "at": update.created_at,
                    "kind": update.kind,
                    "label": update.get_kind_display(),
                    "text": update.measures,
                }
            )
    return entries
