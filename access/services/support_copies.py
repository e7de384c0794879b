"""Support copies (AC-05): every write of the register, each with its audit event.

A copy of a customer environment taken for a support ticket must be deleted 48 hours after
the ticket is resolved or cancelled, and 150 × 24 hours after it was taken at the latest.
Both deadlines are columns written here, in the transaction of their cause: `due_latest_at`
when the copy is registered, `due_after_ticket_at` when the ticket closes (and cleared again
when the ticket is reopened before the copy was deleted: the 48 hours start anew when it
closes again). Hours are elapsed time, not calendar days: across a change to or from summer
time the deadline is not the same wall-clock time in Amsterdam.

The sweep (`support_copies_sweep`, beat) reminds whoever took the copy and the ICT managers
REMINDER_BEFORE (12 hours) before the deadline that applies (the earlier of the two), and
escalates to the ICT managers and the privacy officers once it has passed.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from access.models import AFTER_TICKET, AT_THE_LATEST, CopyState, SupportCopy, TicketStatus
from access.models.support_copies import SupportCopyAccess
from access.selectors.support_copies import copy_link
from audits.services import event_record
from compliance import moments
from compliance.access import require
from compliance.models import STAFF_ROLES, Customer, Role, User
from compliance.outbox import QueuedRow, message_render, messages_queue_bulk

# The reminder goes this long before the deadline that applies.
REMINDER_BEFORE = datetime.timedelta(hours=12)
BATCH = 500


def _utc(moment: datetime.datetime | None) -> datetime.datetime | None:
    """Moments in UTC before any arithmetic: adding hours to a datetime in Europe/Amsterdam
    adds wall-clock time, which is wrong across a DST change (AC-05)."""
    if moment is None or not isinstance(moment, datetime.datetime):
        return moment
    if timezone.is_naive(moment):
        raise ValidationError(_("Give the moment with its time zone."))
    return moment.astimezone(datetime.UTC)


def _iso(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _not_in_future(moment: datetime.datetime, field: str, errors: dict, at) -> None:
    if moment > at:
        errors[field] = _("This moment lies in the future; give the moment it happened.")


def _staff_user(user, field: str, errors: dict) -> None:
    if not isinstance(user, User) or user.role not in STAFF_ROLES or not user.is_active:
        errors[field] = _("Choose an active employee of the processor.")


def _snapshot(copy: SupportCopy) -> dict:
    return {
        "ticket": copy.ticket,
        "ticket_status": copy.ticket_status,
        "ticket_closed_at": _iso(copy.ticket_closed_at),
        "state": copy.state,
        "due_after_ticket_at": _iso(copy.due_after_ticket_at),
        "due_latest_at": _iso(copy.due_latest_at),
    }


def support_copy_register(
    *,
    actor,
    customer: Customer,
    ticket: str,
    description: str,
    taken_at: datetime.datetime,
    taken_by,
) -> SupportCopy:
    """Register a copy taken for a support ticket; its latest deadline is 150 × 24 hours
    after it was taken. A staff member registers only the copies it took itself."""
    require(actor, "support_copy.change")
    taken_at = _utc(taken_at)
    ticket = (ticket or "").strip()
    description = (description or "").strip()
    now = timezone.now()
    errors: dict = {}
    if not ticket:
        errors["ticket"] = _("Give the reference of the support ticket.")
    if not description:
        errors["description"] = _("Say what was copied.")
    if not isinstance(customer, Customer):
        errors["customer"] = _("Choose the customer whose environment was copied.")
    if taken_at is None:
        errors["taken_at"] = _("Give the moment the copy was taken.")
    else:
        _not_in_future(taken_at, "taken_at", errors, now)
    _staff_user(taken_by, "taken_by", errors)
    if (
        "taken_by" not in errors
        and getattr(actor, "role", None) == Role.STAFF_MEMBER
        and taken_by.pk != actor.pk
    ):
        errors["taken_by"] = _("You can register only the copies you took yourself.")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            copy = SupportCopy.objects.create(
                customer=customer,
                ticket=ticket,
                description=description,
                taken_at=taken_at,
                taken_by=taken_by,
                ticket_status_at=taken_at,
                due_latest_at=taken_at + AT_THE_LATEST,
            )
            event_record(
                actor=actor,
                action="access.support_copy.registered",
                obj=copy,
                after={**_snapshot(copy), "taken_at": _iso(taken_at), "taken_by": taken_by.pk},
                customer_id=copy.customer_id,
            )
    except IntegrityError as error:
        raise ValidationError(
            {"ticket": _("This copy of this ticket was registered already.")}
        ) from error
    return copy


def support_copy_ticket_status_set(
    *, actor, copy: SupportCopy, status: str, at: datetime.datetime
) -> SupportCopy:
    """The ticket's status, from the ticketing system (API) or set by hand.

    Resolved or cancelled: the copy must go 48 hours after `at`. Reopened (open again)
    before the copy was deleted: that deadline is cleared until the ticket closes again.
    The same closing sent twice (a retry) changes nothing; anything else that goes back in
    time, a moment in the future or a change to a deleted copy is refused."""
    require(actor, "support_copy.change", copy)
    at = _utc(at)
    now = timezone.now()
    with transaction.atomic():
        copy = SupportCopy.objects.select_for_update().get(pk=copy.pk)
        errors: dict = {}
        if status not in TicketStatus.values:
            errors["status"] = _("The status must be open, resolved or cancelled.")
        if at is None:
            errors["at"] = _("Give the moment the ticket got this status.")
        if errors:
            raise ValidationError(errors)
        if copy.state != CopyState.HELD:
            raise ValidationError(
                _("This copy was deleted already; its ticket status no longer changes anything.")
            )
        if (
            status == copy.ticket_status
            and status != TicketStatus.OPEN
            and copy.ticket_closed_at == at
        ):
            return copy  # the same message again
        if status == copy.ticket_status:
            raise ValidationError(
                {"status": _("The ticket has this status already.")}
                if status == TicketStatus.OPEN
                else {"status": _("The ticket was closed already; reopen it first.")}
            )
        if status != TicketStatus.OPEN and copy.ticket_status != TicketStatus.OPEN:
            raise ValidationError({"status": _("The ticket was closed already; reopen it first.")})
        _not_in_future(at, "at", errors, now)
        since = copy.ticket_status_at or copy.taken_at
        if "at" not in errors and at < since:
            errors["at"] = _(
                "The status cannot go back in time: the ticket has had its present status "
                "since %(since)s."
            ) % {"since": moments.moment_text(since)}
        if errors:
            raise ValidationError(errors)
        before = _snapshot(copy)
        copy.ticket_status = status
        copy.ticket_status_at = at
        if status == TicketStatus.OPEN:
            copy.ticket_closed_at = None
            copy.due_after_ticket_at = None
            action = "access.support_copy.ticket_reopened"
        else:
            copy.ticket_closed_at = at
            copy.due_after_ticket_at = at + AFTER_TICKET
            action = "access.support_copy.ticket_closed"
        # The deadline that applies may have changed: its own reminder and escalation.
        copy.reminded_at = None
        copy.escalated_at = None
        copy.save()
        event_record(
            actor=actor,
            action=action,
            obj=copy,
            before=before,
            after={**_snapshot(copy), "status_at": _iso(at)},
            customer_id=copy.customer_id,
        )
    return copy


def support_copy_access_record(
    *, actor, copy: SupportCopy, user, accessed_at: datetime.datetime, note: str
) -> SupportCopyAccess:
    """An employee opened the copy: who, when and what for (the customer sees the list)."""
    require(actor, "support_copy.change", copy)
    accessed_at = _utc(accessed_at)
    note = (note or "").strip()
    now = timezone.now()
    errors: dict = {}
    _staff_user(user, "user", errors)
    if not note:
        errors["note"] = _("Say what the copy was used for.")
    if accessed_at is None:
        errors["accessed_at"] = _("Give the moment of the access.")
    else:
        _not_in_future(accessed_at, "accessed_at", errors, now)
        if "accessed_at" not in errors and accessed_at < copy.taken_at:
            errors["accessed_at"] = _("The copy did not exist yet at that moment.")
        if copy.deleted_at is not None and accessed_at > copy.deleted_at:
            errors["accessed_at"] = _("The copy was deleted before that moment.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        access = SupportCopyAccess.objects.create(
            copy=copy, user=user, accessed_at=accessed_at, note=note, recorded_by=actor
        )
        event_record(
            actor=actor,
            action="access.support_copy.access_recorded",
            obj=copy,
            after={
                "access": access.pk,
                "user": user.pk,
                "accessed_at": _iso(accessed_at),
                "note": note,
            },
            customer_id=copy.customer_id,
        )
    return access


def support_copy_deletion_confirm(
    *, actor, copy: SupportCopy, deleted_at: datetime.datetime
) -> SupportCopy:
    """A named person (the actor) confirms that the copy was deleted, and when."""
    require(actor, "support_copy.change", copy)
    deleted_at = _utc(deleted_at)
    now = timezone.now()
    with transaction.atomic():
        copy = SupportCopy.objects.select_for_update().get(pk=copy.pk)
        if copy.state != CopyState.HELD:
            raise ValidationError(_("The deletion of this copy was confirmed already."))
        errors: dict = {}
        if deleted_at is None:
            errors["deleted_at"] = _("Give the moment the copy was deleted.")
        else:
            _not_in_future(deleted_at, "deleted_at", errors, now)
            if "deleted_at" not in errors and deleted_at < copy.taken_at:
                errors["deleted_at"] = _("The copy was taken after that moment.")
        if errors:
            raise ValidationError(errors)
        before = _snapshot(copy)
        copy.confirm_deletion(by=actor, at=now, deleted_at=deleted_at)
        copy.save()
        event_record(
            actor=actor,
            action="access.support_copy.deleted",
            obj=copy,
            before=before,
            after={
                **_snapshot(copy),
                "deleted_at": _iso(deleted_at),
                "in_time": deleted_at <= copy.delete_by,
            },
            customer_id=copy.customer_id,
        )
    return copy


# --------------------------------------------------------------------------- the sweep


def _due_q(limit: datetime.datetime, *, strictly: bool) -> Q:
    lookup = "lt" if strictly else "lte"
    return Q(**{f"due_after_ticket_at__{lookup}": limit}) | Q(**{f"due_latest_at__{lookup}": limit})


def _rows(copy: SupportCopy, kind: str, recipients: list[User], at) -> list[QueuedRow]:
    due_key = int(copy.delete_by.timestamp())
    rendered: dict[str, tuple[str, str, str]] = {}
    rows = []
    seen = set()
    for user in recipients:
        if user.pk in seen or not user.email:
            continue
        seen.add(user.pk)
        language = user.language or "en"
        if language not in rendered:
            rendered[language] = message_render(
                "support_copy_alert",
                language=language,
                context={
                    "kind": kind,
                    "copy": copy,
                    "customer_name": copy.customer.name,
                    "link": copy_link(copy.pk),
                    "reason": copy.deadline_reason,
                },
            )
        subject, text, html = rendered[language]
        rows.append(
            QueuedRow(
                key=f"support_copy:{copy.pk}:{kind}:due:{due_key}:user:{user.pk}",
                to_email=user.email,
                to_name=user.full_name,
                language=language,
                subject=subject,
                body_text=text,
                body_html=html,
            )
        )
    return rows


def support_copies_sweep() -> dict[str, int]:
    """Reminders REMINDER_BEFORE the deadline that applies (to whoever took the copy and
    the ICT managers) and escalation once it passed (ICT managers and privacy officers).
    Idempotent: `reminded_at`/`escalated_at` and the outbox keys (with the deadline)."""
    at = timezone.now()
    result = {"reminded": 0, "escalated": 0}
    with transaction.atomic():
        copies = list(
            SupportCopy.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("customer", "taken_by")
            .filter(state=CopyState.HELD)
            .filter(
                (Q(escalated_at__isnull=True) & _due_q(at, strictly=True))
                | (Q(reminded_at__isnull=True) & _due_q(at + REMINDER_BEFORE, strictly=False))
            )
            .order_by("due_latest_at")[:BATCH]
        )
        if not copies:
            return result
        managers = list(User.objects.filter(role=Role.ICT_MANAGER, is_active=True).order_by("pk"))
        officers = list(
            User.objects.filter(role=Role.PRIVACY_OFFICER, is_active=True).order_by("pk")
        )
        rows: list[QueuedRow] = []
        events: list[dict] = []
        for copy in copies:
            due = copy.delete_by
            if at > due and copy.escalated_at is None:
                kind, action = "escalation", "access.support_copy.escalated"
                new = _rows(copy, kind, managers + officers, at)
                copy.escalated_at = at
                copy.reminded_at = copy.reminded_at or at
                result["escalated"] += 1
            elif copy.reminded_at is None and at >= due - REMINDER_BEFORE:
                kind, action = "reminder", "access.support_copy.reminded"
                taker = [copy.taken_by] if copy.taken_by.is_active else []
                new = _rows(copy, kind, taker + managers, at)
                copy.reminded_at = at
                result["reminded"] += 1
            else:
                continue
            rows.extend(new)
            events.append(
                {
                    "actor": None,
                    "action": action,
                    "obj": copy,
                    "after": {
                        "delete_by": _iso(due),
                        "deadline": copy.deadline_reason,
                        "recipients": len(new),
                    },
                    "customer_id": copy.customer_id,
                }
            )
        messages_queue_bulk(rows=rows, cause_events=events)
        # Bookkeeping of the sweep: no history row; the audit events record every mail.
        SupportCopy.objects.bulk_update(copies, ["reminded_at", "escalated_at"])
    return result
