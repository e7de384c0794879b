"""Download of stored documents, checked against the user like every other read."""

from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from compliance.access import require
from compliance.api_pdf import stored_document_response
from compliance.selectors import document_get


@require_safe
@never_cache
def document_download(request, uuid):
    # Through the selector first: another customer's document is a 404, never a 403.
    document = document_get(request.user, uuid)
    require(request.user, "document.view", document)
    return stored_document_response(document)
