"""Standing access (AC-02): the ICT manager grants a system administrator full access for
named purposes, ends it with a reason, and records who confirmed its removal from the
systems. The product records; it does not grant system access itself."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.models.standing import StandingGrant, StandingPurpose, StandingState
from audits.services import event_record
from compliance.access import require


def _holder_check(holder) -> None:
    if holder is None or not getattr(holder, "is_processor_staff", False) or not holder.is_active:
        raise ValidationError(
            {"holder": _("Standing access is held by one of the processor's own active staff.")}
        )


def _confirmer_check(person, field: str) -> None:
    if person is None or not getattr(person, "is_processor_staff", False):
        raise ValidationError(
            {field: _("Name the staff member who confirmed the removal in the systems.")}
        )


def grant_create(
    *, actor, holder, purposes: list[str], role_title: str = "", since=None
) -> StandingGrant:
    """Record standing access for `holder` with its purposes (ICT manager)."""
    require(actor, "standing.change")
    _holder_check(holder)
    purposes = list(dict.fromkeys(purposes or []))
    unknown = [p for p in purposes if p not in StandingPurpose.values]
    if not purposes or unknown:
        raise ValidationError({"purposes": _("Choose at least one purpose from the list.")})
    if since is not None and since > timezone.now():
        raise ValidationError({"since": _("The start cannot lie in the future.")})
    if StandingGrant.objects.filter(holder=holder, state=StandingState.ACTIVE).exists():
        raise ValidationError(
            {"holder": _("This person already holds standing access: end it first.")}
        )
    grant = StandingGrant(
        holder=holder,
        role_title=(role_title or "").strip() or "System administrator",
        purposes=[p for p in StandingPurpose.values if p in purposes],
        since=since or timezone.now(),
        granted_by=actor,
    )
    with transaction.atomic():
        grant.save()
        event_record(
            actor=actor,
            action="access.standing.granted",
            obj=grant,
            after={
                "holder": holder.pk,
                "role_title": grant.role_title,
                "purposes": grant.purposes,
                "since": grant.since.isoformat(),
            },
        )
    return grant


def grant_end(*, actor, grant: StandingGrant, reason: str) -> StandingGrant:
    """End standing access with a reason (ICT manager); its removal from the systems is
    confirmed separately by a named person."""
    require(actor, "standing.change")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for ending this access.")})
    with transaction.atomic():
        grant = StandingGrant.objects.select_for_update().get(pk=grant.pk)
        if grant.state != StandingState.ACTIVE:
            raise ValidationError(_("This standing access has already ended."))
        grant.end(by=actor, at=timezone.now(), reason=reason)
        grant.save()
        event_record(
            actor=actor,
            action="access.standing.ended",
            obj=grant,
            before={"state": StandingState.ACTIVE},
            after={"state": grant.state, "reason": reason},
        )
    return grant


def grant_removal_confirm(*, actor, grant: StandingGrant, confirmed_by) -> StandingGrant:
    """Record who confirmed that the ended access was actually removed in the systems."""
    require(actor, "standing.change")
    _confirmer_check(confirmed_by, "confirmed_by")
    with transaction.atomic():
        grant = StandingGrant.objects.select_for_update().get(pk=grant.pk)
        if grant.state != StandingState.ENDED:
            raise ValidationError(
                _("Only ended access that is not yet confirmed as removed can be confirmed.")
            )
        grant.confirm_removal(by=confirmed_by, at=timezone.now())
        grant.save()
        event_record(
            actor=actor,
            action="access.standing.removal_confirmed",
            obj=grant,
            before={"state": StandingState.ENDED},
            after={"state": grant.state, "confirmed_by": confirmed_by.pk},
        )
    return grant
