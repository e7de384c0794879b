"""The authority forms' own wording per field, in English and Dutch (BR-04): see the
package docstring for why this is a table and not the interface's translations."""

# key -> (English, Dutch). The authority forms' wording; see the package docstring.
# Register: the draft speaks to the customer as the letters do ("you"; Dutch "je", never
# "u"); an answer the customer copies into the authority's form is in the customer's own
# voice ("our notification", "when the processor informed us").
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
        "Concept voor je eigen melding. {processor} verstuurt dit niet en meldt nooit zelf aan "
        "een toezichthouder: je beslist zelf of je meldt en je dient het formulier van de "
        "toezichthouder zelf in. Controleer elk vooraf ingevuld antwoord; wij vullen aan wat "
        "wij weten naarmate het onderzoek vordert.",
    ),
    "to_complete": ("To be completed by you", "In te vullen door jou"),
    "not_yet_known": (
        "Not yet known; we will tell you as soon as we know",
        "Nog niet bekend; we laten het je weten zodra we het weten",
    ),
    "yes": ("Yes", "Ja"),
    "no": ("No", "Nee"),
    "source_processor": ("Prefilled by {processor}", "Vooraf ingevuld door {processor}"),
    "source_your_record": (
        "From the decision you recorded in the portal",
        "Uit het besluit dat je in het portaal vastlegde",
    ),
    "source_controller": ("To be completed by you", "In te vullen door jou"),
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
        "Wanneer werd het gevonden waar het gebeurde (subverwerker of je organisatie)?",
    ),
    "aware_at": (
        "When did your organisation become aware of it?",
        "Wanneer werd je organisatie ervan op de hoogte?",
    ),
    "aware_by_own_report": (
        "{time} (from our own report to the processor)",
        "{time} (door onze eigen melding aan de verwerker)",
    ),
    "aware_by_notice": (
        "{time} (when the processor informed us)",
        "{time} (toen de verwerker ons informeerde)",
    ),
    "aware_not_yet": (
        "Not yet: our notice has not reached you",
        "Nog niet: onze melding heeft je nog niet bereikt",
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
        "Over alle {count} getroffen klanten, voor zover bekend; bepaal het deel van je "
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
        "Welke groepen van je betrokkenen zijn getroffen (bijvoorbeeld patiënten, leerlingen, "
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
    "measures_entry": ("{time} ({label}): {text}", "{time} ({label}): {text}"),
    "measures_reported": ("as reported", "bij de melding"),
    "measures_initial": ("initial notice", "eerste melding"),
    "measures_update": ("progress update", "voortgangsbericht"),
    "measures_final": ("final report", "eindrapport"),
    "measures_proposed": (
        "Measures proposed by the processor",
        "Door de verwerker voorgestelde maatregelen",
    ),
    "your_measures": (
        "Measures your organisation took or will take",
        "Maatregelen die je organisatie nam of neemt",
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
        "Laag: waarschijnlijk alleen vastleggen in je eigen register van datalekken.",
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
        "Nog niet beoordeeld: we laten je de ernstklasse weten zodra we die hebben bepaald.",
    ),
    "guidance_law": (
        "The law's tests decide, not this band: notify the authority unless the breach is "
        "unlikely to result in a risk (Art. 33(1) GDPR); inform the people affected when it "
        "is likely to result in a high risk (Art. 34(1) and (3) GDPR). You decide.",
        "De wet beslist, niet deze klasse: meld aan de toezichthouder tenzij het datalek "
        "waarschijnlijk geen risico oplevert (art. 33 lid 1 AVG); informeer de betrokkenen "
        "als het waarschijnlijk een hoog risico oplevert (art. 34 lid 1 en 3 AVG). Jij beslist.",
    ),
    "band_low": ("low", "laag"),
    "band_medium": ("medium", "gemiddeld"),
    "band_high": ("high", "hoog"),
    "band_very_high": ("very high", "zeer hoog"),
    "kind_preliminary": ("Preliminary", "Voorlopig"),
    "kind_complete": ("Complete", "Volledig"),
    "supplement_to": (
        "Supplement to our notification with reference {reference} (notified on {date})",
        "Aanvulling op onze melding met kenmerk {reference} (gemeld op {date})",
    ),
    "processor_yes": (
        "Yes: {processor} (processor)",
        "Ja: {processor} (verwerker)",
    ),
    "processor_yes_sub": (
        "Yes: {processor} (processor); it happened at its subprocessor {subprocessor}",
        "Ja: {processor} (verwerker); het gebeurde bij diens subverwerker {subprocessor}",
    ),
    "page_of": ("Page {page} of {pages}", "Pagina {page} van {pages}"),
    "draft_reference": (
        "Draft · incident {incident}, notice {notice} · made {time}",
        "Concept · incident {incident}, melding {notice} · gemaakt {time}",
    ),
    "reference_value": (
        "Incident {incident}, notice {notice}",
        "Incident {incident}, melding {notice}",
    ),
}
