"""Read-only admin for the breach workflow: the workflow's services own the data."""

from django.contrib import admin

from breaches.models import CustomerNotice, Incident, IncidentUpdate
from compliance.admin import ReadOnlyAdmin


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
