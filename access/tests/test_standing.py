"""Standing access (AC-02): the ICT manager grants, ends with a reason and records who
confirmed the removal in the systems; the privacy officer and the auditor read; pages, API,
history and each step's audit event."""

from __future__ import annotations

import pytest
from django.urls import reverse

from access.models.standing import StandingGrant, StandingPurpose, StandingState
from access.services import standing as services
from audits.models import AuditEvent
from compliance.models import Role
from tests.auth import sign_in
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ict(db):
    return UserFactory(role=Role.ICT_MANAGER, full_name="Ivo Manager")


@pytest.fixture
def admin_user(db):
    return UserFactory(role=Role.STAFF_MEMBER, full_name="Sam Sysadmin")


@pytest.fixture
def grant(ict, admin_user):
    return services.grant_create(
        actor=ict, holder=admin_user, purposes=[StandingPurpose.INSTALL, StandingPurpose.BACKUPS]
    )


def _events(action):
    return AuditEvent.objects.filter(action=action)


def test_the_ict_manager_grants_ends_and_confirms_removal_through_the_pages(
    client, ict, admin_user
):
    """OBL AC-02: standing access by role and purpose, who holds it since when and who
    granted it; ended with a reason and its removal confirmed by a named person; history."""
    sign_in(client, ict)
    response = client.post(
        reverse("access:standing_create"),
        {
            "holder": admin_user.pk,
            "role_title": "System administrator",
            "purposes": [StandingPurpose.INSTALL, StandingPurpose.MOVE_DATA],
        },
    )
    assert response.status_code == 302
    grant = StandingGrant.objects.get()
    assert (grant.holder, grant.granted_by, grant.state) == (admin_user, ict, StandingState.ACTIVE)
    assert grant.purposes == ["install", "move_data"]
    assert _events("access.standing.granted").get().after["purposes"] == grant.purposes
    page = client.get(reverse("access:standing")).content.decode()
    assert "Sam Sysadmin" in page
    assert "Installing versions, patches and hotfixes" in page
    assert "move_data" not in page  # no codes on the page
    response = client.post(reverse("access:standing_end", args=[grant.pk]), {"reason": "Left"})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert (grant.state, grant.end_reason, grant.ended_by) == ("ended", "Left", ict)
    assert _events("access.standing.ended").get().after["reason"] == "Left"
    response = client.post(
        reverse("access:standing_removal", args=[grant.pk]), {"confirmed_by": admin_user.pk}
    )
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.state == StandingState.REMOVED
    assert grant.removal_confirmed_by == admin_user
    assert _events("access.standing.removal_confirmed").get().after["confirmed_by"] == admin_user.pk
    detail = client.get(reverse("access:standing_detail", args=[grant.pk]))
    assert detail.status_code == 200
    assert grant.history.count() == 3


def test_bad_input_is_refused_and_nothing_written(client, ict, admin_user):
    """OBL AC-02: no purpose, an unknown purpose, a customer user as holder, ending without a
    reason, confirming without a person: refused with a clear message, nothing written."""
    sign_in(client, ict)
    url = reverse("access:standing_create")
    response = client.post(url, {"holder": admin_user.pk})
    assert response.status_code == 400
    assert "Choose at least one purpose" in response.content.decode()
    response = client.post(url, {"holder": admin_user.pk, "purposes": ["everything"]})
    assert response.status_code == 400
    customer_user = UserFactory(role=Role.CUSTOMER_ADMIN, customer=CustomerFactory())
    response = client.post(url, {"holder": customer_user.pk, "purposes": ["backups"]})
    assert response.status_code == 400
    assert not StandingGrant.objects.exists()
    grant = services.grant_create(actor=ict, holder=admin_user, purposes=["backups"])
    response = client.post(url, {"holder": admin_user.pk, "purposes": ["backups"]})
    assert response.status_code == 400
    assert "already holds" in response.content.decode()
    response = client.post(reverse("access:standing_end", args=[grant.pk]), {"reason": "  "})
    assert response.status_code == 400
    assert "Give the reason" in response.content.decode()
    response = client.post(reverse("access:standing_removal", args=[grant.pk]), {})
    assert response.status_code == 400
    grant.refresh_from_db()
    assert grant.state == StandingState.ACTIVE
    assert StandingGrant.objects.count() == 1
    assert _events("access.standing.ended").count() == 0


def test_the_auditor_and_the_privacy_officer_read_and_cannot_write(client, grant, admin_user):
    """OBL AC-02: the privacy officer and the auditor read the register; only the ICT
    manager writes (pages and API)."""
    for role in (Role.AUDITOR, Role.PRIVACY_OFFICER):
        reader = UserFactory(role=role)
        sign_in(client, reader)
        assert client.get(reverse("access:standing")).status_code == 200
        assert client.get(reverse("access:standing_detail", args=[grant.pk])).status_code == 200
        assert (
            "End access"
            not in client.get(reverse("access:standing_detail", args=[grant.pk])).content.decode()
        )
        assert client.get(reverse("access:standing_create")).status_code == 403
        assert (
            client.post(reverse("access:standing_end", args=[grant.pk]), {"reason": "x"})
        ).status_code == 403
        api = client.post(
            f"/api/standing-access/{grant.pk}/end/",
            {"reason": "x"},
            content_type="application/json",
        )
        assert api.status_code == 403
        assert client.get("/api/standing-access/").json()["results"][0]["id"] == grant.pk
        client.logout()
    grant.refresh_from_db()
    assert grant.state == StandingState.ACTIVE


def test_staff_member_and_customer_cannot_read(client, grant):
    """OBL AC-02: the register is not for staff members or customers."""
    for user in (
        UserFactory(role=Role.STAFF_MEMBER),
        UserFactory(role=Role.CUSTOMER_ADMIN, customer=CustomerFactory()),
    ):
        sign_in(client, user)
        assert client.get(reverse("access:standing")).status_code == 403
        assert client.get("/api/standing-access/").status_code == 403
        client.logout()


def test_the_api_workflow(client, ict, admin_user):
    """OBL AC-02: the ICT manager grants, ends and confirms removal through the API; bad
    input answers 400 and writes nothing."""
    sign_in(client, ict)
    bad = client.post(
        "/api/standing-access/",
        {"holder": admin_user.pk, "purposes": []},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert not StandingGrant.objects.exists()
    created = client.post(
        "/api/standing-access/",
        {"holder": admin_user.pk, "purposes": ["backups"]},
        content_type="application/json",
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    assert created.json()["purpose_labels"] == ["Making and restoring backups"]
    no_reason = client.post(
        f"/api/standing-access/{pk}/end/", {"reason": ""}, content_type="application/json"
    )
    assert no_reason.status_code == 400
    ended = client.post(
        f"/api/standing-access/{pk}/end/",
        {"reason": "Role changed"},
        content_type="application/json",
    )
    assert ended.json()["state"] == "ended"
    removed = client.post(
        f"/api/standing-access/{pk}/removal/",
        {"confirmed_by": ict.pk},
        content_type="application/json",
    )
    assert removed.status_code == 200
    assert removed.json()["state"] == "removed"
    twice = client.post(
        f"/api/standing-access/{pk}/removal/",
        {"confirmed_by": ict.pk},
        content_type="application/json",
    )
    assert twice.status_code == 400
    assert _events("access.standing.removal_confirmed").count() == 1
