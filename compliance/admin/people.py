"""Admin for users: created through `user_create`, never deleted (the audit trail refers to
them)."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from audits.services import event_record
from compliance.admin.base import AuditedAdminMixin, HistoryAdmin, _adopt
from compliance.models import User
from compliance.services import user_create


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
