"""API shape of an open deadline (BR-03, BR-04)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from compliance.api_fields import Serializer


class DeadlineSerializer(Serializer):
    """An open deadline, as on the officer's dashboard (BR-03, BR-04)."""

    kind = serializers.ChoiceField(
        choices=[
            ("customer_notice", _("customers to be informed (48 hours after discovery)")),
            ("authority_decision", _("the customer's decision (72 hours after awareness)")),
        ]
    )
    due_at = serializers.DateTimeField(read_only=True)
    overdue = serializers.BooleanField()
    incident = serializers.IntegerField(source="incident.pk")
    notice = serializers.IntegerField(source="notice.pk", allow_null=True)
    label = serializers.CharField()
