"""The open deadlines, nearest first (BR-03, BR-04)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics

from breaches import selectors
from breaches.serializers import DeadlineSerializer
from compliance.access import can, require
from compliance.api_paging import paged


class DeadlineListView(generics.GenericAPIView):
    """Open deadlines, nearest first, as the dashboard lists them (BR-03, BR-04)."""

    serializer_class = DeadlineSerializer

    @extend_schema(
        summary="Open deadlines, nearest first (BR-03, BR-04)",
        description="Incidents whose customers are not all informed (48 hours after "
        "discovery) and notices without the customer's decision (72 hours after its "
        "awareness), at most 200. A customer user sees only its own notices.",
        responses=DeadlineSerializer(many=True),
    )
    def get(self, request):
        user = request.user
        if not can(user, "incident.view"):
            require(user, "notice.view")
        deadlines = selectors.open_deadlines(user)
        return paged(self, deadlines, DeadlineSerializer)
