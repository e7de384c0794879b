"""The retention table in the Audit section (AU-03): the privacy officer confirms, the
auditor reads; every confirmation and change is an audit event."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from audits.models import AuditEvent
from compliance.models.retention import RetentionRule
from compliance.retention import DEFAULT_RULES
from tests.auth import sign_in

pytestmark = pytest.mark.django_db
URL = "/audit/retention/"


def test_route_name():
    assert reverse("audit_retention") == URL


def test_privacy_officer_confirms_a_period(client, privacy_officer):
    """OBL AU-03: the privacy officer sees the defaults with their reasons and confirms one;
    the confirmation is recorded, a change is recorded as a change."""
    sign_in(client, privacy_officer)
    page = client.get(URL)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Not confirmed yet" in text
    assert "art. 3:310 BW" in text
    visible = re.sub(r"<[^>]+>", " ", text)
    assert "audit_personal" not in visible and "history_personal" not in visible
    days, reason = DEFAULT_RULES["documents"]
    response = client.post(URL, {"kind": "documents", "period_days": days, "reason": reason})
    assert response.status_code == 302
    rule = RetentionRule.objects.get(kind="documents")
    assert rule.confirmed_by == privacy_officer and rule.reason == reason
    client.post(URL, {"kind": "documents", "period_days": days + 30, "reason": "Shorter."})
    actions = list(
        AuditEvent.objects.filter(object_type="compliance.RetentionRule").values_list(
            "action", flat=True
        )
    )
    assert actions == ["retention.rule_confirmed", "retention.rule_changed"]
    assert RetentionRule.objects.get(kind="documents").period_days == days + 30


def test_dutch_reason_confirmed_as_shown_keeps_the_default(client, privacy_officer):
    """OBL AU-03: confirming the reason as shown in Dutch confirms the default itself."""
    sign_in(client, privacy_officer)
    days, reason = DEFAULT_RULES["outbox"]
    with translation.override("nl"):
        shown = translation.gettext(reason)
    client.post(
        URL,
        {"kind": "outbox", "period_days": days, "reason": shown},
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    rule = RetentionRule.objects.get(kind="outbox")
    assert rule.confirmed_at is not None


def test_bad_period_is_refused(client, privacy_officer):
    sign_in(client, privacy_officer)
    response = client.post(URL, {"kind": "outbox", "period_days": 0, "reason": "x"})
    assert response.status_code == 200
    assert RetentionRule.objects.get(kind="outbox").confirmed_at is None


def test_auditor_reads_but_cannot_confirm(client, auditor):
    """OBL AU-03: the auditor sees the table without forms, and a POST is refused."""
    sign_in(client, auditor)
    page = client.get(URL)
    assert page.status_code == 200 and b'<form method="post"' not in page.content
    response = client.post(URL, {"kind": "outbox", "period_days": 1, "reason": "x"})
    assert response.status_code == 403
    assert RetentionRule.objects.get(kind="outbox").period_days == DEFAULT_RULES["outbox"][0]
    assert not AuditEvent.objects.filter(action__startswith="retention.rule").exists()


def test_other_staff_cannot_see_it(client, make_user):
    from compliance.models import Role

    sign_in(client, make_user(Role.STAFF_MEMBER))
    assert client.get(URL).status_code == 403
