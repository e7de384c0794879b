"""REST API of the incident's evidence dossier (AU-03): ask for one, follow the request,
fetch the PDF. The same access rules and services as the page (`breaches.dossier`): privacy
officer and auditors; a customer-engaged auditor gets and sees only its customer's part;
another customer's incident answers 404.

Registered on the API router as
`incidents/<id:incident_pk>/dossiers` (basename `api-incident-dossier`); the router's `id`
converter takes the request id too.
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from breaches.dossier.requests import dossier_request_create, dossier_requests_for
from breaches.dossier.selection import dossier_get, dossier_incident_get, dossiers_for
from breaches.models import DossierRequest
from compliance.api_fields import ModelSerializer, Serializer
from compliance.api_pdf import PDF_RENDERERS, stored_document_response
from compliance.models import StoredDocument


class DossierDocumentSerializer(ModelSerializer):
    """One stored dossier (immutable; check a copy against `sha256`)."""

    scope_customer = serializers.IntegerField(source="customer_id", read_only=True, allow_null=True)
    issued_by = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField(
        help_text="The download for a signed-in browser session."
    )

    class Meta:
        model = StoredDocument
        fields = [
            "uuid",
            "filename",
            "sha256",
            "size",
            "language",
            "created_at",
            "scope_customer",
            "issued_by",
            "download_url",
        ]
        read_only_fields = fields

    def get_issued_by(self, document) -> str | None:
        return document.created_by.email if document.created_by_id else None

    def get_download_url(self, document) -> str:
        return reverse(
            "incident_dossier_download", args=[self.context["incident_pk"], document.uuid]
        )


class DossierRequestSerializer(ModelSerializer):
    """A request for a dossier: `pending` while it is prepared in the background, then
    `done` with its `document`, or `failed` with the `error`."""

    state = serializers.CharField(read_only=True, help_text="pending, done or failed")
    scope_customer = serializers.IntegerField(
        source="customer_id",
        read_only=True,
        allow_null=True,
        help_text="The customer the dossier is filtered to; null for all customers.",
    )
    requested_by = serializers.SerializerMethodField()
    document = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField(help_text="The PDF once the request is done.")

    class Meta:
        model = DossierRequest
        fields = [
            "id",
            "incident",
            "state",
            "scope_customer",
            "requested_by",
            "requested_at",
            "attempts",
            "finished_at",
            "error",
            "document",
            "pdf_url",
        ]
        read_only_fields = fields

    def get_requested_by(self, request) -> str:
        return request.requested_by.email

    @extend_schema_field(DossierDocumentSerializer(allow_null=True))
    def get_document(self, request) -> dict | None:
        if not request.document_id:
            return None
        return DossierDocumentSerializer(request.document, context=self.context).data

    def get_pdf_url(self, request) -> str | None:
        if not request.document_id:
            return None
        return reverse(
            "api-incident-dossier-pdf",
            kwargs={"incident_pk": request.incident_id, "pk": request.pk},
        )


class DossierCreatedSerializer(DossierRequestSerializer):
    created = serializers.BooleanField(
        read_only=True,
        help_text="False when a request of the same incident and scope was already pending "
        "(that request is returned; no second one is made).",
    )
    detail = serializers.CharField(read_only=True)

    class Meta(DossierRequestSerializer.Meta):
        fields = [*DossierRequestSerializer.Meta.fields, "created", "detail"]
        read_only_fields = fields


@extend_schema_serializer(many=False)  # one object, though the action is `list`
class DossierListSerializer(Serializer):
    requests = DossierRequestSerializer(many=True)
    documents = DossierDocumentSerializer(many=True)


INCIDENT_PK = OpenApiParameter(
    "incident_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="The incident."
)
REQUEST_PK = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The dossier request."
)


@extend_schema_view(
    list=extend_schema(
        summary="Dossier requests and stored dossiers of an incident (AU-03)",
        description="Requests newest first (pending, done, failed) and every stored dossier "
        "you may download. A customer-engaged auditor sees only its customer's.",
        parameters=[INCIDENT_PK],
        responses={200: DossierListSerializer},
    ),
    create=extend_schema(
        summary="Ask for a new evidence dossier (AU-03, BR-02)",
        description="The dossier (PDF/A-3b with the timeline, notices, messages and "
        "decisions, JSON and CSV attached) is prepared in the background: the answer is 202 "
        "with the pending request; follow it until `state` is `done`, then fetch `pdf_url`. "
        "While a request of the same incident and scope is pending, that request is returned "
        "with 200 and `created: false`, and no second one is made.",
        parameters=[INCIDENT_PK],
        request=None,
        responses={202: DossierCreatedSerializer, 200: DossierCreatedSerializer},
    ),
    retrieve=extend_schema(
        summary="One dossier request (AU-03)",
        parameters=[INCIDENT_PK, REQUEST_PK],
        responses={200: DossierRequestSerializer},
    ),
)
class IncidentDossierViewSet(viewsets.ViewSet):
    """Evidence dossiers of one incident (AU-03): privacy officer and auditors."""

    serializer_class = DossierRequestSerializer

    def _incident(self):
        return dossier_incident_get(self.request.user, self.kwargs["incident_pk"])

    def _requests(self, incident):
        # The document's bytes are not needed to describe it.
        return (
            dossier_requests_for(self.request.user, incident)
            .select_related("document", "document__created_by")
            .defer("document__content")
        )

    def _request(self, incident):
        found = self._requests(incident).filter(pk=self.kwargs["pk"]).first()
        if found is None:
            raise NotFound
        return found

    def _context(self, incident):
        return {"request": self.request, "incident_pk": incident.pk}

    def list(self, request, incident_pk=None, **kwargs):
        incident = self._incident()
        requests = self._requests(incident)[:100]
        documents = dossiers_for(request.user, incident)[:100]
        context = self._context(incident)
        return Response(
            {
                "requests": DossierRequestSerializer(requests, many=True, context=context).data,
                "documents": DossierDocumentSerializer(documents, many=True, context=context).data,
            }
        )

    def create(self, request, incident_pk=None, **kwargs):
        incident = self._incident()
        dossier_request, created = dossier_request_create(actor=request.user, incident=incident)
        data = DossierRequestSerializer(dossier_request, context=self._context(incident)).data
        data["created"] = created
        data["detail"] = (
            _("The evidence dossier is being prepared.")
            if created
            else _(
                "A dossier of this incident is already being prepared; no second one was requested."
            )
        )
        location = reverse(
            "api-incident-dossier-detail",
            kwargs={"incident_pk": incident.pk, "pk": dossier_request.pk},
        )
        return Response(
            data,
            status=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK,
            headers={"Location": location},
        )

    def retrieve(self, request, incident_pk=None, pk=None, **kwargs):
        incident = self._incident()
        found = self._request(incident)
        return Response(DossierRequestSerializer(found, context=self._context(incident)).data)

    @extend_schema(
        summary="The PDF of a finished dossier request (AU-03)",
        description="404 while the request is pending or when it failed. The `Repr-Digest` "
        "header carries the SHA-256 (RFC 9530).",
        parameters=[INCIDENT_PK, REQUEST_PK],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"], renderer_classes=PDF_RENDERERS)
    def pdf(self, request, incident_pk=None, pk=None, **kwargs):
        incident = self._incident()
        found = self._request(incident)
        if not found.document_id:
            raise NotFound(_("This dossier is not ready."))
        document = dossier_get(request.user, incident, found.document.uuid)
        return stored_document_response(document)
