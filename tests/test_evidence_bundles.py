"""Sealed evidence bundles (AU-03): built in the background over a stated chain position,
deterministic content, verifiable with the bundled script alone."""

from __future__ import annotations

import datetime
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.urls import reverse

from audits import verify_bundle
from audits.models import AuditEvent
from audits.seal import seal
from breaches.tests.processes import shared_database  # noqa: F401 - a fixture
from compliance.models import ExportState, HistoryExport, StoredDocument
from tests.auth import sign_in
from tests.test_audit_search import NOW, _world
from web.audit.exports import history_export_build

pytestmark = pytest.mark.django_db
SYSTEM_PYTHON = "/usr/bin/python3"


@pytest.fixture(autouse=True)
def _seal_files(settings, tmp_path):
    settings.EVIDENCE_SEAL_KEY_FILE = str(tmp_path / "seal" / "key.pem")
    settings.EVIDENCE_SEAL_CERT_FILE = str(tmp_path / "seal" / "certificate.pem")
    settings.EVIDENCE_TSA_URL = ""


@pytest.fixture
def world(make_user):
    with time_machine.travel(NOW, tick=False):
        data = _world(make_user)
        _letter(data)
        return data


def _letter(data) -> StoredDocument:
    """A stored letter on one notice of the incident (what the fan-out stores per notice)."""
    from weasyprint import HTML

    from breaches.models import CustomerNotice
    from compliance.documents import document_build, documents_store

    notice = CustomerNotice.objects.filter(incident=data["incident"], customer=data["acme"]).get()
    if notice.letter_id:
        return notice.letter
    document = document_build(
        content=HTML(string="<h1>Notice</h1><p>Backup exposed</p>").write_pdf(),
        title="Notice letter",
        filename="notice-letter.pdf",
        template_name="test",
        template_version="1",
        language="en",
        issued_at=NOW,
        customer=data["acme"],
        actor=data["officer"],
    )
    [stored] = documents_store(documents=[document], actor=data["officer"])
    CustomerNotice.objects.filter(pk=notice.pk).update(letter=stored)
    return stored


def _bundle(client, user, **filters) -> tuple[HistoryExport, bytes]:
    sign_in(client, user)
    response = client.post(reverse("audit_export_request"), {"format": "zip", **filters})
    assert response.status_code == 302
    export = HistoryExport.objects.filter(requested_by=user).latest("pk")
    assert export.state == ExportState.PENDING
    assert history_export_build(export_id=export.pk) is not None
    export.refresh_from_db()
    assert export.state == ExportState.DONE, export.error
    download = client.get(reverse("audit_export_download", args=[export.pk]))
    assert download.status_code == 200
    body = b"".join(download.streaming_content) if download.streaming else download.content
    return export, body


def run_verifier(bundle: bytes, tmp_path: Path, fingerprint: str) -> subprocess.CompletedProcess:
    """The bundled script, run by the system's Python (standard library and cryptography
    38 only, isolated from this project) in an empty directory: another machine."""
    where = tmp_path / f"auditor-{len(list(tmp_path.iterdir()))}"
    where.mkdir()
    (where / "bundle.zip").write_bytes(bundle)
    script = zipfile.ZipFile(io.BytesIO(bundle)).read("verify_bundle.py")
    (where / "verify_bundle.py").write_bytes(script)
    return subprocess.run(
        [SYSTEM_PYTHON, "-I", "verify_bundle.py", "bundle.zip", "--fingerprint", fingerprint],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin"},
    )


def _replace(bundle: bytes, name: str, data: bytes, *, inner: bool) -> bytes:
    """The bundle with one entry replaced (in the content ZIP when `inner`)."""
    outer = zipfile.ZipFile(io.BytesIO(bundle))
    entries = {n: outer.read(n) for n in outer.namelist()}
    if inner:
        content = zipfile.ZipFile(io.BytesIO(entries["evidence-bundle.zip"]))
        inner_entries = {n: content.read(n) for n in content.namelist()}
        inner_entries[name] = data
        entries["evidence-bundle.zip"] = _zip(inner_entries)
    else:
        entries[name] = data
    return _zip(entries)


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for n, d in entries.items():
            z.writestr(n, d)
    return buffer.getvalue()


def _flip(data: bytes, at: int) -> bytes:
    changed = bytearray(data)
    changed[at] ^= 0x01
    return bytes(changed)


def test_incident_bundle_verifies_with_the_system_python_and_one_changed_byte_fails(
    client, world, tmp_path
):
    """OBL AU-03: a sealed bundle for an incident holds the exports, the letters, the
    selected events and the chain segment up to the anchored head; the bundled script,
    run by /usr/bin/python3 -I with only cryptography, verifies it; one changed byte in a
    PDF, the manifest, an event or the segment makes it fail; the bundle's own audit event
    comes after the head it was built from."""
    export, bundle = _bundle(client, world["officer"], incident=world["incident"].pk)
    fingerprint = seal().fingerprint
    outer = zipfile.ZipFile(io.BytesIO(bundle))
    names = set(outer.namelist())
    assert {
        "evidence-bundle.zip",
        "manifest.json.sig",
        "seal-certificate.pem",
        "anchor.json",
        "verify_bundle.py",
        "README.txt",
    } <= names
    content = zipfile.ZipFile(io.BytesIO(outer.read("evidence-bundle.zip")))
    manifest = json.loads(content.read("manifest.json"))
    assert manifest["chain"]["head_seq"] == export.chain_seq
    assert manifest["chain"]["head_hash"] == export.chain_hash
    pdfs = [n for n in content.namelist() if n.startswith("documents/")]
    assert pdfs and all(f"sealed/{n.removeprefix('documents/')}" in names for n in pdfs)
    assert {"exports/audit-history.csv", "exports/audit-history.json"} <= set(content.namelist())
    exported = AuditEvent.objects.get(action="audit.history_exported", object_id=str(export.pk))
    assert exported.seq is None or exported.seq > export.chain_seq
    assert exported.after["chain_seq"] == export.chain_seq

    passed = run_verifier(bundle, tmp_path, fingerprint)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "VERIFIED" in passed.stdout and "FAIL" not in passed.stdout

    wrong_seal = run_verifier(bundle, tmp_path, "0" * 64)
    assert wrong_seal.returncode == 1 and "fingerprint" in wrong_seal.stdout

    segment = content.read("chain-segment.txt")
    events = content.read("events.jsonl")
    tampered = {
        "pdf": _replace(bundle, pdfs[0], _flip(content.read(pdfs[0]), 200), inner=True),
        "manifest": _replace(
            bundle, "manifest.json", _flip(content.read("manifest.json"), 40), inner=True
        ),
        "event": _replace(
            bundle, "events.jsonl", _flip(events, events.index(b'"action"') + 12), inner=True
        ),
        "segment": _replace(
            bundle, "chain-segment.txt", _flip(segment, len(segment) - 5), inner=True
        ),
        "raw byte": _flip(bundle, len(bundle) // 2),
    }
    for what, changed in tampered.items():
        failed = run_verifier(changed, tmp_path, fingerprint)
        assert failed.returncode != 0, (what, failed.stdout)
        assert "NOT VERIFIED" in failed.stdout or "Error" in failed.stderr, (what, failed.stdout)


def test_a_resigned_manifest_does_not_hide_a_changed_event(client, world, tmp_path):
    """OBL AU-03: even someone holding the seal key who changes an event and signs a new
    manifest is caught: the event no longer recomputes to its content hash."""
    _, bundle = _bundle(client, world["officer"], incident=world["incident"].pk)
    content = zipfile.ZipFile(
        io.BytesIO(zipfile.ZipFile(io.BytesIO(bundle)).read("evidence-bundle.zip"))
    )
    entries = {n: content.read(n) for n in content.namelist()}
    rows = [json.loads(line) for line in entries["events.jsonl"].decode().splitlines()]
    rows[0]["action"] = rows[0]["action"] + "x"
    entries["events.jsonl"] = "".join(json.dumps(r, sort_keys=True) + "\n" for r in rows).encode()
    manifest = json.loads(entries["manifest.json"])
    manifest["files"]["events.jsonl"] = {
        "sha256": verify_bundle.sha256_hex(entries["events.jsonl"]),
        "size": len(entries["events.jsonl"]),
    }
    entries["manifest.json"] = json.dumps(manifest).encode()
    changed = _replace(bundle, "evidence-bundle.zip", _zip(entries), inner=False)
    changed = _replace(
        changed,
        "manifest.json.sig",
        seal().sign_b64(entries["manifest.json"]).encode(),
        inner=False,
    )
    out = io.StringIO()
    assert not verify_bundle.verify_bytes(changed, seal().fingerprint, out=out)
    assert "manifest.json carries the seal's signature" in out.getvalue()
    assert "content hashes do not recompute" in out.getvalue()


def test_customer_auditor_bundle_holds_only_that_customer(client, world, tmp_path):
    """OBL AU-03: an auditor engaged by one customer gets a bundle of that customer's records
    only: its events, and incident-wide events without their payload; it still verifies."""
    export, bundle = _bundle(client, world["acme_auditor"], incident=world["incident"].pk)
    assert export.customer_id == world["acme"].pk
    content = zipfile.ZipFile(
        io.BytesIO(zipfile.ZipFile(io.BytesIO(bundle)).read("evidence-bundle.zip"))
    )
    rows = [json.loads(line) for line in content.read("events.jsonl").decode().splitlines()]
    assert rows
    assert all(r["customer_id"] in (world["acme"].pk, None) for r in rows)
    assert all(r.get("withheld") and r["after"] is None for r in rows if r["customer_id"] is None)
    assert b"piet@other.example" not in content.read("exports/audit-history.csv")
    assert world["other"].name.encode() not in content.read("events.jsonl")
    out = io.StringIO()
    assert verify_bundle.verify_bytes(bundle, seal().fingerprint, out=out), out.getvalue()


def test_a_bundle_needs_a_selection(client, world):
    """OBL AU-03: a bundle is for an incident, a change notice, a customer or a period;
    a selection of everything is refused with the reason."""
    sign_in(client, world["officer"])
    response = client.post(reverse("audit_export_request"), {"format": "zip"}, follow=True)
    assert not HistoryExport.objects.exists()
    assert "choose one of them first" in response.content.decode()


def test_management_command_runs_the_same_verifier(client, world, tmp_path):
    """OBL AU-03: manage.py verify_evidence_bundle runs the bundled script's checks."""
    from django.core.management import CommandError, call_command

    _, bundle = _bundle(client, world["officer"], incident=world["incident"].pk)
    path = tmp_path / "bundle.zip"
    path.write_bytes(bundle)
    out = io.StringIO()
    call_command(
        "verify_evidence_bundle", str(path), "--fingerprint", seal().fingerprint, stdout=out
    )
    assert "VERIFIED: every check passed." in out.getvalue()
    path.write_bytes(_flip(bundle, len(bundle) // 3))
    with pytest.raises(CommandError):
        call_command("verify_evidence_bundle", str(path), stdout=io.StringIO())


CHILD = """
import datetime, json, os, sys
import django
django.setup()
import time_machine
args = json.loads(sys.argv[1])
with time_machine.travel(datetime.datetime.fromisoformat(args["now"]), tick=False):
    from compliance.models import User
    from web.audit.bundle_content import bundle_content
    from web.audit.history import HistoryFilterForm
    user = User.objects.get(pk=args["user"])
    form = HistoryFilterForm.for_params(args["params"], user=user)
    assert form.is_valid(), form.errors
    words = [["Incident number", args["params"]["incident"][0]]]
    content = bundle_content(form=form, head_seq=args["seq"], head_hash=args["hash"],
                             language="en", words=words)
    with open(args["out"], "wb") as f:
        f.write(content.data)
"""


@pytest.mark.django_db(transaction=True)
def test_two_builds_in_separate_processes_a_day_apart_are_byte_identical(
    make_user,
    shared_database,  # noqa: F811
    tmp_path,
    settings,
):
    """OBL AU-03: the content ZIP of the same selection and chain position, built by two
    separate processes with their clocks a day apart, is the same bytes."""
    from audits.models import ChainHead
    from audits.services import audit_seal

    with time_machine.travel(NOW, tick=False):
        data = _world(make_user)
        _letter(data)
    audit_seal()
    head = ChainHead.objects.get()
    seal()  # made once, shared by both children through the settings' files
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": shared_database,
        "EVIDENCE_SEAL_KEY_FILE": settings.EVIDENCE_SEAL_KEY_FILE,
        "EVIDENCE_SEAL_CERT_FILE": settings.EVIDENCE_SEAL_CERT_FILE,
    }
    outputs = []
    for day in (0, 1):
        out = tmp_path / f"content-{day}.zip"
        args = {
            "now": (NOW + datetime.timedelta(days=10 + day, hours=day * 3)).isoformat(),
            "user": data["officer"].pk,
            "params": {"incident": [str(data["incident"].pk)]},
            "seq": head.seq,
            "hash": head.chain_hash,
            "out": str(out),
        }
        subprocess.run(
            [sys.executable, "-c", CHILD, json.dumps(args)],
            cwd=django_settings.BASE_DIR,
            env=env,
            check=True,
            timeout=180,
        )
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    content = zipfile.ZipFile(io.BytesIO(outputs[0]))
    assert content.namelist() == sorted(content.namelist())
    assert {i.date_time for i in content.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert any(n.startswith("documents/") for n in content.namelist())


def _as_bundled(row: dict) -> dict:
    """A row of ROW_FIELDS as the bundle writes it (JSON, time as canonical text)."""
    from audits.hashing import ROW_FIELDS
    from web.audit.bundle_content import _row

    return json.loads(json.dumps(_row(tuple(row[f] for f in ROW_FIELDS), withheld=False)))


def test_the_script_computes_what_audits_hashing_computes_in_every_format(world):
    """OBL AU-03: the verifier script's own hash computation (standard library only) agrees
    with audits.hashing over real events of every hash format, erased ones included."""
    from audits import hashing
    from audits.services import audit_seal, event_record

    # An empty top-level key is a field of its side, not the whole side.
    event_record(
        actor=world["officer"], action="customer.updated", after={"": "Jan Jansen", "count": 3}
    )
    audit_seal()
    rows = list(AuditEvent.objects.filter(seq__isnull=False).values(*hashing.ROW_FIELDS))
    # A row written in format 1 (before issue 14), and its erased form.
    base = dict(rows[-1])
    old = {
        **base,
        "hash_format": 1,
        "salt": "",
        "personal": [],
        "before": {"state": "draft"},
        "after": {"state": "sent", "recipient": "jan@acme.example"},
    }
    old["payload_hash"] = hashing.payload_hash(before=old["before"], after=old["after"])
    rows += [
        old,
        {**old, "erased_at": NOW, "before": hashing.TOMBSTONE, "after": hashing.TOMBSTONE},
    ]
    erase = getattr(hashing, "erased_values", None)
    if erase is not None:
        personal = [r for r in rows if r["hash_format"] == 2 and r["personal"]]
        rows += [{**r, **erase(r), "erased_at": NOW} for r in personal[:5]]
    formats = {r["hash_format"] for r in rows}
    assert formats >= {1, getattr(hashing, "CURRENT_FORMAT", 1)}
    for row in rows:
        bundled = _as_bundled(row)
        expected_payload = hashing.row_payload_ok(row)
        assert (verify_bundle.payload_hash_of(bundled) == row["payload_hash"]) == expected_payload
        assert verify_bundle.content_hash_of(bundled) == hashing.row_content_hash(row)
    # A changed value is caught by both alike.
    changed = {**rows[0], "action": rows[0]["action"] + "x"}
    assert verify_bundle.content_hash_of(_as_bundled(changed)) != rows[0]["content_hash"]
