"""The confidentiality gate on the API (AC-01): a call made by a staff member who has not
acknowledged the current confidentiality text answers 403 with the reason, whether it came
with a session or an API token. The API of the text itself (read it, acknowledge it) stays
open (`confidentiality_exempt = True` on its views).

Models are imported inside the check: DRF resolves its default permission classes when its
views module is first imported, which may be while apps are still loading.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

GATE_MESSAGE = _(
    "Acknowledge the current confidentiality text first: read it on the confidentiality "
    "page or GET /api/confidentiality/current/, then POST /api/confidentiality/acknowledge/."
)


class ConfidentialityAcknowledged(BasePermission):
    message = GATE_MESSAGE

    def has_permission(self, request, view):
        if getattr(view, "confidentiality_exempt", False):
            return True
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return True  # the access layer's own permission refuses these
        from access.middleware import current_text_unacknowledged

        return current_text_unacknowledged(user) is None
