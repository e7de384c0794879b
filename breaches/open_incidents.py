"""The incidents still open, in every state but dismissed and closed, for the dashboard.

The deadlines panel lists only what has a running deadline; an incident in monitoring or
resolved, with every customer informed, has none and is still open: the board and the
privacy officer see it here (BR-03)."""

from __future__ import annotations

from django.db.models import Count, Q

from breaches.models import OPEN_INCIDENT_STATES, Incident
from breaches.selectors import incidents_for

OPEN_INCIDENTS_SHOWN = 20


def open_incidents(user, *, limit: int = OPEN_INCIDENTS_SHOWN) -> list[Incident]:
    """The open incidents the user may see, newest report first, with the number of
    affected customers and of those informed (`notices_count`, `informed_count`)."""
    incidents = (
        incidents_for(user)
        .filter(state__in=OPEN_INCIDENT_STATES)
        .annotate(
            notices_count=Count("notices", distinct=True),
            informed_count=Count(
                "notices", filter=Q(notices__informed_at__isnull=False), distinct=True
            ),
        )
        .order_by("-reported_at", "-id")
    )
    return list(incidents[:limit])
