"""The sections of the authority's form (BR-04), one function each, in the order of the
AP's online form. Each returns the section's fields; `DraftContext` holds what they share."""

from __future__ import annotations

from dataclasses import dataclass

from breaches.authority_draft.writer import BY_YOU, BY_YOUR_RECORD, Writer, cb, iso
from breaches.measures import measures_timeline
from breaches.models import CustomerNotice, Incident, IncidentState
from breaches.selectors import notice_updates
from compliance.models import Customer, ProcessorProfile

SECTIONS = (
    "about",
    "contact",
    "timeline",
    "nature",
    "personal_data",
    "people",
    "measures_before",
    "consequences",
    "follow_up",
)


@dataclass(frozen=True)
class DraftContext:
    """What every section reads: the writer in the form's language, the notice and its
    incident and customer, the processor, the authority, and the note for counts the
    incident's customers share."""

    w: Writer
    notice: CustomerNotice
    incident: Incident
    customer: Customer
    processor: ProcessorProfile | None
    processor_name: str
    authority: str
    share_note: str


def _cia(incident: Incident) -> dict:
    """Which of confidentiality, integrity and availability was lost (None: not assessed)."""
    return {
        "confidentiality": cb(incident.enisa_cb_confidentiality),
        "integrity": cb(incident.enisa_cb_integrity),
        "availability": cb(incident.enisa_cb_availability),
    }


def _about(c: DraftContext) -> list[dict]:
    """About the notification."""
    w, notice, incident = c.w, c.notice, c.incident
    processor_name, authority = c.processor_name, c.authority
    if notice.decision_authority_notified and notice.decision_authority_reference:
        notification_type = w.field(
            "notification_type",
            value=notice.decision_authority_reference,
            display=w.t(
                "supplement_to",
                reference=notice.decision_authority_reference,
                date=w.day(notice.decision_authority_notified_on),
            ),
            by=BY_YOUR_RECORD,
        )
    else:
        notification_type = w.field("notification_type", by=BY_YOU)
    kind = notice.decision_authority_kind or notice.intention_kind
    notification_kind = (
        w.field("notification_kind", value=kind, display=w.t(f"kind_{kind}"), by=BY_YOUR_RECORD)
        if kind
        else w.field("notification_kind", by=BY_YOU)
    )
    if incident.source_subprocessor_id:
        involved = w.t(
            "processor_yes_sub",
            processor=processor_name,
            subprocessor=incident.source_subprocessor.legal_entity,
        )
    else:
        involved = w.t("processor_yes", processor=processor_name)
    about = [
        w.field("authority", value=authority, display=w.t(f"authority_{authority}")),
        notification_type,
        notification_kind,
        w.field("processor_involved", value=True, display=involved),
        w.field(
            "processor_reference",
            value={"incident": incident.pk, "notice": notice.pk},
            display=w.t("reference_value", incident=incident.pk, notice=notice.pk),
        ),
    ]
    return about


def _contact(c: DraftContext) -> list[dict]:
    """Contact details."""
    w, customer = c.w, c.customer
    processor, processor_name = c.processor, c.processor_name
    processor_contact = ""
    if processor:
        parts = [processor.privacy_team_name, processor.privacy_email, processor.privacy_phone]
        processor_contact = ", ".join(p for p in parts if p)
        processor_contact = f"{processor_name}: {processor_contact}"
    contact = [
        w.field("organisation", value=customer.name, display=customer.name),
        w.field("organisation_details", by=BY_YOU),
        w.field("contact_person", by=BY_YOU),
        w.field("dpo", by=BY_YOU),
        w.field("processor_contact", value=processor_contact, display=processor_contact),
    ]
    return contact


def _timeline(c: DraftContext) -> list[dict]:
    """Timeline."""
    w, notice, incident = c.w, c.notice, c.incident
    if notice.aware_at:
        aware_display = w.t(
            "aware_by_own_report" if notice.customer_reported else "aware_by_notice",
            time=w.when(notice.aware_at),
        )
    else:
        aware_display = w.t("aware_not_yet")
    ended_at = incident.resolved_at or incident.closed_at
    if ended_at and incident.state in (IncidentState.RESOLVED, IncidentState.CLOSED):
        ongoing = w.field(
            "ongoing", value=False, display=w.t("ongoing_ended", time=w.when(ended_at))
        )
    else:
        ongoing = w.field("ongoing", value=None, display=w.t("ongoing_open"))
    timeline = [
        w.field(
            "occurred_at", value=iso(incident.occurred_at), display=w.when(incident.occurred_at)
        ),
        w.field(
            "discovered_at",
            value=iso(incident.discovered_at),
            display=w.when(incident.discovered_at),
        ),
    ]
    if incident.found_at_source:
        timeline.append(
            w.field(
                "found_at_source",
                value=iso(incident.found_at_source),
                display=w.when(incident.found_at_source),
            )
        )
    timeline += [
        w.field(
            "aware_at",
            value=iso(notice.aware_at),
            display=aware_display,
            note=(
                w.t("deadline_note", time=w.when(notice.authority_due_at))
                if notice.authority_due_at
                else ""
            ),
        ),
        ongoing,
        w.field("late_reason", by=BY_YOU),
    ]
    return timeline


def _nature(c: DraftContext) -> list[dict]:
    """Nature of the breach."""
    w, incident = c.w, c.incident
    cia = _cia(incident)
    if all(v is None for v in cia.values()):
        breach_type = w.field("breach_type")
    else:
        kinds = [name for name, lost in cia.items() if lost]
        breach_type = w.field(
            "breach_type",
            value=kinds,
            display="; ".join(w.t(f"type_{k}") for k in kinds) or w.t("type_none"),
        )
    products = ", ".join(p.name for p in incident.products.all())
    systems = "; ".join(s for s in (products, incident.systems) if s)
    summary = f"{incident.title}\n{incident.description}".strip()
    nature = [
        w.field("summary", value=summary, display=summary),
        breach_type,
        w.field(
            "malicious",
            value=incident.enisa_cb_malicious,
            display=""
            if incident.enisa_cb_malicious is None
            else w.yes_no(incident.enisa_cb_malicious),
        ),
        w.field("systems", value=systems, display=systems),
    ]
    return nature


def _personal_data(c: DraftContext) -> list[dict]:
    """Personal data involved."""
    w, incident, share_note = c.w, c.incident, c.share_note
    special = incident.special_categories
    special_display = ""
    if special is not None:
        special_display = w.yes_no(special)
        if special and incident.special_categories_detail:
            special_display += f": {incident.special_categories_detail}"
    has_records = incident.records_min is not None or incident.records_max is not None
    personal_data = [
        w.field(
            "personal_data_involved",
            value=incident.personal_data_involved,
            display=""
            if incident.personal_data_involved is None
            else w.yes_no(incident.personal_data_involved),
        ),
        w.field(
            "data_categories", value=incident.data_categories, display=incident.data_categories
        ),
        w.field("special_categories", value=special, display=special_display),
        w.field(
            "records",
            value={"min": incident.records_min, "max": incident.records_max},
            display=w.number_range(incident.records_min, incident.records_max)
            if has_records
            else "",
            note=share_note if has_records else "",
        ),
    ]
    return personal_data


def _people(c: DraftContext) -> list[dict]:
    """People affected."""
    w, incident, share_note = c.w, c.incident, c.share_note
    has_subjects = incident.subjects_min is not None or incident.subjects_max is not None
    people = [
        w.field(
            "subject_categories",
            value=incident.data_subject_categories,
            display=incident.data_subject_categories,
        ),
        w.field(
            "subjects_count",
            value={"min": incident.subjects_min, "max": incident.subjects_max},
            display=w.number_range(incident.subjects_min, incident.subjects_max)
            if has_subjects
            else "",
            note=share_note if has_subjects else "",
        ),
        w.field("your_subjects", by=BY_YOU),
    ]
    return people


def _measures_before(c: DraftContext) -> list[dict]:
    """Measures in place before the breach."""
    w, incident = c.w, c.incident
    measures_before = [
        w.field(
            "unintelligible",
            value=incident.data_unintelligible,
            display=""
            if incident.data_unintelligible is None
            else w.yes_no(incident.data_unintelligible),
        ),
        w.field(
            "unintelligible_how",
            value=incident.unintelligible_how,
            display=incident.unintelligible_how,
        ),
    ]
    return measures_before


def _consequences(c: DraftContext, guidance: dict) -> list[dict]:
    """Consequences, with the severity guidance's band as a note."""
    w, incident = c.w, c.incident
    cia = _cia(incident)
    consequences = [
        w.field(name, value=lost, display="" if lost is None else w.yes_no(lost))
        for name, lost in cia.items()
    ]
    consequences += [
        w.field(
            "likely_consequences",
            value=incident.likely_consequences,
            display=incident.likely_consequences,
        ),
        w.field(
            "severity_estimate",
            by=BY_YOU,
            note=w.t("severity_note", band=guidance["band_label"], score=guidance["score"])
            if guidance["band"]
            else "",
        ),
    ]
    return consequences


def _follow_up(c: DraftContext) -> list[dict]:
    """Follow-up."""
    w, notice, incident = c.w, c.notice, c.incident
    if notice.decision_subjects_informed is True:
        subjects_informed = w.field(
            "subjects_informed",
            value=True,
            display=w.t(
                "subjects_informed_yes",
                date=w.day(notice.decision_subjects_informed_on),
                how=notice.decision_subjects_how,
            ),
            by=BY_YOUR_RECORD,
        )
    elif notice.decision_subjects_informed is False:
        subjects_informed = w.field(
            "subjects_informed",
            value=False,
            display=w.t("subjects_informed_no", reasoning=notice.decision_subjects_reasoning),
            by=BY_YOUR_RECORD,
        )
    else:
        subjects_informed = w.field("subjects_informed", by=BY_YOU)
    follow_up = [
        subjects_informed,
        _measures_taken(c),
        w.field(
            "measures_proposed",
            value=incident.measures_proposed,
            display=incident.measures_proposed,
        ),
        w.field("your_measures", by=BY_YOU),
        w.field("cross_border", by=BY_YOU),
        w.field("other_authorities", by=BY_YOU),
    ]
    return follow_up


def _measures_taken(c: DraftContext) -> dict:
    """The measures as reported and each update's own measures, each with its moment."""
    w = c.w
    updates = notice_updates(None, c.notice)
    entries = [
        w.t(
            "measures_entry",
            time=w.when(entry["at"]),
            label=w.t(f"measures_{entry['kind']}"),
            text=entry["text"],
        )
        for entry in measures_timeline(c.incident, updates)
    ]
    return w.field("measures_taken", value=c.incident.measures_taken, display="\n".join(entries))


def section_fields(c: DraftContext, guidance: dict) -> dict[str, list[dict]]:
    """Every section's fields, by its key in `SECTIONS`."""
    return {
        "about": _about(c),
        "contact": _contact(c),
        "timeline": _timeline(c),
        "nature": _nature(c),
        "personal_data": _personal_data(c),
        "people": _people(c),
        "measures_before": _measures_before(c),
        "consequences": _consequences(c, guidance),
        "follow_up": _follow_up(c),
    }
