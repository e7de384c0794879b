"""Contract end (RT-01): the environment is archived for a year after the end of the
contract, then deleted; earlier when the customer's administrator asks (binding).

- `contract_end_record`: the privacy officer records the contract's last day; that sets
  the due moment of the deletion (`contract_end_dates.deletion_due`). Processing calls
  compliance here, never the other way; `deletion_schedule_missing` (beat) creates the row
  for a contract whose end was set elsewhere (the admin, a contract created with an end).
- `deletion_request_early`: binding and irreversible; moves the due moment to the end of
  the fifth working day after the request, recorded with who and when.
- `deletion_sweep` (beat): reminds the ICT managers and the privacy officers
  `REMINDER_DAYS` before the due moment, and tells them again once it has passed.
- `deletion_confirm`: the ICT manager confirms what was deleted and when; the deletion
  certificate (PDF, the customer's language) is issued and stored.

Every step is one transaction with its audit event (customer_id set).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from audits.services import event_record
from compliance.access import require
from compliance.documents import document_render
from compliance.models import Contract, Role, User
from compliance.outbox import message_queue, message_render
from processing.models.contract_end import DeletionState, EnvironmentDeletion
from processing.services import contract_end_dates as dates

MAIL_TEMPLATE = "processing_deletion"
BATCH = 200
WHAT_MAX = 2000


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _state(deletion: EnvironmentDeletion) -> dict:
    return {
        "state": deletion.state,
        "contract_ended_on": _iso(deletion.contract_ended_on),
        "deletion_due_at": _iso(deletion.deletion_due_at),
    }


def _recipients(customer_id=None) -> list[User]:
    """The ICT managers and privacy officers (reminders, escalation)."""
    return list(
        User.objects.filter(
            role__in=(Role.ICT_MANAGER, Role.PRIVACY_OFFICER), is_active=True
        ).order_by("pk")
    )


def _mail(deletion: EnvironmentDeletion, *, kind: str, to: User, portal: bool = False) -> None:
    if not to.email:
        return
    language = to.language or deletion.customer.language or "en"
    path = (
        reverse("processing:portal_contract_end")
        if portal
        else reverse("processing:deletion_detail", kwargs={"pk": deletion.pk})
    )
    subject, text, html = message_render(
        MAIL_TEMPLATE,
        language=language,
        context={
            "kind": kind,
            "deletion": deletion,
            "name": to.full_name,
            "customer": deletion.customer.name,
            "link": settings.SITE_URL.rstrip("/") + path,
        },
    )
    message_queue(
        key=f"processing:deletion:{deletion.pk}:{kind}:{_iso(deletion.deletion_due_at)}"
        f":user:{to.pk}",
        to_email=to.email,
        to_name=to.full_name,
        language=language,
        subject=subject,
        body_text=text,
        body_html=html,
        customer=deletion.customer if portal else None,
        actor=None,
        cause=deletion,
    )


def _runs_on(contract: Contract, ends_on: datetime.date) -> bool:
    """Does another contract of the same customer run on after `ends_on`?"""
    return (
        Contract.objects.filter(customer_id=contract.customer_id)
        .exclude(pk=contract.pk)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=ends_on))
        .filter(starts_on__lte=ends_on + datetime.timedelta(days=1))
        .exists()
    )


def _schedule(*, actor, contract: Contract) -> EnvironmentDeletion:
    deletion = EnvironmentDeletion.objects.create(
        customer_id=contract.customer_id,
        contract=contract,
        contract_ended_on=contract.ends_on,
        deletion_due_at=dates.deletion_due(contract.ends_on),
        created_at=timezone.now(),
    )
    event_record(
        actor=actor,
        action="processing.deletion.scheduled",
        obj=deletion,
        after={**_state(deletion), "contract": contract.pk},
        customer_id=contract.customer_id,
    )
    return deletion


def contract_end_record(*, actor, contract_id, ends_on) -> EnvironmentDeletion:
    """The privacy officer records the contract's last day (RT-01)."""
    require(actor, "environment_deletion.schedule")
    errors: dict[str, str] = {}
    contract = Contract.objects.filter(pk=contract_id).first() if contract_id else None
    if contract is None:
        errors["contract"] = _("Choose the contract that ends.")
    if not isinstance(ends_on, datetime.date):
        errors["ends_on"] = _("Give the contract's last day.")
    if errors:
        raise ValidationError(errors)
    if ends_on < contract.starts_on:
        raise ValidationError({"ends_on": _("A contract cannot end before it starts.")})
    if EnvironmentDeletion.objects.filter(contract=contract).exists():
        raise ValidationError(
            {"contract": _("The end of this contract was already recorded; it cannot change.")}
        )
    if _runs_on(contract, ends_on):
        raise ValidationError(
            {
                "contract": _(
                    "This customer has another contract that runs on; its environment stays."
                )
            }
        )
    with transaction.atomic():
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        before = _iso(contract.ends_on)
        contract.ends_on = ends_on
        contract.save(update_fields=["ends_on"])
        event_record(
            actor=actor,
            action="contract.updated",
            obj=contract,
            before={"ends_on": before},
            after={"ends_on": ends_on.isoformat()},
            customer_id=contract.customer_id,
        )
        deletion = _schedule(actor=actor, contract=contract)
    return deletion


def deletion_schedule_missing() -> int:
    """Beat: a contract with an end (set anywhere) whose customer has no contract running
    on gets its EnvironmentDeletion."""
    has_row = EnvironmentDeletion.objects.filter(contract_id=OuterRef("pk"))
    later = (
        Contract.objects.filter(customer_id=OuterRef("customer_id"))
        .exclude(pk=OuterRef("pk"))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=OuterRef("ends_on")))
    )
    contracts = (
        Contract.objects.filter(ends_on__isnull=False)
        .filter(~Exists(has_row), ~Exists(later))
        .order_by("ends_on", "pk")[:BATCH]
    )
    made = 0
    for contract in contracts:
        with transaction.atomic():
            _schedule(actor=None, contract=contract)
            made += 1
    return made


def _locked(deletion: EnvironmentDeletion) -> EnvironmentDeletion:
    return (
        EnvironmentDeletion.objects.select_for_update(of=("self",))
        .select_related("customer", "contract")
        .get(pk=deletion.pk)
    )


def deletion_request_early(*, actor, deletion: EnvironmentDeletion, confirmed: bool):
    """The customer's administrator asks for deletion before the year is over (RT-01).
    Binding and irreversible: the due moment moves to the end of the fifth working day."""
    require(actor, "environment_deletion.request_early", deletion)
    if not confirmed:
        raise ValidationError(
            {
                "confirm": _(
                    "Confirm that you understand the request is binding and cannot be undone."
                )
            }
        )
    with transaction.atomic():
        deletion = _locked(deletion)
        if deletion.state != DeletionState.SCHEDULED:
            raise ValidationError(_("The environment has already been deleted."))
        if deletion.early_requested_at is not None:
            raise ValidationError(_("Early deletion was already requested."))
        now = timezone.now()
        before = _state(deletion)
        deletion.early_requested_at = now
        deletion.early_requested_by = actor
        deletion.deletion_due_at = dates.early_deletion_due(now, deletion.deletion_due_at)
        deletion.reminded_at = None
        deletion.escalated_at = None
        deletion.save()
        event_record(
            actor=actor,
            action="processing.deletion.early_requested",
            obj=deletion,
            before=before,
            after={**_state(deletion), "requested_at": now.isoformat()},
            customer_id=deletion.customer_id,
        )
        for person in _recipients():
            _mail(deletion, kind="early", to=person)
    return deletion


def deletion_sweep(now: datetime.datetime | None = None) -> tuple[int, int]:
    """Beat: remind `REMINDER_DAYS` before the due moment; tell again once it passed."""
    now = now or timezone.now()
    scheduled = EnvironmentDeletion.objects.filter(state=DeletionState.SCHEDULED)
    reminded = escalated = 0
    with transaction.atomic():
        due = list(
            scheduled.select_for_update(of=("self",), skip_locked=True)
            .select_related("customer")
            .filter(
                deletion_due_at__lte=now + datetime.timedelta(days=dates.REMINDER_DAYS),
                deletion_due_at__gte=now,
                reminded_at__isnull=True,
            )
            .order_by("deletion_due_at")[:BATCH]
        )
        for deletion in due:
            deletion.reminded_at = now
            deletion.save(update_fields=["reminded_at"])
            for person in _recipients():
                _mail(deletion, kind="reminder", to=person)
            event_record(
                actor=None,
                action="processing.deletion.reminded",
                obj=deletion,
                after=_state(deletion),
                customer_id=deletion.customer_id,
            )
            reminded += 1
        overdue = list(
            scheduled.select_for_update(of=("self",), skip_locked=True)
            .select_related("customer")
            .filter(deletion_due_at__lt=now, escalated_at__isnull=True)
            .order_by("deletion_due_at")[:BATCH]
        )
        for deletion in overdue:
            deletion.escalated_at = now
            deletion.save(update_fields=["escalated_at"])
            for person in _recipients():
                _mail(deletion, kind="overdue", to=person)
            event_record(
                actor=None,
                action="processing.deletion.escalated",
                obj=deletion,
                after=_state(deletion),
                customer_id=deletion.customer_id,
            )
            escalated += 1
    return reminded, escalated


def _certificate(deletion: EnvironmentDeletion, *, actor, at, what: str):
    customer = deletion.customer
    language = customer.language or "en"
    with override(language):
        title = _("Certificate of deletion of your environment")
    return document_render(
        template_name="pdf/processing_deletion_certificate.html",
        context={
            "deletion": deletion,
            "deleted_at": at,
            "what": what,
            "confirmed_by": actor,
            "backups": dates.backup_expiry(at),
        },
        language=language,
        title=title,
        filename=f"deletion-certificate-{customer.customer_number}-{at:%Y%m%d}.pdf",
        customer=customer,
        actor=actor,
    )


def deletion_confirm(*, actor, deletion: EnvironmentDeletion, what: str):
    """The ICT manager confirms the environment was deleted: what, and when (now)."""
    require(actor, "environment_deletion.confirm", deletion)
    what = (what or "").strip()
    if not what:
        raise ValidationError({"what": _("Say what was deleted, and in which systems.")})
    if len(what) > WHAT_MAX:
        raise ValidationError(
            {"what": _("Keep it under %(limit)d characters.") % {"limit": WHAT_MAX}}
        )
    if deletion.state != DeletionState.SCHEDULED:
        raise ValidationError(_("The deletion was already confirmed."))
    now = timezone.now()
    # Rendered before the transaction (the slow part); if the transaction fails, only an
    # unused immutable document remains.
    certificate = _certificate(deletion, actor=actor, at=now, what=what)
    with transaction.atomic():
        deletion = _locked(deletion)
        if deletion.state != DeletionState.SCHEDULED:
            raise ValidationError(_("The deletion was already confirmed."))
        before = _state(deletion)
        deletion.confirm_deletion(by=actor, at=now, what=what)
        deletion.certificate = certificate
        deletion.save()
        backups = dates.backup_expiry(now)
        event_record(
            actor=actor,
            action="processing.deletion.confirmed",
            obj=deletion,
            before=before,
            after={
                **_state(deletion),
                "deleted_at": now.isoformat(),
                "what": what,
                "late": now > deletion.deletion_due_at,
                "certificate": str(certificate.uuid),
                "backups_expire_at": backups.last_until.isoformat(),
            },
            customer_id=deletion.customer_id,
        )
        admins = User.objects.filter(
            role=Role.CUSTOMER_ADMIN, customer_id=deletion.customer_id, is_active=True
        ).order_by("pk")
        for admin in admins:
            _mail(deletion, kind="deleted", to=admin, portal=True)
    return deletion
