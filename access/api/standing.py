"""API of standing access (AC-02): the register for its readers; granting, ending and
confirming removal for the ICT manager. Permission is checked before input is validated."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from access.models.standing import StandingGrant, StandingPurpose
from access.selectors import standing as selectors
from access.selectors.confidentiality import staff_bound
from access.services import standing as services
from compliance.access import require


class StandingGrantSerializer(serializers.ModelSerializer):
    holder_name = serializers.CharField(source="holder.full_name", read_only=True)
    purpose_labels = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = StandingGrant
        fields = [
            "id",
            "holder",
            "holder_name",
            "role_title",
            "purposes",
            "purpose_labels",
            "since",
            "granted_by",
            "state",
            "ended_at",
            "ended_by",
            "end_reason",
            "removal_confirmed_by",
            "removal_confirmed_at",
        ]


class GrantCreateSerializer(serializers.Serializer):
    holder = serializers.PrimaryKeyRelatedField(queryset=staff_bound())
    role_title = serializers.CharField(max_length=100, required=False, allow_blank=True)
    purposes = serializers.ListField(
        child=serializers.ChoiceField(choices=StandingPurpose.choices), allow_empty=False
    )


class EndSerializer(serializers.Serializer):
    reason = serializers.CharField()


class RemovalSerializer(serializers.Serializer):
    confirmed_by = serializers.PrimaryKeyRelatedField(queryset=staff_bound())


@extend_schema_view(
    list=extend_schema(summary="Standing access of system administrators (AC-02)"),
    retrieve=extend_schema(summary="One standing grant"),
    create=extend_schema(
        summary="Record standing access (ICT manager, AC-02)",
        request=GrantCreateSerializer,
        responses={201: StandingGrantSerializer},
    ),
)
class StandingGrantViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = StandingGrantSerializer
    queryset = StandingGrant.objects.none()

    def get_queryset(self):
        return selectors.grants_for(self.request.user)

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def create(self, request, *args, **kwargs):
        require(request.user, "standing.change")
        grant = services.grant_create(actor=request.user, **self._input(GrantCreateSerializer))
        return Response(StandingGrantSerializer(grant).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="End standing access with a reason (ICT manager)", request=EndSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        require(request.user, "standing.change")
        grant = self.get_object()
        data = self._input(EndSerializer)
        grant = services.grant_end(actor=request.user, grant=grant, **data)
        return Response(StandingGrantSerializer(grant).data)

    @extend_schema(
        summary="Record who confirmed the removal in the systems (ICT manager)",
        request=RemovalSerializer,
    )
    @action(detail=True, methods=["post"])
    def removal(self, request, pk=None):
        require(request.user, "standing.change")
        grant = self.get_object()
        data = self._input(RemovalSerializer)
        grant = services.grant_removal_confirm(actor=request.user, grant=grant, **data)
        return Response(StandingGrantSerializer(grant).data)


def register(router) -> None:
    router.register("standing-access", StandingGrantViewSet, basename="api-standing-grant")
