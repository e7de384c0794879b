"""Objections (SP-04), board decisions (SP-05) and the right to terminate (SP-06)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audits.services import event_record
from compliance.access import require
from compliance.documents import document_render
from compliance.models import Customer, StoredDocument
from compliance.outbox import message_queue, message_render
from compliance.recipients import alert_recipients
from compliance.services import processor_profile_get
from subprocessors.models import (
    OPEN_OBJECTION_STATES,
    ChangeNotice,
    ChangeNoticeState,
    Objection,
    ObjectionState,
    Subprocessor,
    SubprocessorStatus,
    TerminationRight,
    UpheldOutcome,
)
from subprocessors.services.change_notices import notice_withdraw
from subprocessors.services.common import (
    customer_addressees,
    display_time_lazy,
    portal_url,
)


def _letter_send(
    *,
    key: str,
    template: str,
    context: dict,
    customer: Customer,
    user,
    actor,
    cause,
    attachments: list[StoredDocument] = (),
) -> None:
    """E-mail to the user who acted and the customer's subscription contact."""
    # Signed on behalf of the board of the processor (SP-05).
    context = {"processor": processor_profile_get(), **context}
    for email, name, language, contact in customer_addressees(customer, user=user):
        subject, text, html = message_render(template, language=language, context=context)
        message_queue(
            key=f"{key}:{email.lower()}",
            to_email=email,
            to_name=name,
            language=language,
            subject=subject,
            body_text=text,
            body_html=html,
            customer=customer,
            contact=contact,
            attachments=attachments,
            actor=actor,
            cause=cause,
        )


def _in(language: str, message, **values) -> str:
    """A lazy `message` written out in the letter's language (not in the language of whoever
    acts): a letter's subject is in the language of its body."""
    with translation.override(language):
        return str(message) % values


def announced_change_of(subprocessor: Subprocessor) -> ChangeNotice | None:
    """The subprocessor's announced change, the latest when there are several."""
    return (
        ChangeNotice.objects.filter(subprocessor=subprocessor, state=ChangeNoticeState.ANNOUNCED)
        .order_by("-announced_at", "-id")
        .first()
    )


def objection_lodge(
    *,
    actor,
    customer: Customer,
    reasons: str,
    subprocessor: Subprocessor | None = None,
    change_notice: ChangeNotice | None = None,
) -> Objection:
    """A customer objects to a subprocessor, announced or existing, at any time (SP-04);
    it gets a receipt by e-mail with a PDF receipt."""
    require(actor, "objection.lodge", customer)
    reasons = (reasons or "").strip()
    errors = {}
    if not reasons:
        errors["reasons"] = _("Please give the reasons for your objection.")
    if change_notice is not None:
        if change_notice.state not in (ChangeNoticeState.ANNOUNCED, ChangeNoticeState.EFFECTIVE):
            errors["change_notice"] = _("This change was not announced or was withdrawn.")
        elif subprocessor is not None and subprocessor.pk != change_notice.subprocessor_id:
            errors["subprocessor"] = _("This change concerns another subprocessor.")
        subprocessor = change_notice.subprocessor
    elif subprocessor is not None and subprocessor.status == SubprocessorStatus.PENDING:
        # A pending subprocessor is only on the register through its announced change: an
        # objection to it is an objection to that change, also when none was picked.
        change_notice = announced_change_of(subprocessor)
    if subprocessor is None:
        errors.setdefault("subprocessor", _("Choose the subprocessor you object to."))
    elif subprocessor.status not in (SubprocessorStatus.ACTIVE, SubprocessorStatus.PENDING):
        errors.setdefault("subprocessor", _("This subprocessor is no longer in the register."))
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    # The receipt is rendered before the transaction (the slow part stays out of it); if
    # the transaction then fails, only an unused immutable document remains.
    receipt = document_render(
        template_name="pdf/subprocessor_objection_receipt.html",
        context={
            "subprocessor": subprocessor,
            "change_notice": change_notice,
            "reasons": reasons,
            "lodged_by": actor,
            "lodged_display": display_time_lazy(now),
        },
        language=customer.language,
        title=_in(
            customer.language,
            gettext_lazy("Receipt of your objection to %(entity)s"),
            entity=subprocessor.legal_entity,
        ),
        filename=f"objection-receipt-{customer.customer_number}-{now:%Y%m%d%H%M%S}.pdf",
        customer=customer,
        actor=actor,
    )
    with transaction.atomic():
        objection = Objection(
            customer=customer,
            subprocessor=subprocessor,
            change_notice=change_notice,
            reasons=reasons,
            lodged_by=actor,
            lodged_at=now,
            receipt=receipt,
        )
        objection.full_clean(exclude=["state"])
        objection.save()
        event_record(
            actor=actor,
            action="objection.lodged",
            obj=objection,
            after={
                "subprocessor": subprocessor.pk,
                "change_notice": change_notice.pk if change_notice else None,
                "reasons": reasons,
                "receipt": str(receipt.uuid),
            },
            customer_id=customer.pk,
        )
        _letter_send(
            key=f"objection:{objection.pk}:receipt",
            template="subprocessor_objection_receipt",
            context={
                "objection": objection,
                "subprocessor": subprocessor,
                "lodged_display": display_time_lazy(now),
                "portal_url": portal_url(),
            },
            customer=customer,
            user=actor,
            actor=actor,
            cause=objection,
            attachments=[receipt],
        )
    return objection


def objection_review_start(*, actor, objection: Objection) -> Objection:
    """The board takes up an objection (SP-05)."""
    require(actor, "objection.review", objection)
    with transaction.atomic():
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        if objection.state != ObjectionState.LODGED:
            raise ValidationError(_("This objection is already under review or decided."))
        objection.start_review(by=actor, at=timezone.now())
        objection.save()
        event_record(
            actor=actor,
            action="objection.review_started",
            obj=objection,
            customer_id=objection.customer_id,
        )
    return objection


def objection_decide(
    *,
    actor,
    objection: Objection,
    decision: str,
    reasoning: str,
    outcome: str = "",
    accommodation: str = "",
) -> Objection:
    """Only a board member decides (SP-05): upheld (the change withdrawn for everyone, or an
    accommodation for this customer) or rejected; the reasoning is sent to the customer as
    a letter. An objection is decided once."""
    require(actor, "objection.decide", objection)
    reasoning = (reasoning or "").strip()
    accommodation = (accommodation or "").strip()
    errors = {}
    if decision not in (ObjectionState.UPHELD, ObjectionState.REJECTED):
        errors["decision"] = _("Choose whether the objection is upheld or rejected.")
    if not reasoning:
        errors["reasoning"] = _("Give the reasoning of the decision; the customer receives it.")
    if decision == ObjectionState.UPHELD:
        if outcome not in UpheldOutcome.values:
            errors["outcome"] = _(
                "Choose the outcome: withdraw the change for everyone, or an accommodation."
            )
        elif outcome == UpheldOutcome.ACCOMMODATION and not accommodation:
            errors["accommodation"] = _("Describe the accommodation for this customer.")
        elif outcome == UpheldOutcome.WITHDRAWN and (
            objection.change_notice is None
            or objection.change_notice.state != ChangeNoticeState.ANNOUNCED
        ):
            errors["outcome"] = _("There is no announced change to withdraw.")
    else:
        outcome, accommodation = "", ""
    if objection.state not in OPEN_OBJECTION_STATES:
        raise ValidationError(_("This objection has already been decided."))
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    customer = objection.customer
    letter = document_render(
        template_name="pdf/subprocessor_objection_decision.html",
        context={
            "objection": objection,
            "decision": decision,
            "reasoning": reasoning,
            "outcome": outcome,
            "accommodation": accommodation,
            "decided_by": actor,
            "lodged_display": display_time_lazy(objection.lodged_at),
        },
        language=customer.language,
        title=_in(
            customer.language,
            gettext_lazy("Decision on your objection to %(entity)s"),
            entity=objection.subprocessor.legal_entity,
        ),
        filename=f"objection-decision-{customer.customer_number}-{objection.pk}.pdf",
        customer=customer,
        actor=actor,
    )
    with transaction.atomic():
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        if objection.state not in OPEN_OBJECTION_STATES:
            raise ValidationError(_("This objection has already been decided."))
        if decision == ObjectionState.UPHELD:
            objection.uphold(
                by=actor,
                at=now,
                reasoning=reasoning,
                outcome=outcome,
                accommodation=accommodation,
            )
        else:
            objection.reject(by=actor, at=now, reasoning=reasoning)
        objection.decision_letter = letter
        objection.save()
        event_record(
            actor=actor,
            action=f"objection.{decision}",
            obj=objection,
            after={
                "reasoning": reasoning,
                "outcome": outcome,
                "accommodation": accommodation,
                "letter": str(letter.uuid),
            },
            customer_id=customer.pk,
        )
        _letter_send(
            key=f"objection:{objection.pk}:decision",
            template="subprocessor_objection_decided",
            context={"objection": objection, "portal_url": portal_url()},
            customer=customer,
            user=objection.lodged_by,
            actor=actor,
            cause=objection,
            attachments=[letter],
        )
        if outcome == UpheldOutcome.WITHDRAWN:
            notice_withdraw(
                actor=actor,
                notice=objection.change_notice,
                reason=_("Withdrawn after the board upheld an objection."),
            )
    return objection


def termination_exercise(*, actor, right: TerminationRight) -> TerminationRight:
    """The customer terminates the agreement under SP-06; recorded with time and user, and
    the privacy officer is alerted by e-mail."""
    require(actor, "termination.exercise", right)
    with transaction.atomic():
        right = (
            TerminationRight.objects.select_for_update()
            .select_related("customer", "change_notice__subprocessor")
            .get(pk=right.pk)
        )
        if right.exercised_at is not None:
            raise ValidationError(_("The agreement was already terminated under this right."))
        now = timezone.now()
        right.exercised_at = now
        right.exercised_by = actor
        right.save(update_fields=["exercised_at", "exercised_by"])
        event_record(
            actor=actor,
            action="termination.exercised",
            obj=right,
            after={"exercised_at": now.isoformat(), "change_notice": right.change_notice_id},
            customer_id=right.customer_id,
        )
        context = {
            "right": right,
            "customer": right.customer,
            "user": actor,
            "exercised_display": display_time_lazy(now),
        }
        for recipient in alert_recipients():
            email, name, language = recipient.email, recipient.name, recipient.language
            subject, text, html = message_render(
                "subprocessor_termination_exercised", language=language, context=context
            )
            message_queue(
                key=f"termination_right:{right.pk}:exercised:{email.lower()}",
                to_email=email,
                to_name=name,
                language=language,
                subject=subject,
                body_text=text,
                body_html=html,
                customer=right.customer,
                actor=actor,
            )
    return right
