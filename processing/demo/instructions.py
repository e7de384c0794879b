"""Demo records of instructions (IN-01) and binding instructions (IN-02): called by the
demo loader. One instruction carried out, one the customer was warned about and answered
(not carried out), one binding instruction of the AP with two tasks (one done). Made
through the services (audit events and mails); idempotent by their text."""

import datetime

from compliance.models import Role
from processing.models import BindingInstruction, Instruction
from processing.services import binding as binding_services
from processing.services import instructions as services

DAY = datetime.timedelta(days=1)


def load(*, now, people, customers) -> None:
    """Add a few records so a newcomer sees the register filled."""
    officer = people.get(Role.PRIVACY_OFFICER)
    manager = people.get(Role.ICT_MANAGER) or officer
    admin = people.get(Role.CUSTOMER_ADMIN)
    if officer is None or admin is None or admin.customer_id is None:
        return
    customer = admin.customer

    first = "Delete the records of former employee P. de Vries (left on 31 March)."
    if not Instruction.objects.filter(customer=customer, content=first).exists():
        instruction = services.instruction_record(
            actor=manager,
            customer_id=customer.pk,
            given_by_name=admin.full_name or admin.email,
            given_at=now - 3 * DAY,
            reference="SUP-2026-0512",
            content=first,
        )
        services.instruction_carry_out(
            actor=manager, instruction=instruction, what="Deleted 14 records and their files."
        )

    second = "Send the full customer file of all members to our new marketing partner."
    if not Instruction.objects.filter(customer=customer, content=second).exists():
        instruction = services.instruction_give(actor=admin, content=second)
        services.instruction_warn(
            actor=officer,
            instruction=instruction,
            warning="There is no legal ground for giving all members' data to a third party; "
            "the members were not told and did not consent.",
        )
        services.instruction_answer(
            actor=admin,
            instruction=instruction,
            kind="withdrawn",
            answer="We withdraw the instruction and will ask the members first.",
        )

    description = "Delete the personal data of members who left more than seven years ago."
    if not BindingInstruction.objects.filter(customer=customer, description=description).exists():
        binding = binding_services.binding_report(
            actor=admin,
            authority="ap",
            authority_reference="AP-2026-0042",
            received_on=(now - 2 * DAY).date(),
            description=description,
        )
        binding = binding_services.binding_take_on(
            actor=officer, binding=binding, owner_id=manager.pk, due_at=now + 14 * DAY
        )
        task = binding_services.binding_task_add(
            actor=officer,
            binding=binding,
            title="List the members who left before the cut-off date",
            assignee_id=manager.pk,
            due_at=now + 5 * DAY,
        )
        binding_services.binding_task_add(
            actor=officer,
            binding=binding,
            title="Delete their data and the backups' references",
            assignee_id=manager.pk,
            due_at=now + 12 * DAY,
        )
        binding_services.binding_task_done(
            actor=officer, task=task, outcome="312 members found; list attached to the ticket."
        )
