"""The customer's decision asked step by step (BR-04, issue 17): will notify, notified,
notified provisionally (Art. 33(4)) or will not notify the authority; will inform, informed
or will not inform the data subjects. One set of rules for the portal form, the API and the
service; an error summary at the top of the page."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from audits.models import AuditEvent
from breaches.decisions import legacy_statuses
from breaches.models import CustomerNotice
from breaches.services import affected_select, incident_notify, incident_report
from compliance.models import Role
from tests.auth import sign_in

BREACH = {"is_breach": "yes", "breach_reasoning": "Client names were read."}

# (form data on top of BREACH) -> what is stored. Each status with exactly what it needs.
VALID = [
    (
        {"authority_status": "will_notify", "authority": "ap", "subjects_status": "will_inform"},
        {
            "decision_authority_status": "will_notify",
            "decision_authority": "ap",
            "decision_authority_notified": None,
            "decision_authority_kind": "",
            "decision_subjects_status": "will_inform",
            "decision_subjects_informed": None,
        },
    ),
    (
        {
            "authority_status": "notified",
            "authority": "gba",
            "authority_notified_on": "2026-09-01",
            "authority_reference": "GBA-7",
            "subjects_status": "informed",
            "subjects_informed_on": "2026-09-01",
            "subjects_how": "A letter to each client.",
        },
        {
            "decision_authority_status": "notified",
            "decision_authority_notified": True,
            "decision_authority_kind": "complete",
            "decision_authority_reference": "GBA-7",
            "decision_subjects_informed": True,
            "decision_subjects_how": "A letter to each client.",
        },
    ),
    (
        {
            "authority_status": "notified_provisionally",
            "authority": "ap",
            "authority_notified_on": "2026-09-01",
            "authority_reference": "AP-1",
            "subjects_status": "will_not_inform",
            "subjects_reasoning": "The data were encrypted.",
        },
        {
            "decision_authority_status": "notified_provisionally",
            "decision_authority_notified": True,
            "decision_authority_kind": "preliminary",
            "decision_subjects_status": "will_not_inform",
            "decision_subjects_informed": False,
        },
    ),
    (
        {
            "authority_status": "will_not_notify",
            "authority_reasoning": "Unlikely to result in a risk.",
            "subjects_status": "will_not_inform",
            "subjects_reasoning": "No risk.",
            # Filled before the customer changed its answer: hidden, and not kept.
            "authority_reference": "AP-old",
        },
        {
            "decision_authority_status": "will_not_notify",
            "decision_authority_notified": False,
            "decision_authority_reference": "",
            "decision_authority_reasoning": "Unlikely to result in a risk.",
        },
    ),
]

# (form data on top of BREACH) -> the fields refused.
REFUSED = [
    ({}, {"authority_status", "subjects_status"}),
    ({"authority_status": "will_notify", "subjects_status": "will_inform"}, {"authority"}),
    (
        {"authority_status": "notified", "authority": "ap", "subjects_status": "will_inform"},
        {"authority_notified_on", "authority_reference"},
    ),
    (
        {
            "authority_status": "notified_provisionally",
            "authority": "ap",
            "authority_notified_on": "2026-09-05",
            "authority_reference": "AP-1",
            "subjects_status": "will_inform",
        },
        {"authority_notified_on"},
    ),
    (
        {"authority_status": "will_not_notify", "subjects_status": "will_inform"},
        {"authority_reasoning"},
    ),
    (
        {"authority_status": "will_notify", "authority": "ap", "subjects_status": "informed"},
        {"subjects_informed_on", "subjects_how"},
    ),
    (
        {
            "authority_status": "will_notify",
            "authority": "ap",
            "subjects_status": "will_not_inform",
        },
        {"subjects_reasoning"},
    ),
    ({"authority_status": "maybe", "subjects_status": "will_inform"}, {"authority_status"}),
]


@pytest.fixture
def notice(clock, staff, officer, processor, product, make_customer, make_user):
    incident = incident_report(actor=staff, title="Ransomware", description="Files encrypted.")
    customer = make_customer(product, language="en", name="Alpha B.V.")
    affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident)
    notice = CustomerNotice.objects.get(customer=customer)
    notice.user = make_user(Role.CUSTOMER_CONTACT, customer=customer)
    return notice


def _portal(notice) -> Client:
    return sign_in(Client(), notice.user)


def _url(notice):
    return reverse("portal_notice_decision", args=[notice.pk])


def _api(notice, data):
    payload = {k: True if v == "yes" else False if v == "no" else v for k, v in data.items()}
    return sign_in(Client(), notice.user).post(
        f"/api/notices/{notice.pk}/decide/", payload, content_type="application/json"
    )


@pytest.mark.parametrize("answers,stored", VALID)
def test_valid_combinations_are_recorded_alike_by_form_and_api(notice, answers, stored):
    """OBL BR-04: each answer about the authority and the data subjects is recorded with
    what it calls for, the same through the portal form and the API."""
    response = _portal(notice).post(_url(notice), {**BREACH, **answers})
    assert response.status_code == 302, response.content.decode()[:2000]
    notice.refresh_from_db()
    for name, value in stored.items():
        assert getattr(notice, name) == value, name
    by_form = {name: getattr(notice, name) or None for name in stored}
    response = _api(notice, {**BREACH, **answers})
    assert response.status_code == 200, response.json()
    # The API writes an empty choice as null.
    assert {name: response.json()[name] or None for name in stored} == by_form
    event = AuditEvent.objects.filter(action="notice.decision_revised").latest("pk")
    assert event.after["decision_authority_status"] == answers["authority_status"]
    assert event.after["decision_subjects_status"] == answers["subjects_status"]


@pytest.mark.parametrize("answers,refused", REFUSED)
def test_refused_combinations_alike_by_form_and_api(notice, answers, refused):
    """OBL BR-04: a breach without an answer, or without what its answer calls for, or with
    a notification date in the future, is refused field by field by the form and the API
    alike; nothing is recorded."""
    response = _portal(notice).post(_url(notice), {**BREACH, **answers})
    assert response.status_code == 400
    body = response.content.decode()
    summary = re.search(r'<div class="error-summary".*?</div>', body, re.S).group(0)
    for name in refused:
        assert f"id_{name}" in summary, name
    api = _api(notice, {**BREACH, **answers})
    assert api.status_code == 400
    assert refused <= set(api.json()), api.json()
    notice.refresh_from_db()
    assert notice.decided_at is None


def test_not_a_breach_needs_only_reasoning(notice):
    """OBL BR-04: "not a breach" asks only the reasoning; answers given before are not kept."""
    data = {
        "is_breach": "no",
        "breach_reasoning": "Nothing was read.",
        "authority_status": "will_notify",
    }
    assert _portal(notice).post(_url(notice), data).status_code == 302
    notice.refresh_from_db()
    assert notice.decision_is_breach is False
    assert notice.decision_authority_status == "" and notice.decision_subjects_status == ""
    assert _portal(notice).post(_url(notice), {"is_breach": "no"}).status_code == 400


def test_api_keeps_the_earlier_yes_no_answers(notice):
    """OBL BR-04: an API client sending the earlier yes/no fields keeps working: notified with
    a preliminary notification is a provisional notification; not informed is "will not
    inform"."""
    response = _api(
        notice,
        {
            **BREACH,
            "authority_notified": "yes",
            "authority": "ap",
            "authority_notified_on": "2026-09-01",
            "authority_reference": "AP-1",
            "authority_kind": "preliminary",
            "subjects_informed": "no",
            "subjects_reasoning": "Low risk.",
        },
    )
    assert response.status_code == 200, response.json()
    assert response.json()["decision_authority_status"] == "notified_provisionally"
    assert response.json()["decision_subjects_status"] == "will_not_inform"
    assert legacy_statuses(
        authority_notified=True, authority_kind="complete", subjects_informed=True
    ) == (
        "notified",
        "informed",
    )
    assert legacy_statuses(authority_notified=False, authority_kind="", subjects_informed=None) == (
        "will_not_notify",
        "",
    )


def _hidden_steps(body: str) -> dict:
    return {
        key: bool(hidden)
        for key, hidden in re.findall(r'id="step-([a-z_]+)"[^>]*?( hidden)?>', body)
    }


def test_page_shows_only_the_steps_the_answers_call_for(notice):
    """OBL BR-04: the form asks step by step: before an answer only "breach or not" and the
    reasoning; after "a breach, notified provisionally, will not inform" exactly those
    steps (rendered by the server, so it works without the script)."""
    client = _portal(notice)
    page = client.get(reverse("portal_notice_detail", args=[notice.pk])).content.decode()
    steps = _hidden_steps(page)
    assert steps and all(steps.values()), steps
    assert "js/decision.js" in page and "data-steps" in page
    data = {
        **BREACH,
        "authority_status": "notified_provisionally",
        "authority": "ap",
        "subjects_status": "will_not_inform",
    }
    response = client.post(_url(notice), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert _hidden_steps(body) == {
        "breach": False,
        "authority_which": False,
        "authority_notified": False,
        "authority_not": True,
        "subjects_informed": True,
        "subjects_not": False,
    }
    # What was entered stays.
    assert 'value="notified_provisionally" checked' in body.replace("\n", " ") or re.search(
        r'value="notified_provisionally"[^>]*checked', body
    )
    assert "Client names were read." in body


def test_error_summary_at_the_top_links_to_each_field(notice):
    """Errors are summarised at the top of the page, before the headline, in an alert with
    a link to each field (a choice: its first option)."""
    response = _portal(notice).post(_url(notice), {"is_breach": "yes"})
    assert response.status_code == 400
    body = response.content.decode()
    assert body.index('class="error-summary"') < body.index("<h1")
    summary = re.search(r'<div class="error-summary".*?</div>', body, re.S).group(0)
    assert 'role="alert"' in summary and 'tabindex="-1"' in summary
    links = re.findall(r'href="#([^"]+)"', summary)
    assert set(links) == {"id_breach_reasoning", "id_authority_status_0", "id_subjects_status_0"}
    for target in links:
        assert f'id="{target}"' in body
    # Each line names its field.
    assert "Your reasoning: This field is required." in summary


def test_recorded_decision_in_words(notice):
    """OBL BR-04: the recorded decision reads in words, including a future notification."""
    client = _portal(notice)
    data = {
        **BREACH,
        "authority_status": "will_notify",
        "authority": "ap",
        "subjects_status": "will_inform",
    }
    assert client.post(_url(notice), data).status_code == 302
    page = client.get(reverse("portal_notice_detail", args=[notice.pk])).content.decode()
    assert "We will notify the authority (Autoriteit Persoonsgegevens (NL))." in page
    assert "We will inform the data subjects." in page
    sentence = re.search(r"Recorded at .*?</p>", page, re.S).group(0)
    assert "will_notify" not in sentence and "will_inform" not in sentence
