"""PAdES seals of evidence PDFs with the processor's seal (AU-03).

A sealed copy is the original PDF plus one incremental update holding a PAdES baseline
signature (ETSI.CAdES.detached, SHA-256) made with the key of `audits.seal.seal()`; the
original bytes stay untouched in front of it, so PDF/A-3 attachments (the dossier's CSV and
JSON) are still there. Where a timestamping service is configured (EVIDENCE_TSA_URL) the
signature carries its timestamp; tests pass pyHanko's DummyTimeStamper.
"""

from __future__ import annotations

import asyncio
import io
from concurrent.futures import ThreadPoolExecutor

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from audits.seal import Seal
from audits.seal import seal as processor_seal

SEAL_FIELD = "ProcessorSeal"


def seal_signer(seal: Seal | None = None) -> signers.SimpleSigner:
    """pyHanko's signer for the processor's seal key and certificate."""
    seal = seal or processor_seal()
    certificate = asn1_x509.Certificate.load(
        seal.certificate.public_bytes(serialization.Encoding.DER)
    )
    key = asn1_keys.PrivateKeyInfo.load(
        seal.key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return signers.SimpleSigner(
        signing_cert=certificate,
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs([certificate]),
    )


def configured_timestamper() -> TimeStamper | None:
    url = getattr(settings, "EVIDENCE_TSA_URL", "")
    return HTTPTimeStamper(url) if url else None


def pdf_seal(
    data: bytes, *, timestamper: TimeStamper | None = None, seal: Seal | None = None
) -> bytes:
    """`data` (a PDF) with the processor's PAdES seal appended as an incremental update.

    `timestamper` defaults to the configured timestamping service (none when unset)."""
    if timestamper is None:
        timestamper = configured_timestamper()
    meta = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason="Evidence sealed by the processor",
    )
    signer = signers.PdfSigner(meta, signer=seal_signer(seal), timestamper=timestamper)

    def sign() -> bytes:
        output = io.BytesIO()
        signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(data), strict=False), output=output)
        return output.getvalue()

    return outside_event_loop(sign)


def outside_event_loop(work):
    """pyHanko's synchronous signing (and validation) runs its own event loop; where one
    already runs in this thread (an async server, a browser test driver), it runs in a
    thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()
