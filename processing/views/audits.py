"""Pages of customer audits (AU-01, AU-02): the staff register, recording an audit, one
audit with its steps; the portal's list and request form. Objects come through the user's
scope (another customer's id, or an audit kept from the customer, is a 404); the legal
ground for not informing is put in the context only for the processor's own people."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from compliance.access import can, require
from compliance.forms import attach_service_errors
from compliance.methods import require_form
from processing.forms.audits import (
    AuditRecordForm,
    AuditRequestForm,
    CancelForm,
    ReportForm,
    ScheduleForm,
    StartForm,
)
from processing.models.audits import (
    ESCALATE_AFTER_DAYS,
    REMIND_BEFORE_DAYS,
    CustomerAuditState,
)
from processing.selectors.audits import FILTERS, audit_get, audits_for, ground_visible
from processing.services import audits as services

FILTER_LABELS = {
    "": gettext_lazy("All"),
    "open": gettext_lazy("Open"),
    "ended": gettext_lazy("Ended"),
}


@require_safe
def audit_list(request):
    user = request.user
    require(user, "customer_audit.view")
    show = request.GET.get("show", "")
    show = show if show in FILTERS else ""
    return render(
        request,
        "processing/audits/list.html",
        {
            "audits": audits_for(user, show=show)[:500],
            "show": show,
            "filters": list(FILTER_LABELS.items()),
            "can_record": can(user, "customer_audit.record"),
            "show_ground": ground_visible(user),
            "remind_days": REMIND_BEFORE_DAYS,
            "escalate_days": ESCALATE_AFTER_DAYS,
        },
    )


@require_form
def audit_create(request):
    user = request.user
    require(user, "customer_audit.record")
    form = AuditRecordForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            audit = services.audit_record(
                actor=user,
                customer_id=data["customer"].pk,
                kind=data["kind"],
                auditor=data["auditor"],
                scope=data["scope"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                inform=data["inform"],
                ground=data["ground"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            if audit.informed:
                messages.success(request, _("The audit was recorded and the customer informed."))
            else:
                messages.success(
                    request,
                    _("The audit was recorded; the customer was not informed (legal ground)."),
                )
            return redirect("processing:audit_detail", pk=audit.pk)
    return render(
        request,
        "processing/audits/form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@require_safe
def audit_detail(request, pk):
    user = request.user
    require(user, "customer_audit.view")
    audit = audit_get(user, pk)
    manage = can(user, "customer_audit.manage", audit)
    return render(
        request,
        "processing/audits/detail.html",
        {
            "audit": audit,
            "show_ground": ground_visible(user),
            "can_schedule": manage and audit.state == CustomerAuditState.REQUESTED,
            "can_start": manage and audit.state == CustomerAuditState.SCHEDULED,
            "can_report": manage and audit.state == CustomerAuditState.IN_PROGRESS,
            "can_cancel": manage
            and audit.state not in (CustomerAuditState.REPORTED, CustomerAuditState.CANCELLED),
        },
    )


def _schedule(user, audit, data):
    services.audit_schedule(
        actor=user, audit=audit, starts_on=data["starts_on"], ends_on=data["ends_on"]
    )


def _start(user, audit, data):
    services.audit_start(actor=user, audit=audit)


def _report(user, audit, data):
    services.audit_report(
        actor=user, audit=audit, received_on=data["received_on"], reference=data["reference"]
    )


def _cancel(user, audit, data):
    services.audit_cancel(actor=user, audit=audit, reason=data["reason"])


# Each step: (form, service call, title, button, success message, explanation).
STEPS = {
    "schedule": (
        ScheduleForm,
        _schedule,
        gettext_lazy("Schedule the audit"),
        gettext_lazy("Schedule"),
        gettext_lazy("The audit was scheduled; the customer was told."),
        gettext_lazy("The dates agreed with the customer and the auditor."),
    ),
    "start": (
        StartForm,
        _start,
        gettext_lazy("Mark the audit as started"),
        gettext_lazy("Audit started"),
        gettext_lazy("The audit is in progress."),
        gettext_lazy("The auditors have started their work."),
    ),
    "report": (
        ReportForm,
        _report,
        gettext_lazy("Record the audit report"),
        gettext_lazy("Record the report"),
        gettext_lazy("The report was recorded; the customer was told."),
        gettext_lazy("The day the report was received and where it can be found."),
    ),
    "cancel": (
        CancelForm,
        _cancel,
        gettext_lazy("Cancel the audit"),
        gettext_lazy("Cancel the audit"),
        gettext_lazy("The audit was cancelled."),
        gettext_lazy("Say why the audit does not take place."),
    ),
}


def _step(request, pk, step: str):
    user = request.user
    form_class, call, title, button, done, explanation = STEPS[step]
    audit = audit_get(user, pk)
    require(user, "customer_audit.manage", audit)
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            call(user, audit, form.cleaned_data)
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("processing:audit_detail", pk=audit.pk)
    return render(
        request,
        "processing/audits/step.html",
        {
            "audit": audit,
            "form": form,
            "title": title,
            "button": button,
            "explanation": explanation,
        },
        status=400 if form.errors else 200,
    )


@require_form
def audit_schedule(request, pk):
    return _step(request, pk, "schedule")


@require_form
def audit_start(request, pk):
    return _step(request, pk, "start")


@require_form
def audit_report(request, pk):
    return _step(request, pk, "report")


@require_form
def audit_cancel(request, pk):
    return _step(request, pk, "cancel")


# --------------------------------------------------------------------------- portal


@require_safe
def portal_audits(request):
    user = request.user
    require(user, "portal.view")
    require(user, "customer_audit.view")
    return render(
        request,
        "processing/audits/portal.html",
        {
            "audits": audits_for(user)[:200],
            "can_request": can(user, "customer_audit.request"),
        },
    )


@require_form
def portal_audit_request(request):
    user = request.user
    require(user, "customer_audit.request")
    form = AuditRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.audit_request(
                actor=user,
                scope=data["scope"],
                preferred_period=data["preferred_period"],
                auditor=data["auditor"],
                cost_acknowledged=data["cost_acknowledged"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(
                request, _("Your request was sent; our privacy officer will contact you.")
            )
            return redirect("processing:portal_audits")
    return render(
        request,
        "processing/audits/request.html",
        {"form": form},
        status=400 if form.errors else 200,
    )
