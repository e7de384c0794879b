"""API of customer audits (AU-01, AU-02): the same selectors, access checks and services as
the pages. `/api/customer-audits/`: list and detail for readers (a customer-scoped reader
only its own audits it knows of, never the legal ground); create records an audit (staff,
AU-01) or asks for one (a customer's administrator, AU-02); the steps as actions: schedule,
start, report, cancel. Another organisation's id answers 404; a service's refusal 400."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from compliance.access import customer_scope, require
from processing.models.audits import CustomerAudit
from processing.selectors.audits import FILTERS, audits_for, ground_visible
from processing.services import audits as services

STAFF_ONLY_FIELDS = ("customer_informed_at", "not_informed_ground", "reminded_at", "escalated_at")


class CustomerAuditSerializer(serializers.ModelSerializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)

    class Meta:
        model = CustomerAudit
        fields = [
            "id",
            "customer",
            "customer_name",
            "kind",
            "kind_label",
            "auditor",
            "scope",
            "preferred_period",
            "requested_at",
            "state",
            "state_label",
            "starts_on",
            "ends_on",
            "cost_agreed",
            "report_received_at",
            "report_reference",
            "cancelled_reason",
            *STAFF_ONLY_FIELDS,
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or not ground_visible(request.user):
            for name in STAFF_ONLY_FIELDS:
                data.pop(name, None)
        return data


class AuditRecordSerializer(serializers.Serializer):
    """Staff (AU-01): an audit by the customer's auditors or hired by the regulator."""

    customer = serializers.IntegerField()
    kind = serializers.CharField()
    auditor = serializers.CharField(allow_blank=True)
    scope = serializers.CharField(allow_blank=True)
    starts_on = serializers.DateField(required=False, allow_null=True, default=None)
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    inform = serializers.BooleanField()
    ground = serializers.CharField(allow_blank=True, required=False, default="")


class AuditRequestSerializer(serializers.Serializer):
    """A customer's administrator (AU-02): by arrangement, at its own cost."""

    scope = serializers.CharField(allow_blank=True)
    preferred_period = serializers.CharField(allow_blank=True)
    auditor = serializers.CharField(allow_blank=True, required=False, default="")
    cost_acknowledged = serializers.BooleanField(required=False, default=False)


class ScheduleSerializer(serializers.Serializer):
    starts_on = serializers.DateField(required=False, allow_null=True, default=None)
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)


class ReportSerializer(serializers.Serializer):
    received_on = serializers.DateField(required=False, allow_null=True, default=None)
    reference = serializers.CharField(allow_blank=True, required=False, default="")


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, required=False, default="")


class EmptySerializer(serializers.Serializer):
    pass


@extend_schema_view(
    list=extend_schema(summary="Audits for customers you may see (AU-01, AU-02)"),
    retrieve=extend_schema(summary="One audit"),
    create=extend_schema(
        summary="Record an audit (staff, AU-01) or ask for one (customer administrator, AU-02)",
        request=AuditRecordSerializer,
        responses={201: CustomerAuditSerializer},
    ),
)
class CustomerAuditViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CustomerAuditSerializer
    queryset = CustomerAudit.objects.none()

    def get_queryset(self):
        require(self.request.user, "customer_audit.view")
        show = self.request.query_params.get("show", "")
        return audits_for(self.request.user, show=show if show in FILTERS else "")

    def _out(self, audit, code=status.HTTP_200_OK):
        return Response(
            CustomerAuditSerializer(audit, context={"request": self.request}).data, status=code
        )

    def create(self, request, *args, **kwargs):
        user = request.user
        if customer_scope(user) is not None:
            require(user, "customer_audit.request")
            serializer = AuditRequestSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            audit = services.audit_request(actor=user, **serializer.validated_data)
        else:
            require(user, "customer_audit.record")
            serializer = AuditRecordSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
            audit = services.audit_record(
                actor=user,
                customer_id=data["customer"],
                kind=data["kind"],
                auditor=data["auditor"],
                scope=data["scope"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                inform=data["inform"],
                ground=data["ground"],
            )
        return self._out(audit, status.HTTP_201_CREATED)

    def _step(self, request, serializer_class, call):
        audit = self.get_object()
        require(request.user, "customer_audit.manage", audit)
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._out(call(actor=request.user, audit=audit, **serializer.validated_data))

    @extend_schema(
        summary="Schedule an asked-for audit",
        request=ScheduleSerializer,
        responses={200: CustomerAuditSerializer},
    )
    @action(detail=True, methods=["post"])
    def schedule(self, request, pk=None):
        return self._step(request, ScheduleSerializer, services.audit_schedule)

    @extend_schema(
        summary="Mark a scheduled audit as started",
        request=EmptySerializer,
        responses={200: CustomerAuditSerializer},
    )
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._step(request, EmptySerializer, services.audit_start)

    @extend_schema(
        summary="Record the audit report's receipt",
        request=ReportSerializer,
        responses={200: CustomerAuditSerializer},
    )
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        return self._step(request, ReportSerializer, services.audit_report)

    @extend_schema(
        summary="Cancel an audit",
        request=CancelSerializer,
        responses={200: CustomerAuditSerializer},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._step(request, CancelSerializer, services.audit_cancel)


def register(router) -> None:
    """Register this part's viewsets on the app's router."""
    router.register("customer-audits", CustomerAuditViewSet, basename="api-customer-audits")
