"""Demo records of support copies (issue 15, AC-05): called by the demo loader.

One copy held while its ticket is open, one whose ticket was resolved yesterday (its 48-hour
deadline is tomorrow), one deleted after two employees accessed it. Idempotent: a copy of
the same customer and ticket is not registered twice."""

import datetime

from access.models import SupportCopy
from access.services import support_copies as services
from compliance.models import Role

HOUR = datetime.timedelta(hours=1)


def load(*, now, people, customers) -> None:
    """Add a few records so a newcomer sees the register filled."""
    manager = people.get(Role.ICT_MANAGER) or people.get(Role.PRIVACY_OFFICER)
    taker = people.get(Role.STAFF_MEMBER) or manager
    if manager is None or not customers:
        return
    first = customers[0]
    second = customers[1] if len(customers) > 1 else first

    def register(customer, ticket, description, taken_at):
        existing = SupportCopy.objects.filter(customer=customer, ticket=ticket).first()
        if existing is not None:
            return None
        return services.support_copy_register(
            actor=manager,
            customer=customer,
            ticket=ticket,
            description=description,
            taken_at=taken_at,
            taken_by=taker,
        )

    register(
        first,
        "SUP-2026-0412",
        "Full copy of the production environment: a salary run gives a wrong total.",
        now - 3 * 24 * HOUR,
    )
    resolved = register(
        first,
        "SUP-2026-0398",
        "Copy of the HR module to reproduce a workflow error.",
        now - 9 * 24 * HOUR,
    )
    if resolved is not None:
        services.support_copy_ticket_status_set(
            actor=manager, copy=resolved, status="resolved", at=now - 24 * HOUR
        )
    deleted = register(
        second,
        "SUP-2026-0311",
        "Copy of the financial administration for a year-end closing question.",
        now - 20 * 24 * HOUR,
    )
    if deleted is not None:
        services.support_copy_access_record(
            actor=manager,
            copy=deleted,
            user=taker,
            accessed_at=now - 20 * 24 * HOUR + 2 * HOUR,
            note="Reproduced the closing error in the copy.",
        )
        services.support_copy_access_record(
            actor=manager,
            copy=deleted,
            user=manager,
            accessed_at=now - 19 * 24 * HOUR,
            note="Checked the fix before release.",
        )
        services.support_copy_ticket_status_set(
            actor=manager, copy=deleted, status="resolved", at=now - 18 * 24 * HOUR
        )
        services.support_copy_deletion_confirm(
            actor=manager, copy=deleted, deleted_at=now - 17 * 24 * HOUR - 6 * HOUR
        )
