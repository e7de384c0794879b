"""Read-only admin for the breach workflow: the workflow's services own the data."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from breaches.models import (
    CustomerNotice,
    DossierRequest,
    Incident,
    IncidentUpdate,
    NoticeLetter,
)
from compliance.admin import ReadOnlyAdmin
from compliance.models import StoredDocument


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ("pk", "title", "state", "source", "discovered_at", "customer_due_at")
    list_filter = ("state", "source", "severity_band")
    search_fields = ("title", "description")
    date_hierarchy = "discovered_at"


@admin.register(CustomerNotice)
class CustomerNoticeAdmin(ReadOnlyAdmin):
    list_display = ("pk", "incident", "customer", "state", "informed_at", "authority_due_at")
    list_filter = ("state", "informed_how", "late", "customer_reported")
    search_fields = ("customer__name", "customer__customer_number")
    list_select_related = ("incident", "customer")
    raw_id_fields = ("incident", "customer")


@admin.register(IncidentUpdate)
class IncidentUpdateAdmin(ReadOnlyAdmin):
    list_display = ("incident", "number", "kind", "created_at", "recipients_count")
    list_filter = ("kind",)


@admin.register(DossierRequest)
class DossierRequestAdmin(ReadOnlyAdmin):
    list_display = ("pk", "incident", "customer", "state", "requested_at", "finished_at")
    list_filter = ("state",)
    list_select_related = ("incident", "customer")
    search_fields = ("incident__title",)
    # The document is shown by its UUID, without loading its PDF bytes.
    exclude = ("document",)
    readonly_fields = ("document_uuid",)

    @admin.display(description=_("document"))
    def document_uuid(self, obj):
        if not obj.document_id:
            return "—"
        return (
            StoredDocument.objects.filter(pk=obj.document_id).values_list("uuid", flat=True).first()
        )


@admin.register(NoticeLetter)
class NoticeLetterAdmin(ReadOnlyAdmin):
    list_display = ("pk", "notice", "version", "informed_at", "requested_at", "attempts")
    list_select_related = ("notice",)
    raw_id_fields = ("notice",)
    # The document is shown by its UUID, without loading its PDF bytes.
    exclude = ("document",)
    readonly_fields = ("document_uuid",)

    @admin.display(description=_("document"))
    def document_uuid(self, obj):
        if not obj.document_id:
            return "—"
        return (
            StoredDocument.objects.filter(pk=obj.document_id).values_list("uuid", flat=True).first()
        )
