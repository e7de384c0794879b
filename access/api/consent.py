"""API of customer consent and uses of access (AC-04): the same selectors, access checks and
services as the pages. Staff ask; the customer's administrator grants, refuses and withdraws;
a customer's users list their own organisation's consents and uses (another's id is 404)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from access.models.consent import AccessBasis, AccessConsent, AccessUse, ConsentLevel
from access.selectors import consent as selectors
from access.services import consent as services
from compliance.access import require
from compliance.api_fields import AwareDateTimeField, ModelSerializer, Serializer
from compliance.models import Customer


class ConsentSerializer(ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    employee_name = serializers.CharField(source="employee.full_name", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    level_label = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = AccessConsent
        fields = [
            "id",
            "customer",
            "customer_name",
            "employee",
            "employee_name",
            "purpose",
            "level",
            "level_label",
            "starts_at",
            "ends_at",
            "state",
            "state_label",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_note",
            "ended_at",
            "ended_by",
            "removal_due_at",
            "removal_confirmed_by",
            "removal_confirmed_at",
        ]
        read_only_fields = fields


class ConsentRequestSerializer(Serializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    employee = serializers.PrimaryKeyRelatedField(queryset=selectors.employees())
    purpose = serializers.CharField(max_length=2000)
    level = serializers.ChoiceField(choices=ConsentLevel.choices)
    starts_at = AwareDateTimeField()
    ends_at = AwareDateTimeField()


class ConsentGrantSerializer(Serializer):
    level = serializers.ChoiceField(choices=ConsentLevel.choices, required=False)
    ends_at = AwareDateTimeField(required=False)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class ConsentRefuseSerializer(Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class AccessUseSerializer(ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    user_name = serializers.CharField(source="user.full_name", read_only=True)
    basis_label = serializers.CharField(source="get_basis_display", read_only=True)

    class Meta:
        model = AccessUse
        fields = [
            "id",
            "customer",
            "customer_name",
            "user",
            "user_name",
            "basis",
            "basis_label",
            "basis_id",
            "level",
            "used_at",
            "activity",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields


class AccessUseCreateSerializer(Serializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    user = serializers.PrimaryKeyRelatedField(queryset=selectors.employees())
    basis = serializers.ChoiceField(choices=AccessBasis.choices)
    basis_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    level = serializers.ChoiceField(choices=ConsentLevel.choices, default=ConsentLevel.READ)
    used_at = AwareDateTimeField(required=False)
    activity = serializers.CharField(max_length=2000)


@extend_schema_view(
    list=extend_schema(summary="Customer consents (AC-04)"),
    retrieve=extend_schema(summary="One customer consent"),
    create=extend_schema(
        summary="Ask a customer's consent for an employee (privacy officer, ICT manager)",
        request=ConsentRequestSerializer,
        responses={201: ConsentSerializer},
    ),
)
class ConsentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ConsentSerializer

    def get_queryset(self):
        return selectors.consents_for(
            self.request.user, state=self.request.query_params.get("state", "")
        )

    def create(self, request, *args, **kwargs):
        require(request.user, "consent.request")
        serializer = ConsentRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        consent = services.consent_request(actor=request.user, **serializer.validated_data)
        return Response(ConsentSerializer(consent).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Grant (customer administrator; may narrow the level or shorten the period)",
        request=ConsentGrantSerializer,
    )
    @action(detail=True, methods=["post"])
    def grant(self, request, pk=None):
        consent = self.get_object()
        require(request.user, "consent.decide", consent)
        serializer = ConsentGrantSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        consent = services.consent_grant(
            actor=request.user, consent=consent, **serializer.validated_data
        )
        return Response(ConsentSerializer(consent).data)

    @extend_schema(summary="Refuse (customer administrator)", request=ConsentRefuseSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        consent = self.get_object()
        require(request.user, "consent.decide", consent)
        serializer = ConsentRefuseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        consent = services.consent_refuse(
            actor=request.user, consent=consent, **serializer.validated_data
        )
        return Response(ConsentSerializer(consent).data)

    @extend_schema(summary="Withdraw a granted consent (customer administrator)", request=None)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        consent = self.get_object()
        require(request.user, "consent.decide", consent)
        consent = services.consent_withdraw(actor=request.user, consent=consent)
        return Response(ConsentSerializer(consent).data)

    @extend_schema(summary="Confirm the access was removed from the systems", request=None)
    @action(detail=True, methods=["post"], url_path="confirm-removal")
    def confirm_removal(self, request, pk=None):
        consent = self.get_object()
        require(request.user, "consent.confirm_removal", consent)
        consent = services.consent_removal_confirm(actor=request.user, consent=consent)
        return Response(ConsentSerializer(consent).data)


@extend_schema_view(
    list=extend_schema(summary="Uses of access to customer data (AC-04)"),
    retrieve=extend_schema(summary="One use of access"),
    create=extend_schema(
        summary="Record a use of access with its basis",
        request=AccessUseCreateSerializer,
        responses={201: AccessUseSerializer},
    ),
)
class AccessUseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = AccessUseSerializer

    def get_queryset(self):
        return selectors.uses_for(self.request.user)

    def create(self, request, *args, **kwargs):
        require(request.user, "access_use.record")
        serializer = AccessUseCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        use = services.access_use_record(actor=request.user, **serializer.validated_data)
        return Response(AccessUseSerializer(use).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    """Register this part's viewsets on the app's router."""
    router.register("access/consents", ConsentViewSet, basename="api-access-consent")
    router.register("access/uses", AccessUseViewSet, basename="api-access-use")
