#!/usr/bin/env python3
"""Verify a sealed evidence bundle of the processor's audit trail (AU-03).

Needs only Python 3.10+ and the `cryptography` package. Usage:

    python3 verify_bundle.py BUNDLE.zip --fingerprint SHA256_OF_THE_SEAL_CERTIFICATE

BUNDLE.zip is the file downloaded from the Audit section: the sealed outer ZIP holding
evidence-bundle.zip (the content), manifest.json.sig, seal-certificate.pem, anchor.json and
the sealed copies of the PDFs. The fingerprint is the SHA-256 of the seal certificate (DER),
as the processor publishes it and mails it with every chain anchor.

Checked, in this order: the certificate's fingerprint; the signature of manifest.json; the
SHA-256 and size of every file in the content, and that no file was added or left out; that
each document has the SHA-256 it was issued with; each event's payload and content hash
recomputed in its own hash format; that the events sit in the chain segment and that the
segment links up to the chain head the manifest states; that the anchor statement is signed
by the same seal and names the same head; that each sealed PDF holds its original unchanged
(its PAdES seal is checked by any PDF reader). A document whose content was erased at the
end of its retention is listed in the manifest with its SHA-256 only and reported as a
NOTE, not as a failure.
Exit status 0 only when everything passed.

The same file is used by `manage.py verify_evidence_bundle` on the processor's side.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import sys
import zipfile

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

CONTENT = "evidence-bundle.zip"
SIGNATURE = "manifest.json.sig"
CERTIFICATE = "seal-certificate.pem"
ANCHOR = "anchor.json"
MANIFEST = "manifest.json"
EVENTS = "events.jsonl"
SEGMENT = "chain-segment.txt"
SEALED_PREFIX = "sealed/"
BUNDLE_TYPE = "evidence-bundle"
BUNDLE_VERSION = 1
GENESIS_HASH = "0" * 64
TOMBSTONE = {"erased": True}
ERASED_LABEL_PREFIX = "erased:"
SIDES = ("before", "after")


# --------------------------------------------------------------------------- hashes
# Keep in step with audits/hashing.py (a test compares both over real events).


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical_json(value) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def _personal_digests(row: dict):
    personal = row["personal"] or []
    erased = row["erased_at"] is not None
    digests = {}
    for path in personal:
        if path == "actor_label":
            value = row["actor_label"]
            if erased:
                if not value.startswith(ERASED_LABEL_PREFIX):
                    return None
                digests[path] = value[len(ERASED_LABEL_PREFIX) :]
                continue
        else:
            side, dot, key = path.partition(".")
            if side not in SIDES:
                return None
            container = row[side]
            if dot:
                if not isinstance(container, dict) or key not in container:
                    return None
                value = container[key]
            else:
                value = container
            if erased:
                if not (
                    isinstance(value, dict)
                    and len(value) == 1
                    and isinstance(value.get("erased"), str)
                ):
                    return None
                digests[path] = value["erased"]
                continue
        digests[path] = sha256_hex(canonical_json([row["salt"], path, value]))
    return digests


def payload_hash_of(row: dict):
    """The payload hash of a row in its own format (None: no valid payload can be read)."""
    if row["hash_format"] == 1:
        if row["erased_at"] is not None:
            if row["before"] == TOMBSTONE and row["after"] == TOMBSTONE:
                return row["payload_hash"]
            return None
        return sha256_hex(canonical_json({"before": row["before"], "after": row["after"]}))
    if row["hash_format"] != 2:
        return None
    if (row["erased_at"] is not None) == bool(row["salt"]):
        return None
    digests = _personal_digests(row)
    if digests is None:
        return None

    def commit(path, value):
        return {"sha256": digests[path]} if path in digests else value

    committed = {}
    for side in SIDES:
        value = row[side]
        if isinstance(value, dict):
            value = {k: commit(f"{side}.{k}", v) for k, v in value.items()}
        committed[side] = commit(side, value)
    document = {
        "v": 2,
        "personal": sorted(row["personal"] or []),
        "before": committed["before"],
        "after": committed["after"],
        "actor_label": commit("actor_label", row["actor_label"]),
    }
    return sha256_hex(canonical_json(document))


def content_hash_of(row: dict) -> str:
    """The content hash of a row in its own format; `occurred_at` as the canonical UTC text."""
    header = {
        "v": row["hash_format"],
        "time": row["occurred_at"],
        "actor_id": row["actor_id"],
        "role": row["role"],
        "action": row["action"],
        "object_type": row["object_type"],
        "object_id": row["object_id"],
        "customer_id": row["customer_id"],
        "request_id": row["request_id"],
        "payload_hash": row["payload_hash"],
    }
    if row["hash_format"] == 1:
        header["actor_label"] = row["actor_label"]
    return sha256_hex(canonical_json(header))


def chain_next(prev_chain_hash: str, content_hash: str) -> str:
    return sha256_hex((prev_chain_hash + content_hash).encode("ascii"))


# --------------------------------------------------------------------------- signatures


def certificate_fingerprint(certificate) -> str:
    return sha256_hex(certificate.public_bytes(serialization.Encoding.DER))


def signature_valid(certificate, data: bytes, signature: bytes) -> bool:
    key = certificate.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        else:
            return False
    except InvalidSignature:
        return False
    return True


# --------------------------------------------------------------------------- the checks


class Report:
    def __init__(self, out):
        self.out = out
        self.failures = 0

    def ok(self, text: str) -> None:
        print(f"OK    {text}", file=self.out)

    def fail(self, text: str) -> None:
        self.failures += 1
        print(f"FAIL  {text}", file=self.out)

    def note(self, text: str) -> None:
        """Neither a pass nor a failure: what the reader should know (an erased document)."""
        print(f"NOTE  {text}", file=self.out)

    def check(self, passed: bool, good: str, bad: str) -> bool:
        (self.ok if passed else self.fail)(good if passed else bad)
        return passed


def _segment(text: str):
    """(first seq, the chain hash before it, [content hashes from first seq on])."""
    lines = text.split("\n")
    first, prev = lines[0].split(" ")
    hashes_ = [line for line in lines[1:] if line]
    return int(first), prev, hashes_


def _check_events(report: Report, content: zipfile.ZipFile, manifest: dict) -> None:
    chain = manifest["chain"]
    head_seq, head_hash = int(chain["head_seq"]), chain["head_hash"]
    rows = [json.loads(line) for line in content.read(EVENTS).decode("utf-8").splitlines()]
    first, prev, segment = _segment(content.read(SEGMENT).decode("ascii"))
    if not rows and not segment:
        report.ok("the selection holds no events up to the chain head")
        return
    linked = {}
    running = prev
    for offset, content_hash in enumerate(segment):
        running = chain_next(running, content_hash)
        linked[first + offset] = (content_hash, running)
    report.check(
        first + len(segment) - 1 == head_seq and running == head_hash,
        f"the chain segment links positions {first} to {head_seq} into the head hash {head_hash}",
        f"the chain segment does not end in the stated head {head_seq} {head_hash}",
    )
    bad_payload, bad_content, bad_link, withheld = [], [], [], 0
    for row in rows:
        if row.get("withheld"):
            withheld += 1
        elif payload_hash_of(row) != row["payload_hash"]:
            bad_payload.append(row["seq"])
        if content_hash_of(row) != row["content_hash"]:
            bad_content.append(row["seq"])
        if linked.get(row["seq"]) != (row["content_hash"], row["chain_hash"]):
            bad_link.append(row["seq"])
    formats = sorted({row["hash_format"] for row in rows})
    checked = len(rows) - withheld
    report.check(
        not bad_payload,
        f"{checked} event payloads match their payload hashes"
        + (
            f" ({withheld} shown without payload: only their content hash is checked)"
            if withheld
            else ""
        ),
        f"payloads do not match their hashes at positions {bad_payload[:20]}",
    )
    report.check(
        not bad_content,
        f"{len(rows)} events recompute to their content hashes (hash formats {formats})",
        f"content hashes do not recompute at positions {bad_content[:20]}",
    )
    report.check(
        not bad_link,
        f"{len(rows)} events sit at their positions in the chain segment",
        f"events do not match the chain segment at positions {bad_link[:20]}",
    )


def verify_bytes(bundle: bytes, fingerprint: str, out=sys.stdout) -> bool:
    return verify(io.BytesIO(bundle), fingerprint, out=out)


def verify(path, fingerprint: str, out=sys.stdout) -> bool:
    """Run every check on the bundle at `path` (or an open file); print each outcome; True
    if all passed."""
    report = Report(out)
    expected = fingerprint.replace(":", "").strip().lower()
    try:
        _checks(report, path, expected)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError) as exc:
        report.fail(f"the bundle cannot be read: {exc.__class__.__name__}: {exc}")
    if report.failures:
        print(f"NOT VERIFIED: {report.failures} check(s) failed.", file=out)
        return False
    print("VERIFIED: every check passed.", file=out)
    return True


def _checks(report: Report, path, expected: str) -> None:
    outer = zipfile.ZipFile(path)
    names = set(outer.namelist())
    missing = {CONTENT, SIGNATURE, CERTIFICATE, ANCHOR} - names
    if missing:
        report.fail(f"the bundle lacks {', '.join(sorted(missing))}")
        return
    certificate = x509.load_pem_x509_certificate(outer.read(CERTIFICATE))
    actual = certificate_fingerprint(certificate)
    if not report.check(
        actual == expected,
        f"the seal certificate has the expected fingerprint {actual}",
        f"the seal certificate's fingerprint is {actual}, not the expected {expected}",
    ):
        return
    content_bytes = outer.read(CONTENT)
    content = zipfile.ZipFile(io.BytesIO(content_bytes))
    manifest_bytes = content.read(MANIFEST)
    signature = base64.b64decode(outer.read(SIGNATURE), validate=True)
    if not report.check(
        signature_valid(certificate, manifest_bytes, signature),
        "manifest.json carries the seal's signature",
        "the signature of manifest.json does not verify with the seal certificate",
    ):
        return
    manifest = json.loads(manifest_bytes)
    report.check(
        manifest.get("type") == BUNDLE_TYPE
        and manifest.get("format_version") == BUNDLE_VERSION
        and manifest.get("seal", {}).get("certificate_sha256") == actual,
        f"the manifest is an evidence bundle of format {BUNDLE_VERSION} naming this seal",
        "the manifest is not of a known format or names another seal",
    )
    files = manifest["files"]
    listed = set(files) | {MANIFEST}
    present = set(content.namelist())
    report.check(
        listed == present,
        f"the content holds exactly the {len(files)} files the manifest lists",
        f"files added {sorted(present - listed)} or missing {sorted(listed - present)}",
    )
    bad = []
    for name, entry in sorted(files.items()):
        if name not in present:
            continue
        data = content.read(name)
        if len(data) != entry["size"] or sha256_hex(data) != entry["sha256"]:
            bad.append(name)
    report.check(
        not bad,
        f"every file's SHA-256 and size match the manifest ({len(files)} files)",
        f"SHA-256 or size differ for {bad}",
    )
    _check_documents(report, files, manifest)
    _check_events(report, content, manifest)
    _check_anchor(report, outer, certificate, manifest, actual)
    _check_sealed(report, outer, content, names)


def _check_documents(report: Report, files: dict, manifest: dict) -> None:
    """Each listed document's file has the SHA-256 it was issued with; one whose content
    was erased at the end of its retention is reported as such, not as a failure."""
    documents = manifest.get("documents", [])
    erased = [d for d in documents if d.get("erased")]
    kept = [d for d in documents if not d.get("erased")]
    bad = [
        d.get("file") or d.get("title")
        for d in kept
        if not d.get("file") or files.get(d["file"], {}).get("sha256") != d.get("sha256")
    ]
    bad += [d.get("title") for d in erased if d.get("file") is not None]
    report.check(
        not bad,
        f"{len(kept)} documents with content, each with the SHA-256 it was issued with",
        f"documents do not match the SHA-256 they were issued with: {bad[:20]}",
    )
    if erased:
        report.note(
            f"{len(erased)} document(s) listed without content: erased at the end of their "
            "retention period; the manifest keeps their SHA-256 and size to identify what "
            "was issued"
        )
        for document in erased:
            report.note(
                f"  {document.get('title')} (SHA-256 {document.get('sha256')}): "
                + (document.get("note") or f"erased at {document.get('erased_at')}")
            )


def _check_anchor(report, outer, certificate, manifest, fingerprint) -> None:
    anchor = json.loads(outer.read(ANCHOR))
    statement_text = anchor["statement"]
    signed = signature_valid(
        certificate, statement_text.encode("utf-8"), base64.b64decode(anchor["signature"])
    )
    statement = json.loads(statement_text)
    head = manifest["chain"]
    report.check(
        signed and statement.get("certificate_sha256") == fingerprint,
        "the chain anchor statement carries the same seal's signature",
        "the chain anchor statement is not signed by this seal",
    )
    report.check(
        statement.get("seq") == head["head_seq"]
        and statement.get("chain_hash") == head["head_hash"],
        f"the chain anchor names the same head: position {statement.get('seq')}, "
        f"anchored at {statement.get('anchored_at')}",
        "the chain anchor names another head than the manifest",
    )


def _check_sealed(report, outer, content, names) -> None:
    sealed = sorted(n for n in names if n.startswith(SEALED_PREFIX))
    bad = []
    for name in sealed:
        original = "documents/" + name[len(SEALED_PREFIX) :]
        try:
            kept = outer.read(name).startswith(content.read(original))
        except KeyError:
            kept = False
        if not kept:
            bad.append(name)
    report.check(
        not bad,
        f"{len(sealed)} sealed PDFs each hold their original unchanged "
        "(open one in a PDF reader to see its PAdES seal)",
        f"sealed PDFs do not hold their original: {bad}",
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Verify a sealed evidence bundle.")
    parser.add_argument("bundle", help="the downloaded bundle (ZIP)")
    parser.add_argument(
        "--fingerprint", required=True, help="SHA-256 fingerprint of the seal certificate"
    )
    args = parser.parse_args(argv)
    return 0 if verify(args.bundle, args.fingerprint) else 1


if __name__ == "__main__":
    sys.exit(main())
