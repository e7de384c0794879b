"""Pages of contract end (RT-01): the staff's register of deletions, one deletion, the
form that records a contract's end and the form that confirms a deletion; the customer's
page with its own deletion, the exports and the early-deletion request. Objects come
through the user's scope (another customer's id is a 404)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from compliance.access import can, customer_scope, require
from compliance.forms import attach_service_errors
from compliance.methods import require_form
from processing.forms.contract_end import ConfirmDeletionForm, ContractEndForm, EarlyDeletionForm
from processing.selectors.contract_end import (
    deletion_get,
    deletion_of_customer,
    deletions_for,
    due_words,
    is_overdue,
)
from processing.services import contract_end as services
from processing.services import contract_end_dates as dates


def _page_context() -> dict:
    return {
        "early_days": dates.EARLY_DELETION_WORKING_DAYS,
        "reminder_days": dates.REMINDER_DAYS,
    }


@require_safe
def deletion_list(request):
    user = request.user
    require(user, "environment_deletion.view")
    now = timezone.now()
    rows = [(d, due_words(d, now), is_overdue(d, now)) for d in deletions_for(user)[:500]]
    return render(
        request,
        "processing/contract_end/list.html",
        {
            "rows": rows,
            "can_schedule": can(user, "environment_deletion.schedule"),
            **_page_context(),
        },
    )


@require_safe
def deletion_detail(request, pk):
    user = request.user
    require(user, "environment_deletion.view")
    deletion = deletion_get(user, pk)
    return render(
        request,
        "processing/contract_end/detail.html",
        {
            "deletion": deletion,
            "words": due_words(deletion),
            "overdue": is_overdue(deletion),
            "backups": dates.backup_expiry(deletion.deleted_at) if deletion.deleted_at else None,
            "can_confirm": deletion.is_scheduled
            and can(user, "environment_deletion.confirm", deletion),
            "history": deletion.history.select_related("history_user").order_by("history_date"),
            **_page_context(),
        },
    )


@require_form
def contract_end_create(request):
    user = request.user
    require(user, "environment_deletion.schedule")
    form = ContractEndForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            deletion = services.contract_end_record(
                actor=user,
                contract_id=form.cleaned_data["contract"].pk,
                ends_on=form.cleaned_data["ends_on"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("The contract end was recorded; the deletion is due."))
            return redirect("processing:deletion_detail", pk=deletion.pk)
    return render(
        request,
        "processing/contract_end/form.html",
        {"form": form, **_page_context()},
        status=400 if form.errors else 200,
    )


@require_form
def deletion_confirm(request, pk):
    user = request.user
    deletion = deletion_get(user, pk)
    require(user, "environment_deletion.confirm", deletion)
    form = ConfirmDeletionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.deletion_confirm(actor=user, deletion=deletion, what=form.cleaned_data["what"])
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(
                request, _("The deletion was recorded in your name; the certificate is issued.")
            )
            return redirect("processing:deletion_detail", pk=deletion.pk)
    return render(
        request,
        "processing/contract_end/confirm.html",
        {"form": form, "deletion": deletion},
        status=400 if form.errors else 200,
    )


def _portal_context(user) -> dict:
    deletion = deletion_of_customer(customer_scope(user))
    return {
        "deletion": deletion,
        "words": due_words(deletion) if deletion else "",
        "can_request": deletion is not None
        and deletion.is_scheduled
        and deletion.early_requested_at is None
        and can(user, "environment_deletion.request_early", deletion),
        "can_export": can(user, "customer_export.view_own"),
        "backups": dates.backup_expiry(deletion.deleted_at)
        if deletion and deletion.deleted_at
        else None,
        **_page_context(),
    }


@require_safe
def portal_contract_end(request):
    user = request.user
    require(user, "customer_export.view_own")
    return render(request, "processing/contract_end/portal.html", _portal_context(user))


@require_form
def portal_early_deletion(request):
    user = request.user
    require(user, "environment_deletion.request_early")
    context = _portal_context(user)
    deletion = context["deletion"]
    form = EarlyDeletionForm(request.POST if request.method == "POST" else None)
    if (deletion is None or not context["can_request"]) and not form.is_bound:
        # Nothing to bring forward (the link stays in old mails): the contract-end page says
        # where things stand.
        messages.info(request, _("There is no scheduled deletion to bring forward."))
        return redirect("processing:portal_contract_end")
    if deletion is None or not context["can_request"]:
        form.is_valid()
        form.add_error(None, _("There is no scheduled deletion to bring forward."))
    elif request.method == "POST" and form.is_valid():
        try:
            services.deletion_request_early(actor=user, deletion=deletion, confirmed=True)
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("Your request for early deletion was recorded."))
            return redirect("processing:portal_contract_end")
    return render(
        request,
        "processing/contract_end/portal_early.html",
        {**context, "form": form},
        status=400 if form.errors else 200,
    )
