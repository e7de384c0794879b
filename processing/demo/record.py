"""Demo records of processing (GDPR Art. 30(2), RP-01): called by the demo loader. The
general texts, the first customers' details, version 1 and (after the details change)
version 2 for each. Idempotent: a second run stores nothing new."""

from compliance.access import SYSTEM
from processing.models.record import ProcessingRecordVersion
from processing.selectors.record import record_settings
from processing.services import record as services

SECURITY = (
    "Data is stored and processed only in data centres inside the EEA (ISO 27001). Data is "
    "encrypted in transit (TLS 1.2+) and at rest. Access is personal, role-based, with a "
    "second factor, reviewed each quarter and logged in a tamper-evident audit trail. Daily, "
    "monthly and yearly backups are encrypted; staff sign a confidentiality statement."
)


def load(*, now, people, customers) -> None:
    """Add a few records so a newcomer sees the register filled."""
    if not record_settings().security_measures:
        services.settings_update(actor=SYSTEM, security_measures=SECURITY)
    for customer in list(customers)[:3]:
        if ProcessingRecordVersion.objects.filter(customer=customer).exists():
            continue
        services.record_refresh(actor=SYSTEM, customer=customer, now=now, with_pdf=False)
        services.details_update(
            actor=SYSTEM,
            customer=customer,
            dpo_name=f"FG {customer.name}",
            dpo_email=f"fg.klant{customer.pk}@example.nl",
            security_additions="",
        )
        services.record_refresh(actor=SYSTEM, customer=customer, now=now, with_pdf=False)
