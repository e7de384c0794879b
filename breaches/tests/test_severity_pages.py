"""The severity guidance on the incident page, its assessment form and the API (BR-11), in
English and Dutch.

The Dutch assertions pass once the lead has merged /tmp/nl-17H.tsv into locale/.
"""

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from breaches.services import incident_report, incident_triage
from tests.auth import sign_in


def client_of(user) -> Client:
    return sign_in(Client(), user)


def page(user, incident) -> str:
    response = client_of(user).get(reverse("incident_detail", args=[incident.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def incident(clock, staff, processor):
    return incident_report(
        actor=staff,
        title="Ransomware",
        description="Files encrypted.",
        personal_data_possible=True,
    )


def assess(officer, incident, **kw):
    values = {
        "personal_data_involved": True,
        "special_categories": True,
        "vulnerable_subjects": True,
        "subjects_max": 40,
        "consequences_level": "serious",
        "backup_available": True,
        "enisa_dpc": 1,
        "enisa_ei": "0.25",  # 4 × 0.25 + 0.75 = 1.75: low, raised by the EDPB's factors
        "enisa_cb_availability": "0.25",
        "enisa_cb_malicious": True,
    }
    values.update(kw)
    return incident_triage(actor=officer, incident=incident, **values)


ENGLISH = {
    "options": [
        "The three possible outcomes",
        "Register only",
        "Notify the authority",
        "Also inform the people affected",
        "Notify the supervisory authority within 72 hours",
    ],
    "levels": [
        "Some (+0.25): a known, limited number of recipients saw it",
        "Serious (+0.5): changed and perhaps used wrongly; the correct data is gone",
        "Some (+0.25): unavailable for a while; it can be restored",
        "Maximum: the data points straight at the person",
        "Negligible: extremely hard, even with other information",
        "Simple data: name, contact details, education, work history, family life",
        "Are vulnerable people affected?",
        "How serious are the consequences for the people?",
    ],
    "factors": [
        "What the assessment suggests",
        "What drove this suggestion",
        "Vulnerable people are affected (for example children or patients).",
        "The expected consequences are serious: a high risk for the people.",
        "Raises it:",
        "suggested now",
    ],
}
# Dutch: passes after the lead merges /tmp/nl-17H.tsv.
DUTCH = {
    "options": [
        "De drie mogelijke uitkomsten",
        "Alleen registreren",
        "Melden aan de toezichthouder",
        "Ook de betrokkenen informeren",
    ],
    "levels": [
        "Enigszins (+0,25): een bekend, beperkt aantal ontvangers heeft de gegevens gezien",
        "Eenvoudige gegevens: naam, contactgegevens, opleiding, werkervaring, gezinsleven",
        "Zijn er kwetsbare mensen getroffen?",
    ],
    "factors": [
        "Wat de beoordeling voorstelt",
        "Waardoor dit voorstel zo uitvalt",
        "Er zijn kwetsbare mensen getroffen (bijvoorbeeld kinderen of patiënten).",
        "Verhoogt het:",
    ],
}


def test_form_explains_each_option_and_level_in_english(incident, officer):
    """OBL BR-11: the assessment form explains the three outcomes and every level of
    confidentiality, integrity, availability, identification and data kind in plain words."""
    body = page(officer, incident)
    for text in ENGLISH["options"] + ENGLISH["levels"]:
        assert text in body, text


def test_personal_data_starts_from_the_report(incident, officer, staff):
    """OBL BR-11: the report said personal data may be involved, so the assessment starts
    at yes, not at "not known yet"; a report that did not know leaves it open."""
    body = page(officer, incident)
    assert re.search(r'name="personal_data_involved" value="yes"[^>]*checked', body)
    other = incident_report(actor=staff, title="Odd", description="Odd logins.")
    body = page(officer, other)
    assert not re.search(r'name="personal_data_involved" value="yes"[^>]*checked', body)
    assert re.search(r'name="personal_data_involved" value=""[^>]*checked', body)


def test_incident_page_shows_the_factors_in_english(incident, officer, make_user):
    """OBL BR-11: the incident page shows what the assessment suggests and which factors
    drove it, also to a reader who cannot change the assessment."""
    assess(officer, incident)
    body = page(officer, incident)
    for text in ENGLISH["factors"]:
        assert text in body, text
    guidance = body[body.index('id="guidance"') :]
    assert "Also inform the people affected." in guidance[:600]
    from compliance.models import Role

    auditor_page = page(make_user(Role.AUDITOR), incident)
    assert "What drove this suggestion" in auditor_page


def test_nothing_suggested_before_the_assessment(incident, officer):
    """OBL BR-11: before an assessment the page suggests nothing; the form still explains
    the options."""
    body = page(officer, incident)
    assert "What drove this suggestion" not in body
    assert "suggested now" not in body


def test_form_and_factors_in_dutch(incident, officer):
    """OBL BR-11: the same explanations and factors in Dutch (after the merge of the TSV)."""
    officer.language = "nl"
    officer.save(update_fields=["language"])
    body = page(officer, incident)
    for text in DUTCH["options"] + DUTCH["levels"]:
        assert text in body, text
    assess(officer, incident)
    body = page(officer, incident)
    for text in DUTCH["factors"]:
        assert text in body, text
    assert "Vulnerable people are affected" not in body


def test_form_post_stores_the_new_inputs(incident, officer):
    """OBL BR-11: the form records the number of people, vulnerability, consequences,
    backup and ENISA's adjustments; the score uses the adjusted context."""
    response = client_of(officer).post(
        reverse("incident_triage", args=[incident.pk]),
        {
            "personal_data_involved": "yes",
            "special_categories": "no",
            "vulnerable_subjects": "yes",
            "subjects_max": "40",
            "consequences_level": "significant",
            "consequences_lasting": "no",
            "backup_available": "yes",
            "enisa_dpc": "2",
            "enisa_dpc_volume": "yes",
            "enisa_dpc_lowered": "0",
            "enisa_ei": "0.75",
            "enisa_cb_confidentiality": "0.25",
            "enisa_cb_integrity": "0",
            "enisa_cb_availability": "0",
        },
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.vulnerable_subjects is True
    assert incident.consequences_level == "significant"
    assert incident.backup_available is True
    assert incident.enisa_dpc == 2 and incident.enisa_dpc_final == 3
    assert incident.severity_score == Decimal("2.50")  # 3 × 0.75 + 0.25


def test_form_refuses_a_lowering_enisa_does_not_allow(incident, officer):
    """OBL BR-11: simple data cannot be lowered; the form says so and saves nothing."""
    response = client_of(officer).post(
        reverse("incident_triage", args=[incident.pk]),
        {"enisa_dpc": "1", "enisa_ei": "1", "enisa_dpc_lowered": "2"},
    )
    assert response.status_code == 400
    assert "can be lowered by at most 0" in response.content.decode()
    incident.refresh_from_db()
    assert incident.triaged_at is None


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_api_accepts_and_returns_the_new_inputs(incident, officer):
    """OBL BR-11: the API takes the new inputs and returns them with the suggestion and
    its factors; bad input is a 400 with the field named."""
    api = client_of(officer)
    url = f"/api/incidents/{incident.pk}/triage/"
    response = post(
        api,
        url,
        {
            "personal_data_involved": True,
            "vulnerable_subjects": True,
            "consequences_level": "minor",
            "consequences_lasting": False,
            "backup_available": False,
            "enisa_dpc": 1,
            "enisa_dpc_volume": True,
            "enisa_dpc_lowered": 0,
            "enisa_ei": "1",
            "enisa_cb_availability": "0.25",
            "enisa_cb_malicious": True,
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["vulnerable_subjects"] is True
    assert body["consequences_level"] == "minor"
    assert body["backup_available"] is False
    assert body["enisa_dpc_final"] == 4  # simple data, vulnerable people: +3
    assert body["severity_suggestion"]["outcome"] == "people"
    assert any(f["effect"] == "up" for f in body["severity_suggestion"]["factors"])
    bad = post(api, url, {"consequences_level": "awful", "enisa_dpc_lowered": 7})
    assert bad.status_code == 400
    assert {"consequences_level", "enisa_dpc_lowered"} <= set(bad.json())
    bad = post(api, url, {"enisa_dpc": 1, "enisa_ei": "1", "enisa_dpc_lowered": 1})
    assert bad.status_code == 400
    assert "enisa_dpc_lowered" in bad.json()
    bad = post(api, url, {"vulnerable_subjects": "perhaps"})
    assert bad.status_code == 400 and "vulnerable_subjects" in bad.json()
