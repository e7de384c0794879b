"""Objections (SP-04), board decisions (SP-05) and the right to terminate (SP-06).

Customer users see and lodge their own organisation's objections only; objects come through
selectors scoped by the user, so another organisation's id answers 404; a user who may see
but not act gets 403 from the access check.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from compliance.access import can, customer_scope, require
from compliance.forms import attach_service_errors
from compliance.methods import require_form
from compliance.selectors import customer_get
from subprocessors import selectors
from subprocessors.forms import DecisionForm, ObjectionForm
from subprocessors.services import (
    objection_decide,
    objection_lodge,
    objection_review_start,
    termination_exercise,
)


def _int_param(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


@require_safe
def objection_list(request):
    user = request.user
    require(user, "objection.view")
    return render(
        request,
        "subprocessors/objections/list.html",
        {
            "objections": selectors.objections_for(user),
            "rights": selectors.termination_rights_for(user),
            "can_lodge": can(user, "objection.lodge"),
            "is_customer": customer_scope(user) is not None,
        },
    )


@require_form
def objection_create(request):
    """A customer objects to a subprocessor, existing or announced, at any time (SP-04)."""
    user = request.user
    require(user, "objection.lodge")
    customer = customer_get(user, customer_scope(user))
    initial = ObjectionForm.initial_for(
        subprocessor_id=_int_param(request, "subprocessor"),
        change_notice_id=_int_param(request, "change_notice"),
    )
    form = ObjectionForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            objection = objection_lodge(actor=user, customer=customer, **form.cleaned_data)
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Your objection was received. A receipt was sent to you by e-mail."),
            )
            return redirect("subprocessors:objection_detail", pk=objection.pk)
    return render(
        request,
        "subprocessors/objections/form.html",
        {"form": form, "customer": customer},
        status=400 if form.errors else 200,
    )


@require_safe
def objection_detail(request, pk):
    user = request.user
    require(user, "objection.view")
    objection = selectors.objection_get(user, pk)
    return render(
        request,
        "subprocessors/objections/detail.html",
        {
            "objection": objection,
            "change": selectors.objection_change(objection),
            "rights": selectors.termination_rights_for(user).filter(objection=objection),
            "can_review": can(user, "objection.review", objection) and objection.state == "lodged",
            "can_decide": can(user, "objection.decide", objection) and objection.is_open,
            "can_exercise": can(user, "termination.exercise", objection),
        },
    )


@require_POST
def objection_review(request, pk):
    user = request.user
    require(user, "objection.review")
    objection = selectors.objection_get(user, pk)
    try:
        objection_review_start(actor=user, objection=objection)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The objection is now under board review."))
    return redirect("subprocessors:objection_detail", pk=objection.pk)


@require_form
def objection_decision(request, pk):
    """Only a board member decides (SP-05); a second decision is refused by the service."""
    user = request.user
    objection = selectors.objection_get(user, pk)
    require(user, "objection.decide", objection)
    form = DecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            objection = objection_decide(actor=user, objection=objection, **form.cleaned_data)
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(
                request, _("The decision was recorded and sent to the customer as a letter.")
            )
            return redirect("subprocessors:objection_detail", pk=objection.pk)
    return render(
        request,
        "subprocessors/objections/decide.html",
        {"form": form, "objection": objection, "change": selectors.objection_change(objection)},
        status=400 if form.errors else 200,
    )


@require_form
def termination_confirm(request, pk):
    """SP-06: the customer admin terminates the agreement under an offered right, after a
    confirmation step. Only exists when the right was offered."""
    user = request.user
    right = selectors.termination_rights_for(user).filter(pk=pk).first()
    if right is None:
        raise Http404
    require(user, "termination.exercise", right)
    errors: list[str] = []
    if request.method == "POST":
        try:
            right = termination_exercise(actor=user, right=right)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(
                request, _("The termination was recorded. Our privacy team was informed.")
            )
            return redirect("subprocessors:objection_detail", pk=right.objection_id)
    return render(
        request,
        "subprocessors/terminations/confirm.html",
        {"right": right, "errors": errors},
        status=400 if errors else 200,
    )
