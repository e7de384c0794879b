"""REST API of the breach workflow: the same selectors, access checks and services as the
pages (BR-01 … BR-11).

Permission is checked before input is validated; objects are looked up through the user's
scope, so another customer's notice answers 404. There is no endpoint that notifies an
authority (BR-04): customers record what they did themselves.
"""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from breaches import selectors, services
from breaches.authority_draft.build import authority_draft_build, authority_draft_pdf
from breaches.models import CustomerNotice, Incident
from breaches.serializers import (
    CustomerReportSerializer,
    CustomerUpdateSerializer,
    DeadlineSerializer,
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
    LateReasonSerializer,
    NoticeDecisionSerializer,
    NoticeIntentionSerializer,
    NoticeMessageSerializer,
    NoticePreviewSerializer,
    NoticeQuerySerializer,
    NoticeSerializer,
    NotifyResultSerializer,
    OutOfBandSerializer,
    PreviewQuerySerializer,
    ProgressQuerySerializer,
    StaffNoticeSerializer,
    UpdatePublishSerializer,
)
from compliance.access import can, require
from compliance.api_paging import paged
from compliance.api_pdf import PDF_RENDERERS, pdf_response, stored_document_response
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


@extend_schema_view(
    list=extend_schema(
        summary="Notices you may see (customer users: your organisation's)",
        parameters=[NoticeQuerySerializer],
    ),
    retrieve=extend_schema(summary="One notice with the Art. 33(3) contents (BR-06)"),
)
class NoticeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Per-customer notices of incidents (BR-03 … BR-09). `authority_due_at` is the
    customer's own 72-hour deadline."""

    serializer_class = NoticeSerializer
    queryset = CustomerNotice.objects.none()  # the real one comes from the user's scope

    def get_queryset(self):
        qs = (
            selectors.notices_for(self.request.user)
            .select_related("letter")
            .order_by("-created_at", "-pk")
        )
        if self.action == "list":
            query = NoticeQuerySerializer(data=self.request.query_params)
            query.is_valid(raise_exception=True)
            incident = query.validated_data.get("incident")
            if incident is not None:
                qs = qs.filter(incident_id=incident)
        return qs

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

    def _managed_notice(self):
        require(self.request.user, "incident.manage")
        return selectors.notice_get(self.request.user, self.kwargs["pk"])

    @extend_schema(
        summary="Report a suspected incident as a customer (BR-10)",
        description="For customer users. The report reaches the privacy officer at once; "
        "your organisation's notice is created with it and your own 72 hours run from now. "
        "`products` are codes of products your organisation has a contract for.",
        request=CustomerReportSerializer,
        responses={201: NoticeSerializer},
    )
    @action(detail=False, methods=["post"])
    def report(self, request, **kwargs):
        user = request.user
        require(user, "incident.report_as_customer")
        products = Product.objects.filter(
            contracts__customer_id=user.customer_id,
            contracts__starts_on__lte=timezone.localdate(),
        ).distinct()
        serializer = CustomerReportSerializer(data=request.data, context={"products": products})
        serializer.is_valid(raise_exception=True)
        incident = services.incident_report_by_customer(actor=user, **serializer.validated_data)
        notice = self.get_queryset().get(incident=incident)
        return Response(NoticeSerializer(notice).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Record that the customer was informed another way (BR-03)",
        description="Counts as informing the customer; its 72 hours run from `informed_at`. "
        "After the 48-hour deadline `late_reason` is required.",
        request=OutOfBandSerializer,
        responses={200: StaffNoticeSerializer},
    )
    @action(detail=True, methods=["post"], url_path="out-of-band")
    def out_of_band(self, request, pk=None, **kwargs):
        notice = self._managed_notice()
        serializer = OutOfBandSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        notice = services.notice_out_of_band_record(
            actor=request.user, notice=notice, **serializer.validated_data
        )
        return Response(StaffNoticeSerializer(notice).data)

    @extend_schema(
        summary="Record why the customer was informed after the 48-hour deadline (BR-03)",
        request=LateReasonSerializer,
        responses={200: StaffNoticeSerializer},
    )
    @action(detail=True, methods=["post"], url_path="late-reason")
    def late_reason(self, request, pk=None, **kwargs):
        notice = self._managed_notice()
        serializer = LateReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        notice = services.notice_late_reason_record(
            actor=request.user, notice=notice, reason=serializer.validated_data["reason"]
        )
        return Response(StaffNoticeSerializer(notice).data)

    @extend_schema(
        summary="The notice's e-mails with Message-ID, status and the mail server's reply",
        responses={200: NoticeMessageSerializer(many=True)},
    )
    @action(detail=True, methods=["get"])
    def messages(self, request, pk=None, **kwargs):
        user = request.user
        require(user, "incident.view")
        notice = selectors.notice_get(user, pk)
        rows = selectors.notice_messages(user, notice)
        return paged(self, rows, NoticeMessageSerializer)

    @extend_schema(
        summary="Draft of the authority's notification form (BR-04)",
        description="The sections of the AP's form (the GBA's, in Dutch, for a Belgian "
        "customer), prefilled with what the processor knows; fields only the controller can "
        "fill are marked. A draft for the customer's own use: the processor never notifies an "
        "authority.",
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["get"], url_path="authority-draft")
    def authority_draft(self, request, pk=None, **kwargs):
        user = request.user
        require(user, "notice.view")
        notice = selectors.notice_get(user, pk)
        return Response(authority_draft_build(user=user, notice=notice))

    @extend_schema(
        summary="The notice's PDF letter (BR-06)",
        description="The letter as issued to this customer, rendered in the background after "
        "the notice was queued; 404 until it is stored. `Repr-Digest` carries its SHA-256.",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"], renderer_classes=PDF_RENDERERS)
    def letter(self, request, pk=None, **kwargs):
        user = request.user
        require(user, "notice.view")
        notice = selectors.notice_get(user, pk)
        if notice.letter_id is None:
            raise NotFound(_("The letter of this notice is not rendered yet."))
        require(user, "document.view", notice.letter)
        return stored_document_response(notice.letter)

    @extend_schema(
        summary="The same draft as a PDF (BR-04)",
        description="Rendered on demand in the authority's language; never sent anywhere.",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="authority-draft/pdf",
        renderer_classes=PDF_RENDERERS,
    )
    def authority_draft_pdf(self, request, pk=None, **kwargs):
        user = request.user
        require(user, "notice.view")
        notice = selectors.notice_get(user, pk)
        content, filename = authority_draft_pdf(user=user, notice=notice)
        return pdf_response(content, filename)

    @extend_schema(
        summary="The progress updates and final report that reached this customer (BR-07)",
        responses={200: CustomerUpdateSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], url_path="updates")
    def notice_updates(self, request, pk=None, **kwargs):
        user = request.user
        require(user, "notice.view")
        notice = selectors.notice_get(user, pk)
        updates = selectors.notice_updates(user, notice)
        return paged(self, updates, CustomerUpdateSerializer)


class DeadlineListView(generics.GenericAPIView):
    """Open deadlines, nearest first, as the dashboard lists them (BR-03, BR-04)."""

    serializer_class = DeadlineSerializer

    @extend_schema(
        summary="Open deadlines, nearest first (BR-03, BR-04)",
        description="Incidents whose customers are not all informed (48 hours after "
        "discovery) and notices without the customer's decision (72 hours after its "
        "awareness), at most 200. A customer user sees only its own notices.",
        responses=DeadlineSerializer(many=True),
    )
    def get(self, request):
        user = request.user
        if not can(user, "incident.view"):
            require(user, "notice.view")
        deadlines = selectors.open_deadlines(user)
        return paged(self, deadlines, DeadlineSerializer)
