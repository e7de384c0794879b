"""Reporting, triage and discovery correction of incidents; dismissal, resolution and closure
are in `breaches.services.closure`."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audits.services import event_record
from breaches import deadlines, severity_guidance
from breaches.links import incident_link
from breaches.models import (
    ASSESSMENT_FIELDS,
    Consequences,
    CustomerNotice,
    Incident,
    IncidentSource,
    IncidentState,
)
from breaches.services.common import (
    iso,
    not_in_future,
    now,
    officers_alert,
    required_text,
)
from compliance.access import require
from compliance.models import Product
from subprocessors.models import Subprocessor

# What triage records (BR-11): the assessment and the measures; snapshotted for the audit.
TRIAGE_FIELDS = (*ASSESSMENT_FIELDS, "measures_taken", "measures_proposed")


def _lock(incident: Incident) -> Incident:
    return Incident.objects.select_for_update().get(pk=incident.pk)


def _snapshot(incident: Incident, fields: Iterable[str]) -> dict:
    out = {}
    for name in fields:
        value = getattr(incident, name)
        if isinstance(value, datetime.datetime):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        out[name] = value
    return out


def _validate(incident: Incident) -> None:
    incident.full_clean(exclude=["state"])


def _schedule_officer_reminders(incident: Incident, at: datetime.datetime) -> None:
    incident.next_reminder_at = deadlines.first_reminder_at(
        due_at=incident.customer_due_at, hours=deadlines.OFFICER_REMINDER_HOURS, now=at
    )


def _alert_new_incident(incident: Incident, actor) -> None:
    officers_alert(
        key=f"incident:{incident.pk}:reported",
        kind="new_incident",
        context={"incident": incident, "link": incident_link(incident.pk)},
        actor=actor,
    )


def incident_report(
    *,
    actor,
    title: str,
    description: str,
    discovered_at: datetime.datetime | None = None,
    products: Iterable[Product] = (),
    systems: str = "",
    personal_data_possible: bool | None = None,
    occurred_at: datetime.datetime | None = None,
    source: str = IncidentSource.STAFF,
    source_subprocessor: Subprocessor | None = None,
    found_at_source: datetime.datetime | None = None,
) -> Incident:
    """Any staff member reports a security incident (BR-01); also one reported to us by a
    subprocessor (BR-08). It enters the one incident procedure (BR-02), the 48-hour clock
    runs from `discovered_at` (BR-03), and every privacy officer is alerted at once.
    """
    require(actor, "incident.report")
    at = now()
    discovered_at = discovered_at or at
    not_in_future(discovered_at, "discovered_at", at)
    not_in_future(occurred_at, "occurred_at", at)
    not_in_future(found_at_source, "found_at_source", at)
    if source not in (IncidentSource.STAFF, IncidentSource.SUBPROCESSOR):
        raise ValidationError({"source": _("Choose staff member or subprocessor.")})
    if source == IncidentSource.SUBPROCESSOR and source_subprocessor is None:
        raise ValidationError(
            {"source_subprocessor": _("Choose the subprocessor where it happened.")}
        )
    incident = Incident(
        title=required_text(title, "title"),
        description=required_text(description, "description"),
        source=source,
        reported_by=actor,
        source_subprocessor=source_subprocessor,
        systems=(systems or "").strip(),
        personal_data_possible=personal_data_possible,
        occurred_at=occurred_at,
        found_at_source=found_at_source,
        discovered_at=discovered_at,
        reported_at=at,
        customer_due_at=deadlines.customer_due_at(discovered_at),
    )
    _schedule_officer_reminders(incident, at)
    _validate(incident)
    products = list(products)
    with transaction.atomic():
        incident.save()
        if products:
            incident.products.set(products)
        event_record(
            actor=actor,
            action="incident.reported",
            obj=incident,
            after={
                "title": incident.title,
                "source": incident.source,
                "source_subprocessor": source_subprocessor.pk if source_subprocessor else None,
                "discovered_at": iso(incident.discovered_at),
                "occurred_at": iso(occurred_at),
                "found_at_source": iso(found_at_source),
                "customer_due_at": iso(incident.customer_due_at),
                "products": sorted(p.code for p in products),
                "personal_data_possible": personal_data_possible,
            },
        )
        _alert_new_incident(incident, actor)
    return incident


def incident_report_by_customer(
    *,
    actor,
    title: str,
    description: str,
    occurred_at: datetime.datetime | None = None,
    found_at_source: datetime.datetime | None = None,
    products: Iterable[Product] = (),
    personal_data_possible: bool | None = None,
) -> Incident:
    """A customer reports a suspected incident from the portal (BR-10).

    It lands in the same procedure (BR-02); the processor is aware from the report's
    arrival, and so is the customer itself: its notice is created at once with
    `aware_at` = the report time and its own 72 hours running (BR-04).
    """
    require(actor, "incident.report_as_customer")
    customer = actor.customer
    if customer is None:
        raise PermissionDenied(_("You do not have permission to do this."))
    at = now()
    not_in_future(occurred_at, "occurred_at", at)
    not_in_future(found_at_source, "found_at_source", at)
    incident = Incident(
        title=required_text(title, "title"),
        description=required_text(description, "description"),
        source=IncidentSource.CUSTOMER,
        reported_by=actor,
        source_customer=customer,
        personal_data_possible=personal_data_possible,
        occurred_at=occurred_at,
        found_at_source=found_at_source,
        discovered_at=at,
        reported_at=at,
        customer_due_at=deadlines.customer_due_at(at),
    )
    _schedule_officer_reminders(incident, at)
    _validate(incident)
    products = list(products)
    with transaction.atomic():
        incident.save()
        if products:
            incident.products.set(products)
        incident.affected_customers.add(customer)
        due = deadlines.authority_due_at(at)
        notice = CustomerNotice.objects.create(
            incident=incident,
            customer=customer,
            customer_reported=True,
            aware_at=at,
            authority_due_at=due,
            next_reminder_at=deadlines.customer_next_reminder_at(authority_due_at=due, now=at),
        )
        event_record(
            actor=actor,
            action="incident.reported_by_customer",
            obj=incident,
            customer_id=customer.pk,
            after={
                "title": incident.title,
                "notice": notice.pk,
                "discovered_at": iso(at),
                "aware_at": iso(at),
                "authority_due_at": iso(due),
                "customer_due_at": iso(incident.customer_due_at),
                "occurred_at": iso(occurred_at),
                "found_at_source": iso(found_at_source),
                "products": sorted(p.code for p in products),
            },
        )
        _alert_new_incident(incident, actor)
    return incident


def _decimal(value, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ValidationError({field: _("Enter a number.")}) from exc


def incident_triage(
    *,
    actor,
    incident: Incident,
    personal_data_involved: bool | None = None,
    data_categories: str = "",
    special_categories: bool | None = None,
    special_categories_detail: str = "",
    data_subject_categories: str = "",
    subjects_min: int | None = None,
    subjects_max: int | None = None,
    records_min: int | None = None,
    records_max: int | None = None,
    identifiability: str = "",
    likely_consequences: str = "",
    data_unintelligible: bool | None = None,
    unintelligible_how: str = "",
    enisa_dpc: int | None = None,
    enisa_ei: Decimal | str | None = None,
    enisa_cb_confidentiality: Decimal | str = Decimal("0"),
    enisa_cb_integrity: Decimal | str = Decimal("0"),
    enisa_cb_availability: Decimal | str = Decimal("0"),
    enisa_cb_malicious: bool = False,
    vulnerable_subjects: bool | None = None,
    consequences_level: str = "",
    consequences_lasting: bool | None = None,
    backup_available: bool | None = None,
    enisa_dpc_volume: bool | None = None,
    enisa_dpc_lowered: int | None = 0,
    measures_taken: str | None = None,
    measures_proposed: str | None = None,
) -> Incident:
    """Record (or revise) the structured assessment and ENISA severity (BR-11).

    The score SE = DPC × EI + CB is computed here from the inputs and stored with them; the
    DPC first gets ENISA's adjustments (`severity_guidance.dpc_adjusted`: profile, special
    categories, vulnerable people, lowering). The number of people, vulnerability,
    consequences, backup and unintelligibility are kept beside it for the EDPB's factors.
    """
    require(actor, "incident.triage")
    errors: dict[str, list[str]] = {}
    for high, lo, hi in (
        ("subjects_max", subjects_min, subjects_max),
        ("records_max", records_min, records_max),
    ):
        if lo is not None and hi is not None and hi < lo:
            errors[high] = [_("The maximum cannot be below the minimum.")]
    ei = _decimal(enisa_ei, "enisa_ei")
    cbs = {
        "enisa_cb_confidentiality": _decimal(enisa_cb_confidentiality, "enisa_cb_confidentiality")
        or Decimal("0"),
        "enisa_cb_integrity": _decimal(enisa_cb_integrity, "enisa_cb_integrity") or Decimal("0"),
        "enisa_cb_availability": _decimal(enisa_cb_availability, "enisa_cb_availability")
        or Decimal("0"),
    }
    if enisa_dpc is not None and enisa_dpc not in (1, 2, 3, 4):
        errors["enisa_dpc"] = [_("Choose 1 (simple), 2 (behavioural), 3 (financial) or 4.")]
    if ei is not None and ei not in deadlines.EI_VALUES:
        errors["enisa_ei"] = [_("Choose 0.25, 0.5, 0.75 or 1.")]
    for name, value in cbs.items():
        if value not in deadlines.CB_VALUES:
            errors[name] = [_("Choose 0, 0.25 or 0.5.")]
    lowered = enisa_dpc_lowered or 0
    if consequences_level not in ("", *Consequences.values):
        errors["consequences_level"] = [_("Choose minor, significant or serious.")]
    if enisa_dpc in severity_guidance.MAX_LOWERING and not (
        0 <= lowered <= severity_guidance.MAX_LOWERING[enisa_dpc]
    ):
        errors["enisa_dpc_lowered"] = [
            _("For this kind of data the context can be lowered by at most %(n)s.")
            % {"n": severity_guidance.MAX_LOWERING[enisa_dpc]}
        ]
    if (enisa_dpc is None) != (ei is None):
        errors["enisa_ei" if ei is None else "enisa_dpc"] = [
            _("The severity score needs both the context (DPC) and the identification (EI).")
        ]
    if errors:
        raise ValidationError(errors)
    score = band = final = None
    if enisa_dpc is not None and ei is not None:
        final, score, band = severity_guidance.enisa(
            base=enisa_dpc,
            ei=ei,
            confidentiality=cbs["enisa_cb_confidentiality"],
            integrity=cbs["enisa_cb_integrity"],
            availability=cbs["enisa_cb_availability"],
            malicious=enisa_cb_malicious,
            profile=enisa_dpc_volume,
            special_categories=special_categories,
            vulnerable=vulnerable_subjects,
            lowered=lowered,
        )
    with transaction.atomic():
        incident = _lock(incident)
        if not incident.is_open:
            raise ValidationError(
                {"__all__": _("This incident is closed; its assessment can no longer change.")}
            )
        before = _snapshot(incident, TRIAGE_FIELDS)
        values = {
            "personal_data_involved": personal_data_involved,
            "special_categories": special_categories,
            "subjects_min": subjects_min,
            "subjects_max": subjects_max,
            "records_min": records_min,
            "records_max": records_max,
            "data_unintelligible": data_unintelligible,
            "enisa_dpc": enisa_dpc,
            "enisa_dpc_volume": enisa_dpc_volume,
            "enisa_dpc_lowered": lowered if enisa_dpc is not None else 0,
            "enisa_dpc_final": final,
            "vulnerable_subjects": vulnerable_subjects,
            "consequences_level": consequences_level or "",
            "consequences_lasting": consequences_lasting,
            "backup_available": backup_available,
            "enisa_ei": ei,
            "enisa_cb_malicious": enisa_cb_malicious if score is not None else None,
            "severity_score": score,
            "severity_band": band or "",
            **{k: (v if score is not None else None) for k, v in cbs.items()},
        }
        texts = {
            "data_categories": data_categories,
            "special_categories_detail": special_categories_detail,
            "data_subject_categories": data_subject_categories,
            "identifiability": identifiability,
            "likely_consequences": likely_consequences,
            "unintelligible_how": unintelligible_how,
        }
        for name, text in texts.items():
            values[name] = (text or "").strip()
        if measures_taken is not None:
            values["measures_taken"] = measures_taken.strip()
        if measures_proposed is not None:
            values["measures_proposed"] = measures_proposed.strip()
        for name, value in values.items():
            setattr(incident, name, value)
        incident.triaged_at = now()
        incident.triaged_by = actor
        if incident.state == IncidentState.REPORTED:
            incident.start_triage()
        _validate(incident)
        incident.save()
        event_record(
            actor=actor,
            action="incident.triaged",
            obj=incident,
            before=before,
            after=_snapshot(incident, TRIAGE_FIELDS),
        )
    return incident


def incident_discovery_correct(
    *, actor, incident: Incident, discovered_at: datetime.datetime, reason: str
) -> Incident:
    """Correct when the processor became aware (BR-03): rewrites `customer_due_at`, the
    notices' late flags and the officer reminders in the same transaction; the reason is
    required and the history shows the old and the new time."""
    require(actor, "incident.manage")
    reason = required_text(reason, "reason", _("Explain why the discovery time changes."))
    at = now()
    not_in_future(discovered_at, "discovered_at", at)
    with transaction.atomic():
        incident = _lock(incident)
        if not incident.is_open:
            raise ValidationError({"__all__": _("This incident is closed.")})
        before = {
            "discovered_at": iso(incident.discovered_at),
            "customer_due_at": iso(incident.customer_due_at),
        }
        incident.discovered_at = discovered_at
        incident.discovered_at_reason = reason
        incident.customer_due_at = deadlines.customer_due_at(discovered_at)
        _schedule_officer_reminders(incident, at)
        incident.save()
        changed = []
        for notice in incident.notices.select_for_update().filter(informed_at__isnull=False):
            late = deadlines.is_late(
                informed_at=notice.informed_at, due_at=incident.customer_due_at
            )
            if late != notice.late:
                notice.late = late
                notice.save(update_fields=["late"])
                changed.append(notice.pk)
        event_record(
            actor=actor,
            action="incident.discovery_corrected",
            obj=incident,
            before=before,
            after={
                "discovered_at": iso(incident.discovered_at),
                "customer_due_at": iso(incident.customer_due_at),
                "reason": reason,
                "notices_late_changed": changed,
            },
        )
    return incident
