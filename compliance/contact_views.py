"""Pages for customers and their contacts (BR-05).

Customer admins keep their own organisation's contacts in the portal; customer contacts read
them; the privacy officer reaches any customer's contacts from the staff customer pages.
Objects are always fetched through selectors scoped by the user, so another organisation's
ids answer 404; the action check answers 403.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from compliance import contact_confirmation, selectors, services
from compliance.access import can, customer_scope, require
from compliance.forms import ContactForm, CustomerSearchForm, attach_service_errors
from compliance.methods import require_form
from compliance.models import Role

CUSTOMERS_PER_PAGE = 25


def _own_customer(user):
    """The organisation of a customer user (or of an auditor engaged by one)."""
    scope = customer_scope(user)
    if scope is None:
        return None
    return selectors.customer_get(user, scope)


def _contacts_url(user, customer) -> str:
    if customer_scope(user) is not None:
        return reverse("portal_contacts")
    return reverse("customer_detail", args=[customer.pk])


# --- portal -----------------------------------------------------------------------------


@require_safe
def portal_contacts(request):
    """The organisation's contacts; editable by its admins, read-only for other users."""
    user = request.user
    require(user, "contact.view")
    customer = _own_customer(user)
    if customer is None:
        return redirect("customer_list")
    return render(
        request,
        "compliance/contacts/list.html",
        {
            "customer": customer,
            "contacts": selectors.contacts_for(user, customer=customer),
            "can_change": can(user, "contact.change", customer),
            **confirmation_context(user, customer),
        },
    )


def confirmation_context(user, customer) -> dict:
    """What the portal's contacts-confirmation banner needs (BR-05)."""
    return {
        "contacts_confirmation_due": contact_confirmation.confirmation_due(customer),
        "can_confirm_contacts": can(user, "contact.change", customer)
        and user.role == Role.CUSTOMER_ADMIN,
    }


@require_POST
def portal_contacts_confirm(request):
    """A customer administrator confirms the breach contacts are current (BR-05)."""
    user = request.user
    customer = _own_customer(user)
    if customer is None:
        raise Http404
    contact_confirmation.contacts_confirm(actor=user, customer=customer)
    messages.success(request, _("Thank you: your contacts are confirmed as current."))
    return redirect("portal_contacts")


# --- contacts (portal and staff) ---------------------------------------------------------


@require_form
def contact_create(request, customer_pk=None):
    user = request.user
    if customer_pk is None:
        customer = _own_customer(user)
        if customer is None:
            raise Http404
    else:
        customer = selectors.customer_get(user, customer_pk)
    require(user, "contact.change", customer)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.contact_create(actor=user, customer=customer, **form.cleaned_data)
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("Contact %(name)s was added.") % {"name": contact.name})
            return redirect(_contacts_url(user, customer))
    return render(
        request,
        "compliance/contacts/form.html",
        {
            "form": form,
            "customer": customer,
            "contact": None,
            "cancel_url": _contacts_url(user, customer),
        },
        status=400 if form.errors else 200,
    )


@require_form
def contact_update(request, pk):
    user = request.user
    contact = selectors.contact_get(user, pk)
    require(user, "contact.change", contact)
    form = ContactForm(request.POST or None, initial=ContactForm.initial_for(contact))
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.contact_update(actor=user, contact=contact, **form.cleaned_data)
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("Contact %(name)s was saved.") % {"name": contact.name})
            return redirect(_contacts_url(user, contact.customer))
    return render(
        request,
        "compliance/contacts/form.html",
        {
            "form": form,
            "customer": contact.customer,
            "contact": contact,
            "cancel_url": _contacts_url(user, contact.customer),
        },
        status=400 if form.errors else 200,
    )


@require_form
def contact_delete(request, pk):
    user = request.user
    contact = selectors.contact_get(user, pk)
    require(user, "contact.change", contact)
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.contact_delete(actor=user, contact=contact)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("Contact %(name)s was removed.") % {"name": contact.name})
            return redirect(_contacts_url(user, contact.customer))
    return render(
        request,
        "compliance/contacts/confirm_delete.html",
        {
            "contact": contact,
            "customer": contact.customer,
            "errors": errors,
            "cancel_url": _contacts_url(user, contact.customer),
        },
        status=400 if errors else 200,
    )


# --- staff customer pages ---------------------------------------------------------------


@require_safe
def customer_list(request):
    user = request.user
    require(user, "customer.view_list")
    form = CustomerSearchForm(request.GET or None)
    customers = selectors.customers_for(user)
    term = form.cleaned_data["q"].strip() if form.is_valid() else ""
    if term:
        customers = customers.filter(Q(name__icontains=term) | Q(customer_number__icontains=term))
    # BR-05: the privacy officer follows up customers that did not confirm their contacts.
    confirmation_overdue = request.GET.get("confirmation") == "overdue"
    if confirmation_overdue:
        customers = contact_confirmation.customers_confirmation_due(customers)
    page = Paginator(customers, CUSTOMERS_PER_PAGE).get_page(request.GET.get("page"))
    for listed in page:
        listed.contacts_confirmation_due = contact_confirmation.confirmation_due(listed)
    return render(
        request,
        "compliance/customers/list.html",
        {
            "form": form,
            "page_obj": page,
            "term": term,
            "confirmation_overdue": confirmation_overdue,
        },
    )


@require_safe
def customer_detail(request, pk):
    """A customer with its contracts and products; its contacts only for those who may read
    contacts (AC-01)."""
    user = request.user
    require(user, "customer.view")
    customer = selectors.customer_get(user, pk)
    contracts = customer.contracts.prefetch_related("products")
    show_contacts = can(user, "contact.view", customer)
    return render(
        request,
        "compliance/customers/detail.html",
        {
            "customer": customer,
            "contracts": contracts,
            "contacts": selectors.contacts_for(user, customer=customer) if show_contacts else None,
            "can_change": can(user, "contact.change", customer),
            "back_to_list": can(user, "customer.view_list"),
        },
    )
