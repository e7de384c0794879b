"""Pages of written instructions (IN-01): the staff register per customer, one instruction
with the steps its reader may take, and the customer's portal pages. Objects come through
the user's scope (another's id is a 404); the service decides what a step may do."""

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
from compliance.models import Customer
from processing.forms.instructions import (
    AnswerForm,
    InstructionGiveForm,
    InstructionRecordForm,
    StaffAnswerForm,
    WarningForm,
    WhatForm,
)
from processing.models.instructions import InstructionState
from processing.selectors.instructions import instruction_get, instructions_for
from processing.services import instructions as services

STATE_FILTERS = [("", gettext_lazy("All")), ("open", gettext_lazy("Open"))] + list(
    InstructionState.choices
)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_safe
def instruction_list(request):
    user = request.user
    require(user, "instruction.view")
    state = request.GET.get("state", "")
    state = state if state in dict(STATE_FILTERS) else ""
    customer_id = _int(request.GET.get("customer"))
    rows = instructions_for(user, customer_id=customer_id, state=state)[:500]
    return render(
        request,
        "processing/instructions/list.html",
        {
            "rows": rows,
            "state": state,
            "customer_id": customer_id,
            "states": STATE_FILTERS,
            "customers": Customer.objects.order_by("name").only("pk", "name"),
            "can_record": can(user, "instruction.record"),
        },
    )


@require_form
def instruction_create(request):
    user = request.user
    require(user, "instruction.record")
    form = InstructionRecordForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            instruction = services.instruction_record(
                actor=user,
                customer_id=data["customer"].pk,
                given_by_name=data["given_by_name"],
                given_at=data["given_at"],
                reference=data["reference"],
                content=data["content"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("The instruction was recorded."))
            return redirect("processing:instruction_detail", pk=instruction.pk)
    return render(
        request,
        "processing/instructions/form.html",
        {"form": form, "title": _("Record an instruction"), "button": _("Record")},
        status=400 if form.errors else 200,
    )


def _staff_actions(user, instruction) -> dict:
    handle = can(user, "instruction.handle", instruction)
    received = instruction.state == InstructionState.RECEIVED
    answered = instruction.state == InstructionState.WARNED and instruction.answered_at
    return {
        "can_warn": handle and received,
        "can_answer": handle and instruction.awaits_answer,
        "can_carry_out": handle and (received or bool(answered)),
        "can_decline": handle and bool(answered),
    }


@require_safe
def instruction_detail(request, pk):
    user = request.user
    require(user, "instruction.view")
    instruction = instruction_get(user, pk)
    return render(
        request,
        "processing/instructions/detail.html",
        {"instruction": instruction, **_staff_actions(user, instruction)},
    )


# step: (permission, form, service call, title, button, success message)
def _warn(user, instruction, data):
    services.instruction_warn(actor=user, instruction=instruction, warning=data["warning"])


def _answer(user, instruction, data):
    services.instruction_answer(
        actor=user,
        instruction=instruction,
        kind=data["kind"],
        answer=data["answer"],
        by_name=data.get("by_name", ""),
    )


def _carry_out(user, instruction, data):
    services.instruction_carry_out(actor=user, instruction=instruction, what=data["what"])


def _decline(user, instruction, data):
    services.instruction_decline(actor=user, instruction=instruction, what=data["what"])


STEPS = {
    "warn": (
        "instruction.handle",
        WarningForm,
        _warn,
        gettext_lazy("Warn the customer"),
        gettext_lazy("Send the warning"),
        gettext_lazy("The customer's administrators and breach contacts were warned."),
    ),
    "answer": (
        "instruction.handle",
        StaffAnswerForm,
        _answer,
        gettext_lazy("Record the customer's answer"),
        gettext_lazy("Record the answer"),
        gettext_lazy("The customer's answer was recorded."),
    ),
    "carry_out": (
        "instruction.handle",
        WhatForm,
        _carry_out,
        gettext_lazy("Carry out the instruction"),
        gettext_lazy("Record as carried out"),
        gettext_lazy("The instruction was recorded as carried out."),
    ),
    "decline": (
        "instruction.handle",
        WhatForm,
        _decline,
        gettext_lazy("Do not carry out the instruction"),
        gettext_lazy("Record as not carried out"),
        gettext_lazy("The instruction was recorded as not carried out."),
    ),
    "portal_answer": (
        "instruction.answer",
        AnswerForm,
        _answer,
        gettext_lazy("Answer our warning"),
        gettext_lazy("Send your answer"),
        gettext_lazy("Thank you; your answer was recorded."),
    ),
}


def _step(request, pk, step: str):
    user = request.user
    permission, form_class, call, title, button, done = STEPS[step]
    instruction = instruction_get(user, pk)
    require(user, permission, instruction)
    form = form_class(request.POST if request.method == "POST" else None)
    if step == "decline":
        form.fields["what"].label = _("Why it is not carried out")
    portal = step.startswith("portal_")
    back = "processing:portal_instruction_detail" if portal else "processing:instruction_detail"
    if request.method == "POST" and form.is_valid():
        try:
            call(user, instruction, form.cleaned_data)
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(back, pk=instruction.pk)
    return render(
        request,
        "processing/instructions/step.html",
        {
            "instruction": instruction,
            "form": form,
            "title": title,
            "button": button,
            "back": back,
        },
        status=400 if form.errors else 200,
    )


@require_form
def instruction_warn(request, pk):
    return _step(request, pk, "warn")


@require_form
def instruction_answer(request, pk):
    return _step(request, pk, "answer")


@require_form
def instruction_carry_out(request, pk):
    return _step(request, pk, "carry_out")


@require_form
def instruction_decline(request, pk):
    return _step(request, pk, "decline")


# --------------------------------------------------------------------------- portal


@require_safe
def portal_instructions(request):
    user = request.user
    require(user, "instruction.view", user.customer)
    require(user, "portal.view")
    return render(
        request,
        "processing/instructions/portal_list.html",
        {
            "rows": instructions_for(user)[:500],
            "can_give": can(user, "instruction.give", user.customer),
        },
    )


@require_form
def portal_instruction_give(request):
    user = request.user
    require(user, "instruction.give", user.customer)
    form = InstructionGiveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            instruction = services.instruction_give(
                actor=user,
                content=form.cleaned_data["content"],
                reference=form.cleaned_data["reference"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("Your instruction was received."))
            return redirect("processing:portal_instruction_detail", pk=instruction.pk)
    return render(
        request,
        "processing/instructions/form.html",
        {"form": form, "title": _("Give an instruction"), "button": _("Send")},
        status=400 if form.errors else 200,
    )


@require_safe
def portal_instruction_detail(request, pk):
    user = request.user
    require(user, "portal.view")
    instruction = instruction_get(user, pk)
    require(user, "instruction.view", instruction)
    return render(
        request,
        "processing/instructions/detail.html",
        {
            "instruction": instruction,
            "portal": True,
            "can_portal_answer": instruction.awaits_answer
            and can(user, "instruction.answer", instruction),
        },
    )


@require_form
def portal_instruction_answer(request, pk):
    return _step(request, pk, "portal_answer")
