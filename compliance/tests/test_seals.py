"""PAdES seals of evidence PDFs (AU-03)."""

import datetime
import io

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader
from weasyprint import HTML, Attachment

from audits.seal import seal
from compliance.seals import outside_event_loop, pdf_seal


@pytest.fixture(autouse=True)
def _seal_files(settings, tmp_path):
    settings.EVIDENCE_SEAL_KEY_FILE = str(tmp_path / "seal" / "key.pem")
    settings.EVIDENCE_SEAL_CERT_FILE = str(tmp_path / "seal" / "certificate.pem")
    settings.EVIDENCE_TSA_URL = ""


def _asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def dummy_timestamper() -> tuple[DummyTimeStamper, asn1_x509.Certificate]:
    """pyHanko's test timestamper (RSA only) with a throwaway self-signed TSA certificate."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    tsa_cert = _asn1(certificate)
    tsa_key = asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return DummyTimeStamper(tsa_cert=tsa_cert, tsa_key=tsa_key), tsa_cert


def _pdf_a3_with_attachment() -> bytes:
    return HTML(string="<h1>Evidence</h1><p>Letter</p>").write_pdf(
        pdf_variant="pdf/a-3b",
        attachments=[Attachment(string="a,b\n1,2\n", name="data.csv", relationship="Data")],
    )


def _validate(sealed: bytes, *, tsa_cert=None):
    reader = PdfFileReader(io.BytesIO(sealed))
    assert len(reader.embedded_signatures) == 1
    signature = reader.embedded_signatures[0]
    trust = ValidationContext(trust_roots=[_asn1(seal().certificate)])
    ts_trust = ValidationContext(trust_roots=[tsa_cert]) if tsa_cert is not None else None
    return signature, outside_event_loop(
        lambda: validate_pdf_signature(
            signature, signer_validation_context=trust, ts_validation_context=ts_trust
        )
    )


def test_pdf_seal_is_pades_with_timestamp_and_keeps_attachments():
    """OBL AU-03: a sealed PDF carries a PAdES baseline signature (SHA-256) by the processor's
    seal, valid against the seal certificate as trust root, with the timestamper's token;
    the original bytes and the PDF/A-3 attachments stay intact (incremental update)."""
    original = _pdf_a3_with_attachment()
    timestamper, tsa_cert = dummy_timestamper()
    sealed = pdf_seal(original, timestamper=timestamper)

    assert sealed.startswith(original)
    signature, status = _validate(sealed, tsa_cert=tsa_cert)
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    assert status.md_algorithm == "sha256"
    assert status.timestamp_validity is not None
    assert status.timestamp_validity.intact and status.timestamp_validity.valid
    assert PdfReader(io.BytesIO(sealed)).attachments["data.csv"] == [b"a,b\n1,2\n"]


def test_pdf_seal_without_tsa_has_no_timestamp_and_a_changed_byte_breaks_it():
    """OBL AU-03: with no timestamping service configured the seal has no timestamp; a
    sealed PDF with one changed byte in the original part no longer validates."""
    original = _pdf_a3_with_attachment()
    sealed = pdf_seal(original)
    _, status = _validate(sealed)
    assert status.intact and status.valid and status.trusted
    assert status.timestamp_validity is None

    position = original.index(b"Evidence") if b"Evidence" in original else len(original) // 2
    tampered = bytearray(sealed)
    tampered[position] ^= 0x01
    _, broken = _validate(bytes(tampered))
    assert not broken.intact
