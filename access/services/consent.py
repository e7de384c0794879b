"""Customer consent (AC-04) and the record of uses of access.

Staff (privacy officer, ICT manager) ask a customer's consent for a named employee with a
purpose, a level and a period; the customer's administrator grants (possibly read only, or
for a shorter period) or refuses, and may withdraw a granted consent at any time. The access
ends with the consent — withdrawn, or expired at `ends_at` by the sweep — and a named person
then confirms it was removed from the systems by `removal_due_at` (reminder before, then
escalation). Every use of access to a customer's data is recorded with its basis; a use under
consent or temporary access is refused unless a grant covers that employee, customer, level
and moment. Each write records its audit event with the customer, in one transaction.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.models.consent import (
    MAX_PERIOD_DAYS,
    REMOVAL_CONFIRM_HOURS,
    REMOVAL_REMINDER_HOURS,
    AccessBasis,
    AccessConsent,
    AccessUse,
    ConsentLevel,
    ConsentState,
)
from access.models.standing import StandingGrant
from access.models.support_copies import SupportCopy
from access.models.temporary import TemporaryAccess
from access.selectors.consent import EMPLOYEE_ROLES
from access.services import consent_mail
from audits.services import event_record
from compliance.access import SYSTEM, require
from compliance.models import Customer, Role, User

ENDED_STATES = (ConsentState.GRANTED, ConsentState.WITHDRAWN, ConsentState.EXPIRED)


def _snapshot(consent: AccessConsent) -> dict:
    return {
        "state": consent.state,
        "employee": consent.employee_id,
        "level": consent.level,
        "starts_at": consent.starts_at.isoformat(),
        "ends_at": consent.ends_at.isoformat(),
        "decided_by": consent.decided_by_id,
        "ended_at": consent.ended_at.isoformat() if consent.ended_at else None,
        "removal_due_at": consent.removal_due_at.isoformat() if consent.removal_due_at else None,
    }


def _record(consent: AccessConsent, *, actor, action: str, before: dict | None = None) -> None:
    event_record(
        actor=actor,
        action=action,
        obj=consent,
        before=before,
        after=_snapshot(consent),
        customer_id=consent.customer_id,
    )


def _locked(consent: AccessConsent) -> AccessConsent:
    return (
        AccessConsent.objects.select_for_update()
        .select_related("customer", "employee", "requested_by")
        .get(pk=consent.pk)
    )


def consent_request(
    *,
    actor,
    customer: Customer,
    employee: User,
    purpose: str,
    level: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
) -> AccessConsent:
    """Staff ask the customer's consent for one named employee; its administrators are
    mailed."""
    require(actor, "consent.request")
    purpose = (purpose or "").strip()
    now = timezone.now()
    errors: dict[str, str] = {}
    if employee is None or employee.role not in EMPLOYEE_ROLES or not employee.is_active:
        errors["employee"] = _("Choose an active employee of the processor.")
    if not purpose:
        errors["purpose"] = _("Say what the access is for.")
    if level not in ConsentLevel.values:
        errors["level"] = _("Choose read only, or read and change.")
    if starts_at is None or ends_at is None:
        errors["ends_at"] = _("Give the period: from and until.")
    elif ends_at <= starts_at:
        errors["ends_at"] = _("The period must end after it starts.")
    elif ends_at <= now:
        errors["ends_at"] = _("The period must end in the future.")
    elif ends_at - starts_at > datetime.timedelta(days=MAX_PERIOD_DAYS):
        errors["ends_at"] = _("A consent covers at most %(days)s days; ask again after that.") % {
            "days": MAX_PERIOD_DAYS
        }
    if customer is None:
        errors["customer"] = _("Choose the customer.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        consent = AccessConsent.objects.create(
            customer=customer,
            employee=employee,
            purpose=purpose,
            level=level,
            starts_at=starts_at,
            ends_at=ends_at,
            requested_by=actor,
            requested_at=now,
        )
        _record(consent, actor=actor, action="access.consent.requested")
        consent_mail.mail_requested(consent, actor=actor)
    return consent


def _open_for_decision(consent: AccessConsent) -> None:
    if consent.state != ConsentState.REQUESTED:
        raise ValidationError(_("This request was already answered."))


def consent_grant(
    *,
    actor,
    consent: AccessConsent,
    level: str | None = None,
    ends_at: datetime.datetime | None = None,
    note: str = "",
) -> AccessConsent:
    """The customer's administrator grants, possibly read only where read and change was
    asked, or for a shorter period; never more than was asked."""
    require(actor, "consent.decide", consent)
    with transaction.atomic():
        consent = _locked(consent)
        _open_for_decision(consent)
        now = timezone.now()
        level = level or consent.level
        ends_at = ends_at or consent.ends_at
        errors: dict[str, str] = {}
        if level not in ConsentLevel.values:
            errors["level"] = _("Choose read only, or read and change.")
        elif level == ConsentLevel.READ_WRITE and consent.level == ConsentLevel.READ:
            errors["level"] = _("You can grant less than was asked, not more: read only.")
        if ends_at > consent.ends_at:
            errors["ends_at"] = _("You can shorten the period, not lengthen it.")
        elif ends_at <= max(now, consent.starts_at):
            errors["ends_at"] = _("The period must end after it starts and in the future.")
        if errors:
            raise ValidationError(errors)
        before = _snapshot(consent)
        consent.grant(by=actor, at=now, level=level, ends_at=ends_at, note=(note or "").strip())
        consent.save()
        _record(consent, actor=actor, action="access.consent.granted", before=before)
        consent_mail.mail_answered(consent, actor=actor)
    return consent


def consent_refuse(*, actor, consent: AccessConsent, note: str = "") -> AccessConsent:
    require(actor, "consent.decide", consent)
    with transaction.atomic():
        consent = _locked(consent)
        _open_for_decision(consent)
        before = _snapshot(consent)
        consent.refuse(by=actor, at=timezone.now(), note=(note or "").strip())
        consent.save()
        _record(consent, actor=actor, action="access.consent.refused", before=before)
        consent_mail.mail_answered(consent, actor=actor)
    return consent


def _removal_due(at: datetime.datetime) -> datetime.datetime:
    return at + datetime.timedelta(hours=REMOVAL_CONFIRM_HOURS)


def consent_withdraw(*, actor, consent: AccessConsent) -> AccessConsent:
    """The customer's administrator withdraws a granted consent, at any time; the access
    ends now and its removal is to be confirmed."""
    require(actor, "consent.decide", consent)
    with transaction.atomic():
        consent = _locked(consent)
        if consent.state != ConsentState.GRANTED:
            raise ValidationError(_("Only a granted consent that has not ended can be withdrawn."))
        now = timezone.now()
        before = _snapshot(consent)
        consent.withdraw(by=actor, at=now, removal_due_at=_removal_due(now))
        consent.save()
        _record(consent, actor=actor, action="access.consent.withdrawn", before=before)
        consent_mail.mail_ended(consent, actor=actor)
    return consent


def consent_removal_confirm(*, actor, consent: AccessConsent) -> AccessConsent:
    """A named person on the processor's side confirms the access was removed."""
    require(actor, "consent.confirm_removal", consent)
    with transaction.atomic():
        consent = _locked(consent)
        if consent.state not in (ConsentState.WITHDRAWN, ConsentState.EXPIRED):
            raise ValidationError(_("The access has not ended yet."))
        if consent.removal_confirmed_at is not None:
            raise ValidationError(_("The removal was already confirmed."))
        before = _snapshot(consent)
        consent.removal_confirmed_by, consent.removal_confirmed_at = actor, timezone.now()
        consent.save(update_fields=["removal_confirmed_by", "removal_confirmed_at"])
        after = _snapshot(consent) | {"removal_confirmed_by": actor.pk}
        event_record(
            actor=actor,
            action="access.consent.removal_confirmed",
            obj=consent,
            before=before,
            after=after,
            customer_id=consent.customer_id,
        )
    return consent


def consent_sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Beat's sweep: granted consents whose period is over expire (at `ends_at`, to the
    second); unconfirmed removals get a reminder before their deadline and an escalation
    after it. Each row is claimed under a lock, so two sweeps never act twice."""
    now = now or timezone.now()
    counts = {"expired": 0, "reminded": 0, "escalated": 0}
    due = AccessConsent.objects.filter(state=ConsentState.GRANTED, ends_at__lte=now)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            consent = _locked(AccessConsent(pk=pk))
            if consent.state != ConsentState.GRANTED or consent.ends_at > now:
                continue
            before = _snapshot(consent)
            consent.expire(at=consent.ends_at, removal_due_at=_removal_due(consent.ends_at))
            consent.save()
            _record(consent, actor=SYSTEM, action="access.consent.expired", before=before)
            consent_mail.mail_ended(consent, actor=SYSTEM)
            counts["expired"] += 1
    open_removals = AccessConsent.objects.filter(
        removal_confirmed_at__isnull=True, removal_due_at__isnull=False
    )
    remind_from = now + datetime.timedelta(hours=REMOVAL_REMINDER_HOURS)
    for step, rows in (
        ("escalated", open_removals.filter(removal_due_at__lt=now, escalated_at__isnull=True)),
        (
            "reminded",
            open_removals.filter(removal_due_at__lte=remind_from, reminded_at__isnull=True),
        ),
    ):
        for pk in rows.values_list("pk", flat=True):
            with transaction.atomic():
                consent = _locked(AccessConsent(pk=pk))
                if consent.removal_confirmed_at is not None or getattr(consent, f"{step}_at"):
                    continue
                setattr(consent, f"{step}_at", now)
                if step == "escalated":
                    consent_mail.mail_escalation(consent, actor=SYSTEM)
                    if consent.reminded_at is None:
                        consent.reminded_at = now
                else:
                    consent_mail.mail_reminder(consent, actor=SYSTEM)
                consent.save(update_fields=["reminded_at", "escalated_at"])
                action = "removal_escalated" if step == "escalated" else "removal_reminded"
                _record(consent, actor=SYSTEM, action=f"access.consent.{action}")
                counts[step] += 1
    return counts


# --------------------------------------------------------------------------- uses


def consent_covering(
    *, employee_id: int, customer_id: int, level: str, at: datetime.datetime
) -> AccessConsent | None:
    """The consent that covered this access at that moment: granted before it, within its
    period, not yet withdrawn, and for read and change when the use changed data."""
    consents = AccessConsent.objects.filter(
        employee_id=employee_id,
        customer_id=customer_id,
        state__in=ENDED_STATES,
        decided_at__lte=at,
        starts_at__lte=at,
        ends_at__gt=at,
    ).exclude(ended_at__lte=at)
    if level == ConsentLevel.READ_WRITE:
        consents = consents.filter(level=ConsentLevel.READ_WRITE)
    return consents.order_by("-decided_at").first()


def temporary_covering(
    *, employee_id: int, customer_id: int, at: datetime.datetime
) -> TemporaryAccess | None:
    """The approved temporary access (AC-03) of this employee to this customer at `at`."""
    return (
        TemporaryAccess.objects.filter(
            requester_id=employee_id,
            customer_id=customer_id,
            state__in=("active", "expired", "revoked"),
            decided_at__lte=at,
            starts_at__lte=at,
            ends_at__gt=at,
        )
        .exclude(ended_at__lte=at)
        .order_by("-decided_at")
        .first()
    )


def _basis_record(*, basis: str, basis_id, user: User, customer: Customer, level: str, at):
    """The record the use rests on, or a ValidationError saying why there is none."""
    if basis == AccessBasis.CONSENT:
        found = consent_covering(employee_id=user.pk, customer_id=customer.pk, level=level, at=at)
        if found is None or (basis_id and found.pk != basis_id):
            raise ValidationError(
                {
                    "basis": _(
                        "No consent of this customer covers this employee, this kind of "
                        "access and this moment."
                    )
                }
            )
        return found
    if basis == AccessBasis.TEMPORARY:
        found = temporary_covering(employee_id=user.pk, customer_id=customer.pk, at=at)
        if found is None or (basis_id and found.pk != basis_id):
            raise ValidationError(
                {
                    "basis": _(
                        "No approved temporary access covers this employee, this customer "
                        "and this moment."
                    )
                }
            )
        return found
    if basis == AccessBasis.STANDING:
        grants = StandingGrant.objects.filter(holder=user, since__lte=at).exclude(ended_at__lte=at)
        found = grants.filter(pk=basis_id).first() if basis_id else grants.first()
        if found is None:
            raise ValidationError(
                {"basis": _("This employee held no standing access at that moment.")}
            )
        return found
    if basis == AccessBasis.SUPPORT_COPY:
        copies = SupportCopy.objects.filter(customer=customer, taken_at__lte=at)
        found = copies.filter(pk=basis_id).first() if basis_id else None
        if found is None:
            raise ValidationError(
                {"basis_id": _("Choose the support copy of this customer that was used.")}
            )
        return found
    raise ValidationError({"basis": _("Choose the basis of the access.")})


def access_use_record(
    *,
    actor,
    customer: Customer,
    user: User,
    basis: str,
    activity: str,
    level: str = ConsentLevel.READ,
    used_at: datetime.datetime | None = None,
    basis_id: int | None = None,
) -> AccessUse:
    """Record one use of access to a customer's data with the basis it rested on. A staff
    member records their own uses; the privacy officer and ICT manager anyone's."""
    require(actor, "access_use.record")
    now = timezone.now()
    used_at = used_at or now
    activity = (activity or "").strip()
    errors: dict[str, str] = {}
    if (
        getattr(actor, "role", None) == Role.STAFF_MEMBER
        and user is not None
        and user.pk != actor.pk
    ):
        errors["user"] = _("You can record only your own uses of access.")
    if user is None or user.role not in EMPLOYEE_ROLES:
        errors["user"] = _("Choose the employee of the processor who used the access.")
    if not activity:
        errors["activity"] = _("Say what was done.")
    if level not in ConsentLevel.values:
        errors["level"] = _("Choose read only, or read and change.")
    if used_at > now + datetime.timedelta(minutes=1):
        errors["used_at"] = _("A use cannot be recorded before it happened.")
    if basis not in AccessBasis.values:
        errors["basis"] = _("Choose the basis of the access.")
    if errors:
        raise ValidationError(errors)
    record = _basis_record(
        basis=basis, basis_id=basis_id, user=user, customer=customer, level=level, at=used_at
    )
    with transaction.atomic():
        use = AccessUse.objects.create(
            customer=customer,
            user=user,
            basis=basis,
            basis_id=record.pk,
            level=level,
            used_at=used_at,
            activity=activity,
            recorded_by=actor,
            recorded_at=now,
        )
        event_record(
            actor=actor,
            action="access.use.recorded",
            obj=use,
            after={
                "user": user.pk,
                "basis": basis,
                "basis_id": record.pk,
                "level": level,
                "used_at": used_at.isoformat(),
            },
            customer_id=customer.pk,
        )
    return use
