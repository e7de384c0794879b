"""API of support copies (issue 15, AC-05): routes registered on `router` by access/api_urls.py.

Staff register and read copies; the ticketing system reports a ticket's status with the API
token of a staff user whose role may change the register (`support_copy.change`); accesses
and the deletion are recorded; a customer's users read their own organisation's copies.
Permission is checked before input is validated; copies are looked up through the user's
scope, so another organisation's id answers 404.
"""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from access.models import SupportCopy, SupportCopyAccess, TicketStatus
from access.selectors import support_copies as selectors
from access.services import support_copies as services
from compliance.access import can, require
from compliance.models import STAFF_ROLES, Customer, User


class SupportCopyAccessSerializer(serializers.ModelSerializer):
    user_name = serializers.SerializerMethodField()

    class Meta:
        model = SupportCopyAccess
        fields = ["id", "user", "user_name", "accessed_at", "note"]

    def get_user_name(self, obj) -> str:
        return obj.user.full_name or obj.user.email


class SupportCopySerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    delete_by = serializers.DateTimeField(read_only=True)
    deadline = serializers.SerializerMethodField()
    accesses = SupportCopyAccessSerializer(many=True, read_only=True)

    class Meta:
        model = SupportCopy
        fields = [
            "id",
            "customer",
            "customer_name",
            "ticket",
            "ticket_status",
            "ticket_closed_at",
            "description",
            "taken_at",
            "taken_by",
            "due_after_ticket_at",
            "due_latest_at",
            "delete_by",
            "deadline",
            "state",
            "deleted_at",
            "deletion_confirmed_by",
            "deletion_confirmed_at",
            "accesses",
        ]
        read_only_fields = fields

    def get_deadline(self, obj) -> str:
        """The deadline in words (people's language of the request)."""
        return str(selectors.deadline_words(obj))


class SupportCopyCreateSerializer(serializers.Serializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    ticket = serializers.CharField(max_length=100)
    description = serializers.CharField()
    taken_at = serializers.DateTimeField()
    taken_by = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(role__in=STAFF_ROLES, is_active=True),
        required=False,
        help_text=_("The employee who took the copy; yourself when left out."),
    )


class TicketStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=TicketStatus.choices)
    at = serializers.DateTimeField(
        help_text=_("When the ticket got this status (not in the future).")
    )


class AccessRecordSerializer(serializers.Serializer):
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(role__in=STAFF_ROLES, is_active=True),
        required=False,
        help_text=_("The employee who accessed the copy; yourself when left out."),
    )
    accessed_at = serializers.DateTimeField(required=False)
    note = serializers.CharField()


class DeletionSerializer(serializers.Serializer):
    deleted_at = serializers.DateTimeField(required=False)


@extend_schema_view(
    list=extend_schema(summary="Support copies you may see (AC-05; customers: their own)"),
    retrieve=extend_schema(summary="One support copy, with its deadlines and accesses"),
    create=extend_schema(
        summary="Register a support copy (AC-05)",
        request=SupportCopyCreateSerializer,
        responses={201: SupportCopySerializer},
    ),
)
class SupportCopyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = SupportCopySerializer
    queryset = SupportCopy.objects.none()
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        user = self.request.user
        if not (can(user, "support_copy.view") or can(user, "support_copy.view_own")):
            require(user, "support_copy.view")
        return selectors.support_copies_for(user).order_by("-taken_at", "-id")

    def get_object(self):
        try:
            return super().get_object()
        except Http404 as error:
            raise Http404(_("No support copy with this number that you may see.")) from error

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _for_change(self):
        require(self.request.user, "support_copy.change")
        copy = self.get_object()
        require(self.request.user, "support_copy.change", copy)
        return copy

    def _fresh(self, copy) -> Response:
        return Response(
            SupportCopySerializer(selectors.support_copy_get(self.request.user, copy.pk)).data
        )

    def create(self, request, *args, **kwargs):
        require(request.user, "support_copy.change")
        data = self._input(SupportCopyCreateSerializer)
        data.setdefault("taken_by", request.user)
        copy = services.support_copy_register(actor=request.user, **data)
        body = SupportCopySerializer(selectors.support_copy_get(request.user, copy.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="The ticket's status from the ticketing system: resolved, cancelled or open "
        "again (AC-05)",
        request=TicketStatusSerializer,
        responses={200: SupportCopySerializer},
    )
    @action(detail=True, methods=["post"], url_path="ticket-status")
    def ticket_status(self, request, pk=None):
        copy = self._for_change()
        data = self._input(TicketStatusSerializer)
        copy = services.support_copy_ticket_status_set(actor=request.user, copy=copy, **data)
        return self._fresh(copy)

    @extend_schema(
        summary="Record that an employee accessed the copy (AC-05)",
        request=AccessRecordSerializer,
        responses={201: SupportCopySerializer},
    )
    @action(detail=True, methods=["post"])
    def accesses(self, request, pk=None):
        copy = self._for_change()
        data = self._input(AccessRecordSerializer)
        data.setdefault("user", request.user)
        data.setdefault("accessed_at", timezone.now())
        services.support_copy_access_record(actor=request.user, copy=copy, **data)
        response = self._fresh(copy)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(
        summary="Confirm in your name that the copy was deleted (AC-05)",
        request=DeletionSerializer,
        responses={200: SupportCopySerializer},
    )
    @action(detail=True, methods=["post"])
    def deletion(self, request, pk=None):
        copy = self._for_change()
        data = self._input(DeletionSerializer)
        data.setdefault("deleted_at", timezone.now())
        copy = services.support_copy_deletion_confirm(actor=request.user, copy=copy, **data)
        return self._fresh(copy)


def register(router) -> None:
    """Register this part's viewsets on the app's router."""
    router.register("support-copies", SupportCopyViewSet, basename="api-support-copy")
