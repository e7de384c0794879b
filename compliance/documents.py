"""The PDF service: render a template to PDF with WeasyPrint and store it as evidence.

Rendering is sealed off from the network and the file system: the URL fetcher serves only
the project's own static files (and inline `data:` URLs), so a template, or a value that
ends up in one, can never make the server fetch `https://…` or read `file:///etc/passwd`.
Fonts come from Debian's fonts-dejavu-core through fontconfig (`local()` in letter.css).

Stored documents never change (see `StoredDocument`); the stored SHA-256 lets anyone check a
copy they hold against what was issued.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import posixpath
import re
import uuid
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.db import transaction
from django.template import Context, engines
from django.template.loader import render_to_string
from django.template.loader_tags import ExtendsNode, IncludeNode
from django.utils import timezone, translation
from django.utils._os import safe_join
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from audits.services import event_record, events_record
from compliance.models import Customer, Language, StoredDocument
from compliance.selectors import processor_profile
from compliance.text import bidi_strip

logger = logging.getLogger(__name__)

# `local()` fonts in letter.css are resolved by fontconfig to file:// URLs that WeasyPrint
# then reads through the fetcher; only font files below these directories are served.
FONT_DIRS = ("/usr/share/fonts",)
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".woff", ".woff2")

# Relative URLs in PDF templates (`{% static %}` gives `/static/…`) are resolved against this
# base. The `.invalid` top-level domain can never resolve (RFC 6761), and the fetcher maps
# this origin to the static files finders instead of the network.
PDF_BASE_URL = "https://pdf-static.invalid/"


class DocumentRenderError(Exception):
    """A document could not be rendered (for example a missing static file)."""


class StaticOnlyURLFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves only the project's static files.

    Allowed: `/static/…` (resolved through the staticfiles finders, then STATIC_ROOT),
    `data:` URLs, and font files of the system's font directories (Debian's DejaVu, which
    `local()` resolves to). Refused: everything else — http(s) to any other host, any other
    `file://` (templates use `{% static %}`; a file path would also differ between
    machines), `ftp:`.
    A refused URL is logged and the resource left out; a static file that does not exist is
    a template bug and stops the render, so no document is issued without its stylesheet.
    """

    def fetch(self, url, headers=None):
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file" and (font := self._system_font(url)) is not None:
            return URLFetcherResponse(url, font.read_bytes(), status=200)
        relative = self._static_path(url)
        if relative is None:
            logger.warning("PDF rendering refused to fetch %s", url[:200])
            raise ValueError(f"refused: only the project's static files may be used ({url[:200]})")
        path = self._find(relative)
        if path is None:
            raise FatalURLFetchingError(f"static file not found: {relative}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url, path.read_bytes(), headers={"Content-Type": content_type}, status=200
        )

    @staticmethod
    def _static_path(url: str) -> str | None:
        """The path below STATIC_URL that `url` names, or None when it is not a static URL."""
        static_url = settings.STATIC_URL
        if static_url.startswith("/"):
            prefixes = [PDF_BASE_URL.rstrip("/") + static_url]
        else:
            # An absolute STATIC_URL (a CDN) is still served from the local files.
            prefixes = [static_url]
        for prefix in prefixes:
            if url.startswith(prefix):
                relative = unquote(urlsplit(url[len(prefix) :]).path)
                break
        else:
            return None
        if not relative or "\x00" in relative or "\\" in relative:
            return None
        normalised = posixpath.normpath(relative)
        if normalised.startswith(("/", "..")) or normalised == ".":
            return None
        return normalised

    @staticmethod
    def _system_font(url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return None
        path = Path(unquote(parts.path)).resolve()
        if path.suffix.lower() not in FONT_SUFFIXES or not path.is_file():
            return None
        for root in FONT_DIRS:
            if path.is_relative_to(Path(root).resolve()):
                return path
        return None

    @staticmethod
    def _find(relative: str) -> Path | None:
        try:
            found = finders.find(relative)
        except SuspiciousFileOperation:
            return None
        if not found and settings.STATIC_ROOT:
            try:
                found = safe_join(str(settings.STATIC_ROOT), relative)
            except SuspiciousFileOperation:
                return None
        if not found:
            return None
        path = Path(found)
        return path if path.is_file() else None


def template_version(template_name: str) -> str:
    """SHA-256 over the source of the template and of every template it extends or includes.

    A hash rather than a hand-kept version string: it changes by itself whenever the wording
    changes, nobody has to remember to bump it, and any past version can be found again by
    hashing the template at each commit. The stylesheet is left out on purpose: it changes
    the look, not what the document says.
    """
    engine = engines["django"].engine
    digest = hashlib.sha256()
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        template = engine.get_template(name)
        digest.update(name.encode() + b"\0" + template.source.encode() + b"\0")
        for node in template.nodelist.get_nodes_by_type((ExtendsNode, IncludeNode)):
            expression = node.parent_name if isinstance(node, ExtendsNode) else node.template
            try:
                referenced = expression.resolve(Context())
            except Exception:  # a name from the context: not knowable from the source
                continue
            if isinstance(referenced, str) and referenced:
                visit(referenced)

    visit(template_name)
    return digest.hexdigest()


def pdf_render(
    *,
    template_name: str,
    context: Mapping,
    language: str,
    pdf_options: Mapping | None = None,
) -> bytes:
    """Render a Django template to PDF bytes in `language`, fetching only static files.

    `pdf_options` go to WeasyPrint's `write_pdf` (for example `pdf_variant="pdf/a-3b"` and
    `attachments` for evidence dossiers).
    """
    with translation.override(language), timezone.override(settings.DISPLAY_TIME_ZONE):
        # Titles and names are laid out without bidi controls (`compliance.text`).
        html = bidi_strip(render_to_string(template_name, dict(context)))
    try:
        return HTML(
            string=html, base_url=PDF_BASE_URL, url_fetcher=StaticOnlyURLFetcher()
        ).write_pdf(**dict(pdf_options or {}))
    except FatalURLFetchingError as exc:
        raise DocumentRenderError(str(exc.__cause__ or exc)) from exc


_UNSAFE_FILENAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def _clean_filename(filename: str) -> str:
    name = _UNSAFE_FILENAME.sub("-", bidi_strip(filename)).strip(" .-")[:190] or "document"
    return name if name.lower().endswith(".pdf") else f"{name}.pdf"


def document_title(title: str) -> str:
    """The title a stored document is issued under (AU-03): one rule for `document_render`
    and `document_build`. Surrounding spaces go; an empty title or one longer than the
    stored field is refused, never cut, so the evidence carries the title it was asked for."""
    cleaned = (title or "").strip()
    if not cleaned:
        raise ValidationError({"title": _("A document needs a title.")})
    limit = StoredDocument._meta.get_field("title").max_length
    if len(cleaned) > limit:
        raise ValidationError(
            {
                "title": _(
                    "A document title has at most %(limit)s characters; this one has %(length)s."
                )
                % {"limit": limit, "length": len(cleaned)}
            }
        )
    return cleaned


def document_render(
    *,
    template_name: str,
    context: Mapping,
    language: str,
    title: str,
    filename: str,
    customer: Customer | None = None,
    actor=None,
    pdf_options: Mapping | None = None,
    audit_only: bool = False,
) -> StoredDocument:
    """Render a template to PDF and store it, immutable, with its SHA-256 (AU-03, RT-01).

    The evidence auditors (AU-03) and customers (RT-01: exports, deletion certificate) rely
    on: the exact bytes issued, their SHA-256, the template and its version, the language,
    who issued it and when, recorded with an audit event in the same transaction.

    The context gets `processor`, `customer`, `document_title`, `document_reference` (the
    document's UUID, printed on every page) and `issued_at` unless the caller sets them.
    Access is the caller's business: this runs inside services and tasks that already
    checked who may cause the document.
    """
    if language not in Language.values:
        raise ValidationError({"language": _("Unknown language.")})
    title = document_title(title)

    issued_at = timezone.now()
    document_uuid = uuid.uuid4()
    full_context = {
        "processor": processor_profile(),
        "customer": customer,
        "document_title": title,
        "document_reference": str(document_uuid),
        "issued_at": issued_at,
        **context,
    }
    # Rendering stays outside the transaction: it is the slow part and must not hold the
    # database's write lock (SQLite) while it runs.
    content = pdf_render(
        template_name=template_name,
        context=full_context,
        language=language,
        pdf_options=pdf_options,
    )
    document = StoredDocument(
        uuid=document_uuid,
        customer=customer,
        title=title,
        filename=_clean_filename(filename),
        content_type="application/pdf",
        content=content,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        template_name=template_name,
        template_version=template_version(template_name),
        language=language,
        audit_only=audit_only,
        created_at=issued_at,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    document.full_clean()
    with transaction.atomic():
        document.save()
        event_record(**_issued_event(document, actor))
    return document


def _issued_event(document: StoredDocument, actor) -> dict:
    """The `document.issued` audit event of a stored document (AU-03)."""
    return {
        "actor": actor,
        "action": "document.issued",
        "obj": document,
        "customer_id": document.customer_id,
        "after": {
            "uuid": str(document.uuid),
            "title": document.title,
            "filename": document.filename,
            "sha256": document.sha256,
            "size": document.size,
            "template_name": document.template_name,
            "template_version": document.template_version,
            "language": document.language,
        },
    }


def document_build(
    *,
    content: bytes,
    title: str,
    filename: str,
    template_name: str,
    template_version: str,
    language: str,
    issued_at,
    customer: Customer | None = None,
    document_uuid: uuid.UUID | None = None,
    actor=None,
) -> StoredDocument:
    """An unsaved StoredDocument for PDF bytes rendered elsewhere (for example a letter
    assembled from pages rendered in batches), with its SHA-256 over exactly these bytes.
    Store it with `documents_store`."""
    if language not in Language.values:
        raise ValidationError({"language": _("Unknown language.")})
    title = document_title(title)
    return StoredDocument(
        uuid=document_uuid or uuid.uuid4(),
        customer=customer,
        title=title,
        filename=_clean_filename(filename),
        content_type="application/pdf",
        content=content,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        template_name=template_name,
        template_version=template_version,
        language=language,
        created_at=issued_at,
        created_by=actor if getattr(actor, "pk", None) else None,
    )


def documents_store(*, documents: list[StoredDocument], actor=None) -> list[StoredDocument]:
    """Store many documents built by `document_build` at once (AU-03): one INSERT per batch
    instead of one per document, and the same `document.issued` audit event per document as
    `document_render` writes. Runs inside the caller's transaction (or its own), so the
    documents and their events commit together. Rows are only inserted, never changed."""
    with transaction.atomic():
        stored = StoredDocument.objects.bulk_create(documents, batch_size=200)
        if stored and stored[0].pk is None:  # a backend that does not return keys
            by_uuid = dict(
                StoredDocument.objects.filter(uuid__in=[d.uuid for d in stored]).values_list(
                    "uuid", "pk"
                )
            )
            for document in stored:
                document.pk = by_uuid[document.uuid]
        events_record([_issued_event(document, actor) for document in stored])
    return stored
