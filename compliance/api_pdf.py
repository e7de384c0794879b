"""PDF answers: through the REST API, with the same content negotiation as JSON answers, and
the download of a stored document for pages and API alike."""

import base64

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from rest_framework import renderers

from compliance.text import bidi_strip


class PDFRenderer(renderers.BaseRenderer):
    """Lets a client ask for `Accept: application/pdf`; the view returns the bytes itself,
    and an error (a dict) is written as JSON."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return renderers.JSONRenderer().render(data)


# For `@action(renderer_classes=...)` of an endpoint that answers with a PDF.
PDF_RENDERERS = [renderers.JSONRenderer, PDFRenderer]


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, bidi_strip(filename))
    return response


def stored_document_response(document) -> HttpResponse:
    """The exact bytes of a stored document, as issued, for pages and the API alike."""
    content = bytes(document.content)
    response = HttpResponse(content, content_type=document.content_type)
    # A name stored before bidi controls were removed from names is cleaned here too.
    response["Content-Disposition"] = content_disposition_header(
        True, bidi_strip(document.filename)
    )
    response["Content-Length"] = str(len(content))
    response["X-Content-Type-Options"] = "nosniff"
    # RFC 9530: lets the recipient check the bytes against the stored SHA-256.
    digest = base64.b64encode(bytes.fromhex(document.sha256)).decode()
    response["Repr-Digest"] = f"sha-256=:{digest}:"
    return response
