"""A draft of the supervisory authority's notification form for one customer (BR-04).

The processor never notifies an authority: this is only a draft the customer (the
controller) may copy into the authority's own form. It follows the sections of the Dutch AP's
online form (DESIGN.md, "Domain references"); a Belgian customer gets the GBA/APD variant in
Dutch. Every field says who fills it: what the processor knows from the incident and the
notice is prefilled, what only the controller knows is marked "to be completed by you", and
what the customer already recorded in the portal (its decision) is carried over as such.

The labels are the authority forms' own wording in the form's language, not the interface's:
a Belgian customer reading the product in English still files a Dutch form with the GBA. So
they live here as a fixed table per language (English and Dutch) instead of going through the
interface's translations.

The draft is computed on every request and never stored: it changes as the incident evolves
(triage, measures, the customer's own decision), it is not something the processor issues,
and a stored copy would only be an outdated version someone might file by mistake.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone, translation

from breaches.models import CustomerNotice, IncidentState
from compliance.access import require
from compliance.documents import pdf_render
from compliance.models import Country
from compliance.selectors import processor_profile
from compliance.templatetags.compliance_tags import local_deadline

DRAFT_FORMAT_VERSION = 1

AP = "ap"
GBA = "gba"

# Who provides a field's content.
BY_PROCESSOR = "processor"  # prefilled from what the processor knows
BY_YOUR_RECORD = "your_record"  # from the decision the customer recorded in the portal
BY_YOU = "controller"  # only the controller knows: "to be completed by you"

# key -> (English, Dutch). The authority forms' wording; see the module docstring.
TEXT: dict[str, tuple[str, str]] = {
    # document
    "title_ap": (
        "Draft notification of a personal data breach to the Autoriteit Persoonsgegevens",
        "Concept melding datalek aan de Autoriteit Persoonsgegevens",
    ),
    "title_gba": (
        "Draft notification of a personal data breach to the Gegevensbeschermingsautoriteit",
        "Concept melding gegevenslek aan de Gegevensbeschermingsautoriteit",
    ),
    "disclaimer": (
        "Draft for your own notification. {processor} does not send it and never notifies a "
        "supervisory authority: you decide whether to notify, and you submit the authority's "
        "form yourself. Check every prefilled answer; we update what we know as the "
        "investigation continues.",
        "Concept voor uw eigen melding. {processor} verstuurt dit niet en meldt nooit zelf aan "
        "een toezichthouder: u beslist of u meldt en u dient het formulier van de "
        "toezichthouder zelf in. Controleer elk vooraf ingevuld antwoord; wij vullen aan wat "
        "wij weten naarmate het onderzoek vordert.",
    ),
    "to_complete": ("To be completed by you", "In te vullen door u"),
    "not_yet_known": (
        "Not yet known; we will tell you as soon as we know",
        "Nog niet bekend; wij laten het u weten zodra wij het weten",
    ),
    "yes": ("Yes", "Ja"),
    "no": ("No", "Nee"),
    "source_processor": ("Prefilled by {processor}", "Vooraf ingevuld door {processor}"),
    "source_your_record": (
        "From the decision you recorded in the portal",
        "Uit het besluit dat u in het portaal vastlegde",
    ),
    "source_controller": ("To be completed by you", "In te vullen door u"),
    "authority_ap": (
        "Autoriteit Persoonsgegevens (AP), through its online notification form",
        "Autoriteit Persoonsgegevens (AP), via het online meldformulier",
    ),
    "authority_gba": (
        "Gegevensbeschermingsautoriteit (GBA/APD), through its electronic form "
        "(Dutch, French or German)",
        "Gegevensbeschermingsautoriteit (GBA), via het elektronische formulier "
        "(Nederlands, Frans of Duits)",
    ),
    # sections
    "s_about": ("About the notification", "Over de melding"),
    "s_contact": ("Contact details", "Contactgegevens"),
    "s_timeline": ("Timeline", "Tijdlijn"),
    "s_nature": ("Nature of the breach", "Aard van het datalek"),
    "s_personal_data": ("Personal data involved", "Betrokken persoonsgegevens"),
    "s_people": ("People affected", "Betrokken personen"),
    "s_measures_before": (
        "Measures in place before the breach",
        "Maatregelen die vóór het datalek waren getroffen",
    ),
    "s_consequences": ("Consequences", "Gevolgen"),
    "s_follow_up": ("Follow-up", "Vervolgacties"),
    # about
    "authority": ("Supervisory authority", "Toezichthouder"),
    "notification_type": (
        "New notification, or a supplement to or change of an earlier one (its reference)",
        "Nieuwe melding, of aanvulling op of wijziging van een eerdere melding (kenmerk)",
    ),
    "notification_kind": (
        "Preliminary or complete notification",
        "Voorlopige of volledige melding",
    ),
    "processor_involved": (
        "Was a processor involved?",
        "Was er een verwerker betrokken?",
    ),
    "processor_reference": (
        "The processor's reference for this incident",
        "Kenmerk van de verwerker voor dit incident",
    ),
    # contact
    "organisation": ("Organisation (the controller)", "Organisatie (verwerkingsverantwoordelijke)"),
    "organisation_details": (
        "Address, Chamber of Commerce (or enterprise) number and sector",
        "Adres, KvK-nummer (of ondernemingsnummer) en sector",
    ),
    "contact_person": (
        "Contact person for the authority: name, function, telephone, e-mail",
        "Contactpersoon voor de toezichthouder: naam, functie, telefoon, e-mail",
    ),
    "dpo": (
        "Data protection officer (if any)",
        "Functionaris voor gegevensbescherming (indien aanwezig)",
    ),
    "processor_contact": (
        "Contact point at the processor",
        "Contactpunt bij de verwerker",
    ),
    # timeline
    "occurred_at": ("When did the breach happen?", "Wanneer vond het datalek plaats?"),
    "discovered_at": (
        "When did the processor discover it?",
        "Wanneer ontdekte de verwerker het?",
    ),
    "found_at_source": (
        "When was it found where it happened (subprocessor or your organisation)?",
        "Wanneer werd het gevonden waar het gebeurde (subverwerker of uw organisatie)?",
    ),
    "aware_at": (
        "When did your organisation become aware of it?",
        "Wanneer werd uw organisatie ervan op de hoogte?",
    ),
    "aware_by_own_report": (
        "{time} (from your own report to us)",
        "{time} (door uw eigen melding aan ons)",
    ),
    "aware_by_notice": (
        "{time} (when we informed you)",
        "{time} (toen wij u informeerden)",
    ),
    "aware_not_yet": (
        "Not yet: our notice has not reached you",
        "Nog niet: onze melding heeft u nog niet bereikt",
    ),
    "deadline_note": (
        "The 72 hours for a notification end at {time}.",
        "De termijn van 72 uur voor een melding eindigt op {time}.",
    ),
    "ongoing": ("Is the breach still ongoing?", "Duurt het datalek nog voort?"),
    "ongoing_ended": (
        "No: the incident was contained on {time}",
        "Nee: het incident is op {time} beëindigd",
    ),
    "ongoing_open": (
        "Not yet known: the investigation is ongoing",
        "Nog niet bekend: het onderzoek loopt nog",
    ),
    "late_reason": (
        "Reason for notifying later than 72 hours (only if late)",
        "Reden voor melden later dan 72 uur (alleen indien te laat)",
    ),
    # nature
    "summary": ("What happened", "Wat is er gebeurd"),
    "breach_type": ("Type of breach", "Soort datalek"),
    "type_confidentiality": (
        "Personal data read, copied or disclosed (confidentiality)",
        "Persoonsgegevens ingezien, gekopieerd of openbaar gemaakt (vertrouwelijkheid)",
    ),
    "type_integrity": (
        "Personal data changed (integrity)",
        "Persoonsgegevens gewijzigd (integriteit)",
    ),
    "type_availability": (
        "Personal data lost or not available (availability)",
        "Persoonsgegevens verloren of niet beschikbaar (beschikbaarheid)",
    ),
    "type_none": (
        "No loss of confidentiality, integrity or availability found so far",
        "Tot nu toe geen verlies van vertrouwelijkheid, integriteit of beschikbaarheid vastgesteld",
    ),
    "malicious": (
        "Caused with malicious intent?",
        "Met kwade opzet veroorzaakt?",
    ),
    "systems": ("Products and systems concerned", "Betrokken producten en systemen"),
    # personal data
    "personal_data_involved": ("Are personal data involved?", "Zijn persoonsgegevens betrokken?"),
    "data_categories": (
        "Categories of personal data",
        "Soorten persoonsgegevens",
    ),
    "special_categories": (
        "Special categories of personal data (Art. 9 and 10 GDPR)",
        "Bijzondere persoonsgegevens (art. 9 en 10 AVG)",
    ),
    "records": (
        "Approximate number of records",
        "Geschat aantal records",
    ),
    "range": ("{low} to {high}", "{low} tot {high}"),
    "at_least": ("at least {low}", "minimaal {low}"),
    "at_most": ("at most {high}", "maximaal {high}"),
    "all_customers_note": (
        "Across all {count} customers affected, as far as we know; determine the share of "
        "your organisation.",
        "Over alle {count} getroffen klanten, voor zover bekend; bepaal het deel van uw "
        "organisatie.",
    ),
    # people
    "subject_categories": (
        "Description of the people affected",
        "Omschrijving van de betrokken personen",
    ),
    "subjects_count": (
        "Number of people affected (minimum to maximum)",
        "Aantal betrokken personen (minimum tot maximum)",
    ),
    "your_subjects": (
        "Which groups of your data subjects are affected (for example patients, pupils, "
        "employees), including vulnerable groups",
        "Welke groepen van uw betrokkenen zijn getroffen (bijvoorbeeld patiënten, leerlingen, "
        "medewerkers), inclusief kwetsbare groepen",
    ),
    # measures before
    "unintelligible": (
        "Were the personal data unintelligible (encrypted, hashed or otherwise protected)?",
        "Waren de persoonsgegevens onbegrijpelijk of ontoegankelijk (versleuteld, gehasht "
        "of anders beveiligd)?",
    ),
    "unintelligible_how": (
        "How they were protected",
        "Hoe ze beveiligd waren",
    ),
    # consequences
    "confidentiality": ("Loss of confidentiality", "Verlies van vertrouwelijkheid"),
    "integrity": ("Loss of integrity", "Verlies van integriteit"),
    "availability": ("Loss of availability", "Verlies van beschikbaarheid"),
    "likely_consequences": (
        "Likely consequences for the people affected",
        "Mogelijke gevolgen voor de betrokkenen",
    ),
    "severity_estimate": (
        "Your estimate of the severity of the consequences",
        "Uw inschatting van de ernst van de gevolgen",
    ),
    "severity_note": (
        "Our assessment by ENISA's method: {band} ({score}). A heuristic, guidance only.",
        "Onze inschatting volgens de ENISA-methode: {band} ({score}). Een vuistregel, "
        "alleen ter oriëntatie.",
    ),
    # follow-up
    "subjects_informed": (
        "Have the people affected been informed? If not, why not?",
        "Zijn de betrokkenen geïnformeerd? Zo nee, waarom niet?",
    ),
    "subjects_informed_yes": (
        "Yes, on {date}: {how}",
        "Ja, op {date}: {how}",
    ),
    "subjects_informed_no": ("No: {reasoning}", "Nee: {reasoning}"),
    "measures_taken": (
        "Measures taken by the processor",
        "Door de verwerker getroffen maatregelen",
    ),
    "measures_proposed": (
        "Measures proposed by the processor",
        "Door de verwerker voorgestelde maatregelen",
    ),
    "your_measures": (
        "Measures your organisation took or will take",
        "Maatregelen die uw organisatie nam of neemt",
    ),
    "cross_border": (
        "Are people in other EU countries affected (cross-border)?",
        "Zijn personen in andere EU-landen betrokken (grensoverschrijdend)?",
    ),
    "other_authorities": (
        "Notified, or to be notified, to other supervisory authorities?",
        "Gemeld, of te melden, aan andere toezichthouders?",
    ),
    # severity guidance (DESIGN.md: ENISA's heuristic, not the law)
    "guidance_title": (
        "What the severity band suggests (ENISA's heuristic, guidance only)",
        "Wat de ernstklasse suggereert (vuistregel van ENISA, alleen ter oriëntatie)",
    ),
    "guidance_low": (
        "Low: likely only to be recorded in your own register of breaches.",
        "Laag: waarschijnlijk alleen vastleggen in uw eigen register van datalekken.",
    ),
    "guidance_medium": (
        "Medium: likely to be notified to the supervisory authority.",
        "Gemiddeld: waarschijnlijk te melden aan de toezichthouder.",
    ),
    "guidance_high": (
        "High: likely to be notified to the authority and the people affected informed too.",
        "Hoog: waarschijnlijk te melden aan de toezichthouder en ook de betrokkenen te informeren.",
    ),
    "guidance_very_high": (
        "Very high: likely to be notified to the authority and the people affected informed too.",
        "Zeer hoog: waarschijnlijk te melden aan de toezichthouder en ook de betrokkenen te "
        "informeren.",
    ),
    "guidance_none": (
        "Not assessed yet: we will tell you the severity band once we have assessed it.",
        "Nog niet beoordeeld: wij laten u de ernstklasse weten zodra wij die hebben bepaald.",
    ),
    "guidance_law": (
        "The law's tests decide, not this band: notify the authority unless the breach is "
        "unlikely to result in a risk (Art. 33(1) GDPR); inform the people affected when it "
        "is likely to result in a high risk (Art. 34(1) and (3) GDPR). You decide.",
        "De wet beslist, niet deze klasse: meld aan de toezichthouder tenzij het datalek "
        "waarschijnlijk geen risico oplevert (art. 33 lid 1 AVG); informeer de betrokkenen "
        "als het waarschijnlijk een hoog risico oplevert (art. 34 lid 1 en 3 AVG). U beslist.",
    ),
    "band_low": ("low", "laag"),
    "band_medium": ("medium", "gemiddeld"),
    "band_high": ("high", "hoog"),
    "band_very_high": ("very high", "zeer hoog"),
    "kind_preliminary": ("Preliminary", "Voorlopig"),
    "kind_complete": ("Complete", "Volledig"),
    "supplement_to": (
        "Supplement to your notification with reference {reference} (notified on {date})",
        "Aanvulling op uw melding met kenmerk {reference} (gemeld op {date})",
    ),
    "processor_yes": (
        "Yes: {processor} (processor)",
        "Ja: {processor} (verwerker)",
    ),
    "processor_yes_sub": (
        "Yes: {processor} (processor); it happened at its subprocessor {subprocessor}",
        "Ja: {processor} (verwerker); het gebeurde bij diens subverwerker {subprocessor}",
    ),
    "reference_value": (
        "Incident {incident}, notice {notice}",
        "Incident {incident}, melding {notice}",
    ),
}

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


class _Writer:
    """Builds fields in one language; knows the marker and the "not yet known" wording."""

    def __init__(self, language: str, processor_name: str):
        self.index = 1 if language == "nl" else 0
        self.language = language
        self.processor_name = processor_name

    def t(self, key: str, **values) -> str:
        text = TEXT[key][self.index]
        return text.format(**values) if values else text

    def when(self, value: datetime.datetime | None) -> str:
        with translation.override(self.language):
            return local_deadline(value)

    def day(self, value: datetime.date | None) -> str:
        return value.isoformat() if value else ""

    def yes_no(self, value: bool | None) -> str:
        if value is None:
            return self.t("not_yet_known")
        return self.t("yes" if value else "no")

    def number_range(self, low: int | None, high: int | None) -> str:
        if low is None and high is None:
            return self.t("not_yet_known")
        if low is not None and high is not None:
            return str(low) if low == high else self.t("range", low=low, high=high)
        if low is not None:
            return self.t("at_least", low=low)
        return self.t("at_most", high=high)

    def field(self, key: str, *, value=None, display: str = "", by: str = BY_PROCESSOR, note=""):
        """One form field. A processor field without content reads "not yet known" (it
        follows in phases, Art. 33(4)); a controller field without content carries the
        marker."""
        if by == BY_PROCESSOR and not display:
            display = self.t("not_yet_known")
        to_complete = by == BY_YOU
        if to_complete:
            display = self.t("to_complete")
        return {
            "key": key,
            "label": self.t(key),
            "value": value,
            "display": display,
            "filled_by": by,
            "source": self.t(f"source_{by}", processor=self.processor_name),
            "to_complete": to_complete,
            "note": note,
        }


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def _cb(value: Decimal | None) -> bool | None:
    return None if value is None else value > 0


def severity_guidance(incident, *, language: str) -> dict:
    """What the incident's severity band suggests, labelled as ENISA's heuristic (BR-04,
    BR-11): guidance for the customer's own decision, never a decision."""
    w = _Writer(language, "")
    band = incident.severity_band or ""
    return {
        "band": band or None,
        "band_label": w.t(f"band_{band}") if band else None,
        "score": str(incident.severity_score) if incident.severity_score is not None else None,
        "method": "ENISA (2013): SE = DPC × EI + CB",
        "heuristic": True,
        "title": w.t("guidance_title"),
        "suggestion": w.t(f"guidance_{band}" if band else "guidance_none"),
        "law": w.t("guidance_law"),
    }


def authority_draft_build(*, user, notice: CustomerNotice) -> dict:
    """OBL BR-04: the customer's draft of the authority's notification form.

    Follows the AP form's sections (the GBA variant in Dutch for a Belgian customer),
    prefilled with what the processor knows from the incident and the notice; each field
    only the controller can fill is marked "to be completed by you". Never sent by the
    product. The caller got `notice` through `breaches.selectors.notice_get(user, …)`, so
    another customer's notice was a 404 before this runs; `require` re-checks the scope.
    """
    require(user, "notice.view", notice)
    incident = notice.incident
    customer = notice.customer
    processor = processor_profile()
    processor_name = processor.legal_name if processor else ""
    authority = GBA if customer.country == Country.BE else AP
    language = "nl" if authority == GBA else customer.language
    w = _Writer(language, processor_name)
    now = timezone.now()
    others = CustomerNotice.objects.filter(incident=incident).count()
    share_note = w.t("all_customers_note", count=others) if others > 1 else ""

    # --- about the notification
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

    # --- contact details
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

    # --- timeline
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
            "occurred_at", value=_iso(incident.occurred_at), display=w.when(incident.occurred_at)
        ),
        w.field(
            "discovered_at",
            value=_iso(incident.discovered_at),
            display=w.when(incident.discovered_at),
        ),
    ]
    if incident.found_at_source:
        timeline.append(
            w.field(
                "found_at_source",
                value=_iso(incident.found_at_source),
                display=w.when(incident.found_at_source),
            )
        )
    timeline += [
        w.field(
            "aware_at",
            value=_iso(notice.aware_at),
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

    # --- nature of the breach
    cia = {
        "confidentiality": _cb(incident.enisa_cb_confidentiality),
        "integrity": _cb(incident.enisa_cb_integrity),
        "availability": _cb(incident.enisa_cb_availability),
    }
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

    # --- personal data involved
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

    # --- people affected
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

    # --- measures in place before the breach
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

    # --- consequences
    guidance = severity_guidance(incident, language=language)
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

    # --- follow-up
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
        w.field("measures_taken", value=incident.measures_taken, display=incident.measures_taken),
        w.field(
            "measures_proposed",
            value=incident.measures_proposed,
            display=incident.measures_proposed,
        ),
        w.field("your_measures", by=BY_YOU),
        w.field("cross_border", by=BY_YOU),
        w.field("other_authorities", by=BY_YOU),
    ]

    fields = {
        "about": about,
        "contact": contact,
        "timeline": timeline,
        "nature": nature,
        "personal_data": personal_data,
        "people": people,
        "measures_before": measures_before,
        "consequences": consequences,
        "follow_up": follow_up,
    }
    return {
        "format_version": DRAFT_FORMAT_VERSION,
        "draft": True,
        "sent_by_processor": False,
        "title": w.t(f"title_{authority}"),
        "disclaimer": w.t("disclaimer", processor=processor_name),
        "authority": authority,
        "language": language,
        "to_complete_marker": w.t("to_complete"),
        "generated_at": _iso(now),
        "generated_at_local": w.when(now),
        "incident_id": incident.pk,
        "notice_id": notice.pk,
        "customer": {"id": customer.pk, "name": customer.name, "country": customer.country},
        "sections": [
            {"key": key, "title": w.t(f"s_{key}"), "fields": fields[key]} for key in SECTIONS
        ],
        "severity_guidance": guidance,
    }


DRAFT_TEMPLATE = "pdf/breach_authority_draft.html"


def authority_draft_pdf(*, user, notice: CustomerNotice) -> tuple[bytes, str]:
    """OBL BR-04: the draft as a PDF (bytes, file name), rendered on demand and not stored
    (see the module docstring), through the same sealed renderer as every document."""
    draft = authority_draft_build(user=user, notice=notice)
    content = pdf_render(
        template_name=DRAFT_TEMPLATE,
        context={"draft": draft, "processor": processor_profile()},
        language=draft["language"],
    )
    return content, authority_draft_filename(draft, "pdf")


def authority_draft_filename(draft: dict, extension: str) -> str:
    stamp = draft["generated_at"][:16].replace(":", "").replace("-", "")
    return f"draft-{draft['authority']}-incident-{draft['incident_id']}-{stamp}.{extension}"
