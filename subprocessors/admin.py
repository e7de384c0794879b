"""Admin for the subprocessor register (SP-01, SP-02).

New subprocessors and locations go through the services; later edits are recorded by the
admin with an audit event. Once change notices exist (subprocessor issue), a change to the
register that customers must be told about belongs to that workflow, not to the admin.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from compliance.admin import (
    AuditedAdminMixin,
    HistoryAdmin,
    RoleInlineMixin,
    _adopt,
    save_audited_formset,
)
from subprocessors.models import (
    EEA_COUNTRIES,
    ChangeNotice,
    ChangeNoticeRecipient,
    Objection,
    ProcessingLocation,
    Subprocessor,
    Subscriber,
    TerminationRight,
)
from subprocessors.services import location_add, subprocessor_create


class ProcessingLocationForm(forms.ModelForm):
    class Meta:
        model = ProcessingLocation
        fields = ("name", "city", "country")

    def clean_country(self):
        # Same rule and message as `location_add` (SP-02), before the database refuses it.
        country = (self.cleaned_data.get("country") or "").strip().upper()
        if country not in EEA_COUNTRIES:
            raise ValidationError(
                _(
                    "Personal data may only be processed inside the European Economic "
                    "Area; %(country)s is outside it."
                )
                % {"country": country or "?"}
            )
        return country


class ProcessingLocationInline(RoleInlineMixin, admin.TabularInline):
    model = ProcessingLocation
    form = ProcessingLocationForm
    extra = 0
    fields = ("name", "city", "country")


@admin.register(Subprocessor)
class SubprocessorAdmin(AuditedAdminMixin, HistoryAdmin):
    list_display = (
        "legal_entity",
        "status",
        "certifications",
        "flow_down_reference",
        "active_since",
    )
    list_filter = ("status", "products")
    # Going live or being removed is the change-notice workflow's business (SP-03).
    readonly_fields = ("status", "removed_on")
    search_fields = ("legal_entity", "purpose", "locations__city")
    filter_horizontal = ("products",)
    inlines = [ProcessingLocationInline]

    def get_queryset(self, request):
        return super().get_queryset(request).distinct()

    def has_delete_permission(self, request, obj=None):
        # Removing a subprocessor is a change notice (SP-03), not an admin delete.
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        created = subprocessor_create(
            actor=request.user,
            legal_entity=data["legal_entity"],
            purpose=data["purpose"],
            flow_down_reference=data["flow_down_reference"],
            flow_down_signed_on=data["flow_down_signed_on"],
            certifications=data.get("certifications", ""),
            products=list(data.get("products", [])),
            active_since=data.get("active_since"),
        )
        _adopt(obj, created)
        form._created_by_service = True

    def save_related(self, request, form, formsets, change):
        if getattr(form, "_created_by_service", False):
            # The service set the products and recorded the event; only inlines remain.
            for formset in formsets:
                self.save_formset(request, form, formset, change=change)
            return
        super().save_related(request, form, formsets, change)

    def save_formset(self, request, form, formset, change):
        def add(location):
            return location_add(
                actor=request.user,
                subprocessor=form.instance,
                city=location.city,
                country=location.country,
                name=location.name,
            )

        save_audited_formset(request, formset, create=add)


class WorkflowAdmin(HistoryAdmin):
    """Rows a workflow owns (SP-03 … SP-06): shown with their history, changed only through
    the services."""

    actions = None

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ChangeNoticeRecipientInline(RoleInlineMixin, admin.TabularInline):
    model = ChangeNoticeRecipient
    extra = 0
    fields = (
        "customer",
        "reason",
        "contract_ended_on",
        "informed_at",
        "out_of_band_note",
        "letter",
    )
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ChangeNotice)
class ChangeNoticeAdmin(WorkflowAdmin):
    list_display = (
        "subprocessor",
        "kind",
        "state",
        "announced_at",
        "sent_completely_at",
        "effective_at",
        "went_live_at",
    )
    list_filter = ("state", "kind")
    search_fields = ("subprocessor__legal_entity", "description")
    inlines = [ChangeNoticeRecipientInline]


@admin.register(Objection)
class ObjectionAdmin(WorkflowAdmin):
    list_display = ("customer", "subprocessor", "state", "lodged_at", "decided_at", "decided_by")
    list_filter = ("state", "upheld_outcome")
    search_fields = ("customer__name", "subprocessor__legal_entity")


@admin.register(TerminationRight)
class TerminationRightAdmin(WorkflowAdmin):
    list_display = ("customer", "change_notice", "offered_at", "exercised_at", "exercised_by")


@admin.register(Subscriber)
class SubscriberAdmin(WorkflowAdmin):
    list_display = ("email", "language", "created_at", "confirmed_at", "unsubscribed_at")
    search_fields = ("email",)
    exclude = ("confirm_token_hash",)
    # The consent kept for a confirmed subscriber (SP-01): when, from where, which text.
    readonly_fields = ("confirm_sent_at", "consent_client_address", "consent_text")
