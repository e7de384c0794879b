"""Demo records of contract end (RT-01): called by the demo loader.

The last two demo customers without portal users (so no portal customer of the demo loses
its environment): one whose contract ended 40 days ago (archived, deletion due in about
eleven months) and one whose environment was deleted with its certificate. Made through
the services (audit events, mails, the PDF); idempotent per customer."""

import datetime

from compliance.models import Customer, Role
from processing.models.contract_end import EnvironmentDeletion
from processing.services import contract_end as services

# Days since each contract ended.
ENDED_DAYS_AGO = (40, 400)


def load(*, now, people, customers) -> None:
    """Add a few records so a newcomer sees the register filled."""
    officer = people.get(Role.PRIVACY_OFFICER)
    ict = people.get(Role.ICT_MANAGER)
    if officer is None:
        return
    without_portal = Customer.objects.filter(users__isnull=True, contracts__isnull=False)
    chosen = list(without_portal.distinct().order_by("-customer_number")[: len(ENDED_DAYS_AGO)])
    for customer, days_ago in zip(chosen, ENDED_DAYS_AGO, strict=False):
        if EnvironmentDeletion.objects.filter(customer=customer).exists():
            continue
        contract = customer.contracts.order_by("starts_on").first()
        ends_on = (now - datetime.timedelta(days=days_ago)).date()
        if contract.starts_on >= ends_on:
            continue
        deletion = services.contract_end_record(
            actor=officer, contract_id=contract.pk, ends_on=ends_on
        )
        if days_ago > 365 and ict is not None:
            services.deletion_confirm(
                actor=ict,
                deletion=deletion,
                what="Database, file store and search index of the tenant; its accounts.",
            )
