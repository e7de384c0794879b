"""Demo records of data-subject requests (DS-01): called by the demo loader.

One request still to forward (its deadline shows), one forwarded with a task for the
customer, one closed. Made through the services (so with audit events and mails);
idempotent: a request with the same description is not made twice."""

import datetime

from compliance.models import Role
from processing.models import SubjectRequest
from processing.services import subject_requests as services

HOUR = datetime.timedelta(hours=1)


def load(*, now, people, customers) -> None:
    """Add a few records so a newcomer sees the register filled."""
    officer = people.get(Role.PRIVACY_OFFICER)
    staff = people.get(Role.STAFF_MEMBER) or officer
    assignee = people.get(Role.ICT_MANAGER) or officer
    if officer is None or not customers:
        return
    first = customers[0]
    second = customers[1] if len(customers) > 1 else first

    def record(description, received_at, customer, **extra):
        if SubjectRequest.objects.filter(description=description).exists():
            return None
        return services.subject_request_record(
            actor=staff,
            received_at=received_at,
            description=description,
            customer_id=customer.pk if customer else None,
            **extra,
        )

    record(
        "Asks which personal data is kept about her salary slips.",
        now - 3 * HOUR,
        None,
        channel="e-mail to the service desk",
        requester_name="Sanne de Vries",
        requester_email="sanne.devries@example.org",
        right="access",
    )
    forwarded = record(
        "Asks to correct his home address in the payroll administration.",
        now - 30 * HOUR,
        first,
        channel="letter",
        requester_name="Jan Bakker",
        requester_email="jan.bakker@example.org",
        right="rectification",
        controller_named=True,
        controller_named_as=first.name,
    )
    if forwarded is not None and services.mail.customer_recipients(first):
        services.subject_request_forward(actor=officer, subject_request=forwarded)
        services.subject_request_reply(actor=officer, subject_request=forwarded, language="nl")
        services.subject_request_task_add(
            actor=officer,
            subject_request=forwarded,
            title="Export the employee's address history for the customer",
            assignee_id=assignee.pk,
            due_at=now + 48 * HOUR,
        )
    closed = record(
        "Asks to erase all data of her former employment.",
        now - 10 * 24 * HOUR,
        second,
        channel="web form",
        requester_name="Fatima El Amrani",
        requester_email="f.elamrani@example.org",
        right="erasure",
    )
    if closed is not None and services.mail.customer_recipients(second):
        services.subject_request_forward(actor=officer, subject_request=closed)
        services.subject_request_reply(actor=officer, subject_request=closed, language="en")
        services.subject_request_close(
            actor=officer, subject_request=closed, note="The customer answered her itself."
        )
