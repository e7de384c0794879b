"""The OpenAPI schema tells the truth about refusals (ON-02).

Every operation can be refused: 400 for input that does not fit (field messages under the
field's name, the rest under `non_field_errors`), 401 without credentials, 403 for a role
or organisation that may not, 404 for what does not exist or is not the caller's, 409
when a simultaneous change won. drf-spectacular documents only the success by default; a
client (and schemathesis) must be able to rely on the schema for every answer.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

_DETAIL = inline_serializer(
    name="ErrorDetail",
    fields={"detail": serializers.CharField(help_text="What went wrong, in words.")},
)
_FIELD_ERRORS = OpenApiResponse(
    response={
        "type": "object",
        "description": "Messages per field name; `non_field_errors` or `detail` for the rest.",
        "additionalProperties": True,
    },
    description="The input does not fit: what to change, per field.",
)
REFUSALS = {
    "400": _FIELD_ERRORS,
    "401": OpenApiResponse(_DETAIL, description="Not signed in: send an API token."),
    "403": OpenApiResponse(_DETAIL, description="Your role or organisation may not do this."),
    "404": OpenApiResponse(_DETAIL, description="No such object, or not one you may see."),
}
WRITE_REFUSALS = {
    "409": OpenApiResponse(_DETAIL, description="A simultaneous change won; try again."),
}


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        refusals = dict(REFUSALS)
        if self.method not in ("GET", "HEAD", "OPTIONS"):
            refusals.update(WRITE_REFUSALS)
        for code, response in refusals.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, None, direction)
        return responses
