"""API of confidentiality (AC-01): the current text, acknowledging it, the register and
publishing a new version.

`current` and `acknowledge` stay open while the caller has not acknowledged (that is how a
token user gets through the gate, `access.api_gate`); every other API call answers 403 with
the reason until then.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from access.models import ConfidentialityText
from access.selectors import confidentiality as selectors
from access.services import confidentiality as services
from compliance.access import require


class TextSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConfidentialityText
        fields = ["id", "version", "text_en", "text_nl", "published_at"]


class PublishSerializer(serializers.Serializer):
    text_en = serializers.CharField()
    text_nl = serializers.CharField()


class AcknowledgeSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)


class AcknowledgementStatusSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    acknowledged_at = serializers.DateTimeField()


class RegisterRowSerializer(serializers.Serializer):
    user = serializers.IntegerField(source="user.pk")
    email = serializers.EmailField(source="user.email")
    full_name = serializers.CharField(source="user.full_name")
    role = serializers.CharField(source="user.role")
    version = serializers.IntegerField(allow_null=True)
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    current = serializers.BooleanField()


class ConfidentialityViewSet(viewsets.ViewSet):
    """The confidentiality text and its acknowledgements (AC-01)."""

    confidentiality_exempt = True

    def get_permissions(self):
        # Only reading and acknowledging the text pass the gate before acknowledging.
        self.confidentiality_exempt = self.action in ("current", "acknowledge")
        return super().get_permissions()

    @extend_schema(summary="The current confidentiality text (AC-01)", responses=TextSerializer)
    @action(detail=False, methods=["get"])
    def current(self, request):
        text = services.text_current()
        if text is None:
            raise NotFound()
        return Response(TextSerializer(text).data)

    @extend_schema(
        summary="Acknowledge the current confidentiality text (staff, AC-01)",
        description="The version must be the current one; a staff member acknowledges for "
        "themselves only.",
        request=AcknowledgeSerializer,
        responses={201: AcknowledgementStatusSerializer},
    )
    @action(detail=False, methods=["post"])
    def acknowledge(self, request):
        serializer = AcknowledgeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        text = services.text_current()
        version = serializer.validated_data["version"]
        if text is None or text.version != version:
            raise serializers.ValidationError({"version": [services.STALE_VERSION_MESSAGE]})
        acknowledgement = services.acknowledge(user=request.user, text=text)
        return Response(
            {"version": text.version, "acknowledged_at": acknowledgement.acknowledged_at},
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="The register: every staff member and the version acknowledged (AC-01)",
        responses=RegisterRowSerializer(many=True),
    )
    @action(detail=False, methods=["get"])
    def register(self, request):
        text = services.text_current()
        rows = selectors.register_rows(request.user, text)
        return Response(RegisterRowSerializer(rows, many=True).data)

    @extend_schema(
        summary="Publish a new version (privacy officer, AC-01)",
        request=PublishSerializer,
        responses={201: TextSerializer},
    )
    @action(detail=False, methods=["post"])
    def publish(self, request):
        require(request.user, "confidentiality.publish")
        serializer = PublishSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        text = services.text_publish(actor=request.user, **serializer.validated_data)
        return Response(TextSerializer(text).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("confidentiality", ConfidentialityViewSet, basename="api-confidentiality")
