"""Demo records of customer audits (AU-01, AU-02): called by the demo loader.

One audit asked for by a customer and scheduled, one by auditors hired by the regulator
with the customer informed, one kept from the customer on a legal ground. Made through the
services (so with audit events and mails); idempotent on the scope."""

import datetime

from compliance.models import Role
from processing.models.audits import AuditKind, CustomerAudit
from processing.services import audits as services

DAY = datetime.timedelta(days=1)


def load(*, now, people, customers) -> None:
    """Add a few records so a newcomer sees the register filled."""
    officer = people.get(Role.PRIVACY_OFFICER)
    admin = people.get(Role.CUSTOMER_ADMIN)
    if officer is None or not customers:
        return
    first = customers[0]
    second = customers[1] if len(customers) > 1 else first
    today = now.date()

    asked_scope = "Logical access control and the backups of our environment."
    if admin is not None and not CustomerAudit.objects.filter(scope=asked_scope).exists():
        asked = services.audit_request(
            actor=admin,
            scope=asked_scope,
            preferred_period="Within the next two months",
            auditor="Our internal audit department",
            cost_acknowledged=True,
        )
        services.audit_schedule(
            actor=officer, audit=asked, starts_on=today + 30 * DAY, ends_on=today + 31 * DAY
        )

    def record(customer, scope, **kwargs):
        if CustomerAudit.objects.filter(scope=scope).exists():
            return
        services.audit_record(
            actor=officer,
            customer_id=customer.pk,
            kind=AuditKind.REGULATOR,
            scope=scope,
            starts_on=today + 10 * DAY,
            ends_on=today + 12 * DAY,
            **kwargs,
        )

    record(
        first,
        "Processing of personal data for the customer under the processing agreement.",
        auditor="Audit firm hired by the Dutch Data Protection Authority",
        inform=True,
    )
    record(
        second,
        "Security measures and logging of the hosting platform.",
        auditor="Forensic auditors hired by the regulator",
        inform=False,
        ground="The regulator's investigation order forbids informing the customer while "
        "the investigation runs (confidentiality of the investigation).",
    )
