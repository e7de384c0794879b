"""Demo records of contract end (RT-01): called by the demo loader.

Two customers of their own (so no portal customer of the demo loses its environment): one
whose contract ended last month (archived, deletion due in about eleven months) and one
whose environment was deleted with its certificate. Made through the services (audit
events, mails, the PDF); idempotent by customer number."""

import datetime

from compliance.models import Contract, Customer, Role
from processing.models.contract_end import EnvironmentDeletion
from processing.services import contract_end as services

DEMO = (
    ("90001", "Archief Demo B.V.", 40),
    ("90002", "Opgeheven Demo B.V.", 400),
)


def load(*, now, people, customers) -> None:
    """Add a few records so a newcomer sees the register filled."""
    officer = people.get(Role.PRIVACY_OFFICER)
    ict = people.get(Role.ICT_MANAGER)
    if officer is None:
        return
    for number, name, days_ago in DEMO:
        customer, _ = Customer.objects.get_or_create(
            customer_number=number, defaults={"name": name, "country": "NL", "language": "nl"}
        )
        if EnvironmentDeletion.objects.filter(customer=customer).exists():
            continue
        ends_on = (now - datetime.timedelta(days=days_ago)).date()
        contract = Contract.objects.filter(customer=customer).first() or Contract.objects.create(
            customer=customer,
            starts_on=ends_on - datetime.timedelta(days=3 * 365),
            agreement_model="standard",
        )
        deletion = services.contract_end_record(
            actor=officer, contract_id=contract.pk, ends_on=ends_on
        )
        if days_ago > 365 and ict is not None:
            services.deletion_confirm(
                actor=ict,
                deletion=deletion,
                what="Database, file store and search index of the tenant; its accounts.",
            )
