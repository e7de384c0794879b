"""Pages of binding instructions of the AP or GBA (IN-02): the staff register, one with its
tasks and the privacy officer's steps, and the customer's portal page (report, progress)."""

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
from processing.forms.instructions import (
    BindingReportForm,
    ConfirmForm,
    OutcomeForm,
    TakeOnForm,
    TaskForm,
)
from processing.models.instructions import BindingState
from processing.selectors.instructions import (
    binding_get,
    binding_task_get,
    binding_tasks,
    bindings_for,
)
from processing.services import binding as services

STATE_FILTERS = [("", gettext_lazy("All"))] + list(BindingState.choices)


@require_safe
def binding_list(request):
    user = request.user
    require(user, "binding_instruction.view")
    state = request.GET.get("state", "")
    state = state if state in dict(STATE_FILTERS) else ""
    return render(
        request,
        "processing/instructions/binding_list.html",
        {"rows": bindings_for(user, state=state)[:500], "state": state, "states": STATE_FILTERS},
    )


@require_safe
def binding_detail(request, pk):
    user = request.user
    require(user, "binding_instruction.view")
    binding = binding_get(user, pk)
    manage = can(user, "binding_instruction.manage", binding)
    return render(
        request,
        "processing/instructions/binding_detail.html",
        {
            "binding": binding,
            "tasks": binding_tasks(binding),
            "can_take_on": manage and binding.state == BindingState.REPORTED,
            "can_manage": manage and binding.state != BindingState.COMPLETED,
            "can_complete": manage and binding.state == BindingState.IN_PROGRESS,
        },
    )


def _render_step(request, binding, form, title, button, status=200):
    return render(
        request,
        "processing/instructions/binding_step.html",
        {"binding": binding, "form": form, "title": title, "button": button},
        status=400 if form.errors else status,
    )


@require_form
def binding_take_on(request, pk):
    user = request.user
    binding = binding_get(user, pk)
    require(user, "binding_instruction.manage", binding)
    form = TakeOnForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.binding_take_on(
                actor=user,
                binding=binding,
                owner_id=form.cleaned_data["owner"].pk,
                due_at=form.cleaned_data["due_at"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("The owner and the due date were set."))
            return redirect("processing:binding_detail", pk=binding.pk)
    return _render_step(request, binding, form, _("Take on the binding instruction"), _("Save"))


@require_form
def binding_task_add(request, pk):
    user = request.user
    binding = binding_get(user, pk)
    require(user, "binding_instruction.manage", binding)
    form = TaskForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.binding_task_add(
                actor=user,
                binding=binding,
                title=form.cleaned_data["title"],
                assignee_id=form.cleaned_data["assignee"].pk,
                due_at=form.cleaned_data["due_at"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("The task was added."))
            return redirect("processing:binding_detail", pk=binding.pk)
    return _render_step(request, binding, form, _("Add a task"), _("Add the task"))


@require_form
def binding_task_done(request, pk, task_pk):
    user = request.user
    task = binding_task_get(user, pk, task_pk)
    binding = task.binding_instruction
    require(user, "binding_instruction.manage", binding)
    form = OutcomeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.binding_task_done(actor=user, task=task, outcome=form.cleaned_data["outcome"])
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("The task was marked done."))
            return redirect("processing:binding_detail", pk=binding.pk)
    return _render_step(
        request,
        binding,
        form,
        _("Mark the task done: %(task)s") % {"task": task.title},
        _("Mark done"),
    )


@require_form
def binding_complete(request, pk):
    user = request.user
    binding = binding_get(user, pk)
    require(user, "binding_instruction.manage", binding)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.binding_complete(actor=user, binding=binding)
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("The binding instruction was recorded as complied with."))
            return redirect("processing:binding_detail", pk=binding.pk)
    return _render_step(
        request, binding, form, _("Record compliance"), _("Record as complied with")
    )


# --------------------------------------------------------------------------- portal


@require_safe
def portal_binding(request):
    user = request.user
    require(user, "portal.view")
    require(user, "binding_instruction.view", user.customer)
    return render(
        request,
        "processing/instructions/portal_binding.html",
        {
            "rows": bindings_for(user)[:500],
            "can_report": can(user, "binding_instruction.report", user.customer),
        },
    )


@require_form
def portal_binding_report(request):
    user = request.user
    require(user, "binding_instruction.report", user.customer)
    form = BindingReportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.binding_report(
                actor=user,
                authority=data["authority"],
                authority_reference=data["authority_reference"],
                received_on=data["received_on"],
                description=data["description"],
                upload=data["document"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(
                request, _("The binding instruction was reported; our privacy officer was told.")
            )
            return redirect("processing:portal_binding")
    return render(
        request,
        "processing/instructions/form.html",
        {
            "form": form,
            "title": _("Report a binding instruction"),
            "button": _("Report"),
            "multipart": True,
        },
        status=400 if form.errors else 200,
    )
