"""API of written instructions (IN-01) and binding instructions (IN-02): the same selectors,
access checks and services as the pages.

`/api/instructions/`: staff with instruction.view read all, a customer's users their own
organisation's; create records one given by request (staff) or gives one through the
application (a customer's user); the steps as actions: warn, answer (the customer's user in
its own name, or staff by hand naming who answered), carry-out, decline.

`/api/binding-instructions/`: read as above; create reports one (a customer's user; the
file is uploaded on the portal page, not through the API); the privacy officer's steps as
actions: take-on (owner and due date), tasks, task-done, complete.

Another organisation's id answers 404; a service's refusal answers 400 with its message at
the field it names; a user without the permission gets 403.
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from compliance.access import customer_scope, require
from processing.models import BindingInstruction, Instruction, ProcessingTask
from processing.models.instructions import Authority, InstructionAnswer
from processing.selectors.instructions import bindings_for, instructions_for
from processing.services import binding as binding_services
from processing.services import instructions as services


class InstructionSerializer(serializers.ModelSerializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    done_by_name = serializers.CharField(source="done_by.full_name", read_only=True, default="")

    class Meta:
        model = Instruction
        fields = [
            "id",
            "customer",
            "customer_name",
            "channel",
            "channel_label",
            "given_by_name",
            "given_at",
            "reference",
            "content",
            "recorded_at",
            "state",
            "state_label",
            "warned_at",
            "warning",
            "answered_at",
            "answer_kind",
            "answer",
            "answered_by_name",
            "done_at",
            "done_by",
            "done_by_name",
            "what_was_done",
        ]
        read_only_fields = fields


class InstructionRecordSerializer(serializers.Serializer):
    """Staff: an instruction the customer gave by request (letter, e-mail, ticket)."""

    customer = serializers.IntegerField(required=False, allow_null=True, default=None)
    given_by_name = serializers.CharField(allow_blank=True, required=False, default="")
    given_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    reference = serializers.CharField(allow_blank=True, required=False, default="")
    content = serializers.CharField(allow_blank=True, required=False, default="")


class InstructionGiveSerializer(serializers.Serializer):
    """A customer's user: an instruction given through the application."""

    content = serializers.CharField(allow_blank=True, required=False, default="")
    reference = serializers.CharField(allow_blank=True, required=False, default="")


class InstructionWarnSerializer(serializers.Serializer):
    warning = serializers.CharField(allow_blank=True, required=False, default="")


class InstructionAnswerSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=InstructionAnswer.choices)
    answer = serializers.CharField(allow_blank=True, required=False, default="")
    by_name = serializers.CharField(allow_blank=True, required=False, default="")


class InstructionFinishSerializer(serializers.Serializer):
    what = serializers.CharField(allow_blank=True, required=False, default="")


@extend_schema_view(
    list=extend_schema(summary="Written instructions you may see (IN-01)"),
    retrieve=extend_schema(summary="One written instruction"),
    create=extend_schema(
        summary="Record an instruction given by request (staff) or give one (customer user)",
        request=InstructionRecordSerializer,
        responses={201: InstructionSerializer},
    ),
)
class InstructionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = InstructionSerializer
    queryset = Instruction.objects.none()

    def get_queryset(self):
        require(self.request.user, "instruction.view")
        return instructions_for(self.request.user, state=self.request.query_params.get("state", ""))

    def create(self, request, *args, **kwargs):
        user = request.user
        if customer_scope(user) is not None:
            require(user, "instruction.give")
            serializer = InstructionGiveSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            item = services.instruction_give(actor=user, **serializer.validated_data)
        else:
            require(user, "instruction.record")
            serializer = InstructionRecordSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
            item = services.instruction_record(actor=user, customer_id=data.pop("customer"), **data)
        return Response(InstructionSerializer(item).data, status=status.HTTP_201_CREATED)

    def _step(self, request, serializer_class, call, permission="instruction.handle"):
        item = self.get_object()
        require(request.user, permission, item)
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = call(actor=request.user, instruction=item, **serializer.validated_data)
        return Response(InstructionSerializer(item).data)

    @extend_schema(
        summary="Warn the customer: the instruction appears to infringe the GDPR",
        request=InstructionWarnSerializer,
        responses={200: InstructionSerializer},
    )
    @action(detail=True, methods=["post"])
    def warn(self, request, pk=None):
        return self._step(request, InstructionWarnSerializer, services.instruction_warn)

    @extend_schema(
        summary="Record the customer's answer to the warning",
        request=InstructionAnswerSerializer,
        responses={200: InstructionSerializer},
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        portal = customer_scope(request.user) is not None
        return self._step(
            request,
            InstructionAnswerSerializer,
            services.instruction_answer,
            "instruction.answer" if portal else "instruction.handle",
        )

    @extend_schema(
        summary="Record that the instruction was carried out",
        request=InstructionFinishSerializer,
        responses={200: InstructionSerializer},
    )
    @action(detail=True, methods=["post"], url_path="carry-out")
    def carry_out(self, request, pk=None):
        return self._step(request, InstructionFinishSerializer, services.instruction_carry_out)

    @extend_schema(
        summary="Record that the instruction is not carried out (after a warning)",
        request=InstructionFinishSerializer,
        responses={200: InstructionSerializer},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._step(request, InstructionFinishSerializer, services.instruction_decline)


class BindingTaskSerializer(serializers.ModelSerializer):
    assignee_name = serializers.CharField(source="assignee.full_name", read_only=True)

    class Meta:
        model = ProcessingTask
        fields = ["id", "title", "assignee", "assignee_name", "due_at", "done_at", "outcome"]
        read_only_fields = fields


class BindingInstructionSerializer(serializers.ModelSerializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    authority_label = serializers.CharField(source="get_authority_display", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    owner_name = serializers.CharField(source="owner.full_name", read_only=True, default="")
    tasks = BindingTaskSerializer(many=True, read_only=True)

    class Meta:
        model = BindingInstruction
        fields = [
            "id",
            "customer",
            "customer_name",
            "authority",
            "authority_label",
            "authority_reference",
            "received_on",
            "description",
            "reported_at",
            "state",
            "state_label",
            "owner",
            "owner_name",
            "due_at",
            "completed_at",
            "tasks",
        ]
        read_only_fields = fields


class BindingReportSerializer(serializers.Serializer):
    """A customer's user reports a binding instruction (the file goes through the portal)."""

    authority = serializers.ChoiceField(choices=Authority.choices)
    authority_reference = serializers.CharField(allow_blank=True, required=False, default="")
    received_on = serializers.DateField(required=False, allow_null=True, default=None)
    description = serializers.CharField(allow_blank=True, required=False, default="")


class BindingTakeOnSerializer(serializers.Serializer):
    owner = serializers.IntegerField(required=False, allow_null=True, default=None)
    due_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class BindingTaskAddSerializer(serializers.Serializer):
    title = serializers.CharField(allow_blank=True, required=False, default="")
    assignee = serializers.IntegerField(required=False, allow_null=True, default=None)
    due_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class BindingTaskDoneSerializer(serializers.Serializer):
    task = serializers.IntegerField()
    outcome = serializers.CharField(allow_blank=True, required=False, default="")


class BindingCompleteSerializer(serializers.Serializer):
    pass


@extend_schema_view(
    list=extend_schema(summary="Binding instructions of the AP or GBA you may see (IN-02)"),
    retrieve=extend_schema(summary="One binding instruction with its tasks"),
    create=extend_schema(
        summary="Report a binding instruction (customer user; the file via the portal)",
        request=BindingReportSerializer,
        responses={201: BindingInstructionSerializer},
    ),
)
class BindingInstructionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = BindingInstructionSerializer
    queryset = BindingInstruction.objects.none()

    def get_queryset(self):
        require(self.request.user, "binding_instruction.view")
        rows = bindings_for(self.request.user, state=self.request.query_params.get("state", ""))
        return rows.prefetch_related("tasks__assignee")

    def _out(self, pk, code=status.HTTP_200_OK):
        item = self.get_queryset().get(pk=pk)
        return Response(BindingInstructionSerializer(item).data, status=code)

    def create(self, request, *args, **kwargs):
        require(request.user, "binding_instruction.report")
        serializer = BindingReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = binding_services.binding_report(actor=request.user, **serializer.validated_data)
        return self._out(item.pk, status.HTTP_201_CREATED)

    def _step(self, request, serializer_class, run):
        item = self.get_object()
        require(request.user, "binding_instruction.manage", item)
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        run(item, serializer.validated_data)
        return self._out(item.pk)

    @extend_schema(
        summary="Take on: set the owner and the due date (privacy officer)",
        request=BindingTakeOnSerializer,
        responses={200: BindingInstructionSerializer},
    )
    @action(detail=True, methods=["post"], url_path="take-on")
    def take_on(self, request, pk=None):
        return self._step(
            request,
            BindingTakeOnSerializer,
            lambda item, data: binding_services.binding_take_on(
                actor=request.user, binding=item, owner_id=data["owner"], due_at=data["due_at"]
            ),
        )

    @extend_schema(
        summary="Add a task (privacy officer)",
        request=BindingTaskAddSerializer,
        responses={200: BindingInstructionSerializer},
    )
    @action(detail=True, methods=["post"])
    def tasks(self, request, pk=None):
        return self._step(
            request,
            BindingTaskAddSerializer,
            lambda item, data: binding_services.binding_task_add(
                actor=request.user,
                binding=item,
                title=data["title"],
                assignee_id=data["assignee"],
                due_at=data["due_at"],
            ),
        )

    @extend_schema(
        summary="Mark a task done with its outcome (privacy officer)",
        request=BindingTaskDoneSerializer,
        responses={200: BindingInstructionSerializer},
    )
    @action(detail=True, methods=["post"], url_path="task-done")
    def task_done(self, request, pk=None):
        def run(item, data):
            task = item.tasks.filter(pk=data["task"]).first()
            if task is None:
                raise Http404
            binding_services.binding_task_done(
                actor=request.user, task=task, outcome=data["outcome"]
            )

        return self._step(request, BindingTaskDoneSerializer, run)

    @extend_schema(
        summary="Record that the binding instruction was complied with (privacy officer)",
        request=BindingCompleteSerializer,
        responses={200: BindingInstructionSerializer},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._step(
            request,
            BindingCompleteSerializer,
            lambda item, data: binding_services.binding_complete(actor=request.user, binding=item),
        )


def register(router) -> None:
    """Register this part's viewsets on the app's router."""
    router.register("instructions", InstructionViewSet, basename="api-instructions")
    router.register(
        "binding-instructions", BindingInstructionViewSet, basename="api-binding-instructions"
    )
