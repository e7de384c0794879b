"""API of contract end (RT-01): the same selectors, access checks and services as the
pages. `/api/environment-deletions/`: staff list and read, record a contract end (create,
privacy officer) and confirm a deletion (ICT manager); a customer's users read their own,
the administrator asks for early deletion (binding, `confirm` must be true). Another
customer's id answers 404; a service's refusal answers 400 with its message."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from compliance.access import require
from processing.models.contract_end import EnvironmentDeletion
from processing.selectors.contract_end import deletions_for
from processing.services import contract_end as services


class DeletionSerializer(serializers.ModelSerializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    certificate = serializers.UUIDField(source="certificate.uuid", read_only=True, default=None)

    class Meta:
        model = EnvironmentDeletion
        fields = [
            "id",
            "customer",
            "customer_name",
            "contract",
            "contract_ended_on",
            "deletion_due_at",
            "early_requested_at",
            "early_requested_by",
            "state",
            "state_label",
            "deleted_at",
            "deletion_confirmed_by",
            "what_was_deleted",
            "certificate",
        ]
        read_only_fields = fields


class ContractEndSerializer(serializers.Serializer):
    contract = serializers.IntegerField()
    ends_on = serializers.DateField()


class ConfirmSerializer(serializers.Serializer):
    what = serializers.CharField(allow_blank=True, max_length=2000)


class EarlySerializer(serializers.Serializer):
    confirm = serializers.BooleanField(
        help_text="True: you understand the request is binding and cannot be undone."
    )


@extend_schema_view(
    list=extend_schema(summary="Deletions of environments you may see (RT-01)"),
    retrieve=extend_schema(summary="One deletion of an environment"),
    create=extend_schema(
        summary="Record a contract's end; schedules the deletion (privacy officer)",
        request=ContractEndSerializer,
        responses={201: DeletionSerializer},
    ),
)
class EnvironmentDeletionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = DeletionSerializer
    queryset = EnvironmentDeletion.objects.none()

    def get_queryset(self):
        require(self.request.user, "environment_deletion.view")
        return deletions_for(self.request.user)

    def create(self, request, *args, **kwargs):
        require(request.user, "environment_deletion.schedule")
        serializer = ContractEndSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        deletion = services.contract_end_record(
            actor=request.user,
            contract_id=serializer.validated_data["contract"],
            ends_on=serializer.validated_data["ends_on"],
        )
        return Response(DeletionSerializer(deletion).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Confirm the deletion (ICT manager)", request=ConfirmSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        deletion = self.get_object()
        require(request.user, "environment_deletion.confirm", deletion)
        serializer = ConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.deletion_confirm(
            actor=request.user, deletion=deletion, what=serializer.validated_data["what"]
        )
        return Response(DeletionSerializer(deletions_for(request.user).get(pk=pk)).data)

    @extend_schema(
        summary="Ask for early deletion: binding and irreversible (customer's administrator)",
        request=EarlySerializer,
    )
    @action(detail=True, methods=["post"], url_path="early-deletion")
    def early_deletion(self, request, pk=None):
        deletion = self.get_object()
        require(request.user, "environment_deletion.request_early", deletion)
        serializer = EarlySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.deletion_request_early(
            actor=request.user, deletion=deletion, confirmed=serializer.validated_data["confirm"]
        )
        return Response(DeletionSerializer(deletions_for(request.user).get(pk=pk)).data)


def register(router) -> None:
    """Register this part's viewsets on the app's router."""
    router.register(
        "environment-deletions", EnvironmentDeletionViewSet, basename="api-environment-deletions"
    )
