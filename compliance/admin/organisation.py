"""Admin for the processor profile (ON-03), products, customers, contracts (CT-01) and
contacts (BR-05)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from compliance.admin.base import (
    AuditedAdminMixin,
    HistoryAdmin,
    RoleAdminMixin,
    RoleInlineMixin,
    _adopt,
    _stored,
)
from compliance.models import Contact, Contract, Customer, ProcessorProfile, Product
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
)

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
