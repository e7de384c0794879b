"""Confidentiality (AC-01): publishing a version, acknowledging it, the gate before anything
else, the register, the API, and each step's audit event."""

from __future__ import annotations

import pytest
from django.urls import reverse

from access.models import ConfidentialityAcknowledgement, ConfidentialityText
from access.services.confidentiality import acknowledge, text_current, text_publish
from audits.models import AuditEvent
from compliance.models import Role
from tests.auth import sign_in
from tests.factories import CustomerFactory, UserFactory
from tests.test_api_tokens import make_token

pytestmark = pytest.mark.django_db

TEXT_EN = "I keep all customer data confidential, during my employment and after it ends."
TEXT_NL = "Ik houd alle klantgegevens geheim, tijdens mijn dienstverband en daarna ook."


@pytest.fixture
def text(db):
    """The current version (the migration's first one, or one made here)."""
    current = text_current()
    if current is None:
        current = ConfidentialityText.objects.create(version=1, text_en=TEXT_EN, text_nl=TEXT_NL)
    return current


@pytest.fixture
def officer(text):
    return UserFactory(role=Role.PRIVACY_OFFICER, full_name="Priya Officer")


@pytest.fixture
def auditor(text):
    return UserFactory(role=Role.AUDITOR, full_name="Aart Auditor")


def _actions(action):
    return AuditEvent.objects.filter(action=action)


def test_new_staff_member_is_sent_to_the_text_before_anything_else(client, text):
    """OBL AC-01: a new staff member acknowledges at the first sign-in before anything else:
    every page leads to the text; after acknowledging, the page asked for opens."""
    newcomer = UserFactory(role=Role.STAFF_MEMBER, acknowledged=False)
    sign_in(client, newcomer, acknowledge=False)
    ack_url = reverse("access:confidentiality_acknowledge")
    for name in ("dashboard", "home", "incident_list", "api_tokens"):
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"].startswith(ack_url), name
    page = client.get(f"{ack_url}?next={reverse('dashboard')}")
    assert page.status_code == 200
    assert text.text_en.splitlines()[0][:30] in page.content.decode()
    # Still open while not acknowledged: signing out, the language switch.
    assert client.post(reverse("set_language"), {"language": "nl"}).status_code == 302
    response = client.post(
        ack_url, {"version": text.version, "agree": "on", "next": reverse("dashboard")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200
    ack = ConfidentialityAcknowledgement.objects.get(user=newcomer, text=text)
    newcomer.refresh_from_db()
    assert newcomer.confidentiality_acknowledged_on is not None
    event = _actions("access.confidentiality.acknowledged").get()
    assert event.object_id == str(ack.pk)
    assert event.after["version"] == text.version


def test_a_new_version_asks_everyone_again(client, officer, text):
    """OBL AC-01: a new version of the text asks everyone again, the publisher included;
    the register shows who has not acknowledged it."""
    colleague = UserFactory(role=Role.ICT_MANAGER, full_name="Ivo Manager")
    sign_in(client, officer)
    response = client.post(
        reverse("access:confidentiality_publish"),
        {"text_en": TEXT_EN + " Version two.", "text_nl": TEXT_NL + " Versie twee."},
    )
    assert response.status_code == 302
    new = text_current()
    assert new.version == text.version + 1
    assert new.published_by == officer
    event = _actions("access.confidentiality.published").get()
    assert event.after["version"] == new.version
    # The publisher is asked too, at the next page.
    assert client.get(reverse("dashboard"))["Location"].startswith(
        reverse("access:confidentiality_acknowledge")
    )
    client.post(
        reverse("access:confidentiality_acknowledge"), {"version": new.version, "agree": "on"}
    )
    register = client.get(reverse("access:confidentiality"))
    assert register.status_code == 200
    html = register.content.decode()
    missing = html.split('id="missing-heading"', 1)[1].split("</section>", 1)[0]
    assert "Ivo Manager" in missing
    assert "Priya Officer" not in missing
    client.logout()
    sign_in(client, colleague, acknowledge=False)
    assert client.get(reverse("incident_list"))["Location"].startswith(
        reverse("access:confidentiality_acknowledge")
    )


def test_a_customer_user_is_never_asked(client, text):
    """OBL AC-01: customer users (and an auditor engaged by one customer) are never asked."""
    customer = CustomerFactory()
    for role in (Role.CUSTOMER_ADMIN, Role.CUSTOMER_CONTACT, Role.AUDITOR):
        user = UserFactory(role=role, customer=customer)
        sign_in(client, user, acknowledge=False)
        assert client.get(reverse("portal")).status_code == 200
        assert client.get(reverse("access:confidentiality_acknowledge")).status_code == 403
        client.logout()
    assert not ConfidentialityAcknowledgement.objects.filter(user__customer=customer).exists()


def test_acknowledging_an_old_version_or_without_the_box_is_refused(client, officer, text):
    """OBL AC-01: acknowledging without ticking the box, or a version that is no longer
    current, is refused with a clear message and nothing is written."""
    newcomer = UserFactory(role=Role.BOARD_MEMBER, acknowledged=False)
    sign_in(client, newcomer, acknowledge=False)
    url = reverse("access:confidentiality_acknowledge")
    response = client.post(url, {"version": text.version})
    assert response.status_code == 400
    assert "Tick the box" in response.content.decode()
    text_publish(actor=officer, text_en=TEXT_EN + " Two.", text_nl=TEXT_NL + " Twee.")
    response = client.post(url, {"version": text.version, "agree": "on"})
    assert response.status_code == 400
    assert "newer version" in response.content.decode()
    assert not ConfidentialityAcknowledgement.objects.filter(user=newcomer).exists()
    assert not _actions("access.confidentiality.acknowledged").exists()


def test_publishing_bad_text_is_refused_and_nothing_written(client, officer, text):
    """OBL AC-01: an empty or unchanged text is refused with a clear message; no version."""
    sign_in(client, officer)
    url = reverse("access:confidentiality_publish")
    response = client.post(url, {"text_en": "Short.", "text_nl": ""})
    assert response.status_code == 400
    response = client.post(url, {"text_en": "Too short to be a text.", "text_nl": "Te kort."})
    assert response.status_code == 400
    assert "at least" in response.content.decode()
    response = client.post(url, {"text_en": text.text_en, "text_nl": text.text_nl})
    assert response.status_code == 400
    assert "unchanged" in response.content.decode()
    assert text_current() == text
    assert not _actions("access.confidentiality.published").exists()


def test_the_auditor_reads_the_register_and_cannot_publish(client, auditor, text):
    """OBL AC-01: the auditor reads the register and cannot publish (page or API)."""
    sign_in(client, auditor)
    assert client.get(reverse("access:confidentiality")).status_code == 200
    assert client.get(reverse("access:confidentiality_publish")).status_code == 403
    response = client.post(
        reverse("access:confidentiality_publish"), {"text_en": TEXT_EN * 2, "text_nl": TEXT_NL * 2}
    )
    assert response.status_code == 403
    response = client.post(
        "/api/confidentiality/publish/",
        {"text_en": TEXT_EN * 2, "text_nl": TEXT_NL * 2},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert text_current() == text
    api = client.get("/api/confidentiality/register/")
    assert api.status_code == 200
    assert {row["email"] for row in api.json()} >= {auditor.email}


def test_staff_member_cannot_read_the_register(client, text):
    """OBL AC-01: the register is for the privacy officer and the auditor."""
    staff = UserFactory(role=Role.STAFF_MEMBER)
    sign_in(client, staff)
    assert client.get(reverse("access:confidentiality")).status_code == 403
    assert client.get("/api/confidentiality/register/").status_code == 403


def test_api_with_a_token_answers_403_until_acknowledged(client, officer, text):
    """OBL AC-01: an API call with a token from a staff member who has not acknowledged the
    current version answers 403 with the reason; reading and acknowledging the text stay
    open; afterwards the API answers."""
    ict = UserFactory(role=Role.ICT_MANAGER, acknowledged=False)
    raw = make_token(ict)[1]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    refused = client.get("/api/standing-access/", **headers)
    assert refused.status_code == 403
    assert "confidentiality" in refused.json()["detail"]
    current = client.get("/api/confidentiality/current/", **headers)
    assert current.status_code == 200
    assert current.json()["version"] == text.version
    wrong = client.post(
        "/api/confidentiality/acknowledge/",
        {"version": text.version + 5},
        content_type="application/json",
        **headers,
    )
    assert wrong.status_code == 400
    assert not ConfidentialityAcknowledgement.objects.filter(user=ict).exists()
    done = client.post(
        "/api/confidentiality/acknowledge/",
        {"version": text.version},
        content_type="application/json",
        **headers,
    )
    assert done.status_code == 201
    assert client.get("/api/standing-access/", **headers).status_code == 200


def test_api_publish_by_the_privacy_officer(client, officer, text):
    """OBL AC-01: the privacy officer publishes through the API too, with its audit event."""
    sign_in(client, officer)
    response = client.post(
        "/api/confidentiality/publish/",
        {"text_en": TEXT_EN + " API.", "text_nl": TEXT_NL + " API."},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["version"] == text.version + 1
    # The new version asks the publisher too: acknowledged through the API.
    gated = client.post(
        "/api/confidentiality/publish/", {"text_en": "x"}, content_type="application/json"
    )
    assert gated.status_code == 403
    client.post(
        "/api/confidentiality/acknowledge/",
        {"version": text.version + 1},
        content_type="application/json",
    )
    bad = client.post(
        "/api/confidentiality/publish/", {"text_en": "x"}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert _actions("access.confidentiality.published").count() == 1


def test_acknowledging_twice_records_once(officer, text):
    """OBL AC-01: acknowledging the same version again keeps the first moment."""
    first = acknowledge(user=officer, text=text)
    assert acknowledge(user=officer, text=text) == first
