"""REST API of the subprocessor workflows: the same selectors, access checks and services as
the pages (SP-01 … SP-06).

The API stays behind sign-in, register included: the public, anonymous interface is the
register page and its Atom feed (cached, no personal data). Keeping every API route
authenticated keeps the anonymous allow-list short and the rule "every API operation
answers 401 without a verified second factor" without exceptions.

Permission is checked before input is validated; objects are looked up through the user's
scope, so another organisation's id answers 404.
"""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from compliance.access import customer_scope, require
from compliance.api_paging import paged
from compliance.selectors import customer_get
from subprocessors import selectors, services
from subprocessors.models import ProcessingLocation, Subprocessor, SubprocessorStatus
from subprocessors.serializers import (
    ChangeNoticeCreateSerializer,
    ChangeNoticeSerializer,
    ChangeNoticeUpdateSerializer,
    DecisionSerializer,
    EffectiveMomentSerializer,
    ObjectionCreateSerializer,
    ObjectionSerializer,
    RecipientSerializer,
    SubprocessorSerializer,
    TerminationRightSerializer,
    WithdrawSerializer,
)


@extend_schema_view(
    list=extend_schema(summary="The subprocessor register (SP-01)"),
    retrieve=extend_schema(summary="One subprocessor of the register"),
)
class SubprocessorViewSet(viewsets.ReadOnlyModelViewSet):
    """Subprocessors processing customer data: the same as the public register page."""

    serializer_class = SubprocessorSerializer
    queryset = Subprocessor.objects.none()

    def get_queryset(self):
        locations = Prefetch("locations", queryset=ProcessingLocation.objects.order_by("city"))
        return (
            Subprocessor.objects.filter(status=SubprocessorStatus.ACTIVE)
            .prefetch_related(locations, "products")
            .order_by("legal_entity")
        )


@extend_schema_view(
    list=extend_schema(summary="Change notices you may see (customers: announced ones)"),
    retrieve=extend_schema(summary="One change notice"),
    create=extend_schema(
        summary="Draft a change notice (privacy officer, SP-03)",
        request=ChangeNoticeCreateSerializer,
        responses={201: ChangeNoticeSerializer},
    ),
    partial_update=extend_schema(
        summary="Edit a draft (privacy officer)",
        request=ChangeNoticeUpdateSerializer,
        responses={200: ChangeNoticeSerializer},
    ),
)
class ChangeNoticeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ChangeNoticeSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.change_notices_for(self.request.user)

    def _notice_for_change(self):
        require(self.request.user, "change_notice.change")
        return self.get_object()

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def create(self, request, *args, **kwargs):
        require(request.user, "change_notice.change")
        data = dict(self._input(ChangeNoticeCreateSerializer))
        if "new_subprocessor" in data:
            data["new_subprocessor"] = dict(data["new_subprocessor"])
        notice = services.change_notice_draft(actor=request.user, **data)
        return Response(ChangeNoticeSerializer(notice).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        notice = self._notice_for_change()
        data = self._input(ChangeNoticeUpdateSerializer)
        notice = services.change_notice_update(actor=request.user, notice=notice, **data)
        return Response(ChangeNoticeSerializer(notice).data)

    @extend_schema(summary="Announce a draft (privacy officer, SP-03)", request=None)
    @action(detail=True, methods=["post"])
    def announce(self, request, pk=None):
        notice = self._notice_for_change()
        notice = services.change_notice_announce(actor=request.user, notice=notice)
        return Response(ChangeNoticeSerializer(notice).data)

    @extend_schema(
        summary="Move the effective moment later (privacy officer, SP-03)",
        request=EffectiveMomentSerializer,
    )
    @action(detail=True, methods=["post"])
    def effective(self, request, pk=None):
        notice = self._notice_for_change()
        data = self._input(EffectiveMomentSerializer)
        notice = services.change_notice_effective_set(actor=request.user, notice=notice, **data)
        return Response(ChangeNoticeSerializer(notice).data)

    @extend_schema(summary="Withdraw a change (privacy officer)", request=WithdrawSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        notice = self._notice_for_change()
        data = self._input(WithdrawSerializer)
        notice = services.change_notice_withdraw(actor=request.user, notice=notice, **data)
        return Response(ChangeNoticeSerializer(notice).data)

    @extend_schema(
        summary="Delivery per affected customer (privacy officer)",
        responses={200: RecipientSerializer(many=True)},
    )
    @action(detail=True, methods=["get"])
    def recipients(self, request, pk=None):
        notice = self._notice_for_change()
        rows = notice.recipients.select_related("customer", "letter").order_by("customer_id")
        return paged(self, rows, RecipientSerializer)


@extend_schema_view(
    list=extend_schema(summary="Objections you may see (customers: their own, SP-04)"),
    retrieve=extend_schema(summary="One objection"),
    create=extend_schema(
        summary="Object to a subprocessor (customer users, SP-04)",
        request=ObjectionCreateSerializer,
        responses={201: ObjectionSerializer},
    ),
)
class ObjectionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ObjectionSerializer

    def get_queryset(self):
        return selectors.objections_for(self.request.user)

    def create(self, request, *args, **kwargs):
        user = request.user
        require(user, "objection.lodge")
        customer = customer_get(user, customer_scope(user))
        serializer = ObjectionCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        objection = services.objection_lodge(
            actor=user, customer=customer, **serializer.validated_data
        )
        return Response(ObjectionSerializer(objection).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Take up an objection for board review", request=None)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        require(request.user, "objection.review")
        objection = services.objection_review_start(actor=request.user, objection=self.get_object())
        return Response(ObjectionSerializer(objection).data)

    @extend_schema(
        summary="Decide an objection (board member only, SP-05)",
        description="A second decision is refused (400).",
        request=DecisionSerializer,
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        objection = self.get_object()
        require(request.user, "objection.decide", objection)
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        objection = services.objection_decide(
            actor=request.user, objection=objection, **serializer.validated_data
        )
        return Response(ObjectionSerializer(objection).data)


@extend_schema_view(
    list=extend_schema(summary="Rights to terminate offered (SP-06)"),
    retrieve=extend_schema(summary="One right to terminate"),
)
class TerminationRightViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TerminationRightSerializer

    def get_queryset(self):
        return selectors.termination_rights_for(self.request.user)

    @extend_schema(
        summary="Terminate the agreement under this right (customer admin, SP-06)", request=None
    )
    @action(detail=True, methods=["post"])
    def exercise(self, request, pk=None):
        right = self.get_object()
        require(request.user, "termination.exercise", right)
        right = services.termination_exercise(actor=request.user, right=right)
        return Response(TerminationRightSerializer(right).data)
