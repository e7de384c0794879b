"""Written instructions of a customer (IN-01).

Staff record an instruction given by request (who at the customer, when, reference), or a
customer's user gives it in the portal. It is carried out (what was done, by whom, when),
or, when it appears to infringe the GDPR, the customer is warned at once (Art. 28(3),
second subparagraph): the warning is mailed to its administrators and its breach contacts
through the outbox. The customer's answer (maintained, amended, withdrawn) is recorded in
the portal or by hand; then the instruction is carried out or not.

Every step is one transaction with its audit event (customer_id set, so the customer's
history shows it).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.services import event_record
from compliance.access import require
from compliance.models import Customer, Role, User
from compliance.outbox import message_queue, message_render
from compliance.recipients import notice_recipients_by_customer
from processing.models.instructions import (
    Instruction,
    InstructionAnswer,
    InstructionChannel,
    InstructionState,
)

MAIL_TEMPLATE = "processing_instruction"


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _state(instruction: Instruction) -> dict:
    return {
        "state": instruction.state,
        "customer": instruction.customer_id,
        "channel": instruction.channel,
        "given_at": _iso(instruction.given_at),
    }


def _locked(instruction: Instruction) -> Instruction:
    return (
        Instruction.objects.select_for_update(of=("self",))
        .select_related("customer")
        .get(pk=instruction.pk)
    )


def _text(value, field: str, message: str, errors: dict) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = message
    return value


def _create(
    *, actor, customer, channel, given_by_name, given_by_user, given_at, reference, content, action
) -> Instruction:
    with transaction.atomic():
        instruction = Instruction.objects.create(
            customer=customer,
            channel=channel,
            given_by_name=given_by_name,
            given_by_user=given_by_user,
            given_at=given_at,
            reference=reference,
            content=content,
            recorded_by=actor,
            recorded_at=timezone.now(),
        )
        event_record(
            actor=actor,
            action=action,
            obj=instruction,
            after={**_state(instruction), "reference": reference, "content": content},
            customer_id=customer.pk,
        )
    return instruction


def instruction_record(
    *, actor, customer_id, given_by_name: str, given_at, reference: str, content: str
) -> Instruction:
    """Staff record an instruction the customer gave by request (letter, e-mail, ticket)."""
    require(actor, "instruction.record")
    errors: dict[str, str] = {}
    customer = Customer.objects.filter(pk=customer_id).first() if customer_id else None
    if customer is None:
        errors["customer"] = _("Choose the customer who gave the instruction.")
    given_by_name = _text(
        given_by_name, "given_by_name", _("Say who at the customer gave the instruction."), errors
    )
    content = _text(content, "content", _("Describe what the customer asked."), errors)
    if given_at is None:
        errors["given_at"] = _("Give the moment the instruction was given.")
    elif given_at > timezone.now():
        errors["given_at"] = _("The moment the instruction was given lies in the future.")
    if errors:
        raise ValidationError(errors)
    return _create(
        actor=actor,
        customer=customer,
        channel=InstructionChannel.REQUEST,
        given_by_name=given_by_name,
        given_by_user=None,
        given_at=given_at,
        reference=(reference or "").strip(),
        content=content,
        action="processing.instruction.recorded",
    )


def instruction_give(*, actor, content: str, reference: str = "") -> Instruction:
    """A customer's user gives an instruction in the portal (through the application)."""
    require(actor, "instruction.give", actor.customer)
    errors: dict[str, str] = {}
    content = _text(content, "content", _("Describe what you ask us to do."), errors)
    if errors:
        raise ValidationError(errors)
    return _create(
        actor=actor,
        customer=actor.customer,
        channel=InstructionChannel.APPLICATION,
        given_by_name=actor.full_name or actor.email,
        given_by_user=actor,
        given_at=timezone.now(),
        reference=(reference or "").strip(),
        content=content,
        action="processing.instruction.given",
    )


def _warning_recipients(customer_id: int) -> list[tuple[str, str, str, str, object]]:
    """(key, email, name, language, contact) of the customer's administrators and the
    contacts who receive its breach notices, each address once."""
    seen: set[str] = set()
    out = []
    for user in User.objects.filter(
        role=Role.CUSTOMER_ADMIN, customer_id=customer_id, is_active=True
    ).order_by("pk"):
        if user.email and user.email.lower() not in seen:
            seen.add(user.email.lower())
            out.append((f"user:{user.pk}", user.email, user.full_name, user.language, None))
    for contact in notice_recipients_by_customer([customer_id]).get(customer_id, []):
        if contact.email and contact.email.lower() not in seen:
            seen.add(contact.email.lower())
            out.append(
                (
                    f"contact:{contact.pk}",
                    contact.email,
                    contact.name,
                    contact.effective_language,
                    contact,
                )
            )
    return out


def instruction_warn(*, actor, instruction: Instruction, warning: str) -> Instruction:
    """Art. 28(3): the instruction appears to infringe the GDPR; the customer is told at once."""
    require(actor, "instruction.handle", instruction)
    warning = (warning or "").strip()
    if not warning:
        raise ValidationError(
            {"warning": _("Say why the instruction appears to infringe the GDPR.")}
        )
    with transaction.atomic():
        instruction = _locked(instruction)
        if instruction.state != InstructionState.RECEIVED:
            raise ValidationError(_("Only an instruction not yet handled can be warned about."))
        before = _state(instruction)
        instruction.warn(at=timezone.now(), text=warning)
        instruction.save()
        recipients = _warning_recipients(instruction.customer_id)
        link = settings.SITE_URL.rstrip("/") + reverse(
            "processing:portal_instruction_detail", kwargs={"pk": instruction.pk}
        )
        for key, email, name, language, contact in recipients:
            language = language or instruction.customer.language or "en"
            subject, text, html = message_render(
                MAIL_TEMPLATE,
                language=language,
                context={
                    "kind": "warning",
                    "instruction": instruction,
                    "name": name,
                    "customer": instruction.customer.name,
                    "link": link,
                },
            )
            message_queue(
                key=f"processing:instruction:{instruction.pk}:warning:{key}",
                to_email=email,
                to_name=name,
                language=language,
                subject=subject,
                body_text=text,
                body_html=html,
                customer=instruction.customer,
                contact=contact,
                actor=actor,
                cause=instruction,
            )
        event_record(
            actor=actor,
            action="processing.instruction.warned",
            obj=instruction,
            before=before,
            after={**_state(instruction), "warning": warning, "to": len(recipients)},
            customer_id=instruction.customer_id,
        )
    return instruction


def instruction_answer(
    *, actor, instruction: Instruction, kind: str, answer: str, by_name: str = ""
) -> Instruction:
    """The customer's answer to the warning: in the portal (its own user) or by hand (staff,
    saying who at the customer answered). Withdrawn ends the instruction."""
    portal = getattr(actor, "role", None) in (Role.CUSTOMER_ADMIN, Role.CUSTOMER_CONTACT)
    require(actor, "instruction.answer" if portal else "instruction.handle", instruction)
    errors: dict[str, str] = {}
    if kind not in InstructionAnswer.values:
        errors["kind"] = _("Choose whether the instruction is maintained, amended or withdrawn.")
    answer = (answer or "").strip()
    if kind == InstructionAnswer.AMENDED and not answer:
        errors["answer"] = _("Describe the amended instruction.")
    by_name = (actor.full_name or actor.email) if portal else (by_name or "").strip()
    if not portal and not by_name:
        errors["by_name"] = _("Say who at the customer answered.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        instruction = _locked(instruction)
        if not instruction.awaits_answer:
            raise ValidationError(_("This instruction does not await an answer."))
        before = _state(instruction)
        instruction.record_answer(at=timezone.now(), kind=kind, text=answer, by_name=by_name)
        if kind == InstructionAnswer.WITHDRAWN:
            instruction.withdraw()
        instruction.save()
        event_record(
            actor=actor,
            action="processing.instruction.answered",
            obj=instruction,
            before=before,
            after={**_state(instruction), "answer": kind, "text": answer, "by": by_name},
            customer_id=instruction.customer_id,
        )
    return instruction


def _finish(*, actor, instruction: Instruction, what: str, carried_out: bool) -> Instruction:
    require(actor, "instruction.handle", instruction)
    what = (what or "").strip()
    if not what:
        raise ValidationError(
            {
                "what": _("Say what was done.")
                if carried_out
                else _("Say why the instruction is not carried out.")
            }
        )
    with transaction.atomic():
        instruction = _locked(instruction)
        if instruction.state == InstructionState.WARNED and instruction.answered_at is None:
            raise ValidationError(_("The customer was warned; record the customer's answer first."))
        if carried_out and instruction.state not in (
            InstructionState.RECEIVED,
            InstructionState.WARNED,
        ):
            raise ValidationError(_("This instruction has already been handled."))
        if not carried_out and instruction.state != InstructionState.WARNED:
            raise ValidationError(
                _("Only an instruction the customer was warned about can be left undone.")
            )
        before = _state(instruction)
        if carried_out:
            instruction.carry_out(at=timezone.now(), by=actor, what=what)
        else:
            instruction.decline(at=timezone.now(), by=actor, what=what)
        instruction.save()
        event_record(
            actor=actor,
            action=f"processing.instruction.{'carried_out' if carried_out else 'declined'}",
            obj=instruction,
            before=before,
            after={**_state(instruction), "what": what},
            customer_id=instruction.customer_id,
        )
    return instruction


def instruction_carry_out(*, actor, instruction: Instruction, what: str) -> Instruction:
    return _finish(actor=actor, instruction=instruction, what=what, carried_out=True)


def instruction_decline(*, actor, instruction: Instruction, what: str) -> Instruction:
    return _finish(actor=actor, instruction=instruction, what=what, carried_out=False)
