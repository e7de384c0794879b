"""Chain anchors sent outside the administrators' control (AU-03)."""

import base64
import datetime
import json
import urllib.error

import pytest
import time_machine

from audits.anchors import anchor_digest, anchor_make, anchor_parse, anchor_signature_ok
from audits.models import AnchorReason, AuditEvent, ChainAnchor, ChainHead
from audits.seal import seal, signature_valid
from audits.tests.conftest import record_events
from compliance import anchoring
from compliance.models import OutboxMessage, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _seal_files(settings, tmp_path):
    settings.EVIDENCE_SEAL_KEY_FILE = str(tmp_path / "seal" / "key.pem")
    settings.EVIDENCE_SEAL_CERT_FILE = str(tmp_path / "seal" / "certificate.pem")
    settings.AUDIT_ANCHOR_WEBHOOK_URL = ""
    settings.AUDIT_ANCHOR_RECIPIENTS = []


def test_anchor_signs_the_sealed_head():
    """OBL AU-03: an anchor seals what is committed and signs the head with the seal."""
    record_events(4)
    anchor = anchor_make(reason=AnchorReason.MANUAL)
    head = ChainHead.objects.get(pk=1)
    assert (anchor.seq, anchor.chain_hash) == (4, head.chain_hash)
    statement = json.loads(anchor.statement)
    assert statement["seq"] == 4 and statement["chain_hash"] == head.chain_hash
    assert statement["certificate_sha256"] == seal().fingerprint == anchor.certificate_sha256
    assert signature_valid(
        seal().certificate, anchor.statement.encode(), base64.b64decode(anchor.signature)
    )
    assert anchor_signature_ok(anchor)
    event = AuditEvent.objects.get(action="audit.chain_anchored")
    assert event.after["seq"] == 4 and event.object_id == str(anchor.pk)


def test_anchor_parse_accepts_the_digest_and_a_saved_statement(tmp_path):
    """OBL AU-03: the digest from the mail and a saved statement name the same position."""
    record_events(2)
    anchor = anchor_make()
    point = anchor_parse(anchor_digest(anchor))
    assert (point.seq, point.chain_hash) == (anchor.seq, anchor.chain_hash)
    saved = tmp_path / "anchor.json"
    saved.write_text(anchor.statement)
    assert anchor_parse(str(saved)).chain_hash == anchor.chain_hash
    wrapped = tmp_path / "sent.json"
    wrapped.write_text(json.dumps({"statement": anchor.statement, "signature": "x"}))
    assert anchor_parse(str(wrapped)).seq == anchor.seq


def test_anchor_is_mailed_to_active_auditors_and_listed_addresses(settings):
    """OBL AU-03: every active auditor and each extra address gets the anchor by mail."""
    settings.AUDIT_ANCHOR_RECIPIENTS = ["keeper@outside.example", "AUDITOR@example.com"]
    auditor = UserFactory(role=Role.AUDITOR, email="auditor@example.com", language="nl")
    UserFactory(role=Role.AUDITOR, is_active=False)
    UserFactory(role=Role.PRIVACY_OFFICER)
    record_events(3)
    anchor = anchoring.anchor_make_and_send(reason=AnchorReason.MANUAL)
    mails = OutboxMessage.objects.filter(key__startswith=f"chain-anchor:{anchor.pk}:")
    assert sorted(m.to_email for m in mails) == ["auditor@example.com", "keeper@outside.example"]
    nl = mails.get(to_email=auditor.email)
    assert nl.language == "nl" and anchor_digest(anchor) in nl.body_text
    assert anchor.statement in nl.body_text
    anchor.refresh_from_db()
    assert anchor.sent_to == ["auditor@example.com", "keeper@outside.example"]
    assert AuditEvent.objects.filter(action="audit.chain_anchor_sent").count() == 1


def test_failing_webhook_keeps_the_mail_and_records_the_outcome(settings, monkeypatch):
    """OBL AU-03: a webhook that fails never loses the mail; its outcome is on the anchor."""
    settings.AUDIT_ANCHOR_WEBHOOK_URL = "https://hook.example/anchors"
    UserFactory(role=Role.AUDITOR)
    posted = []

    def refuse(request, timeout):
        posted.append(json.loads(request.data))
        raise urllib.error.URLError("connection refused")

    monkeypatch.setattr(anchoring.urllib.request, "urlopen", refuse)
    anchor = anchoring.anchor_make_and_send(reason=AnchorReason.MANUAL)
    anchor.refresh_from_db()
    assert anchor.webhook_status.startswith("failed")
    assert OutboxMessage.objects.filter(key__startswith="chain-anchor:").count() == 1
    assert posted[0]["digest"] == anchor_digest(anchor)
    assert posted[0]["statement"] == anchor.statement


def test_webhook_success_is_recorded(settings, monkeypatch):
    settings.AUDIT_ANCHOR_WEBHOOK_URL = "https://hook.example/anchors"

    class Answer:
        status = 204

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(anchoring.urllib.request, "urlopen", lambda request, timeout: Answer())
    anchor = anchoring.anchor_make_and_send()
    anchor.refresh_from_db()
    assert anchor.webhook_status == "accepted: HTTP 204"


def test_daily_anchor_once_per_amsterdam_day():
    """OBL AU-03: the hourly bell makes one anchor per Amsterdam day."""
    with time_machine.travel(datetime.datetime(2026, 3, 2, 22, 30, tzinfo=datetime.UTC)):
        assert anchoring.anchor_daily() is not None  # 23:30 in Amsterdam, 2 March
        assert anchoring.anchor_daily() is None
    with time_machine.travel(datetime.datetime(2026, 3, 2, 23, 30, tzinfo=datetime.UTC)):
        assert anchoring.anchor_daily() is not None  # 00:30 on 3 March
    assert ChainAnchor.objects.filter(reason=AnchorReason.DAILY).count() == 2
