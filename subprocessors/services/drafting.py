"""Drafting change notices to the register and editing a draft (SP-02, SP-03); announcing,
moving and withdrawing them are in `subprocessors.services.change_notices`."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audits.services import event_record
from compliance.access import require
from compliance.models import Product
from subprocessors.models import (
    ChangeKind,
    ChangeNotice,
    ChangeNoticeState,
    ProcessingLocation,
    Subprocessor,
    SubprocessorStatus,
)
from subprocessors.services.validation import (
    country_clean,
    effective_at_check,
    new_subprocessor_build,
    notice_snapshot,
    payload_check,
)


def change_notice_draft(
    *,
    actor,
    kind: str,
    effective_at: datetime.datetime,
    subprocessor: Subprocessor | None = None,
    new_subprocessor: dict | None = None,
    description: str = "",
    location_city: str = "",
    location_country: str = "",
    location_name: str = "",
    new_purpose: str = "",
) -> ChangeNotice:
    """Draft a change to the register (SP-03); bad input refused with nothing saved (SP-02)."""
    require(actor, "change_notice.change")
    if kind not in ChangeKind.values:
        raise ValidationError({"kind": _("Choose the kind of change.")})
    new_products: list[Product] = []
    if kind == ChangeKind.NEW_SUBPROCESSOR:
        if subprocessor is None:
            subprocessor, new_products = new_subprocessor_build(new_subprocessor)
        elif subprocessor.status not in (SubprocessorStatus.PENDING, SubprocessorStatus.WITHDRAWN):
            raise ValidationError({"subprocessor": _("This subprocessor is already in use.")})
    elif subprocessor is None or subprocessor.status != SubprocessorStatus.ACTIVE:
        raise ValidationError({"subprocessor": _("Choose a subprocessor in the register.")})
    notice = ChangeNotice(
        kind=kind,
        description=(description or "").strip(),
        location_name=(location_name or "").strip(),
        location_city=(location_city or "").strip(),
        location_country=(location_country or "").strip().upper(),
        new_purpose=(new_purpose or "").strip() if kind == ChangeKind.NEW_PURPOSE else "",
        planned_effective_at=effective_at,
        effective_at=effective_at,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    payload_check(notice)
    if kind == ChangeKind.NEW_SUBPROCESSOR and (notice.location_city or notice.location_country):
        if not notice.location_city:
            raise ValidationError({"location_city": _("Enter the city of the location.")})
        notice.location_country = country_clean(notice.location_country)
    effective_at_check(kind=kind, effective_at=effective_at)
    with transaction.atomic():
        if subprocessor.pk is None:
            subprocessor.save()
            subprocessor.products.set(new_products)
            event_record(
                actor=actor,
                action="subprocessor.created",
                obj=subprocessor,
                after={
                    "legal_entity": subprocessor.legal_entity,
                    "status": subprocessor.status,
                    "flow_down_reference": subprocessor.flow_down_reference,
                    "flow_down_signed_on": subprocessor.flow_down_signed_on.isoformat(),
                    "products": sorted(p.code for p in new_products),
                },
            )
            if notice.location_city:
                # The location of a subprocessor that processes nothing yet; it becomes
                # visible with the subprocessor when the notice goes live.
                location = ProcessingLocation.objects.create(
                    subprocessor=subprocessor,
                    city=notice.location_city,
                    country=notice.location_country,
                    name=notice.location_name,
                )
                event_record(
                    actor=actor,
                    action="subprocessor.location_added",
                    obj=location,
                    after={
                        "subprocessor": subprocessor.pk,
                        "city": location.city,
                        "country": location.country,
                    },
                )
        notice.subprocessor = subprocessor
        notice.full_clean(exclude=["state"])
        notice.save()
        event_record(
            actor=actor, action="change_notice.drafted", obj=notice, after=notice_snapshot(notice)
        )
    return notice


def change_notice_update(
    *,
    actor,
    notice: ChangeNotice,
    effective_at: datetime.datetime | None = None,
    description: str | None = None,
    location_city: str | None = None,
    location_country: str | None = None,
    location_name: str | None = None,
    new_purpose: str | None = None,
) -> ChangeNotice:
    """Edit a draft (SP-03); an announced notice changes only through its own services."""
    require(actor, "change_notice.change")
    with transaction.atomic():
        notice = ChangeNotice.objects.select_for_update().get(pk=notice.pk)
        if notice.state != ChangeNoticeState.DRAFT:
            raise ValidationError(_("Only a draft can be edited."))
        before = notice_snapshot(notice)
        for name, value in (
            ("description", description),
            ("location_city", location_city),
            ("location_name", location_name),
            ("new_purpose", new_purpose),
        ):
            if value is not None:
                setattr(notice, name, value.strip())
        if location_country is not None:
            notice.location_country = location_country.strip().upper()
        if effective_at is not None:
            effective_at_check(kind=notice.kind, effective_at=effective_at)
            notice.planned_effective_at = notice.effective_at = effective_at
        payload_check(notice)
        notice.save()
        event_record(
            actor=actor,
            action="change_notice.updated",
            obj=notice,
            before=before,
            after=notice_snapshot(notice),
        )
    return notice
