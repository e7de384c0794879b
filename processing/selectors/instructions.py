"""Reads of instructions (IN-01) and binding instructions (IN-02), always through the
reader's scope: a customer's user sees only its own organisation's (another id is a 404)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404

from compliance.access import customer_scope
from processing.models.instructions import (
    BindingInstruction,
    BindingState,
    Instruction,
    InstructionState,
)
from processing.models.tasks import ProcessingTask

OPEN_STATES = (InstructionState.RECEIVED, InstructionState.WARNED)


def _scoped(queryset, user):
    scope = customer_scope(user)
    return queryset if scope is None else queryset.filter(customer_id=scope)


def instructions_for(user, *, customer_id=None, state: str = ""):
    rows = _scoped(Instruction.objects.select_related("customer", "done_by"), user)
    if customer_id:
        rows = rows.filter(customer_id=customer_id)
    if state == "open":
        rows = rows.filter(state__in=OPEN_STATES)
    elif state in InstructionState.values:
        rows = rows.filter(state=state)
    return rows


def instruction_get(user, pk) -> Instruction:
    return get_object_or_404(
        _scoped(Instruction.objects.select_related("customer", "done_by"), user), pk=pk
    )


def bindings_for(user, *, customer_id=None, state: str = ""):
    rows = _scoped(
        BindingInstruction.objects.select_related("customer", "owner").annotate(
            task_count=Count("tasks"),
            tasks_done=Count("tasks", filter=Q(tasks__done_at__isnull=False)),
        ),
        user,
    )
    if customer_id:
        rows = rows.filter(customer_id=customer_id)
    if state in BindingState.values:
        rows = rows.filter(state=state)
    return rows


def binding_get(user, pk) -> BindingInstruction:
    return get_object_or_404(bindings_for(user), pk=pk)


def binding_tasks(binding: BindingInstruction):
    return ProcessingTask.objects.filter(binding_instruction=binding).select_related(
        "assignee", "done_by"
    )


def binding_task_get(user, binding_pk, task_pk) -> ProcessingTask:
    binding = binding_get(user, binding_pk)
    return get_object_or_404(
        ProcessingTask.objects.select_related("binding_instruction__customer"),
        pk=task_pk,
        binding_instruction=binding,
    )


def instructions_attention(user) -> int:
    """Open instructions: not yet handled, or awaiting the customer's answer."""
    return instructions_for(user, state="open").count()


def bindings_attention(user) -> int:
    """Binding instructions not yet complied with (reported ones need an owner)."""
    return bindings_for(user).exclude(state=BindingState.COMPLETED).count()
