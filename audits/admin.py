from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from audits.models import AuditEvent, ChainHead
from compliance.admin import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "seq",
        "occurred_at",
        "actor_label",
        "role",
        "action",
        "object_type",
        "object_id",
        "customer_id",
        "erased",
    )
    list_filter = ("action", "role", "object_type")
    search_fields = ("actor_label", "action", "object_id", "request_id", "chain_hash")
    date_hierarchy = "occurred_at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
    actions = None

    @admin.display(boolean=True, description=_("payload erased"))
    def erased(self, obj):
        return obj.erased_at is not None


@admin.register(ChainHead)
class ChainHeadAdmin(ReadOnlyAdmin):
    list_display = ("seq", "chain_hash", "sealed_at")
    actions = None
