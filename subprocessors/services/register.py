"""Writes to the subprocessor register (SP-01, SP-02)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audits.services import event_record
from compliance.access import require
from compliance.models import Product
from subprocessors.models import EEA_COUNTRIES, ProcessingLocation, Subprocessor


def subprocessor_create(
    *,
    actor,
    legal_entity: str,
    purpose: str,
    flow_down_reference: str,
    flow_down_signed_on: datetime.date,
    certifications: str = "",
    products: list[Product] = (),
    active_since: datetime.date | None = None,
) -> Subprocessor:
    """Register a subprocessor with its flow-down agreement (SP-01, SP-02). A new subprocessor
    for existing customers goes through a change notice (SP-03, subprocessor issue)."""
    require(actor, "subprocessor.change")
    subprocessor = Subprocessor(
        legal_entity=legal_entity,
        purpose=purpose,
        certifications=certifications,
        flow_down_reference=flow_down_reference,
        flow_down_signed_on=flow_down_signed_on,
        active_since=active_since,
    )
    subprocessor.full_clean()
    with transaction.atomic():
        subprocessor.save()
        subprocessor.products.set(products)
        event_record(
            actor=actor,
            action="subprocessor.created",
            obj=subprocessor,
            after={
                "legal_entity": legal_entity,
                "flow_down_reference": flow_down_reference,
                "flow_down_signed_on": flow_down_signed_on.isoformat(),
                "products": sorted(p.code for p in products),
            },
        )
    return subprocessor


def location_add(
    *, actor, subprocessor: Subprocessor, city: str, country: str, name: str = ""
) -> ProcessingLocation:
    """Add a processing location; outside the EEA is refused (SP-02): that would change the
    terms, not the register."""
    require(actor, "subprocessor.change")
    country = (country or "").strip().upper()
    if country not in EEA_COUNTRIES:
        raise ValidationError(
            {
                "country": _(
                    "Personal data may only be processed inside the European Economic "
                    "Area; %(country)s is outside it."
                )
                % {"country": country or "?"}
            }
        )
    location = ProcessingLocation(subprocessor=subprocessor, city=city, country=country, name=name)
    location.full_clean()
    with transaction.atomic():
        location.save()
        event_record(
            actor=actor,
            action="subprocessor.location_added",
            obj=location,
            after={"subprocessor": subprocessor.pk, "city": city, "country": country},
        )
    return location
