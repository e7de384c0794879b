"""Notifying customers cannot be undone: a session whose second factor was proven more than
15 minutes ago proves it again first; an API token is exempt (ON-02, BR-03)."""

import datetime

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client
from django.urls import reverse

from breaches.models import CustomerNotice
from breaches.services import affected_select, incident_report
from compliance.access import SESSION_SECOND_FACTOR
from compliance.tests.signin_helpers import fresh_totp
from tests.auth import sign_in
from tests.test_api_tokens import bearer, make_token

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
LIMIT = datetime.timedelta(minutes=15)


@pytest.fixture
def incident(clock, staff, processor, officer, product, make_customer):
    make_customer(product)
    incident = incident_report(actor=staff, title="Ransomware", description="Files encrypted.")
    affected_select(actor=officer, incident=incident, rule="all")
    return incident


def test_notify_asks_for_the_factor_again_after_15_minutes(incident, officer, clock):
    """OBL BR-03: one second past 15 minutes since the factor was proven, "Notify
    customers" sends to the factor again and notifies nobody; at exactly 15 minutes it
    notifies; after proving the factor again it notifies."""
    TOTP.activate(officer, SECRET)
    client = sign_in(Client(), officer)
    url = reverse("incident_notify", args=[incident.pk])

    clock.shift(LIMIT + datetime.timedelta(seconds=1))
    response = client.post(url, {})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate") + "?next=")
    assert not CustomerNotice.objects.filter(incident=incident).exists()
    page = client.get(response["Location"], follow=True).content.decode()
    assert "confirm it is you with your second factor again" in page

    response = client.post(
        reverse("mfa_reauthenticate") + f"?next={url}", {"code": fresh_totp(clock, SECRET)}
    )
    assert response.status_code == 302
    clock.shift(LIMIT - datetime.timedelta(seconds=1))  # with the TOTP step: 15 min after
    assert client.post(url, {}).status_code == 302
    assert CustomerNotice.objects.filter(incident=incident).count() == 1


def test_at_exactly_15_minutes_the_factor_still_counts(incident, officer, clock):
    """OBL BR-03: the boundary itself is still recent."""
    client = sign_in(Client(), officer)
    clock.shift(LIMIT)
    response = client.post(reverse("incident_notify", args=[incident.pk]), {})
    detail = reverse("incident_detail", args=[incident.pk])
    assert response["Location"] == f"{detail}?tab=customers#progress"
    assert CustomerNotice.objects.filter(incident=incident).count() == 1


def test_the_api_refuses_a_stale_session_and_takes_a_token(incident, officer, clock):
    """OBL BR-03: through the API a stale session gets 403 with the reason; a script with
    an API token is exempt."""
    client = sign_in(Client(), officer)
    _token, secret = make_token(officer)
    clock.shift(LIMIT + datetime.timedelta(seconds=1))
    url = f"/api/incidents/{incident.pk}/notify/"
    response = client.post(url, {}, content_type="application/json")
    assert response.status_code == 403
    assert "second factor again" in response.json()["detail"]
    assert not CustomerNotice.objects.filter(incident=incident).exists()
    assert SESSION_SECOND_FACTOR in client.session

    response = Client().post(url, {}, content_type="application/json", **bearer(secret))
    assert response.status_code in (200, 201, 202), response.content
    assert CustomerNotice.objects.filter(incident=incident).count() == 1
