"""The processor's seal (AU-03): one key and certificate that sign chain anchors, the
manifests of evidence bundles and the PAdES seals of PDFs.

A signature here is detached and plain: ECDSA with SHA-256 (or RSA PKCS#1 v1.5 with
SHA-256 for an RSA key an operator brings), DER bytes, so that anyone holding the certificate
checks it with the `cryptography` package alone. Who holds the certificate knows it is ours
by its SHA-256 fingerprint (of the DER), which we publish and mail with every anchor.

With no key configured, a self-signed pair is made once (under a file lock, so parallel
processes agree on one pair); production brings its own (docs/operations.md).
"""

from __future__ import annotations

import base64
import datetime
import fcntl
import functools
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID
from django.conf import settings

SELF_SIGNED_NAME = "Processor compliance evidence seal"
SELF_SIGNED_YEARS = 10


@dataclass(frozen=True)
class Seal:
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    certificate: x509.Certificate
    key_path: Path
    certificate_path: Path

    @property
    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    @property
    def fingerprint(self) -> str:
        return certificate_fingerprint(self.certificate)

    def sign(self, data: bytes) -> bytes:
        if isinstance(self.key, rsa.RSAPrivateKey):
            return self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        return self.key.sign(data, ec.ECDSA(hashes.SHA256()))

    def sign_b64(self, data: bytes) -> str:
        return base64.b64encode(self.sign(data)).decode("ascii")


def certificate_fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 of the certificate's DER, lower-case hex: how a verifier names the seal."""
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


def signature_valid(certificate: x509.Certificate, data: bytes, signature: bytes) -> bool:
    """True when `signature` over `data` was made with the key of `certificate`."""
    public_key = certificate.public_key()
    try:
        if isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        else:
            return False
    except InvalidSignature:
        return False
    return True


def _self_signed_pair() -> tuple[bytes, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SELF_SIGNED_NAME)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365 * SELF_SIGNED_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return key_pem, certificate.public_bytes(serialization.Encoding.PEM)


def _write_private(path: Path, data: bytes, mode: int) -> None:
    tmp = path.with_name(path.name + f".tmp-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def _ensure_pair(key_path: Path, certificate_path: Path) -> None:
    if key_path.exists() and certificate_path.exists():
        return
    key_path.parent.mkdir(parents=True, exist_ok=True)
    with open(key_path.parent / ".seal.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if key_path.exists() and certificate_path.exists():
            return
        if key_path.exists() or certificate_path.exists():
            raise RuntimeError(
                f"only one of {key_path} and {certificate_path} exists: give both or neither"
            )
        key_pem, certificate_pem = _self_signed_pair()
        _write_private(key_path, key_pem, 0o600)
        _write_private(certificate_path, certificate_pem, 0o644)


@functools.cache
def _load(key_file: str, certificate_file: str) -> Seal:
    key_path, certificate_path = Path(key_file), Path(certificate_file)
    _ensure_pair(key_path, certificate_path)
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise RuntimeError("the seal key must be an EC or RSA key")
    certificate = x509.load_pem_x509_certificate(certificate_path.read_bytes())
    if certificate.public_key().public_numbers() != key.public_key().public_numbers():
        raise RuntimeError(f"the seal certificate {certificate_path} is not for the seal key")
    return Seal(key, certificate, key_path, certificate_path)


def seal() -> Seal:
    """The processor's seal as configured (EVIDENCE_SEAL_KEY_FILE, EVIDENCE_SEAL_CERT_FILE)."""
    return _load(settings.EVIDENCE_SEAL_KEY_FILE, settings.EVIDENCE_SEAL_CERT_FILE)
