"""Pages of standing access (AC-02): the register, granting, ending, confirming removal."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from access.forms.standing import EndForm, GrantForm, RemovalForm
from access.models.standing import StandingState
from access.selectors import standing as selectors
from access.services import standing as services
from compliance.access import can, require
from compliance.forms import attach_service_errors
from compliance.methods import require_form


@require_safe
def grant_list(request):
    user = request.user
    require(user, "standing.view")
    grants = list(selectors.grants_for(user))
    return render(
        request,
        "access/standing/list.html",
        {
            "active": [g for g in grants if g.state == StandingState.ACTIVE],
            "ended": [g for g in grants if g.state != StandingState.ACTIVE],
            "can_change": can(user, "standing.change"),
        },
    )


@require_form
def grant_create(request):
    user = request.user
    require(user, "standing.change")
    form = GrantForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.grant_create(actor=user, **form.cleaned_data)
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("The standing access is recorded."))
            return redirect("access:standing_detail", pk=grant.pk)
    return render(
        request, "access/standing/form.html", {"form": form}, status=400 if form.errors else 200
    )


def _detail(request, grant, *, end_form=None, removal_form=None, status=200):
    user = request.user
    may_change = can(user, "standing.change")
    return render(
        request,
        "access/standing/detail.html",
        {
            "grant": grant,
            "history": grant.history.select_related("history_user").order_by("-history_date"),
            "end_form": end_form or EndForm(),
            "removal_form": removal_form or RemovalForm(initial={"confirmed_by": user.pk}),
            "can_end": may_change and grant.state == StandingState.ACTIVE,
            "can_confirm": may_change and grant.state == StandingState.ENDED,
        },
        status=status,
    )


@require_safe
def grant_detail(request, pk):
    grant = selectors.grant_get(request.user, pk)
    return _detail(request, grant)


@require_POST
def grant_end(request, pk):
    user = request.user
    require(user, "standing.change")
    grant = selectors.grant_get(user, pk)
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            services.grant_end(actor=user, grant=grant, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The standing access has ended. Confirm its removal in the systems next."),
            )
            return redirect("access:standing_detail", pk=grant.pk)
    return _detail(request, grant, end_form=form, status=400)


@require_POST
def grant_removal(request, pk):
    user = request.user
    require(user, "standing.change")
    grant = selectors.grant_get(user, pk)
    form = RemovalForm(request.POST)
    if form.is_valid():
        try:
            services.grant_removal_confirm(
                actor=user, grant=grant, confirmed_by=form.cleaned_data["confirmed_by"]
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("The removal from the systems is recorded."))
            return redirect("access:standing_detail", pk=grant.pk)
    return _detail(request, grant, removal_form=form, status=400)
