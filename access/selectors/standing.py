"""Reads of the standing-access register (AC-02)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from access.models.standing import StandingGrant, StandingState
from compliance.access import require


def grants_for(user):
    require(user, "standing.view")
    return StandingGrant.objects.select_related(
        "holder", "granted_by", "ended_by", "removal_confirmed_by"
    ).order_by("state", "-since", "-id")


def grant_get(user, pk: int) -> StandingGrant:
    return get_object_or_404(grants_for(user), pk=pk)


def removal_pending_count() -> int:
    """Ended grants whose removal from the systems nobody confirmed yet: needs attention."""
    return StandingGrant.objects.filter(state=StandingState.ENDED).count()
