"""API of temporary access (AC-03): the same selectors, access checks and services as the
pages. `/api/temporary-access/`: list and detail for readers of the register, create (a
request), and the steps as actions: approve, refuse, revoke, confirm-removal.

Permission is checked before input is validated; objects are looked up through the user's
scope, so another organisation's id answers 404. A service's refusal answers 400 with its
message at the field it names.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from access.models.temporary import TemporaryAccess
from access.selectors.temporary import FILTERS, temporary_access_for
from access.services import temporary as services
from compliance.access import require


class TemporaryAccessSerializer(serializers.ModelSerializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    requester_name = serializers.CharField(source="requester.full_name", read_only=True)

    class Meta:
        model = TemporaryAccess
        fields = [
            "id",
            "customer",
            "customer_name",
            "requester",
            "requester_name",
            "reason",
            "starts_at",
            "ends_at",
            "requested_at",
            "state",
            "state_label",
            "decided_by",
            "decided_at",
            "decision_note",
            "ended_at",
            "ended_by",
            "revocation_note",
            "removal_due_at",
            "removal_confirmed_by",
            "removal_confirmed_at",
            "removal_note",
        ]
        read_only_fields = fields


class TemporaryRequestSerializer(serializers.Serializer):
    """A request: the customer's id, the reason and the period (at most 30 days)."""

    customer = serializers.IntegerField()
    reason = serializers.CharField(allow_blank=True)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(allow_blank=True, required=False, default="")


@extend_schema_view(
    list=extend_schema(summary="Temporary access you may see (AC-03)"),
    retrieve=extend_schema(summary="One request for temporary access"),
    create=extend_schema(
        summary="Request temporary access to a customer's data (AC-03)",
        request=TemporaryRequestSerializer,
        responses={201: TemporaryAccessSerializer},
    ),
)
class TemporaryAccessViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = TemporaryAccessSerializer
    queryset = TemporaryAccess.objects.none()

    def get_queryset(self):
        require(self.request.user, "temporary_access.view")
        show = self.request.query_params.get("show", "")
        return temporary_access_for(self.request.user, show=show if show in FILTERS else "")

    def create(self, request, *args, **kwargs):
        require(request.user, "temporary_access.request")
        serializer = TemporaryRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        access = services.temporary_request(
            actor=request.user,
            customer_id=data["customer"],
            reason=data["reason"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
        )
        return Response(TemporaryAccessSerializer(access).data, status=status.HTTP_201_CREATED)

    def _step(self, request, permission: str, service):
        access = self.get_object()
        require(request.user, permission, access)
        serializer = NoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        access = service(actor=request.user, access=access, note=serializer.validated_data["note"])
        return Response(TemporaryAccessSerializer(access).data)

    @extend_schema(
        summary="Approve a request (ICT manager, never the requester)",
        request=NoteSerializer,
        responses={200: TemporaryAccessSerializer},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._step(request, "temporary_access.decide", services.temporary_approve)

    @extend_schema(
        summary="Refuse a request with a note (ICT manager, never the requester)",
        request=NoteSerializer,
        responses={200: TemporaryAccessSerializer},
    )
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        return self._step(request, "temporary_access.decide", services.temporary_refuse)

    @extend_schema(
        summary="Revoke approved access before its end (ICT manager)",
        request=NoteSerializer,
        responses={200: TemporaryAccessSerializer},
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        return self._step(request, "temporary_access.revoke", services.temporary_revoke)

    @extend_schema(
        summary="Confirm ended access was removed in the systems",
        request=NoteSerializer,
        responses={200: TemporaryAccessSerializer},
    )
    @action(detail=True, methods=["post"], url_path="confirm-removal")
    def confirm_removal(self, request, pk=None):
        return self._step(
            request, "temporary_access.confirm_removal", services.temporary_confirm_removal
        )


def register(router) -> None:
    """Register this part's viewsets on the app's router."""
    router.register("temporary-access", TemporaryAccessViewSet, basename="api-temporary-access")
