"""API of the record of processing (GDPR Art. 30(2), RP-01): `/api/processing-records/`
lists the versions the user may read (staff readers all, a customer's users their own),
`export` gives one customer's current record as PDF or XLSX (Art. 30(4)) and
`/api/processing-records/export/` every customer's. Another organisation's id is a 404."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError

from compliance.access import require
from processing.models.record import ProcessingRecordVersion
from processing.selectors.record import record_customer_get, record_versions_for
from processing.services.record_export import record_export


class RecordVersionSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)

    class Meta:
        model = ProcessingRecordVersion
        fields = [
            "id",
            "customer",
            "customer_name",
            "version",
            "content",
            "change_note",
            "created_at",
            "created_by",
        ]
        read_only_fields = fields


def _file(request, customer):
    fmt = request.query_params.get("format_type") or request.query_params.get("as") or "pdf"
    if fmt not in ("pdf", "xlsx"):
        raise ValidationError({"as": "pdf or xlsx"})
    language = request.query_params.get("lang") or "en"
    content, ctype, filename = record_export(
        actor=request.user, customer=customer, format=fmt, language=language
    )
    response = HttpResponse(content, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@extend_schema_view(
    list=extend_schema(summary="Versions of the records of processing you may read (RP-01)"),
    retrieve=extend_schema(summary="One version of a record of processing"),
)
class ProcessingRecordViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = RecordVersionSerializer

    def get_queryset(self):
        qs = record_versions_for(self.request.user)
        customer = self.request.query_params.get("customer")
        if customer and customer.isdigit():
            qs = qs.filter(customer_id=int(customer))
        return qs

    @extend_schema(summary="One customer's current record as PDF or XLSX (?as=pdf|xlsx&lang=)")
    @action(detail=False, methods=["get"], url_path="customers/<id:customer_id>/export")
    def export(self, request, customer_id=None):
        return _file(request, record_customer_get(request.user, customer_id))

    @extend_schema(summary="Every customer's current record as one PDF or XLSX")
    @action(detail=False, methods=["get"], url_path="export")
    def export_all(self, request):
        require(request.user, "processing_record.view_list")
        return _file(request, None)


def register(router) -> None:
    """Register this part's viewsets on the app's router."""
    router.register(
        "processing-records", ProcessingRecordViewSet, basename="api-processing-records"
    )
