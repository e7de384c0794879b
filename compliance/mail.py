"""Building and sending one e-mail over SMTP: the wire side of the outbox."""

from __future__ import annotations

import email.policy
import smtplib
import ssl
from collections.abc import Sequence
from datetime import UTC
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr

from django.conf import settings
from django.core.mail.utils import DNS_NAME

from compliance.models import OutboxMessage, StoredDocument

_SMTP_POLICY = email.policy.compat32.clone(linesep="\r\n")


def attachment_part(doc: StoredDocument) -> MIMEBase:
    maintype, _, subtype = (doc.content_type or "application/octet-stream").partition("/")
    part = MIMEApplication(bytes(doc.content), _subtype=subtype or "octet-stream")
    if maintype != "application":
        part.replace_header("Content-Type", doc.content_type)
    part.add_header("Content-Disposition", "attachment", filename=doc.filename)
    return part


class AttachmentCache:
    """MIME parts of stored documents, built once per batch and shared by its messages."""

    def __init__(self):
        self.parts: dict[int, MIMEBase] = {}

    def load(self, message_ids: Sequence[int]) -> dict[int, list[MIMEBase]]:
        through = OutboxMessage.attachments.through
        pairs = list(
            through.objects.filter(outboxmessage_id__in=message_ids)
            .order_by("id")
            .values_list("outboxmessage_id", "storeddocument_id")
        )
        missing = {doc_id for _, doc_id in pairs} - self.parts.keys()
        for doc in StoredDocument.objects.filter(id__in=missing):
            self.parts[doc.pk] = attachment_part(doc)
        by_message: dict[int, list[MIMEBase]] = {}
        for message_id, doc_id in pairs:
            by_message.setdefault(message_id, []).append(self.parts[doc_id])
        return by_message


def _header(value: str) -> str | Header:
    return value if value.isascii() else Header(value, "utf-8")


def message_build(message: OutboxMessage, attachments: Sequence[MIMEBase] = ()) -> bytes:
    """The exact bytes of a message; the same on every attempt (Date is the queuing time)."""
    body: MIMEBase = MIMEText(message.body_text, "plain", "utf-8")
    if message.body_html:
        alternative = MIMEMultipart("alternative")
        alternative.attach(body)
        alternative.attach(MIMEText(message.body_html, "html", "utf-8"))
        body = alternative
    if attachments:
        mixed = MIMEMultipart("mixed")
        mixed.attach(body)
        for part in attachments:
            mixed.attach(part)
        body = mixed
    sender_name = getattr(settings, "OUTBOX_FROM_NAME", "")
    body["From"] = formataddr((sender_name, settings.DEFAULT_FROM_EMAIL), charset="utf-8")
    body["To"] = formataddr((message.to_name, message.to_email), charset="utf-8")
    body["Subject"] = _header(message.subject)
    body["Date"] = format_datetime(message.created_at.astimezone(UTC))
    body["Message-ID"] = message.message_id
    body["Content-Language"] = message.language
    body["Auto-Submitted"] = "auto-generated"
    for name, value in sorted((message.headers or {}).items()):
        body[name] = value
    # smtplib sends bytes as they are, and SMTP lines end in CRLF.
    return body.as_bytes(policy=_SMTP_POLICY)


def envelope_id(message: OutboxMessage) -> str:
    """The token that names a message in its return path and its DSN envelope id: the
    random part of its Message-ID (letters and digits only, so it is valid in both)."""
    return message.message_id.strip("<>").partition("@")[0]


def return_path(message: OutboxMessage) -> str:
    """VERP: the envelope sender `bounces+<envelope id>@domain`, so a bounce names the
    message it is about even when the report quotes neither its Message-ID nor its
    envelope id."""
    local, at, domain = settings.BOUNCE_ADDRESS.rpartition("@")
    if not at or not getattr(settings, "OUTBOX_VERP", True):
        return settings.BOUNCE_ADDRESS
    return f"{local}+{envelope_id(message)}@{domain}"


def smtp_open() -> smtplib.SMTP:
    timeout = getattr(settings, "EMAIL_TIMEOUT", None) or 30
    if getattr(settings, "EMAIL_USE_SSL", False):
        conn: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.EMAIL_HOST,
            settings.EMAIL_PORT,
            local_hostname=str(DNS_NAME),
            timeout=timeout,
            context=ssl.create_default_context(),
        )
    else:
        conn = smtplib.SMTP(
            settings.EMAIL_HOST,
            settings.EMAIL_PORT,
            local_hostname=str(DNS_NAME),
            timeout=timeout,
        )
    try:
        conn.ehlo()
        if getattr(settings, "EMAIL_USE_TLS", False):
            conn.starttls(context=ssl.create_default_context())
            conn.ehlo()
        if getattr(settings, "EMAIL_HOST_USER", ""):
            conn.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)
    except BaseException:
        conn.close()
        raise
    return conn


def smtp_reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()[:1000]


class ConnectionLost(Exception):
    pass


def smtp_transaction(
    conn: smtplib.SMTP, sender: str, recipient: str, data: bytes, options: Sequence[str] = ()
):
    """One SMTP transaction; returns (code, reply) of the step that decided it. `options`
    go with MAIL FROM (for example the DSN envelope id).

    `ConnectionLost` when the connection broke, so that the caller retries later.
    """
    try:
        code, text = conn.mail(sender, list(options))
        if code != 250:
            conn.rset()
            return code, smtp_reply(code, text)
        code, text = conn.rcpt(recipient)
        if code not in (250, 251):
            conn.rset()
            return code, smtp_reply(code, text)
        code, text = conn.data(data)
        return code, smtp_reply(code, text)
    except smtplib.SMTPDataError as exc:  # DATA itself refused
        try:
            conn.rset()
        except (smtplib.SMTPException, OSError):
            pass
        return exc.smtp_code, smtp_reply(exc.smtp_code, exc.smtp_error)
    except (smtplib.SMTPException, OSError) as exc:
        raise ConnectionLost(str(exc) or exc.__class__.__name__) from exc
