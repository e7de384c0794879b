"""Demo records of customer consent (issue 15, AC-04): called by the demo loader.

One consent waiting for the customer, one granted with two uses recorded under it, one
refused. Idempotent: a consent with the same customer and purpose is not asked twice."""

import datetime

from access.models.consent import AccessConsent, ConsentLevel
from access.services import consent as services
from compliance.models import Role, User

DAY = datetime.timedelta(days=1)


def load(*, now, people, customers) -> None:
    """Add a few records so a newcomer sees the register filled."""
    asker = people.get(Role.PRIVACY_OFFICER) or people.get(Role.ICT_MANAGER)
    employee = people.get(Role.STAFF_MEMBER)
    if asker is None or employee is None or not customers:
        return
    first = customers[0]
    second = customers[1] if len(customers) > 1 else first

    def admin_of(customer):
        return User.objects.filter(
            role=Role.CUSTOMER_ADMIN, customer=customer, is_active=True
        ).first()

    def ask(customer, purpose, level, days):
        if AccessConsent.objects.filter(customer=customer, purpose=purpose).exists():
            return None
        return services.consent_request(
            actor=asker,
            customer=customer,
            employee=employee,
            purpose=purpose,
            level=level,
            starts_at=now - DAY,
            ends_at=now + days * DAY,
        )

    ask(
        second,
        "Analyse slow reports in the planning module with the customer's own data.",
        ConsentLevel.READ,
        14,
    )
    granted = ask(
        first,
        "Repair a broken import of employee records that the customer reported.",
        ConsentLevel.READ_WRITE,
        7,
    )
    admin = admin_of(first)
    if granted is not None and admin is not None:
        services.consent_grant(
            actor=admin, consent=granted, note="Only for the import; please tell us when done."
        )
        for level, activity in (
            (ConsentLevel.READ, "Looked at the failed import batch and its error log."),
            (ConsentLevel.READ_WRITE, "Corrected 12 employee records the import had doubled."),
        ):
            services.access_use_record(
                actor=asker,
                customer=first,
                user=employee,
                basis="consent",
                level=level,
                activity=activity,
            )
    refused = ask(
        first,
        "Test a new payroll export on real data before its release.",
        ConsentLevel.READ,
        30,
    )
    if refused is not None and admin is not None:
        services.consent_refuse(
            actor=admin, consent=refused, note="Please use anonymised test data instead."
        )
