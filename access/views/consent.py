"""Pages of customer consent and uses of access (AC-04).

Staff: the register of consents (state and deadlines), asking for a consent, one consent with
its history, confirming removal; the register of uses and recording one. Portal: the
customer's consents, where its administrator grants, refuses and withdraws, and every use.
Objects come through selectors scoped by the user, so another customer's id is a 404; a user
who may see but not act gets 403 from the access check.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.template.loader import select_template
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from access.forms.consent import AccessUseForm, ConsentDecisionForm, ConsentRequestForm
from access.models.consent import ConsentState
from access.selectors import consent as selectors
from access.services import consent as services
from compliance.access import can, require
from compliance.forms import attach_service_errors
from compliance.methods import require_form

TEMPORARY_PORTAL_INCLUDE = "access/temporary/_portal.html"


def _states():
    return ConsentState.choices


@require_safe
def consent_list(request):
    user = request.user
    require(user, "consent.view")
    require(user, "customer.view_list")
    state = request.GET.get("state", "")
    return render(
        request,
        "access/consent/list.html",
        {
            "consents": selectors.consents_for(user, state=state),
            "open_removals": selectors.open_removals_for(user).order_by("removal_due_at"),
            "states": _states(),
            "state": state,
            "can_request": can(user, "consent.request"),
        },
    )


@require_form
def consent_create(request):
    user = request.user
    require(user, "consent.request")
    form = ConsentRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            consent = services.consent_request(actor=user, **form.service_arguments())
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(
                request, _("Consent was asked for; the customer's administrators were mailed.")
            )
            return redirect("access:consent_detail", pk=consent.pk)
    return render(
        request, "access/consent/form.html", {"form": form}, status=400 if form.errors else 200
    )


@require_safe
def consent_detail(request, pk):
    user = request.user
    require(user, "customer.view_list")
    consent = selectors.consent_get(user, pk)
    return render(
        request,
        "access/consent/detail.html",
        {
            "consent": consent,
            "history": consent.history.select_related("history_user").order_by("history_date"),
            "uses": selectors.uses_for(user).filter(basis="consent", basis_id=consent.pk),
            "can_confirm": can(user, "consent.confirm_removal", consent)
            and consent.removal_pending,
        },
    )


@require_POST
def consent_removal_confirm(request, pk):
    user = request.user
    consent = selectors.consent_get(user, pk)
    require(user, "consent.confirm_removal", consent)
    try:
        services.consent_removal_confirm(actor=user, consent=consent)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("You confirmed that the access was removed."))
    return redirect("access:consent_detail", pk=consent.pk)


@require_safe
def use_list(request):
    user = request.user
    require(user, "access_use.view")
    require(user, "customer.view_list")
    return render(
        request,
        "access/consent/uses.html",
        {
            "uses": selectors.uses_for(user)[:500],
            "can_record": can(user, "access_use.record"),
            "portal": False,
        },
    )


@require_form
def use_create(request):
    user = request.user
    require(user, "access_use.record")
    form = AccessUseForm(request.POST if request.method == "POST" else None, actor=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.access_use_record(actor=user, **form.service_arguments())
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("The use of access was recorded."))
            if can(user, "access_use.view") and can(user, "customer.view_list"):
                return redirect("access:use_list")
            return redirect("access:use_create")
    return render(
        request, "access/consent/use_form.html", {"form": form}, status=400 if form.errors else 200
    )


# --------------------------------------------------------------------------- portal


def _temporary_include() -> str | None:
    """The temporary-access part of the portal page (AC-03), when that part exists."""
    try:
        select_template([TEMPORARY_PORTAL_INCLUDE])
    except Exception:  # noqa: BLE001 - TemplateDoesNotExist or a syntax error: leave it out
        return None
    return TEMPORARY_PORTAL_INCLUDE


@require_safe
def portal_consents(request):
    user = request.user
    require(user, "portal.view")
    return render(
        request,
        "access/consent/portal_list.html",
        {
            "consents": selectors.consents_for(user),
            "can_decide": can(user, "consent.decide"),
            "temporary_include": _temporary_include(),
        },
    )


@require_form
def portal_consent_decide(request, pk):
    user = request.user
    require(user, "portal.view")
    consent = selectors.consent_get(user, pk)
    require(user, "consent.decide", consent)
    if consent.state != ConsentState.REQUESTED:
        messages.info(request, _("This request was already answered."))
        return redirect("access:portal_consents")
    form = ConsentDecisionForm(request.POST if request.method == "POST" else None, consent=consent)
    refuse = "refuse" in request.POST
    if request.method == "POST" and form.is_valid():
        arguments = form.service_arguments(refuse=refuse)
        try:
            if refuse:
                services.consent_refuse(actor=user, consent=consent, **arguments)
                messages.success(request, _("You refused the access. We have been told."))
            else:
                services.consent_grant(actor=user, consent=consent, **arguments)
                messages.success(request, _("You granted the access. We have been told."))
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            return redirect("access:portal_consents")
    return render(
        request,
        "access/consent/portal_decide.html",
        {"form": form, "consent": consent},
        status=400 if form.errors else 200,
    )


@require_POST
def portal_consent_withdraw(request, pk):
    user = request.user
    consent = selectors.consent_get(user, pk)
    require(user, "consent.decide", consent)
    try:
        services.consent_withdraw(actor=user, consent=consent)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("You withdrew the consent; the access has ended."))
    return redirect("access:portal_consents")


@require_safe
def portal_uses(request):
    user = request.user
    require(user, "portal.view")
    return render(
        request,
        "access/consent/uses.html",
        {"uses": selectors.uses_for(user), "can_record": False, "portal": True},
    )
