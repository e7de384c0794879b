"""Input checks of the change-notice services (SP-02, SP-03)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.models import Product
from subprocessors import deadlines
from subprocessors.models import (
    EEA_COUNTRIES,
    ISO_COUNTRIES,
    ChangeKind,
    ChangeNotice,
    Subprocessor,
    SubprocessorStatus,
)
from subprocessors.services.common import (
    display_time,
)

# --------------------------------------------------------------------------- validation


def country_clean(country: str, *, field: str = "location_country") -> str:
    """An ISO code inside the EEA (SP-02); an unknown code and a non-EEA country each get
    their own message."""
    code = (country or "").strip().upper()
    if code not in ISO_COUNTRIES:
        raise ValidationError(
            {
                field: _("%(country)s is not a known country code (ISO 3166, e.g. NL).")
                % {"country": country or "?"}
            }
        )
    if code not in EEA_COUNTRIES:
        raise ValidationError(
            {
                field: _(
                    "Personal data may only be processed inside the European Economic "
                    "Area; %(country)s is outside it."
                )
                % {"country": code}
            }
        )
    return code


def effective_at_check(
    *,
    kind: str,
    effective_at,
    announced: bool = False,
    sent_completely_at=None,
    now=None,
) -> None:
    """SP-03: refuse an effective moment before the earliest one the product accepts
    (`deadlines.earliest_effective_at`, the one rule the pages show too)."""
    if effective_at is None:
        raise ValidationError({"effective_at": _("Choose the effective moment.")})
    if timezone.is_naive(effective_at):
        raise ValidationError({"effective_at": _("The effective moment needs a time zone.")})
    now = now or timezone.now()
    bound = deadlines.earliest_effective_at(
        kind=kind, announced=announced, sent_completely_at=sent_completely_at, now=now
    )
    if bound is None or effective_at >= bound:
        return
    if kind == ChangeKind.REMOVAL:
        message = _("The effective moment of a removal cannot lie in the past.")
    elif sent_completely_at is None:
        message = _(
            "Too early: customers must be informed at least 28 days ahead. "
            "The earliest possible effective moment is %(earliest)s."
        ) % {"earliest": display_time(bound)}
    else:
        message = _(
            "Too early: the last customer was informed at %(sent)s, so the change may "
            "take effect no earlier than %(earliest)s (28 days later)."
        ) % {"sent": display_time(sent_completely_at), "earliest": display_time(bound)}
    raise ValidationError({"effective_at": message})


def effective_at_later_check(*, told: datetime.datetime, effective_at: datetime.datetime) -> None:
    """SP-03: customers were told the current effective moment, so it only moves later."""
    if effective_at < told:
        raise ValidationError(
            {
                "effective_at": _(
                    "Too early: customers were told that the change takes effect at "
                    "%(told)s. The effective moment can only move later."
                )
                % {"told": display_time(told)}
            }
        )


def payload_check(notice: ChangeNotice) -> None:
    errors = {}
    if notice.kind == ChangeKind.NEW_LOCATION:
        if not notice.location_city.strip():
            errors["location_city"] = _("Enter the city of the new location.")
        try:
            notice.location_country = country_clean(notice.location_country)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if notice.kind == ChangeKind.NEW_PURPOSE and not notice.new_purpose.strip():
        errors["new_purpose"] = _("Describe the new purpose.")
    if errors:
        raise ValidationError(errors)


def new_subprocessor_build(data: dict) -> tuple[Subprocessor, list[Product]]:
    data = dict(data or {})
    errors = {}
    for name, message in (
        ("legal_entity", _("Enter the legal entity of the subprocessor.")),
        ("purpose", _("Describe what the subprocessor does with customer data.")),
        ("flow_down_reference", _("Enter the reference of the flow-down agreement.")),
    ):
        if not str(data.get(name) or "").strip():
            errors[name] = message
    if not isinstance(data.get("flow_down_signed_on"), datetime.date):
        errors["flow_down_signed_on"] = _("Enter the date of the flow-down agreement.")
    legal_entity = str(data.get("legal_entity") or "").strip()
    if legal_entity and Subprocessor.objects.filter(legal_entity__iexact=legal_entity).exists():
        errors["legal_entity"] = _("%(entity)s is already in the register.") % {
            "entity": legal_entity
        }
    if errors:
        raise ValidationError(errors)
    subprocessor = Subprocessor(
        legal_entity=legal_entity,
        purpose=str(data["purpose"]).strip(),
        certifications=str(data.get("certifications") or "").strip(),
        flow_down_reference=str(data["flow_down_reference"]).strip(),
        flow_down_signed_on=data["flow_down_signed_on"],
        status=SubprocessorStatus.PENDING,
        active_since=None,
    )
    subprocessor.full_clean()
    return subprocessor, list(data.get("products") or [])


def notice_snapshot(notice: ChangeNotice) -> dict:
    return {
        "kind": notice.kind,
        "state": notice.state,
        "subprocessor": notice.subprocessor_id,
        "effective_at": notice.effective_at.isoformat() if notice.effective_at else None,
        "location": f"{notice.location_city}, {notice.location_country}".strip(", "),
        "new_purpose": notice.new_purpose,
    }
