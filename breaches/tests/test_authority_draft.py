"""The customer's draft of the authority's notification form (BR-04)."""

import copy
import io
import json
import pathlib
import re

import pytest
from django.test import Client
from pypdf import PdfReader

from breaches.authority_draft.build import authority_draft_build
from breaches.authority_draft.sections import SECTIONS
from breaches.models import CustomerNotice
from breaches.services import (
    affected_select,
    incident_notify,
    incident_report,
    incident_triage,
    notice_decision_record,
)
from compliance.access import SYSTEM
from compliance.models import Role
from tests.auth import sign_in


@pytest.fixture
def notified(clock, staff, officer, processor, product, make_customer, make_user):
    incident = incident_report(
        actor=staff, title="Ransomware on file server", description="Files were encrypted."
    )
    incident_triage(
        actor=officer,
        incident=incident,
        personal_data_involved=True,
        data_categories="Names, e-mail addresses",
        special_categories=False,
        data_subject_categories="Employees of customers",
        subjects_min=100,
        subjects_max=250,
        records_min=1000,
        records_max=2000,
        likely_consequences="Phishing",
        data_unintelligible=False,
        enisa_dpc=1,
        enisa_ei="1",
        enisa_cb_confidentiality="0.5",
        enisa_cb_integrity="0",
        enisa_cb_availability="0.25",
        enisa_cb_malicious=True,
        measures_taken="Servers isolated.",
    )
    nl = make_customer(product, language="en", country="NL")
    be = make_customer(product, language="en", country="BE")
    affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident)
    return {
        "incident": incident,
        "nl": CustomerNotice.objects.get(customer=nl),
        "be": CustomerNotice.objects.get(customer=be),
        "user_nl": make_user(Role.CUSTOMER_CONTACT, customer=nl),
        "user_be": make_user(Role.CUSTOMER_ADMIN, customer=be),
    }


def _fields(draft):
    return {f["key"]: f for s in draft["sections"] for f in s["fields"]}


def test_draft_follows_the_ap_form_and_marks_what_the_controller_fills(notified):
    """OBL BR-04: the customer's draft follows the AP form's sections, prefilled with what
    the processor knows, each controller-only field marked "to be completed by you"."""
    draft = authority_draft_build(user=notified["user_nl"], notice=notified["nl"])
    assert [s["key"] for s in draft["sections"]] == list(SECTIONS)
    assert draft["authority"] == "ap" and draft["language"] == "en"
    assert draft["draft"] is True and draft["sent_by_processor"] is False
    fields = _fields(draft)
    # Prefilled from the incident and the notice.
    assert fields["data_categories"]["display"] == "Names, e-mail addresses"
    assert fields["subjects_count"]["value"] == {"min": 100, "max": 250}
    assert fields["subjects_count"]["display"] == "100 to 250"
    assert fields["records"]["display"] == "1000 to 2000"
    assert fields["confidentiality"]["value"] is True
    assert fields["integrity"]["value"] is False
    assert fields["availability"]["value"] is True
    assert fields["unintelligible"]["display"] == "No"
    # The measures as reported, dated (issue 17: an update keeps them visible).
    assert fields["measures_taken"]["display"].endswith("(as reported): Servers isolated.")
    assert fields["organisation"]["value"] == notified["nl"].customer.name
    assert fields["discovered_at"]["value"].endswith("Z")
    assert fields["occurred_at"]["display"].startswith("Not yet known")
    # Only the controller knows these.
    for key in (
        "contact_person",
        "organisation_details",
        "dpo",
        "your_subjects",
        "severity_estimate",
        "cross_border",
        "other_authorities",
        "subjects_informed",
        "late_reason",
    ):
        assert fields[key]["to_complete"] is True, key
        assert fields[key]["display"] == "To be completed by you"
    assert fields["data_categories"]["to_complete"] is False
    # ENISA's band, labelled as a heuristic: 1 × 1 + 0.5 + 0.25 + 0.5 = 2.25 → medium.
    guidance = draft["severity_guidance"]
    assert guidance["band"] == "medium" and guidance["heuristic"] is True
    assert "likely to be notified to the supervisory authority" in guidance["suggestion"]
    assert "ENISA" in guidance["title"] and "guidance only" in guidance["title"]


def test_recorded_decision_is_carried_over(notified):
    """OBL BR-04: what the customer already recorded fills the draft as its own record."""
    notice_decision_record(
        actor=notified["user_nl"],
        notice=notified["nl"],
        is_breach=True,
        breach_reasoning="Our employees' data.",
        authority_notified=True,
        authority="ap",
        authority_notified_on=notified["incident"].discovered_at.date(),
        authority_reference="AP-123",
        authority_kind="preliminary",
        subjects_informed=False,
        subjects_reasoning="Low risk.",
    )
    notice = CustomerNotice.objects.get(pk=notified["nl"].pk)
    fields = _fields(authority_draft_build(user=notified["user_nl"], notice=notice))
    assert fields["notification_type"]["filled_by"] == "your_record"
    assert "AP-123" in fields["notification_type"]["display"]
    assert fields["notification_kind"]["value"] == "preliminary"
    assert fields["subjects_informed"]["display"] == "No: Low risk."


def test_belgian_customer_gets_the_gba_variant_in_dutch(notified):
    """OBL BR-04: for a Belgian customer the draft is the GBA variant, in Dutch."""
    draft = authority_draft_build(user=notified["user_be"], notice=notified["be"])
    assert draft["authority"] == "gba" and draft["language"] == "nl"
    assert draft["title"].startswith("Concept melding gegevenslek aan de Gegevensbescherming")
    assert [s["title"] for s in draft["sections"]][0] == "Over de melding"
    fields = _fields(draft)
    assert fields["contact_person"]["display"] == "In te vullen door jou"
    assert fields["subjects_count"]["display"] == "100 tot 250"
    assert "Gegevensbeschermingsautoriteit" in fields["authority"]["display"]
    assert draft["severity_guidance"]["suggestion"].startswith("Gemiddeld")


def test_customer_downloads_own_draft_as_json_and_pdf(notified):
    """OBL BR-04: the customer downloads its own draft (JSON and PDF with the sections)."""
    client = sign_in(Client(), notified["user_be"])
    pk = notified["be"].pk
    page = client.get(f"/portal/notices/{pk}/authority-draft/")
    assert page.status_code == 200
    assert "In te vullen door jou" in page.content.decode()

    response = client.get(f"/portal/notices/{pk}/authority-draft.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    data = json.loads(response.content)
    assert data["authority"] == "gba" and data["notice_id"] == pk

    response = client.get(f"/portal/notices/{pk}/authority-draft.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    for title in (
        "Over de melding",
        "Contactgegevens",
        "Tijdlijn",
        "Aard van het datalek",
        "Betrokken persoonsgegevens",
        "Betrokken personen",
        "Gevolgen",
        "Vervolgacties",
    ):
        assert title in text, title
    assert "In te vullen door jou" in text
    assert "ENISA" in text
    # One register, as the letters: "je", never "u"/"uw" (issue 17).
    assert not re.search(r"\b(u|uw|U)\b", text), re.findall(r".{30}\b(?:u|uw|U)\b.{30}", text)
    # Page x of y in the draft's language, on every page; no "1/1" reference.
    pages = PdfReader(io.BytesIO(response.content)).pages
    for number, page in enumerate(pages, start=1):
        assert f"Pagina {number} van {len(pages)}" in page.extract_text()
    assert f"Concept · incident {notified['incident'].pk}, melding {pk}" in text


def test_another_customers_draft_is_not_found(notified):
    """OBL BR-04: a customer user never sees another organisation's draft (404)."""
    client = sign_in(Client(), notified["user_nl"])
    pk = notified["be"].pk
    for suffix in ("authority-draft/", "authority-draft.json", "authority-draft.pdf"):
        assert client.get(f"/portal/notices/{pk}/{suffix}").status_code == 404, suffix


def test_staff_may_read_the_draft(notified, officer):
    """OBL BR-04: the privacy officer may read a customer's draft (to help it)."""
    client = sign_in(Client(), officer)
    response = client.get(f"/portal/notices/{notified['nl'].pk}/authority-draft.json")
    assert response.status_code == 200


def test_the_system_never_sends_it(notified):
    """OBL BR-04: building a draft queues no message and writes nothing."""
    from compliance.models import OutboxMessage

    before = OutboxMessage.objects.count()
    authority_draft_build(user=SYSTEM, notice=notified["nl"])
    assert OutboxMessage.objects.count() == before


FROZEN_DRAFTS = pathlib.Path(__file__).with_name("authority_draft_frozen.json")


def _stable(draft: dict) -> dict:
    """The draft with what depends on the test database (ids, the generated customer's name)
    replaced by placeholders, so it can be compared with a stored copy."""
    draft = copy.deepcopy(draft)
    name = draft["customer"]["name"]

    def walk(value):
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value.replace(name, "<customer>") if isinstance(value, str) else value

    draft = walk(draft)
    draft["incident_id"], draft["notice_id"] = "<incident>", "<notice>"
    draft["customer"]["id"] = "<customer>"
    for section in draft["sections"]:
        for field in section["fields"]:
            if field["key"] == "processor_reference":
                field["value"] = {"incident": "<incident>", "notice": "<notice>"}
                before, between, after = re.split(r"\d+", field["display"])
                field["display"] = f"{before}<incident>{between}<notice>{after}"
    return draft


def _fixture_drafts(notified) -> dict:
    drafts = {
        "ap_en": authority_draft_build(user=notified["user_nl"], notice=notified["nl"]),
        "gba_nl": authority_draft_build(user=notified["user_be"], notice=notified["be"]),
    }
    notice_decision_record(
        actor=notified["user_nl"],
        notice=notified["nl"],
        is_breach=True,
        breach_reasoning="Our employees' data.",
        authority_notified=True,
        authority="ap",
        authority_notified_on=notified["incident"].discovered_at.date(),
        authority_reference="AP-123",
        authority_kind="preliminary",
        subjects_informed=False,
        subjects_reasoning="Low risk.",
    )
    notice_decision_record(
        actor=notified["user_be"],
        notice=notified["be"],
        is_breach=True,
        breach_reasoning="Onze medewerkers.",
        authority_notified=False,
        authority_reasoning="Laag risico.",
        subjects_informed=True,
        subjects_informed_on=notified["incident"].discovered_at.date(),
        subjects_how="Per e-mail.",
    )
    for key, user, notice in (
        ("ap_en_decided", notified["user_nl"], notified["nl"]),
        ("gba_nl_decided", notified["user_be"], notified["be"]),
    ):
        notice = CustomerNotice.objects.get(pk=notice.pk)
        drafts[key] = authority_draft_build(user=user, notice=notice)
    return {key: _stable(draft) for key, draft in drafts.items()}


def test_draft_is_unchanged_for_the_fixture_notices(notified):
    """The draft of the fixture's notices (AP in English, GBA in Dutch, before and after the
    customer's decision) equals the stored copy, the order of its keys included:
    restructuring the builder changes no output. A deliberate change of the draft rewrites
    the stored copy."""
    drafts = _fixture_drafts(notified)
    text = json.dumps(drafts, ensure_ascii=False, indent=2) + "\n"
    assert json.loads(text) == json.loads(FROZEN_DRAFTS.read_text(encoding="utf-8"))
    assert text == FROZEN_DRAFTS.read_text(encoding="utf-8")
