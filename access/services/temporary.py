"""Temporary access to a customer's data (AC-03): request, decision, end, confirmed removal.

A staff member of product development (or the ICT manager) asks with a reason, the customer
and a period of at most `MAX_PERIOD_DAYS`; an ICT manager approves or refuses with a note,
never on their own request. The access ends by itself at `ends_at` (the beat sweep) or
earlier when an ICT manager revokes it; from the end a named person has
`REMOVAL_CONFIRM_HOURS` to confirm it was removed in the systems (the product records this,
it grants nothing itself). The ICT managers are reminded `REMOVAL_REMINDER_HOURS` before
that deadline and the privacy officers told once it has passed.

Every step is one transaction with its audit event; every mail is an outbox row with its
own key. The requester and the customer's administrators are told when access is approved
and when it ends.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from access.models.temporary import (
    MAX_PERIOD_DAYS,
    REMOVAL_REMINDER_HOURS,
    TemporaryAccess,
    TemporaryState,
)
from audits.services import event_record
from compliance.access import require
from compliance.models import Customer, Role, User
from compliance.outbox import message_queue, message_render
from compliance.recipients import alert_recipients

MAIL_TEMPLATE = "access_temporary"
BATCH = 200


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _link(access: TemporaryAccess, *, portal: bool = False) -> str:
    path = reverse("access:temporary_detail", kwargs={"pk": access.pk})
    if portal:
        path = reverse("portal")
    return settings.SITE_URL.rstrip("/") + path


def _state(access: TemporaryAccess) -> dict:
    return {
        "state": access.state,
        "requester": access.requester_id,
        "customer": access.customer_id,
        "starts_at": _iso(access.starts_at),
        "ends_at": _iso(access.ends_at),
    }


def _mail(access: TemporaryAccess, *, kind: str, to: User, actor, suffix: str = "") -> None:
    """One mail about `access` to one user, keyed per access, kind and user (never twice)."""
    if not to.email:
        return
    language = to.language or access.customer.language or "en"
    portal = to.role in (Role.CUSTOMER_ADMIN,)
    subject, text, html = message_render(
        MAIL_TEMPLATE,
        language=language,
        context={
            "kind": kind,
            "access": access,
            "name": to.full_name,
            "customer": access.customer.name,
            "requester": access.requester.full_name,
            "link": _link(access, portal=portal),
        },
    )
    message_queue(
        key=f"access:temporary:{access.pk}:{kind}{suffix}:user:{to.pk}",
        to_email=to.email,
        to_name=to.full_name,
        language=language,
        subject=subject,
        body_text=text,
        body_html=html,
        customer=access.customer if portal else None,
        actor=actor,
        cause=access,
    )


def _customer_admins(customer_id: int):
    return User.objects.filter(
        role=Role.CUSTOMER_ADMIN, customer_id=customer_id, is_active=True
    ).order_by("pk")


def _ict_managers(*, exclude_user_id: int | None = None):
    managers = User.objects.filter(role=Role.ICT_MANAGER, is_active=True).order_by("pk")
    if exclude_user_id is not None:
        managers = managers.exclude(pk=exclude_user_id)
    return managers


def _tell_requester_and_customer(access: TemporaryAccess, *, kind: str, actor) -> None:
    """AC-03: the requester and the customer's administrators, each once."""
    _mail(access, kind=kind, to=access.requester, actor=actor)
    for admin in _customer_admins(access.customer_id):
        _mail(access, kind=kind, to=admin, actor=actor)


def _locked(access: TemporaryAccess) -> TemporaryAccess:
    return (
        TemporaryAccess.objects.select_for_update(of=("self",))
        .select_related("customer", "requester")
        .get(pk=access.pk)
    )


# --------------------------------------------------------------------------- request


def temporary_request(
    *,
    actor,
    customer_id,
    reason: str,
    starts_at: datetime.datetime | None,
    ends_at: datetime.datetime | None,
) -> TemporaryAccess:
    """A staff member asks for access to one customer's data for a period (AC-03)."""
    require(actor, "temporary_access.request")
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    customer = None
    if customer_id in (None, ""):
        errors["customer"] = _("Choose the customer whose data you need.")
    else:
        customer = Customer.objects.filter(pk=customer_id).first()
        if customer is None:
            errors["customer"] = _("There is no such customer.")
    if not reason:
        errors["reason"] = _("Say why you need access to this customer's data.")
    now = timezone.now()
    if starts_at is None:
        errors["starts_at"] = _("Give the moment the access starts.")
    if ends_at is None:
        errors["ends_at"] = _("Give the moment the access ends.")
    if starts_at is not None and ends_at is not None:
        if ends_at <= starts_at:
            errors["ends_at"] = _("The end must come after the start.")
        elif ends_at - starts_at > datetime.timedelta(days=MAX_PERIOD_DAYS):
            errors["ends_at"] = _(
                "Temporary access lasts at most %(days)d days; ask again when it ends."
            ) % {"days": MAX_PERIOD_DAYS}
        elif ends_at <= now:
            errors["ends_at"] = _("The end lies in the past.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        access = TemporaryAccess.objects.create(
            requester=actor,
            customer=customer,
            reason=reason,
            starts_at=starts_at,
            ends_at=ends_at,
            requested_at=now,
        )
        event_record(
            actor=actor,
            action="access.temporary.requested",
            obj=access,
            after={**_state(access), "reason": reason},
            customer_id=customer.pk,
        )
        for manager in _ict_managers(exclude_user_id=actor.pk):
            _mail(access, kind="requested", to=manager, actor=actor)
    return access


# --------------------------------------------------------------------------- decision


def _decide(*, actor, access: TemporaryAccess, approve: bool, note: str) -> TemporaryAccess:
    require(actor, "temporary_access.decide", access)
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError(
            {"note": _("Say why the request is refused; the requester reads it.")}
        )
    with transaction.atomic():
        access = _locked(access)
        if access.state != TemporaryState.REQUESTED:
            raise ValidationError(_("This request has already been decided."))
        if access.requester_id == actor.pk:
            # Four eyes (AC-03): an ICT manager who asked for access themselves never decides
            # on it; another ICT manager does.
            raise ValidationError(
                _("You asked for this access yourself; another ICT manager decides on it.")
            )
        now = timezone.now()
        if approve and access.ends_at <= now:
            raise ValidationError(_("The requested period has already ended; ask again."))
        before = _state(access)
        if approve:
            access.approve(by=actor, at=now, note=note)
        else:
            access.refuse(by=actor, at=now, note=note)
        access.save()
        event_record(
            actor=actor,
            action=f"access.temporary.{'approved' if approve else 'refused'}",
            obj=access,
            before=before,
            after={**_state(access), "note": note},
            customer_id=access.customer_id,
        )
        if approve:
            _tell_requester_and_customer(access, kind="approved", actor=actor)
        else:
            _mail(access, kind="refused", to=access.requester, actor=actor)
    return access


def temporary_approve(*, actor, access: TemporaryAccess, note: str = "") -> TemporaryAccess:
    return _decide(actor=actor, access=access, approve=True, note=note)


def temporary_refuse(*, actor, access: TemporaryAccess, note: str) -> TemporaryAccess:
    return _decide(actor=actor, access=access, approve=False, note=note)


# --------------------------------------------------------------------------- end


def temporary_revoke(*, actor, access: TemporaryAccess, note: str) -> TemporaryAccess:
    """The ICT manager ends approved access before its period is over."""
    require(actor, "temporary_access.revoke", access)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say why the access is revoked.")})
    with transaction.atomic():
        access = _locked(access)
        if access.state != TemporaryState.ACTIVE:
            raise ValidationError(_("Only approved access that has not ended can be revoked."))
        before = _state(access)
        access.revoke(by=actor, at=timezone.now(), note=note)
        access.save()
        event_record(
            actor=actor,
            action="access.temporary.revoked",
            obj=access,
            before=before,
            after={**_state(access), "note": note, "removal_due_at": _iso(access.removal_due_at)},
            customer_id=access.customer_id,
        )
        _tell_requester_and_customer(access, kind="ended", actor=actor)
    return access


def temporary_expire_due() -> int:
    """Beat: approved access whose `ends_at` has come ends by itself (AC-03). The removal
    deadline counts from `ends_at`, however late the sweep ran."""
    now = timezone.now()
    ended = 0
    with transaction.atomic():
        due = list(
            TemporaryAccess.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("customer", "requester")
            .filter(state=TemporaryState.ACTIVE, ends_at__lte=now)
            .order_by("ends_at")[:BATCH]
        )
        for access in due:
            before = _state(access)
            access.expire(at=access.ends_at)
            access.save()
            event_record(
                actor=None,
                action="access.temporary.expired",
                obj=access,
                before=before,
                after={**_state(access), "removal_due_at": _iso(access.removal_due_at)},
                customer_id=access.customer_id,
            )
            _tell_requester_and_customer(access, kind="ended", actor=None)
            ended += 1
    return ended


# --------------------------------------------------------------------------- removal


def temporary_confirm_removal(*, actor, access: TemporaryAccess, note: str) -> TemporaryAccess:
    """A named person confirms the ended access was removed in the systems."""
    require(actor, "temporary_access.confirm_removal", access)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say what was removed, and in which systems.")})
    with transaction.atomic():
        access = _locked(access)
        if not access.is_ended:
            raise ValidationError(_("The access has not ended yet; revoke it first."))
        if access.removal_confirmed_at is not None:
            raise ValidationError(_("The removal was already confirmed."))
        now = timezone.now()
        access.removal_confirmed_by = actor
        access.removal_confirmed_at = now
        access.removal_note = note
        access.save()
        event_record(
            actor=actor,
            action="access.temporary.removal_confirmed",
            obj=access,
            after={
                "note": note,
                "removal_due_at": _iso(access.removal_due_at),
                "late": now > access.removal_due_at,
            },
            customer_id=access.customer_id,
        )
    return access


def temporary_removal_sweep() -> tuple[int, int]:
    """Beat: remind the ICT managers `REMOVAL_REMINDER_HOURS` before the removal deadline,
    and tell the privacy officers once it has passed (each once per access)."""
    now = timezone.now()
    open_rows = TemporaryAccess.objects.filter(
        removal_due_at__isnull=False, removal_confirmed_at__isnull=True
    )
    reminded = escalated = 0
    with transaction.atomic():
        due = list(
            open_rows.select_for_update(of=("self",), skip_locked=True)
            .select_related("customer", "requester")
            .filter(
                removal_due_at__lte=now + datetime.timedelta(hours=REMOVAL_REMINDER_HOURS),
                reminded_at__isnull=True,
            )
            .order_by("removal_due_at")[:BATCH]
        )
        for access in due:
            access.reminded_at = now
            access.save(update_fields=["reminded_at"])
            for manager in _ict_managers():
                _mail(access, kind="removal_reminder", to=manager, actor=None)
            event_record(
                actor=None,
                action="access.temporary.removal_reminded",
                obj=access,
                after={"removal_due_at": _iso(access.removal_due_at)},
                customer_id=access.customer_id,
            )
            reminded += 1
        overdue = list(
            open_rows.select_for_update(of=("self",), skip_locked=True)
            .select_related("customer", "requester")
            .filter(removal_due_at__lt=now, escalated_at__isnull=True)
            .order_by("removal_due_at")[:BATCH]
        )
        officers = alert_recipients() if overdue else []
        for access in overdue:
            access.escalated_at = now
            access.save(update_fields=["escalated_at"])
            for officer in officers:
                _officer_mail(access, officer)
            event_record(
                actor=None,
                action="access.temporary.removal_escalated",
                obj=access,
                after={"removal_due_at": _iso(access.removal_due_at), "to": len(officers)},
                customer_id=access.customer_id,
            )
            escalated += 1
    return reminded, escalated


def _officer_mail(access: TemporaryAccess, officer) -> None:
    subject, text, html = message_render(
        MAIL_TEMPLATE,
        language=officer.language,
        context={
            "kind": "removal_overdue",
            "access": access,
            "name": officer.name,
            "customer": access.customer.name,
            "requester": access.requester.full_name,
            "link": _link(access),
        },
    )
    message_queue(
        key=f"access:temporary:{access.pk}:removal_overdue:{officer.key}",
        to_email=officer.email,
        to_name=officer.name,
        language=officer.language,
        subject=subject,
        body_text=text,
        body_html=html,
        actor=None,
        cause=access,
    )
