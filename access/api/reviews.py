"""API of the access review (ISO 27001 A.5.18): reviews and items to read, deciding an item
(only its owner; the same selectors, access checks and service as the pages)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from access.models import AccessReview, AccessReviewItem, ReviewDecision
from access.selectors import reviews as selectors
from access.services.reviews import NOTE_MAX, item_decide
from compliance.access import require


class AccessReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = AccessReview
        fields = [
            "id",
            "period_label",
            "opened_at",
            "due_at",
            "state",
            "closed_at",
            "reminded_at",
            "escalated_at",
        ]


class AccessReviewItemSerializer(serializers.ModelSerializer):
    subject_label = serializers.CharField(source="get_subject_display", read_only=True)
    decision_label = serializers.CharField(source="get_decision_display", read_only=True)

    class Meta:
        model = AccessReviewItem
        fields = [
            "id",
            "review",
            "subject",
            "subject_label",
            "subject_id",
            "owner",
            "unused_for_90_days",
            "decision",
            "decision_label",
            "decided_by",
            "decided_at",
            "note",
        ]


class DecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=[ReviewDecision.CONFIRMED.value, ReviewDecision.REVOKED.value]
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX)


@extend_schema_view(
    list=extend_schema(summary="Access reviews (ISO 27001 A.5.18)"),
    retrieve=extend_schema(summary="One access review"),
)
class AccessReviewViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AccessReviewSerializer
    queryset = AccessReview.objects.none()

    def get_queryset(self):
        require(self.request.user, "access_review.view")
        return selectors.reviews_for(self.request.user).order_by("-opened_at", "-id")


@extend_schema_view(
    list=extend_schema(summary="Items of access reviews you may see (?review=<id>, ?mine=1)"),
    retrieve=extend_schema(summary="One item of an access review"),
)
class AccessReviewItemViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AccessReviewItemSerializer
    queryset = AccessReviewItem.objects.none()

    def get_queryset(self):
        user = self.request.user
        require(user, "access_review.view")
        items = selectors.visible_items(user).order_by("review_id", "subject", "id")
        review = self.request.query_params.get("review", "")
        if review.isdigit():
            items = items.filter(review_id=int(review))
        if self.request.query_params.get("mine") == "1":
            items = items.filter(owner_id=user.pk)
        return items

    @extend_schema(
        summary="Confirm or revoke an item (its owner only; a reason is needed to revoke)",
        request=DecideSerializer,
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        item = self.get_object()
        require(request.user, "access_review.decide")
        serializer = DecideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = item_decide(actor=request.user, item=item, **serializer.validated_data)
        return Response(AccessReviewItemSerializer(item).data)


def register(router) -> None:
    """Register this part's viewsets on the app's router."""
    router.register("access/reviews", AccessReviewViewSet, basename="access-review")
    router.register("access/review-items", AccessReviewItemViewSet, basename="access-review-item")
