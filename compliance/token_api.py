"""API for personal API tokens (ON-02): list and revoke one's own; create only from a
session signed in with a verified second factor (never with a token)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from compliance import tokens
from compliance.api_fields import ModelSerializer, Serializer
from compliance.models import ApiToken


class ApiTokenSerializer(ModelSerializer):
    owner = serializers.EmailField(source="user.email", read_only=True)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "owner",
            "name",
            "prefix",
            "created_at",
            "expires_at",
            "revoked_at",
            "last_used_at",
        ]
        read_only_fields = fields


class ApiTokenCreateSerializer(Serializer):
    name = serializers.CharField(max_length=tokens.NAME_MAX_LENGTH)
    expires_in_days = serializers.IntegerField(
        min_value=1, help_text=_("Validity in days; at most API_TOKEN_MAX_DAYS (90 by default).")
    )


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    secret = serializers.CharField(
        read_only=True, help_text=_("The token itself. Shown only in this response.")
    )

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "secret"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary="Your API tokens (a privacy officer sees everyone's)"),
    retrieve=extend_schema(summary="One API token"),
    create=extend_schema(
        summary="Create an API token (from a session with a verified second factor only)",
        request=ApiTokenCreateSerializer,
        responses={201: ApiTokenCreatedSerializer},
    ),
    destroy=extend_schema(summary="Revoke an API token"),
)
class ApiTokenViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ApiTokenSerializer
    queryset = ApiToken.objects.none()  # the real one comes from the user's scope

    def get_queryset(self):
        return tokens.api_tokens_for(self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = ApiTokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, secret = tokens.api_token_create(
            actor=request.user, request=request, **serializer.validated_data
        )
        token.secret = secret
        return Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        tokens.api_token_revoke(actor=request.user, token=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
