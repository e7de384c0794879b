"""Download of stored documents, checked against the user like every other read."""

import base64

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from compliance.access import require
from compliance.selectors import document_get


@require_GET
@never_cache
def document_download(request, uuid):
    # Through the selector first: another customer's document is a 404, never a 403.
    document = document_get(request.user, uuid)
    require(request.user, "document.view", document)
    content = bytes(document.content)
    response = HttpResponse(content, content_type=document.content_type)
    response["Content-Disposition"] = content_disposition_header(True, document.filename)
    response["Content-Length"] = str(len(content))
    response["X-Content-Type-Options"] = "nosniff"
    # RFC 9530: lets the recipient check the bytes against the stored SHA-256.
    digest = base64.b64encode(bytes.fromhex(document.sha256)).decode()
    response["Repr-Digest"] = f"sha-256=:{digest}:"
    return response
