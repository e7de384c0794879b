"""Demo records of temporary access (AC-03): called by the demo loader.

One request waiting for the ICT manager, one approved and running, one revoked whose removal
from the systems was confirmed. Made through the services (so with audit events and mails);
idempotent: a record with the same reason is not made twice."""

import datetime

from access.models import TemporaryAccess
from access.services import temporary as services
from compliance.models import Role

DAY = datetime.timedelta(days=1)


def load(*, now, people, customers) -> None:
    """Add a few records so a newcomer sees the register filled."""
    manager = people.get(Role.ICT_MANAGER)
    developer = people.get(Role.STAFF_MEMBER)
    if manager is None or developer is None or not customers:
        return
    first = customers[0]
    second = customers[1] if len(customers) > 1 else first

    def ask(customer, reason, starts_at, days):
        if TemporaryAccess.objects.filter(customer=customer, reason=reason).exists():
            return None
        return services.temporary_request(
            actor=developer,
            customer_id=customer.pk,
            reason=reason,
            starts_at=starts_at,
            ends_at=starts_at + days * DAY,
        )

    ask(
        second,
        "Trace a failing export of the annual statements (ticket SUP-2026-0431).",
        now + DAY,
        3,
    )
    running = ask(
        first,
        "Reproduce a calculation error reported in ticket SUP-2026-0418.",
        now,
        5,
    )
    if running is not None:
        services.temporary_approve(
            actor=manager, access=running, note="Only the payroll module; read access."
        )
    ended = ask(
        first,
        "Check a data migration of the customer's archive (change RFC-112).",
        now - DAY,
        2,
    )
    if ended is not None:
        ended = services.temporary_approve(actor=manager, access=ended, note="")
        ended = services.temporary_revoke(
            actor=manager, access=ended, note="The migration was checked; no longer needed."
        )
        services.temporary_confirm_removal(
            actor=manager,
            access=ended,
            note="Database role and VPN profile removed; checked in the access log.",
        )
