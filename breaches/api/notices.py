"""The notices endpoint: what a customer records on its notice, what the staff record on one
(BR-03 … BR-09)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from breaches import selectors, services
from breaches.authority_draft.build import authority_draft_build, authority_draft_pdf
from breaches.models import CustomerNotice
from breaches.serializers import (
    CustomerReportSerializer,
    CustomerUpdateSerializer,
    LateReasonSerializer,
    NoticeDecisionSerializer,
    NoticeIntentionSerializer,
    NoticeMessageSerializer,
    NoticeQuerySerializer,
    NoticeSerializer,
    OutOfBandSerializer,
    StaffNoticeSerializer,
)
from compliance.access import require
from compliance.api_paging import paged
from compliance.api_pdf import PDF_RENDERERS, pdf_response, stored_document_response
from compliance.models import Product


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
