"""Django admin for the core data.

Who may do what here comes from the access layer, not from Django's model permissions: the
privacy officer reads and writes, a processor-wide auditor only reads, and nobody else gets
in (a customer's own auditor neither: the admin is not scoped to one organisation).

Writes go through the services where they exist (customers, contacts, contracts, users,
the processor profile), so the audit trail records them. Models without a service yet are
written by the admin itself, with an audit event in the same transaction. Data a workflow
owns (outgoing mail, stored documents) is read-only, and nothing is reverted from history:
a revert would bypass the services.
"""

import json

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from audits.models import AuditEvent, ChainHead
from audits.services import event_record
from compliance.access import can, customer_scope
from compliance.models import (
    Contact,
    Contract,
    Customer,
    Heartbeat,
    OutboxMessage,
    ProcessorProfile,
    Product,
    Role,
    StoredDocument,
    User,
)
from compliance.services import (
    CONTACT_FIELDS,
    CUSTOMER_FIELDS,
    PROFILE_FIELDS,
    contact_create,
    contact_delete,
    contact_update,
    contract_create,
    customer_create,
    customer_update,
    processor_profile_update,
    user_create,
)

admin.site.site_header = _("Processor compliance administration")
admin.site.site_title = _("Processor compliance")
admin.site.index_title = _("Core data")

# Never copied into an audit event: secrets and document bodies.
NEVER_LOGGED = frozenset({"password", "last_login", "content"})


def admin_reader(user) -> bool:
    """May open the admin: privacy officer and the processor's own auditor."""
    return can(user, "admin.view") and customer_scope(user) is None


def admin_writer(user) -> bool:
    return admin_reader(user) and user.role == Role.PRIVACY_OFFICER


def _site_has_permission(request) -> bool:
    # The role decides, not `is_staff`, so the demo privacy officer and auditor get in and
    # nobody else does; AccessMiddleware applies the same rule before the admin runs.
    return admin_reader(request.user)


admin.site.has_permission = _site_has_permission
# Roles replace Django's groups and model permissions here.
admin.site.unregister(Group)


def snapshot(obj) -> dict:
    """The fields of a row as JSON, for the before/after of an audit event."""
    data = {}
    for field in obj._meta.concrete_fields:
        if field.name in NEVER_LOGGED:
            continue
        data[field.attname] = field.value_from_object(obj)
    if obj.pk:
        for field in obj._meta.many_to_many:
            data[field.name] = sorted(o.pk for o in getattr(obj, field.name).all())
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _customer_id(obj) -> int | None:
    if isinstance(obj, Customer):
        return obj.pk
    return getattr(obj, "customer_id", None)


def _stored(obj):
    return type(obj)._default_manager.get(pk=obj.pk)


def _adopt(target, created) -> None:
    """Give the admin's unsaved instance the identity of the row a service created."""
    target.pk = created.pk
    target._state.adding = False
    target._state.db = created._state.db


class RoleAdminMixin:
    """Permissions from the role; the auditor reads, the privacy officer writes."""

    def has_module_permission(self, request):
        return admin_reader(request.user)

    def has_view_permission(self, request, obj=None):
        return admin_reader(request.user)

    def has_add_permission(self, request, *args):
        return admin_writer(request.user)

    def has_change_permission(self, request, obj=None):
        return admin_writer(request.user)

    def has_delete_permission(self, request, obj=None):
        return admin_writer(request.user)


class RoleInlineMixin(RoleAdminMixin):
    pass


class HistoryAdmin(RoleAdminMixin, SimpleHistoryAdmin):
    """History is shown, never reverted (a revert would bypass the services)."""

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied(_("Reverting from the history is not allowed."))
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyAdmin(RoleAdminMixin, admin.ModelAdmin):
    """Data a workflow owns: shown, never added, changed or deleted here."""

    actions = None

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedAdminMixin:
    """For models without a service yet: the admin's write and its audit event commit
    together (the admin already wraps each change in one transaction)."""

    def save_model(self, request, obj, form, change):
        form._audit_before = snapshot(_stored(obj)) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        event_record(
            actor=request.user,
            action=f"{obj._meta.model_name}.{'updated' if change else 'created'}",
            obj=obj,
            before=getattr(form, "_audit_before", None),
            after=snapshot(obj),
            customer_id=_customer_id(obj),
        )

    def delete_model(self, request, obj):
        with transaction.atomic():
            event_record(
                actor=request.user,
                action=f"{obj._meta.model_name}.deleted",
                obj=obj,
                before=snapshot(obj),
                customer_id=_customer_id(obj),
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        save_audited_formset(request, formset)


def save_audited_formset(request, formset, *, create=None) -> None:
    """Save an inline formset, one audit event per row. `create`, when given, is a
    function that adds a new row through its service (which records its own event)."""
    formset.save(commit=False)
    for obj in formset.deleted_objects:
        event_record(
            actor=request.user,
            action=f"{obj._meta.model_name}.deleted",
            obj=obj,
            before=snapshot(obj),
            customer_id=_customer_id(obj),
        )
        obj.delete()
    for obj, _changed in formset.changed_objects:
        before = snapshot(_stored(obj))
        obj.save()
        event_record(
            actor=request.user,
            action=f"{obj._meta.model_name}.updated",
            obj=obj,
            before=before,
            after=snapshot(obj),
            customer_id=_customer_id(obj),
        )
    for obj in formset.new_objects:
        if create is not None:
            _adopt(obj, create(obj))
            continue
        obj.save()
        event_record(
            actor=request.user,
            action=f"{obj._meta.model_name}.created",
            obj=obj,
            after=snapshot(obj),
            customer_id=_customer_id(obj),
        )
    formset.save_m2m()


# --- processor profile and products -----------------------------------------------------


@admin.register(ProcessorProfile)
class ProcessorProfileAdmin(HistoryAdmin):
    list_display = ("legal_name", "privacy_team_name", "privacy_email", "privacy_phone")

    def has_add_permission(self, request, *args):
        # One profile; the help page (ON-03) reads the first.
        return super().has_add_permission(request) and not ProcessorProfile.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in PROFILE_FIELDS if f in form.cleaned_data}
        _adopt(obj, processor_profile_update(actor=request.user, **data))


@admin.register(Product)
class ProductAdmin(RoleAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}

    def has_delete_permission(self, request, obj=None):
        # Contracts and subprocessors refer to products; removing one would rewrite them.
        return False


# --- customers, contracts, contacts -----------------------------------------------------


class ContractInline(RoleInlineMixin, admin.TabularInline):
    """Shown read-only: contracts are added on their own page through the service."""

    model = Contract
    extra = 0
    fields = ("starts_on", "ends_on", "agreement_model", "product_list")
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("products"))
    def product_list(self, obj):
        return ", ".join(p.name for p in obj.products.all())


class ContactInlineFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        for form in self.deleted_forms:
            contact = form.instance
            if contact.pk and _stored(contact).is_subscription_contact:
                raise ValidationError(
                    _(
                        "The subscription contact cannot be removed; make another contact "
                        "the subscription contact first."
                    )
                )


class ContactInline(RoleInlineMixin, admin.TabularInline):
    model = Contact
    formset = ContactInlineFormSet
    extra = 0
    fields = CONTACT_FIELDS


@admin.register(Customer)
class CustomerAdmin(HistoryAdmin):
    list_display = ("name", "customer_number", "country", "language", "created_at")
    list_filter = ("country", "language", "contracts__agreement_model")
    search_fields = ("name", "customer_number", "contacts__email")
    fields = CUSTOMER_FIELDS
    inlines = [ContractInline, ContactInline]

    def get_queryset(self, request):
        return super().get_queryset(request).distinct()

    def has_delete_permission(self, request, obj=None):
        # Contracts, documents and the audit trail refer to customers; none is deleted here.
        return False

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in CUSTOMER_FIELDS if f in form.cleaned_data}
        if change:
            customer_update(actor=request.user, customer=obj, **data)
        else:
            _adopt(obj, customer_create(actor=request.user, **data))

    def save_formset(self, request, form, formset, change):
        if formset.model is not Contact:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        for contact in formset.deleted_objects:
            contact_delete(actor=request.user, contact=contact)
        for contact, _changed in formset.changed_objects:
            contact_update(actor=request.user, contact=contact, **_contact_data(contact))
        for contact in formset.new_objects:
            created = contact_create(
                actor=request.user, customer=form.instance, **_contact_data(contact)
            )
            _adopt(contact, created)


def _contact_data(contact: Contact) -> dict:
    return {f: getattr(contact, f) for f in CONTACT_FIELDS}


class ContractForm(forms.ModelForm):
    class Meta:
        model = Contract
        fields = ("customer", "starts_on", "ends_on", "agreement_model", "products")


@admin.register(Contract)
class ContractAdmin(AuditedAdminMixin, HistoryAdmin):
    """New contracts go through `contract_create` (CT-01); later changes (for example an
    end date) are recorded by the admin itself until a contract service exists."""

    form = ContractForm
    list_display = ("customer", "starts_on", "ends_on", "agreement_model")
    list_filter = ("agreement_model", "products")
    search_fields = ("customer__name", "customer__customer_number")
    autocomplete_fields = ("customer",)
    filter_horizontal = ("products",)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return ("customer",) if obj else ()

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        created = contract_create(
            actor=request.user,
            customer=data["customer"],
            starts_on=data["starts_on"],
            ends_on=data.get("ends_on"),
            agreement_model=data["agreement_model"],
            products=list(data["products"]),
        )
        _adopt(obj, created)
        form._created_by_service = True

    def save_related(self, request, form, formsets, change):
        if getattr(form, "_created_by_service", False):
            # The service already set the products and recorded the event.
            for formset in formsets:
                self.save_formset(request, form, formset, change=change)
            return
        super().save_related(request, form, formsets, change)


# --- users ------------------------------------------------------------------------------


class UserCreateForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "role", "customer", "language")

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("A user with this e-mail address already exists."))
        return email


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(AuditedAdminMixin, HistoryAdmin, DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreateForm
    list_display = ("email", "full_name", "role", "customer", "is_active")
    list_filter = ("role", "is_active", "language")
    search_fields = ("email", "full_name", "customer__name")
    ordering = ("email",)
    filter_horizontal = ()
    autocomplete_fields = ("customer",)
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "language", "confidentiality_acknowledged_on")}),
        (_("Role"), {"fields": ("role", "customer")}),
        # `is_staff` is not shown: the role alone decides who opens the admin.
        (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "full_name",
                    "role",
                    "customer",
                    "language",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    def has_delete_permission(self, request, obj=None):
        # The audit trail refers to users; deactivate instead.
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        created = user_create(
            actor=request.user,
            email=data["email"],
            role=data["role"],
            full_name=data.get("full_name", ""),
            customer=data.get("customer"),
            language=data.get("language") or "en",
            password=data.get("password1") if data.get("set_usable_password") else None,
        )
        _adopt(obj, created)
        form._created_by_service = True

    def save_related(self, request, form, formsets, change):
        if getattr(form, "_created_by_service", False):
            return
        super().save_related(request, form, formsets, change)

    def user_change_password(self, request, id, form_url=""):
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user = self.get_object(request, unquote(id))
                event_record(
                    actor=request.user,
                    action="user.password_set",
                    obj=user,
                    customer_id=user.customer_id,
                )
        return response


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
