"""REST API of the breach workflow: the same selectors, access checks and services as the
pages (BR-01 … BR-11).

Permission is checked before input is validated; objects are looked up through the user's
scope, so another customer's notice answers 404. There is no endpoint that notifies an
authority (BR-04): customers record what they did themselves.
"""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from breaches import selectors, services
from breaches.models import CustomerNotice, Incident
from breaches.serializers import (
    IncidentNotifySerializer,
    IncidentReportSerializer,
    IncidentSelectSerializer,
    IncidentSerializer,
    IncidentTriageSerializer,
    NoticeDecisionSerializer,
    NoticeIntentionSerializer,
    NoticeSerializer,
    NotifyResultSerializer,
)
from compliance.access import require
from compliance.models import Product


@extend_schema_view(
    list=extend_schema(summary="Incidents you may see (staff members: your own reports)"),
    retrieve=extend_schema(summary="One incident with its deadline and assessment"),
)
class IncidentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Security incidents (BR-01, BR-02, BR-03, BR-08, BR-11). `customer_due_at` is the
    48-hour deadline for informing the affected customers."""

    serializer_class = IncidentSerializer
    queryset = Incident.objects.none()  # the real one comes from the user's scope

    def get_queryset(self):
        return selectors.incidents_for(self.request.user).prefetch_related(
            Prefetch("products", queryset=Product.objects.only("pk", "code"))
        )

    def list(self, request, *args, **kwargs):
        require(request.user, "incident.view")
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        require(request.user, "incident.view")
        return super().retrieve(request, *args, **kwargs)

    def _incident(self):
        return selectors.incident_get(self.request.user, self.kwargs["pk"])

    @extend_schema(
        summary="Report an incident (any staff member, BR-01)",
        request=IncidentReportSerializer,
        responses={201: IncidentSerializer},
    )
    def create(self, request, *args, **kwargs):
        require(request.user, "incident.report")
        serializer = IncidentReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        incident = services.incident_report(actor=request.user, **serializer.service_kwargs())
        return Response(IncidentSerializer(incident).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Record or revise the assessment and severity (BR-11)",
        request=IncidentTriageSerializer,
        responses={200: IncidentSerializer},
    )
    @action(detail=True, methods=["post"])
    def triage(self, request, pk=None, **kwargs):
        require(request.user, "incident.triage")
        incident = self._incident()
        serializer = IncidentTriageSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        incident = services.incident_triage(
            actor=request.user, incident=incident, **serializer.validated_data
        )
        return Response(IncidentSerializer(incident).data)

    @extend_schema(
        summary="Select the affected customers (BR-08)",
        request=IncidentSelectSerializer,
        responses={200: IncidentSerializer},
    )
    @action(detail=True, methods=["post"])
    def select(self, request, pk=None, **kwargs):
        require(request.user, "incident.manage")
        incident = self._incident()
        serializer = IncidentSelectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        incident = services.affected_select(
            actor=request.user,
            incident=incident,
            rule=data["rule"],
            products=data.get("products", []),
            subprocessor=data.get("subprocessor"),
            customers=data.get("customers", []),
        )
        return Response(IncidentSerializer(incident).data)

    @extend_schema(
        summary="Notify the selected customers (BR-03, BR-05, BR-06)",
        description="Queues one notice per selected customer not notified yet. With four eyes "
        "on, the first call records the request (`pending_approval`) and a second privacy "
        "officer's call sends. A second click notifies nobody twice (400). After the 48-hour "
        "deadline `late_reason` is required.",
        request=IncidentNotifySerializer,
        responses={200: NotifyResultSerializer},
    )
    @action(detail=True, methods=["post"])
    def notify(self, request, pk=None, **kwargs):
        require(request.user, "incident.manage")
        incident = self._incident()
        serializer = IncidentNotifySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.incident_notify(
            actor=request.user,
            incident=incident,
            late_reason=serializer.validated_data.get("late_reason", ""),
        )
        return Response(NotifyResultSerializer(result).data)


@extend_schema_view(
    list=extend_schema(summary="Notices you may see (customer users: your organisation's)"),
    retrieve=extend_schema(summary="One notice with the Art. 33(3) contents (BR-06)"),
)
class NoticeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Per-customer notices of incidents (BR-03 … BR-09). `authority_due_at` is the
    customer's own 72-hour deadline."""

    serializer_class = NoticeSerializer
    queryset = CustomerNotice.objects.none()  # the real one comes from the user's scope

    def get_queryset(self):
        return (
            selectors.notices_for(self.request.user)
            .select_related("letter")
            .order_by("-created_at", "-pk")
        )

    def list(self, request, *args, **kwargs):
        require(request.user, "notice.view")
        return super().list(request, *args, **kwargs)

    def _notice(self):
        notice = selectors.notice_get(self.request.user, self.kwargs["pk"])
        require(self.request.user, "notice.respond", notice)
        return notice

    @extend_schema(summary="Acknowledge receipt (BR-04)", request=None, responses=NoticeSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None, **kwargs):
        notice = services.notice_acknowledge(actor=request.user, notice=self._notice())
        return Response(NoticeSerializer(notice).data)

    @extend_schema(
        summary="Announce an intended notification before making it (BR-09)",
        request=NoticeIntentionSerializer,
        responses=NoticeSerializer,
    )
    @action(detail=True, methods=["post"])
    def announce(self, request, pk=None, **kwargs):
        notice = self._notice()
        serializer = NoticeIntentionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        notice = services.notice_intention_announce(
            actor=request.user, notice=notice, **serializer.validated_data
        )
        return Response(NoticeSerializer(notice).data)

    @extend_schema(
        summary="Record or revise the customer's decision (BR-04)",
        description="Records what the customer decided and did; the processor never notifies "
        "an authority.",
        request=NoticeDecisionSerializer,
        responses=NoticeSerializer,
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None, **kwargs):
        notice = self._notice()
        serializer = NoticeDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        notice = services.notice_decision_record(
            actor=request.user, notice=notice, **serializer.validated_data
        )
        return Response(NoticeSerializer(notice).data)
