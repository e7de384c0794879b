from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """Bad input is a 4xx with a message, never a 500.

    A ValidationError raised by a service reads like one from a serializer: field messages
    under the field's name, the rest under `non_field_errors`.
    """
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            detail = {
                (api_settings.NON_FIELD_ERRORS_KEY if key == NON_FIELD_ERRORS else key): messages
                for key, messages in exc.message_dict.items()
            }
        else:
            detail = {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, IntegrityError):
        # Two requests raced past validation; the database kept the data consistent. The
        # constraint's text names tables and columns, so it is not shown.
        return Response(
            {"detail": _("This conflicts with a change made at the same time. Please try again.")},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, PermissionDenied):
        return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
    return drf_exception_handler(exc, context)


def page_not_found(request, exception):
    """The project's 404 (`handler404`). An address under /api/ that names nothing, such as
    an id that is not a whole number (`/api/notices/abc/letter/`), answers like the API's
    own 404: JSON with a message. Pages keep Django's page."""
    if request.path_info.startswith("/api/"):
        return JsonResponse(
            {"detail": _("Nothing here. An id in an API address is a whole number.")},
            status=status.HTTP_404_NOT_FOUND,
        )
    return defaults.page_not_found(request, exception)
