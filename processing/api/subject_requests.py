"""API of data-subject requests (DS-01): the same selectors, access checks and services as
the pages. `/api/subject-requests/`: staff list, read, record (create) and take the steps
as actions (forward, reply, close, tasks, task-done); a customer's users read the requests
forwarded to their own organisation only. Another organisation's id answers 404; a
service's refusal answers 400 with its message at the field it names.
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from compliance.access import can, require
from compliance.models import Language
from processing.models import ProcessingTask, SubjectRequest
from processing.models.subject_requests import SubjectRight
from processing.selectors.subject_requests import FILTERS, subject_requests_for
from processing.services import subject_requests as services


class TaskSerializer(serializers.ModelSerializer):
    assignee_name = serializers.CharField(source="assignee.full_name", read_only=True)

    class Meta:
        model = ProcessingTask
        fields = ["id", "title", "assignee", "assignee_name", "due_at", "done_at", "outcome"]
        read_only_fields = fields


class SubjectRequestSerializer(serializers.ModelSerializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    right_label = serializers.CharField(source="get_right_display", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True, default=None)
    tasks = TaskSerializer(many=True, read_only=True)

    class Meta:
        model = SubjectRequest
        fields = [
            "id",
            "received_at",
            "channel",
            "requester_name",
            "requester_email",
            "right",
            "right_label",
            "description",
            "controller_named",
            "controller_named_as",
            "customer",
            "customer_name",
            "forward_due_at",
            "state",
            "state_label",
            "forwarded_at",
            "replied_at",
            "closed_at",
            "closing_note",
            "tasks",
        ]
        read_only_fields = fields


class RecordSerializer(serializers.Serializer):
    received_at = serializers.DateTimeField()
    channel = serializers.CharField(allow_blank=True)
    requester_name = serializers.CharField(allow_blank=True)
    requester_email = serializers.EmailField(allow_blank=True, required=False, default="")
    right = serializers.ChoiceField(choices=SubjectRight.choices)
    description = serializers.CharField(allow_blank=True)
    controller_named = serializers.BooleanField(required=False, default=False)
    controller_named_as = serializers.CharField(allow_blank=True, required=False, default="")
    customer = serializers.IntegerField(required=False, allow_null=True, default=None)


class ForwardSerializer(serializers.Serializer):
    customer = serializers.IntegerField(required=False, allow_null=True, default=None)


class ReplySerializer(serializers.Serializer):
    language = serializers.ChoiceField(choices=Language.choices, required=False, default="nl")


class CloseSerializer(serializers.Serializer):
    note = serializers.CharField(allow_blank=True, required=False, default="")


class TaskAddSerializer(serializers.Serializer):
    title = serializers.CharField(allow_blank=True)
    assignee = serializers.IntegerField()
    due_at = serializers.DateTimeField()


class TaskDoneSerializer(serializers.Serializer):
    task = serializers.IntegerField()
    outcome = serializers.CharField(allow_blank=True)


@extend_schema_view(
    list=extend_schema(summary="Data-subject requests you may see (DS-01)"),
    retrieve=extend_schema(summary="One data-subject request with its tasks"),
    create=extend_schema(
        summary="Record a data-subject request the processor received (DS-01)",
        request=RecordSerializer,
        responses={201: SubjectRequestSerializer},
    ),
)
class SubjectRequestViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = SubjectRequestSerializer
    queryset = SubjectRequest.objects.none()

    def get_queryset(self):
        user = self.request.user
        if not (can(user, "subject_request.view") or can(user, "subject_request.view_own")):
            require(user, "subject_request.view")
        show = self.request.query_params.get("show", "")
        return subject_requests_for(user, show=show if show in FILTERS else "")

    def create(self, request, *args, **kwargs):
        require(request.user, "subject_request.record")
        serializer = RecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        customer = data.pop("customer")
        item = services.subject_request_record(actor=request.user, customer_id=customer, **data)
        return Response(SubjectRequestSerializer(item).data, status=status.HTTP_201_CREATED)

    def _step(self, request, serializer_class, run, permission="subject_request.manage"):
        item = self.get_object()
        require(request.user, permission, item)
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        run(item, serializer.validated_data)
        item = subject_requests_for(request.user).get(pk=item.pk)
        return Response(SubjectRequestSerializer(item).data)

    @extend_schema(summary="Forward to the customer (privacy officer)", request=ForwardSerializer)
    @action(detail=True, methods=["post"])
    def forward(self, request, pk=None):
        return self._step(
            request,
            ForwardSerializer,
            lambda item, data: services.subject_request_forward(
                actor=request.user, subject_request=item, customer_id=data["customer"]
            ),
        )

    @extend_schema(summary="Tell the data subject it was passed on", request=ReplySerializer)
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        return self._step(
            request,
            ReplySerializer,
            lambda item, data: services.subject_request_reply(
                actor=request.user, subject_request=item, language=data["language"]
            ),
        )

    @extend_schema(summary="Close the request (privacy officer)", request=CloseSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._step(
            request,
            CloseSerializer,
            lambda item, data: services.subject_request_close(
                actor=request.user, subject_request=item, note=data["note"]
            ),
        )

    @extend_schema(summary="Add a task: help the customer asked for", request=TaskAddSerializer)
    @action(detail=True, methods=["post"])
    def tasks(self, request, pk=None):
        return self._step(
            request,
            TaskAddSerializer,
            lambda item, data: services.subject_request_task_add(
                actor=request.user,
                subject_request=item,
                title=data["title"],
                assignee_id=data["assignee"],
                due_at=data["due_at"],
            ),
        )

    @extend_schema(summary="Mark a task done with its outcome", request=TaskDoneSerializer)
    @action(detail=True, methods=["post"], url_path="task-done")
    def task_done(self, request, pk=None):
        def run(item, data):
            task = item.tasks.filter(pk=data["task"]).first()
            if task is None:
                raise Http404
            services.subject_request_task_done(
                actor=request.user, task=task, outcome=data["outcome"]
            )

        return self._step(request, TaskDoneSerializer, run, "subject_request.task_done")


def register(router) -> None:
    """Register this part's viewsets on the app's router."""
    router.register("subject-requests", SubjectRequestViewSet, basename="api-subject-requests")
