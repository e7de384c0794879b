"""The audit trail in the admin, registered by the core with its access rules (AU-03)."""

import pytest
from django.urls import reverse

from audits.actions import AuditAction
from audits.models import AuditEvent
from audits.services import audit_seal
from audits.tests.conftest import record_events
from compliance.models import Role
from tests.auth import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_for(make_user, client):
    user = make_user(Role.PRIVACY_OFFICER, is_staff=True, is_superuser=True)
    sign_in(client, user)
    return client


def test_admin_shows_events_read_only(admin_client_for):
    """OBL AU-03: the admin lists the trail but offers no add, change or delete."""
    (event,) = record_events(1)
    audit_seal()

    changelist = admin_client_for.get(reverse("admin:audits_auditevent_changelist"))
    assert changelist.status_code == 200
    assert event.action in changelist.content.decode()

    detail = admin_client_for.get(reverse("admin:audits_auditevent_change", args=[event.pk]))
    assert detail.status_code == 200
    assert b'name="_save"' not in detail.content

    assert admin_client_for.get(reverse("admin:audits_auditevent_add")).status_code == 403
    delete_url = reverse("admin:audits_auditevent_delete", args=[event.pk])
    assert admin_client_for.post(delete_url, {"post": "yes"}).status_code == 403
    change_url = reverse("admin:audits_auditevent_change", args=[event.pk])
    assert admin_client_for.post(change_url, {"action": "forged"}).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).action == event.action


def test_admin_shows_the_action_in_words_beside_its_code(admin_client_for):
    """The list shows the stored action and, beside it, its label from `AuditAction`."""
    (event,) = record_events(1)
    audit_seal()

    body = admin_client_for.get(reverse("admin:audits_auditevent_changelist")).content.decode()
    assert "customer.updated" in body
    assert str(AuditAction(event.action).label) in body
    assert "what happened" in body.lower()

    detail = admin_client_for.get(reverse("admin:audits_auditevent_change", args=[event.pk]))
    assert str(AuditAction(event.action).label) in detail.content.decode()
