"""API shapes of the subprocessor workflows. Serializers validate input; services write."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from compliance.api_fields import AwareDateTimeField, ModelSerializer, Serializer
from compliance.models import Product
from subprocessors import selectors
from subprocessors.models import (
    ChangeKind,
    ChangeNotice,
    ChangeNoticeRecipient,
    Objection,
    ObjectionState,
    ProcessingLocation,
    Subprocessor,
    TerminationRight,
    UpheldOutcome,
)

# --------------------------------------------------------------------------- register


class LocationSerializer(ModelSerializer):
    in_eea = serializers.BooleanField(read_only=True)

    class Meta:
        model = ProcessingLocation
        fields = ["name", "city", "country", "in_eea"]


class SubprocessorSerializer(ModelSerializer):
    products = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    locations = LocationSerializer(many=True, read_only=True)

    class Meta:
        model = Subprocessor
        fields = [
            "id",
            "legal_entity",
            "purpose",
            "products",
            "locations",
            "certifications",
            "flow_down_signed_on",
            "active_since",
            "status",
        ]
        read_only_fields = fields


# --------------------------------------------------------------------------- change notices


class ChangeNoticeSerializer(ModelSerializer):
    subprocessor = SubprocessorSerializer(read_only=True)

    class Meta:
        model = ChangeNotice
        fields = [
            "id",
            "kind",
            "state",
            "subprocessor",
            "description",
            "location_name",
            "location_city",
            "location_country",
            "new_purpose",
            "planned_effective_at",
            "effective_at",
            "announced_at",
            "sent_completely_at",
            "went_live_at",
            "withdrawn_at",
            "withdrawal_reason",
        ]
        read_only_fields = fields


class NewSubprocessorSerializer(Serializer):
    legal_entity = serializers.CharField(max_length=200, allow_blank=True)
    purpose = serializers.CharField(allow_blank=True)
    certifications = serializers.CharField(max_length=300, allow_blank=True, required=False)
    flow_down_reference = serializers.CharField(max_length=200, allow_blank=True)
    flow_down_signed_on = serializers.DateField(allow_null=True)
    products = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.all(), many=True, required=False
    )


class ChangeNoticeCreateSerializer(Serializer):
    kind = serializers.ChoiceField(choices=ChangeKind.choices)
    subprocessor = serializers.PrimaryKeyRelatedField(
        queryset=Subprocessor.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("For a new location, a new purpose or a removal."),
    )
    new_subprocessor = NewSubprocessorSerializer(
        required=False, help_text=_("For a new subprocessor.")
    )
    description = serializers.CharField(allow_blank=True, required=False, default="")
    location_name = serializers.CharField(allow_blank=True, required=False, default="")
    location_city = serializers.CharField(allow_blank=True, required=False, default="")
    location_country = serializers.CharField(allow_blank=True, required=False, default="")
    new_purpose = serializers.CharField(allow_blank=True, required=False, default="")
    effective_at = AwareDateTimeField()


class ChangeNoticeUpdateSerializer(Serializer):
    description = serializers.CharField(allow_blank=True, required=False)
    location_name = serializers.CharField(allow_blank=True, required=False)
    location_city = serializers.CharField(allow_blank=True, required=False)
    location_country = serializers.CharField(allow_blank=True, required=False)
    new_purpose = serializers.CharField(allow_blank=True, required=False)
    effective_at = AwareDateTimeField(required=False)


class EffectiveMomentSerializer(Serializer):
    effective_at = AwareDateTimeField()


class WithdrawSerializer(Serializer):
    reason = serializers.CharField(allow_blank=True)


class RecipientSerializer(ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    letter = serializers.UUIDField(source="letter.uuid", read_only=True, allow_null=True)

    class Meta:
        model = ChangeNoticeRecipient
        fields = [
            "id",
            "customer",
            "customer_name",
            "reason",
            "contract_ended_on",
            "informed_at",
            "out_of_band_note",
            "letter",
        ]
        read_only_fields = fields


# --------------------------------------------------------------------------- objections


class ObjectionSerializer(ModelSerializer):
    subprocessor_name = serializers.CharField(source="subprocessor.legal_entity", read_only=True)
    receipt = serializers.UUIDField(source="receipt.uuid", read_only=True, allow_null=True)
    decision_letter = serializers.UUIDField(
        source="decision_letter.uuid", read_only=True, allow_null=True
    )
    upheld_outcome = serializers.CharField(
        read_only=True,
        help_text=_("When upheld: withdrawn (for everyone) or accommodation; else empty."),
    )

    class Meta:
        model = Objection
        fields = [
            "id",
            "customer",
            "subprocessor",
            "subprocessor_name",
            "change_notice",
            "reasons",
            "lodged_at",
            "state",
            "review_started_at",
            "decided_at",
            "reasoning",
            "upheld_outcome",
            "accommodation",
            "receipt",
            "decision_letter",
        ]
        read_only_fields = fields


class VisibleChangeNoticeField(serializers.PrimaryKeyRelatedField):
    """A change notice the requesting user may see (customers: announced ones)."""

    def get_queryset(self):
        return selectors.change_notices_for(self.context["request"].user)


class ObjectionCreateSerializer(Serializer):
    subprocessor = serializers.PrimaryKeyRelatedField(
        queryset=Subprocessor.objects.all(), required=False, allow_null=True
    )
    change_notice = VisibleChangeNoticeField(
        queryset=ChangeNotice.objects.none(), required=False, allow_null=True
    )
    reasons = serializers.CharField(allow_blank=True)


class DecisionSerializer(Serializer):
    decision = serializers.ChoiceField(
        choices=[(ObjectionState.UPHELD, _("Upheld")), (ObjectionState.REJECTED, _("Rejected"))]
    )
    reasoning = serializers.CharField(allow_blank=True)
    outcome = serializers.ChoiceField(
        choices=UpheldOutcome.choices, required=False, allow_blank=True, default=""
    )
    accommodation = serializers.CharField(allow_blank=True, required=False, default="")


class TerminationRightSerializer(ModelSerializer):
    class Meta:
        model = TerminationRight
        fields = ["id", "customer", "change_notice", "objection", "offered_at", "exercised_at"]
        read_only_fields = fields
