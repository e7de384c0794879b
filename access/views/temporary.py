"""Pages of temporary access (AC-03): the register, the request form, one request with the
actions its reader may take, and the forms of those actions. Objects come through the
user's scope (another's id is a 404); the service decides what a step may do."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from access.forms.temporary import NoteForm, TemporaryRequestForm
from access.models.temporary import MAX_PERIOD_DAYS, REMOVAL_CONFIRM_HOURS, TemporaryState
from access.selectors.temporary import (
    FILTERS,
    deadline_words,
    temporary_access_for,
    temporary_access_get,
)
from access.services import temporary as services
from compliance.access import can, require
from compliance.forms import attach_service_errors
from compliance.methods import require_form

FILTER_LABELS = {
    "": gettext_lazy("All"),
    "open": gettext_lazy("Open"),
    "active": gettext_lazy("Active"),
    "ended": gettext_lazy("Ended"),
}


def _actions(user, access) -> dict:
    own = access.requester_id == user.pk
    requested = access.state == TemporaryState.REQUESTED
    return {
        "can_decide": requested and not own and can(user, "temporary_access.decide", access),
        "own_request": requested and own and can(user, "temporary_access.decide", access),
        "can_revoke": access.state == TemporaryState.ACTIVE
        and can(user, "temporary_access.revoke", access),
        "can_confirm": access.removal_open
        and can(user, "temporary_access.confirm_removal", access),
    }


@require_safe
def temporary_list(request):
    user = request.user
    require(user, "temporary_access.view")
    show = request.GET.get("show", "")
    show = show if show in FILTERS else ""
    now = timezone.now()
    rows = [
        (access, deadline_words(access, now))
        for access in temporary_access_for(user, show=show)[:500]
    ]
    return render(
        request,
        "access/temporary/list.html",
        {
            "rows": rows,
            "show": show,
            "filters": list(FILTER_LABELS.items()),
            "can_request": can(user, "temporary_access.request"),
            "max_days": MAX_PERIOD_DAYS,
            "removal_hours": REMOVAL_CONFIRM_HOURS,
        },
    )


@require_form
def temporary_create(request):
    user = request.user
    require(user, "temporary_access.request")
    form = TemporaryRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            access = services.temporary_request(
                actor=user,
                customer_id=data["customer"].pk,
                reason=data["reason"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("Your request was sent to the ICT manager."))
            return redirect("access:temporary_detail", pk=access.pk)
    return render(
        request,
        "access/temporary/form.html",
        {"form": form, "max_days": MAX_PERIOD_DAYS},
        status=400 if form.errors else 200,
    )


@require_safe
def temporary_detail(request, pk):
    user = request.user
    require(user, "temporary_access.view")
    access = temporary_access_get(user, pk)
    return render(
        request,
        "access/temporary/detail.html",
        {
            "access": access,
            "deadline": deadline_words(access),
            "removal_hours": REMOVAL_CONFIRM_HOURS,
            **_actions(user, access),
        },
    )


# Each step: (permission, service, title, button, success message, explanation).
STEPS = {
    "approve": (
        "temporary_access.decide",
        services.temporary_approve,
        gettext_lazy("Approve temporary access"),
        gettext_lazy("Approve"),
        gettext_lazy("The access was approved; the requester and the customer were told."),
        gettext_lazy(
            "The requester and the customer's administrators are told by e-mail. The access "
            "ends by itself at the end of the period."
        ),
    ),
    "refuse": (
        "temporary_access.decide",
        services.temporary_refuse,
        gettext_lazy("Refuse temporary access"),
        gettext_lazy("Refuse"),
        gettext_lazy("The request was refused; the requester was told."),
        gettext_lazy("Say why; the requester reads the note."),
    ),
    "revoke": (
        "temporary_access.revoke",
        services.temporary_revoke,
        gettext_lazy("Revoke temporary access"),
        gettext_lazy("Revoke now"),
        gettext_lazy("The access was revoked; the requester and the customer were told."),
        gettext_lazy(
            "The access ends now. Then someone confirms that it was removed in the systems."
        ),
    ),
    "confirm": (
        "temporary_access.confirm_removal",
        services.temporary_confirm_removal,
        gettext_lazy("Confirm the access was removed"),
        gettext_lazy("Confirm removal"),
        gettext_lazy("The removal was recorded in your name."),
        gettext_lazy(
            "Confirm only what you checked: the accounts, keys or rights of this access are "
            "gone from the systems. Say what was removed and where; it is recorded in your name."
        ),
    ),
}


def _step(request, pk, step: str):
    user = request.user
    permission, service, title, button, done, explanation = STEPS[step]
    access = temporary_access_get(user, pk)
    require(user, permission, access)
    form = NoteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            service(actor=user, access=access, note=form.cleaned_data["note"])
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("access:temporary_detail", pk=access.pk)
    return render(
        request,
        "access/temporary/step.html",
        {
            "access": access,
            "form": form,
            "title": title,
            "button": button,
            "explanation": explanation,
        },
        status=400 if form.errors else 200,
    )


@require_form
def temporary_approve(request, pk):
    return _step(request, pk, "approve")


@require_form
def temporary_refuse(request, pk):
    return _step(request, pk, "refuse")


@require_form
def temporary_revoke(request, pk):
    return _step(request, pk, "revoke")


@require_form
def temporary_confirm_removal(request, pk):
    return _step(request, pk, "confirm")
