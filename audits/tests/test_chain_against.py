"""verify_audit_chain --against an anchor, and database restores (AU-03)."""

import io

import pytest
import time_machine
from django.core.management import CommandError, call_command

from audits.anchors import anchor_digest, anchor_make
from audits.models import AuditEvent, ChainHead, ChainRestore
from audits.services import audit_seal
from audits.tests.conftest import record_events, tamper

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _seal_files(settings, tmp_path):
    settings.EVIDENCE_SEAL_KEY_FILE = str(tmp_path / "seal" / "key.pem")
    settings.EVIDENCE_SEAL_CERT_FILE = str(tmp_path / "seal" / "certificate.pem")


def _run(*args) -> str:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit_chain", *args, stdout=out, stderr=err)
    except CommandError as exc:
        raise AssertionError(out.getvalue() + err.getvalue()) from exc
    return out.getvalue()


def test_against_the_mailed_digest_reports_the_tail():
    """OBL AU-03: the anchored prefix is accepted and the events after it counted apart."""
    record_events(5)
    anchor = anchor_make()
    record_events(3)
    audit_seal()
    out = _run("--against", anchor_digest(anchor))
    assert "Anchored part intact up to position 5." in out
    assert "4 events after the last anchor." in out  # the anchor's own event and three


def test_without_against_the_newest_stored_anchor_is_used(tmp_path):
    record_events(2)
    anchor = anchor_make()
    out = _run()
    assert "newest anchor stored in the database (position 2" in out
    saved = tmp_path / "anchor.json"
    saved.write_text(anchor.statement)
    assert "Anchored part intact up to position 2." in _run("--against", str(saved))


def test_a_break_in_the_tail_is_reported_as_the_tail():
    """OBL AU-03: a change after the anchor fails the command but names the tail."""
    record_events(3)
    anchor = anchor_make()
    events = record_events(2)
    audit_seal()
    tamper("UPDATE audits_auditevent SET action = 'x' WHERE id = %s", [events[-1].pk])
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("verify_audit_chain", "--against", anchor_digest(anchor), stderr=err)
    assert raised.value.returncode == 2
    assert "IN THE TAIL after the anchor" in err.getvalue()


def test_positions_lost_in_a_recorded_restore_are_not_tampering():
    """OBL AU-03: after a restore recorded with record_database_restore, an earlier anchor of
    a later position is reported as lost in the restore, not as tampering."""
    with time_machine.travel("2026-05-01 10:00Z"):
        record_events(4)
        early = anchor_make()
        record_events(3)
        late = anchor_make()  # position 8: later lost
    # The restore: the database as it was at position 5 (the early anchor's own event).
    tamper("DELETE FROM audits_auditevent WHERE seq > 5")
    head = AuditEvent.objects.get(seq=5)
    ChainHead.objects.filter(pk=1).update(seq=5, chain_hash=head.chain_hash)
    with pytest.raises(AssertionError):
        _run("--against", anchor_digest(late))
    with time_machine.travel("2026-05-02 10:00Z"):
        call_command(
            "record_database_restore", "--by", "ops@processor.example", stdout=io.StringIO()
        )
    restore = ChainRestore.objects.get()
    assert restore.seq == 5
    assert AuditEvent.objects.filter(action="audit.database_restore_recorded").exists()
    out = _run("--against", anchor_digest(late))
    assert "Positions 6 to 8 were lost in the database restore" in out
    assert "Anchored part intact up to position 5." in out
    assert "Anchored part intact up to position 4." in _run("--against", anchor_digest(early))
