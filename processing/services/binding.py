"""Binding instructions of the AP or GBA (IN-02).

A customer's user reports one in the portal (authority, reference, date received, what it
requires, optionally the PDF). Every privacy officer is alerted at once through the outbox
(and it shows on the hub). The privacy officer takes it on (owner and due date: reported
-> being complied with), adds tasks (assignee, due date), marks them done and records
compliance (-> complied with). The beat reminds the owner `REMINDER_BEFORE` before the due
date and tells the privacy officers once it has passed; each once.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.services import event_record
from compliance.access import require
from compliance.documents import document_build, documents_store
from compliance.models import Role, User
from compliance.outbox import message_queue, message_render
from compliance.recipients import alert_recipients
from processing.models.instructions import Authority, BindingInstruction, BindingState
from processing.models.tasks import ProcessingTask

MAIL_TEMPLATE = "processing_binding"
REMINDER_BEFORE = datetime.timedelta(days=2)
MAX_UPLOAD = 10 * 1024 * 1024
BATCH = 200


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _state(binding: BindingInstruction) -> dict:
    return {
        "state": binding.state,
        "customer": binding.customer_id,
        "authority": binding.authority,
        "owner": binding.owner_id,
        "due_at": _iso(binding.due_at),
    }


def _link(binding: BindingInstruction) -> str:
    path = reverse("processing:binding_detail", kwargs={"pk": binding.pk})
    return settings.SITE_URL.rstrip("/") + path


def _mail(binding, *, kind: str, key: str, email: str, name: str, language: str, actor):
    subject, text, html = message_render(
        MAIL_TEMPLATE,
        language=language or "en",
        context={
            "kind": kind,
            "binding": binding,
            "name": name,
            "customer": binding.customer.name,
            "authority": binding.get_authority_display(),
            "link": _link(binding),
        },
    )
    message_queue(
        key=f"processing:binding:{binding.pk}:{kind}:{key}",
        to_email=email,
        to_name=name,
        language=language or "en",
        subject=subject,
        body_text=text,
        body_html=html,
        actor=actor,
        cause=binding,
    )


def _alert_officers(binding, *, kind: str, actor) -> int:
    officers = alert_recipients()
    for officer in officers:
        _mail(
            binding,
            kind=kind,
            key=officer.key,
            email=officer.email,
            name=officer.name,
            language=officer.language,
            actor=actor,
        )
    return len(officers)


def _locked(binding: BindingInstruction) -> BindingInstruction:
    return (
        BindingInstruction.objects.select_for_update(of=("self",))
        .select_related("customer", "owner")
        .get(pk=binding.pk)
    )


def _stored_upload(upload, *, customer, actor, title: str):
    """The uploaded PDF as a StoredDocument (immutable, with its SHA-256)."""
    if upload.size > MAX_UPLOAD:
        raise ValidationError({"document": _("The file is larger than 10 MB.")})
    content = upload.read()
    if not content.startswith(b"%PDF"):
        raise ValidationError({"document": _("Upload the instruction as a PDF file.")})
    document = document_build(
        content=content,
        title=title,
        filename=upload.name or "instruction.pdf",
        template_name="upload",
        template_version="",
        language=customer.language or "en",
        issued_at=timezone.now(),
        customer=customer,
        actor=actor,
    )
    return documents_store(documents=[document], actor=actor)[0]


def binding_report(
    *,
    actor,
    authority: str,
    authority_reference: str,
    received_on,
    description: str,
    upload=None,
) -> BindingInstruction:
    """A customer's user reports a binding instruction of the AP or GBA (IN-02)."""
    require(actor, "binding_instruction.report", actor.customer)
    errors: dict[str, str] = {}
    if authority not in Authority.values:
        errors["authority"] = _("Choose the authority that gave the instruction.")
    description = (description or "").strip()
    if not description:
        errors["description"] = _("Describe what the authority requires.")
    if received_on is None:
        errors["received_on"] = _("Give the date you received the instruction.")
    elif received_on > timezone.localdate():
        errors["received_on"] = _("The date you received the instruction lies in the future.")
    if errors:
        raise ValidationError(errors)
    customer = actor.customer
    with transaction.atomic():
        document = None
        if upload is not None:
            document = _stored_upload(
                upload, customer=customer, actor=actor, title=_("Binding instruction")
            )
        binding = BindingInstruction.objects.create(
            customer=customer,
            authority=authority,
            authority_reference=(authority_reference or "").strip(),
            received_on=received_on,
            description=description,
            document=document,
            reported_by=actor,
            reported_at=timezone.now(),
        )
        sent = _alert_officers(binding, kind="reported", actor=actor)
        event_record(
            actor=actor,
            action="processing.binding.reported",
            obj=binding,
            after={
                **_state(binding),
                "reference": binding.authority_reference,
                "received_on": received_on.isoformat(),
                "description": description,
                "document": document.pk if document else None,
                "alerted": sent,
            },
            customer_id=customer.pk,
        )
    return binding


def binding_take_on(*, actor, binding: BindingInstruction, owner_id, due_at) -> BindingInstruction:
    """The privacy officer sets an owner and a due date: being complied with."""
    require(actor, "binding_instruction.manage", binding)
    errors: dict[str, str] = {}
    owner = (
        User.objects.filter(pk=owner_id, is_active=True, customer__isnull=True)
        .exclude(role__in=(Role.AUDITOR, Role.CUSTOMER_ADMIN, Role.CUSTOMER_CONTACT))
        .first()
        if owner_id
        else None
    )
    if owner is None:
        errors["owner"] = _("Choose an employee who owns the compliance.")
    if due_at is None:
        errors["due_at"] = _("Give the date by which the instruction must be complied with.")
    elif due_at <= timezone.now():
        errors["due_at"] = _("The due date lies in the past.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        binding = _locked(binding)
        if binding.state != BindingState.REPORTED:
            raise ValidationError(_("This binding instruction has already been taken on."))
        before = _state(binding)
        binding.take_on(owner=owner, due_at=due_at)
        binding.save()
        event_record(
            actor=actor,
            action="processing.binding.taken_on",
            obj=binding,
            before=before,
            after=_state(binding),
            customer_id=binding.customer_id,
        )
    return binding


def binding_task_add(
    *, actor, binding: BindingInstruction, title: str, assignee_id, due_at
) -> ProcessingTask:
    require(actor, "binding_instruction.manage", binding)
    errors: dict[str, str] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Say what has to be done.")
    assignee = (
        User.objects.filter(pk=assignee_id, is_active=True, customer__isnull=True)
        .exclude(role__in=(Role.AUDITOR, Role.CUSTOMER_ADMIN, Role.CUSTOMER_CONTACT))
        .first()
        if assignee_id
        else None
    )
    if assignee is None:
        errors["assignee"] = _("Choose the employee who does the task.")
    if due_at is None:
        errors["due_at"] = _("Give the task's due date.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        binding = _locked(binding)
        if binding.state == BindingState.COMPLETED:
            raise ValidationError(_("This binding instruction has been complied with."))
        task = ProcessingTask.objects.create(
            binding_instruction=binding,
            title=title,
            assignee=assignee,
            due_at=due_at,
            created_by=actor,
            created_at=timezone.now(),
        )
        event_record(
            actor=actor,
            action="processing.binding.task_added",
            obj=task,
            after={
                "binding_instruction": binding.pk,
                "title": title,
                "assignee": assignee.pk,
                "due_at": _iso(due_at),
            },
            customer_id=binding.customer_id,
        )
    return task


def binding_task_done(*, actor, task: ProcessingTask, outcome: str) -> ProcessingTask:
    binding = task.binding_instruction
    require(actor, "binding_instruction.manage", binding)
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": _("Say what was done.")})
    with transaction.atomic():
        task = ProcessingTask.objects.select_for_update(of=("self",)).get(pk=task.pk)
        if task.done_at is not None:
            raise ValidationError(_("This task is already done."))
        task.done_at = timezone.now()
        task.done_by = actor
        task.outcome = outcome
        task.save()
        event_record(
            actor=actor,
            action="processing.binding.task_done",
            obj=task,
            after={"binding_instruction": binding.pk, "outcome": outcome},
            customer_id=binding.customer_id,
        )
    return task


def binding_complete(*, actor, binding: BindingInstruction) -> BindingInstruction:
    require(actor, "binding_instruction.manage", binding)
    with transaction.atomic():
        binding = _locked(binding)
        if binding.state != BindingState.IN_PROGRESS:
            raise ValidationError(_("Take the binding instruction on first."))
        if binding.tasks.filter(done_at__isnull=True).exists():
            raise ValidationError(_("Some tasks are not done yet."))
        before = _state(binding)
        binding.complete(at=timezone.now())
        binding.save()
        event_record(
            actor=actor,
            action="processing.binding.completed",
            obj=binding,
            before=before,
            after={**_state(binding), "completed_at": _iso(binding.completed_at)},
            customer_id=binding.customer_id,
        )
    return binding


def binding_deadline_sweep() -> tuple[int, int]:
    """Beat: remind the owner `REMINDER_BEFORE` before the due date; tell the privacy
    officers once it has passed (each once per binding instruction)."""
    now = timezone.now()
    open_rows = BindingInstruction.objects.filter(
        state=BindingState.IN_PROGRESS, due_at__isnull=False
    )
    reminded = escalated = 0
    with transaction.atomic():
        due = list(
            open_rows.select_for_update(of=("self",), skip_locked=True)
            .select_related("customer", "owner")
            .filter(due_at__lte=now + REMINDER_BEFORE, reminded_at__isnull=True)
            .order_by("due_at")[:BATCH]
        )
        for binding in due:
            binding.reminded_at = now
            binding.save(update_fields=["reminded_at"])
            owner = binding.owner
            if owner and owner.email:
                _mail(
                    binding,
                    kind="reminder",
                    key=f"user:{owner.pk}",
                    email=owner.email,
                    name=owner.full_name,
                    language=owner.language,
                    actor=None,
                )
            event_record(
                actor=None,
                action="processing.binding.reminded",
                obj=binding,
                after={"due_at": _iso(binding.due_at), "owner": binding.owner_id},
                customer_id=binding.customer_id,
            )
            reminded += 1
        overdue = list(
            open_rows.select_for_update(of=("self",), skip_locked=True)
            .select_related("customer", "owner")
            .filter(due_at__lt=now, escalated_at__isnull=True)
            .order_by("due_at")[:BATCH]
        )
        for binding in overdue:
            binding.escalated_at = now
            binding.save(update_fields=["escalated_at"])
            sent = _alert_officers(binding, kind="overdue", actor=None)
            event_record(
                actor=None,
                action="processing.binding.escalated",
                obj=binding,
                after={"due_at": _iso(binding.due_at), "to": sent},
                customer_id=binding.customer_id,
            )
            escalated += 1
    return reminded, escalated
