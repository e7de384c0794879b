"""Sealed evidence bundles of the audit history (AU-03): one download for an incident, a
change notice, a customer or a period. Asked for, listed, built and downloaded as the other
background exports (`HistoryExport` with format "zip", web/audit/exports.py).

The build first anchors the chain head (sealing what is committed; the anchor is signed
with the processor's seal and sent out like the daily one) and records that position on the
export; the deterministic content (web/audit/bundle_content.py) is built over the events up
to it, so the bundle's own audit event comes after it. Beside the content, in the download:
the manifest's detached signature, the seal certificate, the anchor statement, PAdES-sealed
copies of the PDFs and a copy of the verifier script.
"""

from __future__ import annotations

import io
import json
import zipfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from audits.anchors import anchor_document
from audits.models import AnchorReason, ChainAnchor
from audits.seal import seal
from compliance.anchoring import anchor_make_and_send
from compliance.models import HistoryExport
from compliance.seals import pdf_seal
from web.audit.bundle_content import FIXED_TIME, bundle_content
from web.audit.history import HistoryFilterForm

CONTENT_NAME = "evidence-bundle.zip"
ZIP_TYPE = "application/zip"


def bundle_selection_check(form: HistoryFilterForm) -> None:
    """A bundle is for an incident, a change notice, a customer or a period."""
    data = form.cleaned_data
    if form.scope is not None:
        return  # the reader's one customer
    if any(data.get(k) for k in ("incident", "customer", "period_from", "period_to")):
        return
    if data.get("object_type") and data.get("object_id"):
        return
    raise ValidationError(
        {
            "format": _(
                "An evidence bundle is made for an incident, a change notice, a customer or a "
                "period: choose one of them first."
            )
        }
    )


def _anchor_for(export: HistoryExport) -> ChainAnchor:
    """The anchor of the bundle's head: made (and sent) at the first build, found again
    when the build is tried again, so every attempt builds over the same position."""
    if export.chain_seq is not None:
        anchor = (
            ChainAnchor.objects.filter(seq=export.chain_seq, chain_hash=export.chain_hash)
            .order_by("-id")
            .first()
        )
        if anchor is not None:
            return anchor
    # Hook (AU-03): helper B's anchoring (audits.anchors + compliance.anchoring).
    anchor = anchor_make_and_send(reason=AnchorReason.BUNDLE, actor=export.requested_by)
    HistoryExport.objects.filter(pk=export.pk).update(
        chain_seq=anchor.seq, chain_hash=anchor.chain_hash
    )
    export.chain_seq, export.chain_hash = anchor.seq, anchor.chain_hash
    return anchor


def readme(fingerprint: str) -> bytes:
    text = _(
        "Sealed evidence bundle of the audit history.\n\n"
        "evidence-bundle.zip holds the evidence; manifest.json in it lists every file with its "
        "SHA-256. manifest.json.sig is its signature by the processor's seal "
        "(seal-certificate.pem), anchor.json the signed chain anchor of the head the bundle "
        "was built from, sealed/ the PDFs with their PAdES seal.\n\n"
        "To verify (Python 3 with the cryptography package):\n\n"
        "    python3 verify_bundle.py THIS-FILE.zip --fingerprint %(fingerprint)s\n\n"
        "Compare the fingerprint with the one the processor published or mailed to you."
    ) % {"fingerprint": fingerprint}
    return text.encode("utf-8")


def bundle_build(
    export: HistoryExport,
    form: HistoryFilterForm,
    *,
    language: str,
    words: list[tuple[str, str]],
    progress=lambda rows: None,
) -> tuple[bytes, int]:
    """The downloadable bundle (outer ZIP) and the number of events in it."""
    anchor = _anchor_for(export)
    content = bundle_content(
        form=form,
        head_seq=anchor.seq,
        head_hash=anchor.chain_hash,
        language=language,
        words=words,
        progress=progress,
    )
    processor_seal = seal()
    manifest_bytes = zipfile.ZipFile(io.BytesIO(content.data)).read("manifest.json")
    entries = [
        (CONTENT_NAME, content.data),
        ("manifest.json.sig", processor_seal.sign_b64(manifest_bytes).encode("ascii")),
        ("seal-certificate.pem", processor_seal.certificate_pem),
        (
            "anchor.json",
            (json.dumps(anchor_document(anchor), indent=1, sort_keys=True) + "\n").encode(),
        ),
        ("README.txt", readme(processor_seal.fingerprint)),
        ("verify_bundle.py", zipfile.ZipFile(io.BytesIO(content.data)).read("verify_bundle.py")),
    ]
    for name, original in content.documents:
        entries.append(("sealed/" + name.removeprefix("documents/"), pdf_seal(original)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as outer:
        for name, data in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = (
                zipfile.ZIP_STORED if name == CONTENT_NAME else zipfile.ZIP_DEFLATED
            )
            info.external_attr = 0o100644 << 16
            outer.writestr(info, data)
    return buffer.getvalue(), content.manifest["chain"]["events"]
