"""The subprocessor workflows through the REST API: same services, same rules (SP-01 … SP-06)."""

import datetime

import pytest
from django.test import Client

from compliance.models import Role
from subprocessors.models import ChangeNotice, ChangeNoticeState, Objection, ObjectionState
from subprocessors.services import change_notice_announce, change_notice_draft, objection_lodge
from subprocessors.tests.conftest import START, customer_with_contract
from tests.auth import sign_in

DAY = datetime.timedelta(days=1)


def api(user) -> Client:
    return sign_in(Client(), user)


def post(client, path, data=None):
    return client.post(path, data or {}, content_type="application/json")


@pytest.fixture
def customer_user(make_user, active_customer):
    return make_user(Role.CUSTOMER_CONTACT, customer=active_customer)


@pytest.fixture
def announced(privacy_officer, hosting, active_customer, clock):
    notice = change_notice_draft(
        actor=privacy_officer,
        kind="new_location",
        subprocessor=hosting,
        location_city="Frankfurt",
        location_country="DE",
        effective_at=START + 30 * DAY,
    )
    return change_notice_announce(actor=privacy_officer, notice=notice)


@pytest.fixture
def objection(customer_user, active_customer, announced, processor):
    return objection_lodge(
        actor=customer_user, customer=active_customer, change_notice=announced, reasons="No."
    )


def test_register_api_needs_sign_in_and_lists_the_register(client, customer_user, hosting):
    """OBL SP-01: the register through the API (signed in; the public has the page and
    feed)."""
    assert client.get("/api/subprocessors/").status_code == 401
    response = api(customer_user).get("/api/subprocessors/")
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["legal_entity"] == "LeaseWeb Netherlands B.V."
    assert row["locations"] == [{"name": "", "city": "Haarlem", "country": "NL", "in_eea": True}]
    assert row["products"] == ["Profit"]


def test_officer_drafts_announces_and_is_refused_an_earlier_moment(
    privacy_officer, hosting, active_customer, clock
):
    """OBL SP-03: draft (Amsterdam summer time, with its offset), announce, and moving the
    effective moment earlier than 28 days is refused with the service's message."""
    client = api(privacy_officer)
    response = post(
        client,
        "/api/change-notices/",
        {
            "kind": "new_location",
            "subprocessor": hosting.pk,
            "location_city": "Frankfurt",
            "location_country": "DE",
            "effective_at": "2026-10-06T10:00:00+02:00",
        },
    )
    assert response.status_code == 201, response.json()
    notice_id = response.json()["id"]
    notice = ChangeNotice.objects.get(pk=notice_id)
    assert notice.effective_at == datetime.datetime(2026, 10, 6, 8, 0, tzinfo=datetime.UTC)

    response = post(client, f"/api/change-notices/{notice_id}/announce/")
    assert response.status_code == 200
    assert response.json()["state"] == "announced"
    response = post(
        client,
        f"/api/change-notices/{notice_id}/effective/",
        {"effective_at": "2026-09-20T10:00:00+02:00"},
    )
    assert response.status_code == 400
    assert "Too early" in response.json()["effective_at"][0]
    recipients = client.get(f"/api/change-notices/{notice_id}/recipients/").json()["results"]
    assert [r["customer"] for r in recipients] == [active_customer.pk]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"location_country": "XX"}, "location_country", "not a known country"),
        ({"location_country": "US"}, "location_country", "European Economic Area"),
        ({"effective_at": "2026-09-10T10:00:00Z"}, "effective_at", "Too early"),
    ],
)
def test_bad_change_notice_input_is_a_400(privacy_officer, hosting, clock, changes, field, message):
    """OBL SP-02: a clear 400 for an unknown country, a location outside the EEA and a moment
    too early; nothing saved."""
    data = {
        "kind": "new_location",
        "subprocessor": hosting.pk,
        "location_city": "Frankfurt",
        "location_country": "DE",
        "effective_at": "2026-10-06T10:00:00Z",
        **changes,
    }
    response = post(api(privacy_officer), "/api/change-notices/", data)
    assert response.status_code == 400
    assert message in response.json()[field][0]
    assert not ChangeNotice.objects.exists()


def test_new_subprocessor_without_entity_is_a_400(privacy_officer, clock):
    response = post(
        api(privacy_officer),
        "/api/change-notices/",
        {
            "kind": "new_subprocessor",
            "new_subprocessor": {
                "legal_entity": "",
                "purpose": "Mail",
                "flow_down_reference": "DPA-9",
                "flow_down_signed_on": "2026-01-01",
            },
            "effective_at": "2026-10-06T10:00:00Z",
        },
    )
    assert response.status_code == 400
    assert "legal entity" in response.json()["legal_entity"][0]


def test_customer_cannot_draft_change_notices(customer_user, hosting, clock):
    response = post(api(customer_user), "/api/change-notices/", {"kind": "removal"})
    assert response.status_code == 403


def test_customer_lodges_and_lists_own_objections(
    customer_user, announced, processor, make_user, product
):
    """OBL SP-04: a customer objects through the API and lists only its own objections."""
    client = api(customer_user)
    response = post(client, "/api/objections/", {"change_notice": announced.pk, "reasons": ""})
    assert response.status_code == 400
    assert "reasons" in response.json()
    response = post(client, "/api/objections/", {"change_notice": announced.pk, "reasons": "No"})
    assert response.status_code == 201
    assert response.json()["receipt"]
    assert [o["id"] for o in client.get("/api/objections/").json()["results"]] == [
        response.json()["id"]
    ]
    other = make_user(Role.CUSTOMER_ADMIN, customer=customer_with_contract(product))
    other_client = api(other)
    assert other_client.get("/api/objections/").json()["results"] == []
    assert other_client.get(f"/api/objections/{response.json()['id']}/").status_code == 404


def test_only_the_board_decides_once(objection, board_member, privacy_officer, customer_user):
    """OBL SP-05: only a board member decides (403 for others); a second decision is 400."""
    path = f"/api/objections/{objection.pk}/decide/"
    data = {"decision": "rejected", "reasoning": "Inside the EEA."}
    assert post(api(privacy_officer), path, data).status_code == 403
    assert post(api(customer_user), path, data).status_code == 403
    board = api(board_member)
    response = post(board, path, data)
    assert response.status_code == 200
    assert response.json()["state"] == ObjectionState.REJECTED
    response = post(board, path, {"decision": "upheld", "reasoning": "x", "outcome": "withdrawn"})
    assert response.status_code == 400
    assert "already been decided" in response.json()["non_field_errors"][0]
    assert Objection.objects.get().state == ObjectionState.REJECTED


def test_board_upholds_with_withdrawal(objection, board_member, announced):
    response = post(
        api(board_member),
        f"/api/objections/{objection.pk}/decide/",
        {"decision": "upheld", "outcome": "withdrawn", "reasoning": "Agreed."},
    )
    assert response.status_code == 200
    announced.refresh_from_db()
    assert announced.state == ChangeNoticeState.WITHDRAWN


def test_termination_rights_are_scoped(customer_user):
    response = api(customer_user).get("/api/termination-rights/")
    assert response.status_code == 200 and response.json()["results"] == []
    assert post(api(customer_user), "/api/termination-rights/1/exercise/").status_code == 404
