"""The admin's foundations: who may open it, the role-based permission mixins, read-only and
history admins, and the audit of writes made by the admin itself (`AuditedAdminMixin`,
`save_audited_formset`). The registrations are in the sibling modules."""

import json

from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from audits.services import event_record
from compliance.access import can, customer_scope
from compliance.models import Customer, Role

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
