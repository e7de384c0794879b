"""Pages of the record of processing (GDPR Art. 30(2), RP-01): the staff list of customers
with their current version, one customer's record with its versions and downloads, the
details and settings forms, a refresh on demand; the customer's own record in the portal;
the exports for the authority (Art. 30(4)). Objects come through the user's scope (another
organisation's id is a 404); the services check and record every write and export."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from compliance.access import can, customer_scope, require
from compliance.forms import attach_service_errors
from compliance.methods import require_form
from processing.forms.record import DetailsForm, SettingsForm
from processing.selectors.record import (
    record_customer_get,
    record_customers_for,
    record_details,
    record_settings,
    record_versions,
)
from processing.services import record as services
from processing.services.record_export import record_export


def _page(request, customer, template: str, extra: dict | None = None):
    versions = list(record_versions(customer))
    items = services.record_items(versions, language=get_language() or "en")
    return render(
        request,
        template,
        {
            "customer": customer,
            "current": items[0] if items else None,
            "items": items,
            "can_change": can(request.user, "processing_record.change", customer),
            **(extra or {}),
        },
    )


@require_safe
def record_list(request):
    user = request.user
    require(user, "processing_record.view_list")
    return render(
        request,
        "processing/record/list.html",
        {
            "customers": record_customers_for(user)[:1000],
            "can_change": can(user, "processing_record.change"),
        },
    )


@require_safe
def record_detail(request, customer_id):
    customer = record_customer_get(request.user, customer_id)
    return _page(request, customer, "processing/record/detail.html")


@require_POST
def record_refresh(request, customer_id):
    customer = record_customer_get(request.user, customer_id)
    require(request.user, "processing_record.change", customer)
    version = services.record_refresh(actor=request.user, customer=customer)
    if version is None:
        messages.info(request, _("Nothing changed: the current version still holds."))
    else:
        messages.success(request, _("Version %(number)s was stored.") % {"number": version.version})
    return redirect("processing:record_detail", customer_id=customer.pk)


@require_form
def record_details_edit(request, customer_id):
    customer = record_customer_get(request.user, customer_id)
    require(request.user, "processing_record.change", customer)
    details = record_details(customer)
    initial = {f: getattr(details, f) for f in services.DETAIL_FIELDS} if details else {}
    form = DetailsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.details_update(actor=request.user, customer=customer, **form.cleaned_data)
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The details were saved. Store a new version to put them in the record."),
            )
            return redirect("processing:record_detail", customer_id=customer.pk)
    return render(
        request,
        "processing/record/form.html",
        {"form": form, "customer": customer, "title": _("Details of the record")},
        status=400 if form.errors else 200,
    )


@require_form
def record_settings_edit(request):
    require(request.user, "processing_record.change")
    row = record_settings()
    initial = {f: getattr(row, f) for f in services.SETTINGS_FIELDS}
    form = SettingsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.settings_update(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(
                request, _("Saved. The daily check puts it in every customer's record.")
            )
            return redirect("processing:record_list")
    return render(
        request,
        "processing/record/form.html",
        {"form": form, "customer": None, "title": _("The record's general texts")},
        status=400 if form.errors else 200,
    )


def _download(request, customer, fmt: str):
    if fmt not in ("pdf", "xlsx"):
        from django.http import Http404

        raise Http404
    language = request.GET.get("lang") or get_language() or "en"
    content, ctype, filename = record_export(
        actor=request.user, customer=customer, format=fmt, language=language
    )
    response = HttpResponse(content, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def record_export_one(request, customer_id, fmt):
    return _download(request, record_customer_get(request.user, customer_id), fmt)


@require_safe
def record_export_all(request, fmt):
    require(request.user, "processing_record.view_list")
    return _download(request, None, fmt)


@require_safe
def portal_record(request):
    user = request.user
    require(user, "portal.view")
    scope = customer_scope(user)
    customer = record_customer_get(user, scope)
    return _page(request, customer, "processing/record/portal.html")
