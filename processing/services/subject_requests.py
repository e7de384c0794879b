"""Data-subject requests the processor received (DS-01).

The processor never answers a request on the merits: staff record it (when, how, from whom,
which right, what was asked, whether the data subject named the organisation and the
customer once identified), the privacy officer forwards it to the customer (the controller)
within `FORWARD_WITHIN` of its receipt and tells the data subject it was passed on. Help
the customer asks for, where the application allows it, is tracked as tasks.

The deadline `forward_due_at` is a column swept by beat: the privacy officers are reminded
`REMINDER_BEFORE` it, and once it has passed the privacy officers and the ICT managers are
told (each once per request). Every step is one transaction with its audit event; the data
subject's name and e-mail address and what was asked stay out of audit payloads.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.services import event_record
from compliance.access import require
from compliance.models import Customer, Role, User
from processing.models import ProcessingTask, SubjectRequest, SubjectRequestState
from processing.models.subject_requests import FORWARD_WITHIN, REMINDER_BEFORE, SubjectRight
from processing.services import subject_request_mail as mail

BATCH = 200
REPLY_LANGUAGES = ("nl", "en")


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _state(subject_request: SubjectRequest) -> dict:
    """What an audit payload keeps of a request: no name, e-mail address or content."""
    return {
        "state": subject_request.state,
        "right": subject_request.right,
        "channel": subject_request.channel,
        "received_at": _iso(subject_request.received_at),
        "forward_due_at": _iso(subject_request.forward_due_at),
        "controller_named": subject_request.controller_named,
        "customer": subject_request.customer_id,
    }


def _locked(subject_request: SubjectRequest) -> SubjectRequest:
    return (
        SubjectRequest.objects.select_for_update(of=("self",))
        .select_related("customer")
        .get(pk=subject_request.pk)
    )


def _customer(customer_id, errors: dict) -> Customer | None:
    if customer_id in (None, ""):
        return None
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        errors["customer"] = _("There is no such customer.")
    return customer


# --------------------------------------------------------------------------- record


def subject_request_record(
    *,
    actor,
    received_at: datetime.datetime | None,
    channel: str,
    requester_name: str,
    requester_email: str = "",
    right: str,
    description: str,
    controller_named: bool = False,
    controller_named_as: str = "",
    customer_id=None,
) -> SubjectRequest:
    """Staff record a request a data subject sent to the processor (DS-01)."""
    require(actor, "subject_request.record")
    channel, requester_name, description = (
        (value or "").strip() for value in (channel, requester_name, description)
    )
    requester_email = (requester_email or "").strip()
    controller_named_as = (controller_named_as or "").strip() if controller_named else ""
    errors: dict[str, str] = {}
    now = timezone.now()
    if received_at is None:
        errors["received_at"] = _("Give the moment the request was received.")
    elif received_at > now + datetime.timedelta(minutes=5):
        errors["received_at"] = _("The moment of receipt lies in the future.")
    if not channel:
        errors["channel"] = _("Say how the request came in (e-mail, letter, phone, form).")
    if not requester_name:
        errors["requester_name"] = _("Give the name of the data subject.")
    if right not in SubjectRight.values:
        errors["right"] = _("Choose which right the data subject invokes.")
    if not description:
        errors["description"] = _("Say what the data subject asked.")
    if controller_named and not controller_named_as:
        errors["controller_named_as"] = _(
            "Give the organisation exactly as the data subject named it."
        )
    customer = _customer(customer_id, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        subject_request = SubjectRequest.objects.create(
            received_at=received_at,
            channel=channel,
            requester_name=requester_name,
            requester_email=requester_email,
            right=right,
            description=description,
            controller_named=controller_named,
            controller_named_as=controller_named_as,
            customer=customer,
            recorded_by=actor,
            forward_due_at=received_at + FORWARD_WITHIN,
        )
        event_record(
            actor=actor,
            action="processing.subject_request.recorded",
            obj=subject_request,
            after=_state(subject_request),
            customer_id=subject_request.customer_id,
        )
    return subject_request


# --------------------------------------------------------------------------- forward


def subject_request_forward(
    *, actor, subject_request: SubjectRequest, customer_id=None
) -> SubjectRequest:
    """Forward the request to the customer (the controller): its contacts for notices and
    its administrators receive the request's content; identified now if not before."""
    require(actor, "subject_request.manage", subject_request)
    errors: dict[str, str] = {}
    customer = _customer(customer_id, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        subject_request = _locked(subject_request)
        if subject_request.state != SubjectRequestState.RECEIVED:
            raise ValidationError(_("This request has already been forwarded or closed."))
        before = _state(subject_request)
        if customer is not None:
            subject_request.customer = customer
        if subject_request.customer is None:
            raise ValidationError(
                {"customer": _("Choose the customer (the controller) to forward the request to.")}
            )
        if not mail.customer_recipients(subject_request.customer):
            raise ValidationError(
                {
                    "customer": _(
                        "This customer has no contact for notices and no administrator to "
                        "forward the request to; add one first."
                    )
                }
            )
        now = timezone.now()
        subject_request.forward(by=actor, at=now)
        subject_request.save()
        sent = mail.mail_forwarded(subject_request, actor=actor)
        event_record(
            actor=actor,
            action="processing.subject_request.forwarded",
            obj=subject_request,
            before=before,
            after={
                **_state(subject_request),
                "forwarded_at": _iso(now),
                "late": now > subject_request.forward_due_at,
                "recipients": sent,
            },
            customer_id=subject_request.customer_id,
        )
    return subject_request


# --------------------------------------------------------------------------- reply


def subject_request_reply(
    *, actor, subject_request: SubjectRequest, language: str = "nl"
) -> SubjectRequest:
    """Tell the data subject the request was passed on to the organisation responsible; the
    reply names it only as the data subject named it (DS-01), never answers on the merits."""
    require(actor, "subject_request.manage", subject_request)
    if language not in REPLY_LANGUAGES:
        raise ValidationError({"language": _("Choose Dutch or English for the reply.")})
    with transaction.atomic():
        subject_request = _locked(subject_request)
        if subject_request.state != SubjectRequestState.FORWARDED:
            raise ValidationError(
                _("Forward the request to the customer first; then tell the data subject.")
            )
        if subject_request.replied_at is not None:
            raise ValidationError(_("The data subject was already told."))
        if not subject_request.requester_email:
            raise ValidationError(
                _("The data subject left no e-mail address; answer them the way they wrote.")
            )
        now = timezone.now()
        subject_request.replied_at = now
        subject_request.save(update_fields=["replied_at"])
        mail.mail_reply(subject_request, actor=actor, language=language)
        event_record(
            actor=actor,
            action="processing.subject_request.replied",
            obj=subject_request,
            after={
                "replied_at": _iso(now),
                "language": language,
                "controller_named": subject_request.controller_named,
            },
            customer_id=subject_request.customer_id,
        )
    return subject_request


# --------------------------------------------------------------------------- close


def subject_request_close(
    *, actor, subject_request: SubjectRequest, note: str = ""
) -> SubjectRequest:
    """Close a request: once forwarded (the customer answers the data subject), or without
    forwarding when no customer is concerned, then with a note saying why."""
    require(actor, "subject_request.manage", subject_request)
    note = (note or "").strip()
    with transaction.atomic():
        subject_request = _locked(subject_request)
        if subject_request.state == SubjectRequestState.CLOSED:
            raise ValidationError(_("This request is already closed."))
        if subject_request.state == SubjectRequestState.RECEIVED and not note:
            raise ValidationError(
                {"note": _("Say why the request is closed without forwarding it.")}
            )
        open_tasks = subject_request.tasks.filter(done_at__isnull=True).count()
        if open_tasks:
            raise ValidationError(_("Finish the open tasks of this request first."))
        before = _state(subject_request)
        subject_request.close(at=timezone.now(), note=note)
        subject_request.save()
        event_record(
            actor=actor,
            action="processing.subject_request.closed",
            obj=subject_request,
            before=before,
            after={
                **_state(subject_request),
                "note": note,
                "forwarded": before["state"] == SubjectRequestState.FORWARDED,
            },
            customer_id=subject_request.customer_id,
        )
    return subject_request


# --------------------------------------------------------------------------- tasks


def subject_request_task_add(
    *,
    actor,
    subject_request: SubjectRequest,
    title: str,
    assignee_id,
    due_at: datetime.datetime | None,
) -> ProcessingTask:
    """Track help the customer asked for (where the application allows it) as a task."""
    require(actor, "subject_request.manage", subject_request)
    title = (title or "").strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Say what is to be done.")
    assignee = None
    if assignee_id in (None, ""):
        errors["assignee"] = _("Choose who does it.")
    else:
        assignee = User.objects.filter(pk=assignee_id, is_active=True).first()
        if assignee is None or not assignee.is_processor_staff:
            errors["assignee"] = _("Choose an employee of the processor.")
    if due_at is None:
        errors["due_at"] = _("Give the moment it is due.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        subject_request = _locked(subject_request)
        if subject_request.state != SubjectRequestState.FORWARDED:
            raise ValidationError(_("Tasks are added to a request forwarded to the customer."))
        task = ProcessingTask.objects.create(
            subject_request=subject_request,
            title=title,
            assignee=assignee,
            due_at=due_at,
            created_by=actor,
        )
        event_record(
            actor=actor,
            action="processing.subject_request.task_added",
            obj=task,
            after={
                "subject_request": subject_request.pk,
                "title": title,
                "assignee": assignee.pk,
                "due_at": _iso(due_at),
            },
            customer_id=subject_request.customer_id,
        )
    return task


def subject_request_task_done(*, actor, task: ProcessingTask, outcome: str) -> ProcessingTask:
    """The assignee (or the privacy officer) records a task done with its outcome."""
    require(actor, "subject_request.task_done")
    outcome = (outcome or "").strip()
    if task.assignee_id != actor.pk and actor.role != Role.PRIVACY_OFFICER:
        raise ValidationError(_("Only the person the task is assigned to marks it done."))
    if not outcome:
        raise ValidationError({"outcome": _("Say what was done.")})
    with transaction.atomic():
        task = ProcessingTask.objects.select_for_update().get(pk=task.pk)
        if task.subject_request_id is None:
            raise ValidationError(_("This task belongs to no data-subject request."))
        if task.done_at is not None:
            raise ValidationError(_("This task is already done."))
        now = timezone.now()
        task.done_at = now
        task.done_by = actor
        task.outcome = outcome
        task.save()
        event_record(
            actor=actor,
            action="processing.subject_request.task_done",
            obj=task,
            after={
                "subject_request": task.subject_request_id,
                "outcome": outcome,
                "late": now > task.due_at,
            },
            customer_id=task.subject_request.customer_id,
        )
    return task


# --------------------------------------------------------------------------- sweep


def subject_request_sweep() -> tuple[int, int]:
    """Beat: remind the privacy officers `REMINDER_BEFORE` the forwarding deadline, and tell
    them and the ICT managers once it has passed (each once per request)."""
    now = timezone.now()
    waiting = SubjectRequest.objects.filter(state=SubjectRequestState.RECEIVED)
    reminded = escalated = 0
    with transaction.atomic():
        due = list(
            waiting.select_for_update(of=("self",), skip_locked=True)
            .filter(forward_due_at__lte=now + REMINDER_BEFORE, reminded_at__isnull=True)
            .order_by("forward_due_at")[:BATCH]
        )
        for subject_request in due:
            subject_request.reminded_at = now
            subject_request.save(update_fields=["reminded_at"])
            sent = mail.mail_reminder(subject_request, overdue=False)
            event_record(
                actor=None,
                action="processing.subject_request.reminded",
                obj=subject_request,
                after={"forward_due_at": _iso(subject_request.forward_due_at), "to": sent},
                customer_id=subject_request.customer_id,
            )
            reminded += 1
        overdue = list(
            waiting.select_for_update(of=("self",), skip_locked=True)
            .filter(forward_due_at__lt=now, escalated_at__isnull=True)
            .order_by("forward_due_at")[:BATCH]
        )
        for subject_request in overdue:
            subject_request.escalated_at = now
            subject_request.save(update_fields=["escalated_at"])
            sent = mail.mail_reminder(subject_request, overdue=True)
            event_record(
                actor=None,
                action="processing.subject_request.escalated",
                obj=subject_request,
                after={"forward_due_at": _iso(subject_request.forward_due_at), "to": sent},
                customer_id=subject_request.customer_id,
            )
            escalated += 1
    return reminded, escalated
