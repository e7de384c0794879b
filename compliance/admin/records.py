"""Admin for data a workflow owns (stored documents, outgoing mail, heartbeats) and for the
audit trail (AU-03): shown, never changed here."""

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from audits.actions import audit_action_label
from audits.models import AuditEvent, ChainHead
from compliance.admin.base import ReadOnlyAdmin
from compliance.models import Heartbeat, OutboxMessage, StoredDocument

# --- data owned by workflows: read-only -------------------------------------------------


@admin.register(StoredDocument)
class StoredDocumentAdmin(ReadOnlyAdmin):
    list_display = ("title", "customer", "language", "template_name", "created_at", "download")
    list_filter = ("language", "template_name")
    search_fields = ("title", "filename", "sha256", "customer__name")
    exclude = ("content",)
    readonly_fields = (
        "uuid",
        "title",
        "filename",
        "customer",
        "content_type",
        "size",
        "sha256",
        "template_name",
        "template_version",
        "language",
        "created_at",
        "created_by",
        "download",
    )

    @admin.display(description=_("download"))
    def download(self, obj):
        try:
            url = reverse("document_download", kwargs={"uuid": obj.uuid})
        except NoReverseMatch:
            return ""
        return format_html('<a href="{}">{}</a>', url, obj.filename)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "to_email",
        "subject",
        "status",
        "attempts",
        "accepted_at",
        "escalated_at",
    )
    list_filter = ("status", "escalation_reason", "language")
    search_fields = ("to_email", "subject", "key", "message_id", "customer__name")
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in OutboxMessage._meta.fields] + ["attachments"]


@admin.register(Heartbeat)
class HeartbeatAdmin(ReadOnlyAdmin):
    list_display = ("name", "beat_at")


# --- the audit trail (AU-03): registered here, as it asks the core's access rules -------


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "seq",
        "occurred_at",
        "actor_label",
        "role",
        "action",
        "action_label",
        "object_type",
        "object_id",
        "customer_id",
        "erased",
    )
    list_filter = ("action", "role", "object_type")
    search_fields = ("actor_label", "action", "object_id", "request_id", "chain_hash")
    date_hierarchy = "occurred_at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields] + ["action_label"]
    actions = None

    @admin.display(description=_("what happened"), ordering="action")
    def action_label(self, obj):
        """The stored action in people's words, beside the code (`AuditAction` label; an
        action no longer listed shows as stored)."""
        return audit_action_label(obj.action)

    @admin.display(boolean=True, description=_("payload erased"))
    def erased(self, obj):
        return obj.erased_at is not None


@admin.register(ChainHead)
class ChainHeadAdmin(ReadOnlyAdmin):
    list_display = ("seq", "chain_hash", "sealed_at")
    actions = None
