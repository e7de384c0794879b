"""Pages of instructions (IN-01), binding instructions (IN-02) and the processing hub."""

from django.urls import path

from processing.views import binding, hub, instructions

urlpatterns = [
    path("processing/", hub.hub, name="hub"),
    path("processing/instructions/", instructions.instruction_list, name="instruction_list"),
    path(
        "processing/instructions/new/", instructions.instruction_create, name="instruction_create"
    ),
    path(
        "processing/instructions/<int:pk>/",
        instructions.instruction_detail,
        name="instruction_detail",
    ),
    path(
        "processing/instructions/<int:pk>/warn/",
        instructions.instruction_warn,
        name="instruction_warn",
    ),
    path(
        "processing/instructions/<int:pk>/answer/",
        instructions.instruction_answer,
        name="instruction_answer",
    ),
    path(
        "processing/instructions/<int:pk>/carry-out/",
        instructions.instruction_carry_out,
        name="instruction_carry_out",
    ),
    path(
        "processing/instructions/<int:pk>/decline/",
        instructions.instruction_decline,
        name="instruction_decline",
    ),
    path("processing/binding/", binding.binding_list, name="binding_list"),
    path("processing/binding/<int:pk>/", binding.binding_detail, name="binding_detail"),
    path("processing/binding/<int:pk>/take-on/", binding.binding_take_on, name="binding_take_on"),
    path(
        "processing/binding/<int:pk>/tasks/add/", binding.binding_task_add, name="binding_task_add"
    ),
    path(
        "processing/binding/<int:pk>/tasks/<int:task_pk>/done/",
        binding.binding_task_done,
        name="binding_task_done",
    ),
    path(
        "processing/binding/<int:pk>/complete/", binding.binding_complete, name="binding_complete"
    ),
    path(
        "portal/processing/instructions/",
        instructions.portal_instructions,
        name="portal_instructions",
    ),
    path(
        "portal/processing/instructions/new/",
        instructions.portal_instruction_give,
        name="portal_instruction_give",
    ),
    path(
        "portal/processing/instructions/<int:pk>/",
        instructions.portal_instruction_detail,
        name="portal_instruction_detail",
    ),
    path(
        "portal/processing/instructions/<int:pk>/answer/",
        instructions.portal_instruction_answer,
        name="portal_instruction_answer",
    ),
    path("portal/processing/binding/", binding.portal_binding, name="portal_binding"),
    path(
        "portal/processing/binding/report/",
        binding.portal_binding_report,
        name="portal_binding_report",
    ),
]
