"""The incidents endpoint: report, triage, selection, notifying and what follows (BR-01 …
BR-11)."""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from breaches import selectors, services
from breaches.models import Incident
from breaches.serializers import (
    DiscoveryCorrectSerializer,
    FanoutProgressSerializer,
    FinalReportSerializer,
    IncidentDismissSerializer,
    IncidentNotifySerializer,
    IncidentReportSerializer,
    IncidentSelectSerializer,
    IncidentSerializer,
    IncidentTriageSerializer,
    IncidentUpdateSerializer,
    NoticePreviewSerializer,
    NotifyResultSerializer,
    PreviewQuerySerializer,
    ProgressQuerySerializer,
    UpdatePublishSerializer,
)
from compliance.access import can, require
from compliance.api_paging import paged
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

    def _incident_change(self, request, *, permission: str, serializer_class, service):
        """Check the body with `serializer_class`, hand it to `service` for this incident,
        answer with the incident as it is now."""
        require(request.user, permission)
        incident = self._incident()
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        incident = service(actor=request.user, incident=incident, **serializer.validated_data)
        return Response(IncidentSerializer(incident).data)

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
        return self._incident_change(
            request,
            permission="incident.triage",
            serializer_class=IncidentTriageSerializer,
            service=services.incident_triage,
        )

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

    @extend_schema(
        summary="Approve the pending notices as the second privacy officer (four eyes, BR-03)",
        description="Sends the notices another privacy officer asked for with `notify`. The "
        "officer who asked cannot approve (400); without a pending request 400.",
        request=None,
        responses={200: NotifyResultSerializer},
    )
    @action(detail=True, methods=["post"], url_path="notify/approve")
    def approve(self, request, pk=None, **kwargs):
        require(request.user, "incident.manage")
        result = services.incident_notify_approve(actor=request.user, incident=self._incident())
        return Response(NotifyResultSerializer(result).data)

    @extend_schema(
        summary="Dismiss a report that is no security incident at all (BR-02)",
        description="Only before any notice went out; the reasoning is kept on record.",
        request=IncidentDismissSerializer,
        responses={200: IncidentSerializer},
    )
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None, **kwargs):
        return self._incident_change(
            request,
            permission="incident.manage",
            serializer_class=IncidentDismissSerializer,
            service=services.incident_dismiss,
        )

    @extend_schema(
        summary="Preview the notice as a customer will receive it (BR-06)",
        description="Subject, plain text and HTML of the e-mail for one customer of the "
        "selection, in a chosen language (default: the customer's). Nothing is sent.",
        parameters=[PreviewQuerySerializer],
        responses={200: NoticePreviewSerializer},
    )
    @action(detail=True, methods=["get"])
    def preview(self, request, pk=None, **kwargs):
        require(request.user, "incident.manage")
        incident = self._incident()
        query = PreviewQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        customer = incident.affected_customers.filter(pk=data["customer"]).first()
        if customer is None:
            raise ValidationError({"customer": _("This customer is not affected by the incident.")})
        language = data.get("language") or customer.language
        subject, text, html = services.notice_preview(
            actor=request.user,
            incident=incident,
            customer=customer,
            language=language,
            kind=data["kind"],
        )
        return Response(
            NoticePreviewSerializer(
                {
                    "customer": customer.pk,
                    "language": language,
                    "subject": subject,
                    "text": text,
                    "html": html,
                }
            ).data
        )

    @extend_schema(
        summary="Progress of the fan-out: messages queued, accepted and failed",
        description="In total and per customer, with the moment each customer was informed. "
        "`total` and `customer_counts` cover the whole incident; the per-customer rows in "
        "`customers` come a page at a time (`page`, `page_size`, default 50), by customer "
        "name, optionally only the customers not informed yet or with a failed message "
        "(`show`) or matching a name or customer number (`q`). `count`, `pages`, `next` and "
        "`previous` tell what else there is. Without parameters the answer has the same "
        "fields as before, with the first 50 customers.",
        parameters=[ProgressQuerySerializer],
        responses={200: FanoutProgressSerializer},
    )
    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None, **kwargs):
        user = request.user
        require(user, "incident.view")
        incident = self._incident()
        if not (can(user, "incident.manage") or can(user, "notice.view")):
            raise Http404
        query = ProgressQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        progress = selectors.fanout_progress(
            user,
            incident,
            page=params["page"],
            per_page=params["page_size"],
            show=params["show"],
            q=params["q"],
        )
        url = request.build_absolute_uri()
        page_obj = progress["page_obj"]
        progress["next"] = (
            replace_query_param(url, "page", page_obj.next_page_number())
            if page_obj.has_next()
            else None
        )
        progress["previous"] = (
            replace_query_param(url, "page", page_obj.previous_page_number())
            if page_obj.has_previous()
            else None
        )
        return Response(FanoutProgressSerializer(progress).data)

    @extend_schema(
        methods=["GET"],
        summary="The incident's progress updates and final report, oldest first (BR-07)",
        responses={200: IncidentUpdateSerializer(many=True)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Publish a progress update to every notified customer (BR-07)",
        request=UpdatePublishSerializer,
        responses={201: IncidentUpdateSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def updates(self, request, pk=None, **kwargs):
        if request.method == "GET":
            require(request.user, "incident.view")
            updates = selectors.incident_updates(request.user, self._incident())
            return paged(self, updates, IncidentUpdateSerializer)
        require(request.user, "incident.manage")
        incident = self._incident()
        serializer = UpdatePublishSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        update = services.update_publish(
            actor=request.user, incident=incident, **serializer.validated_data
        )
        return Response(IncidentUpdateSerializer(update).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Mark the incident resolved (contained and remedied)",
        request=None,
        responses={200: IncidentSerializer},
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None, **kwargs):
        require(request.user, "incident.manage")
        incident = services.incident_resolve(actor=request.user, incident=self._incident())
        return Response(IncidentSerializer(incident).data)

    @extend_schema(
        summary="Send the final report and close the incident (BR-07, ISO 27001 A.5.27)",
        description="Root cause and lessons learned; every notified customer receives the "
        "final report as a further message on its notice.",
        request=FinalReportSerializer,
        responses={200: IncidentSerializer},
    )
    @action(detail=True, methods=["post"], url_path="final-report")
    def final_report(self, request, pk=None, **kwargs):
        return self._incident_change(
            request,
            permission="incident.manage",
            serializer_class=FinalReportSerializer,
            service=services.incident_final_report,
        )

    @extend_schema(
        summary="Correct when the processor became aware (BR-03)",
        description="A reason is required; the 48-hour deadline, late flags and reminders "
        "move with it and the history keeps the old time.",
        request=DiscoveryCorrectSerializer,
        responses={200: IncidentSerializer},
    )
    @action(detail=True, methods=["post"])
    def discovery(self, request, pk=None, **kwargs):
        return self._incident_change(
            request,
            permission="incident.manage",
            serializer_class=DiscoveryCorrectSerializer,
            service=services.incident_discovery_correct,
        )
