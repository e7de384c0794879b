"""Demo records of standing access (AC-02): two system administrators' grants recorded by
the ICT manager, made through the service (with their audit events). Idempotent."""

import datetime

from access.models.standing import StandingGrant, StandingPurpose
from access.services import standing as services
from compliance.models import Role


def load(*, now, people, customers) -> None:
    """Add a few records so a newcomer sees the register filled."""
    manager = people.get(Role.ICT_MANAGER)
    administrator = people.get(Role.STAFF_MEMBER)
    if manager is None or administrator is None:
        return
    grants = (
        (administrator, "System administrator", list(StandingPurpose.values), 400),
        (manager, "System administrator (backups)", [StandingPurpose.BACKUPS], 200),
    )
    for holder, title, purposes, days_ago in grants:
        if StandingGrant.objects.filter(holder=holder).exists():
            continue
        services.grant_create(
            actor=manager,
            holder=holder,
            role_title=title,
            purposes=purposes,
            since=now - datetime.timedelta(days=days_ago),
        )
