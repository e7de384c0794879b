"""Everything that cannot be undone asks for a recent second factor (ON-02)."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import resolve, reverse

from compliance.access import RECENT_FACTOR_URL_NAMES
from tests.auth import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 5, 4, 9, 0, tzinfo=datetime.UTC)

# One address per name in RECENT_FACTOR_URL_NAMES; the middleware or the API permission
# answers before any view looks at the object, so the ids need not exist.
PATHS = {
    "incident_notify": "/incidents/1/notify/",
    "incident_notify_approve": "/incidents/1/notify/approve/",
    "api-incident-notify": "/api/incidents/1/notify/",
    "api-incident-approve": "/api/incidents/1/notify/approve/",
    "subprocessors:change_notice_announce": "/subprocessors/change-notices/1/announce/",
    "api-change-notice-announce": "/api/change-notices/1/announce/",
    "subprocessors:objection_decision": "/subprocessors/objections/1/decide/",
    "api-objection-decide": "/api/objections/1/decide/",
    "factors_reset": "/accounts/people/1/reset-factors/",
    "api_token_create": "/accounts/tokens/new/",
    "api-token-list": "/api/tokens/",
    "incident_dossier": "/incidents/1/dossier/",
    "api-incident-dossier-list": "/api/incidents/1/dossiers/",
}


def test_every_listed_action_has_an_address():
    """The list names real routes (a renamed route would silently drop out of it)."""
    assert set(PATHS) == RECENT_FACTOR_URL_NAMES
    for name, path in PATHS.items():
        assert resolve(path).view_name == name


@pytest.mark.parametrize("name", sorted(PATHS))
def test_a_stale_factor_is_asked_again(name):
    """OBL ON-02: notifying, announcing, a board decision, a factor reset, a new API token
    and a bulk export ask for the second factor again 15 minutes and one second after it
    was last proven (a page sends to the factor, the API answers 403)."""
    with time_machine.travel(NOW, tick=False) as clock:
        client = sign_in(Client(), UserFactory(role="privacy_officer"))
        clock.shift(15 * 60 + 1)
        response = client.post(PATHS[name], {})
        if name.startswith("api-"):
            assert response.status_code == 403
            assert "second factor again" in response.json()["detail"]
        else:
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("mfa_reauthenticate"))
