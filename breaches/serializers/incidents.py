"""API shapes of an incident: the report, the triage, the selection and notifying, what the
staff do afterwards (updates, final report, progress)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from breaches import severity_guidance
from breaches.models import (
    ASSESSMENT_FIELDS,
    Consequences,
    Incident,
    IncidentUpdate,
    IncidentUpdateKind,
    SelectionRule,
)
from compliance.api_fields import ID_MAX, AwareDateTimeField, IdField, ModelSerializer, Serializer
from compliance.models import Language, Product
from subprocessors.models import Subprocessor


class IncidentSerializer(ModelSerializer):
    products = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    affected_customers_count = serializers.SerializerMethodField()
    notify_pending_approval = serializers.SerializerMethodField()
    severity_suggestion = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields = [
            "id",
            "title",
            "description",
            "source",
            "state",
            "source_customer",
            "source_subprocessor",
            "products",
            "systems",
            "personal_data_possible",
            "occurred_at",
            "found_at_source",
            "discovered_at",
            "discovered_at_reason",
            "reported_at",
            "customer_due_at",
            "dismissed_reason",
            "dismissed_at",
            *ASSESSMENT_FIELDS,
            "measures_taken",
            "measures_proposed",
            "root_cause",
            "lessons_learned",
            "selection_rule",
            "affected_customers_count",
            "notify_pending_approval",
            "severity_suggestion",
            "notified_at",
            "resolved_at",
            "closed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.INT)
    def get_affected_customers_count(self, obj) -> int:
        return obj.affected_customers.count()

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_severity_suggestion(self, obj) -> dict | None:
        """BR-11: `register`, `authority` or `people`, with the factors that drove it."""
        suggestion = severity_guidance.suggestion_for(obj)
        if suggestion is None:
            return None
        return {
            "outcome": suggestion.outcome,
            "factors": [{"text": str(f.text), "effect": f.effect} for f in suggestion.factors],
        }

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_notify_pending_approval(self, obj) -> bool:
        return obj.notify_requested_by_id is not None


class IncidentReportSerializer(Serializer):
    """BR-01/BR-08: what happened, when it was discovered, products/systems, personal data."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField()
    discovered_at = AwareDateTimeField(
        required=False, allow_null=True, help_text=_("Defaults to now; never in the future.")
    )
    occurred_at = AwareDateTimeField(required=False, allow_null=True)
    found_at_source = AwareDateTimeField(required=False, allow_null=True)
    products = serializers.SlugRelatedField(
        slug_field="code", queryset=Product.objects.all(), many=True, required=False
    )
    systems = serializers.CharField(max_length=500, required=False, allow_blank=True)
    personal_data_possible = serializers.BooleanField(required=False, allow_null=True)
    source_subprocessor = serializers.PrimaryKeyRelatedField(
        queryset=Subprocessor.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Set when the incident happened at a subprocessor (BR-08)."),
    )

    def service_kwargs(self) -> dict:
        data = dict(self.validated_data)
        if data.get("source_subprocessor") is not None:
            data["source"] = "subprocessor"
        else:
            data.pop("source_subprocessor", None)
        return data


EI_CHOICES = ["0.25", "0.5", "0.75", "1"]
CB_CHOICES = ["0", "0.25", "0.5"]


class IncidentTriageSerializer(Serializer):
    """BR-11: the assessment; the severity score is computed from DPC, EI and CB."""

    personal_data_involved = serializers.BooleanField(required=False, allow_null=True)
    data_categories = serializers.CharField(required=False, allow_blank=True)
    special_categories = serializers.BooleanField(required=False, allow_null=True)
    special_categories_detail = serializers.CharField(required=False, allow_blank=True)
    data_subject_categories = serializers.CharField(required=False, allow_blank=True)
    subjects_min = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    subjects_max = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    records_min = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    records_max = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    identifiability = serializers.CharField(required=False, allow_blank=True)
    likely_consequences = serializers.CharField(required=False, allow_blank=True)
    data_unintelligible = serializers.BooleanField(required=False, allow_null=True)
    unintelligible_how = serializers.CharField(required=False, allow_blank=True)
    enisa_dpc = serializers.ChoiceField(
        choices=[1, 2, 3, 4], required=False, allow_null=True, help_text=_("ENISA DPC, 1–4.")
    )
    enisa_ei = serializers.ChoiceField(choices=EI_CHOICES, required=False, allow_null=True)
    enisa_cb_confidentiality = serializers.ChoiceField(choices=CB_CHOICES, default="0")
    enisa_cb_integrity = serializers.ChoiceField(choices=CB_CHOICES, default="0")
    enisa_cb_availability = serializers.ChoiceField(choices=CB_CHOICES, default="0")
    enisa_cb_malicious = serializers.BooleanField(default=False)
    vulnerable_subjects = serializers.BooleanField(required=False, allow_null=True)
    consequences_level = serializers.ChoiceField(
        choices=Consequences.choices, required=False, allow_blank=True, default=""
    )
    consequences_lasting = serializers.BooleanField(required=False, allow_null=True)
    backup_available = serializers.BooleanField(required=False, allow_null=True)
    enisa_dpc_volume = serializers.BooleanField(
        required=False,
        allow_null=True,
        help_text=_("ENISA: the amount of data per person allows a profile (raises DPC by 1)."),
    )
    enisa_dpc_lowered = serializers.ChoiceField(
        choices=[0, 1, 2, 3],
        default=0,
        help_text=_("ENISA's lowering of the DPC: at most 1, 2 or 3 for DPC 2, 3 or 4."),
    )
    measures_taken = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    measures_proposed = serializers.CharField(required=False, allow_null=True, allow_blank=True)


class IncidentSelectSerializer(Serializer):
    """BR-08: affected customers by product, subprocessor, by hand (customer ids) or all."""

    rule = serializers.ChoiceField(choices=SelectionRule.choices)
    products = serializers.SlugRelatedField(
        slug_field="code", queryset=Product.objects.all(), many=True, required=False
    )
    subprocessor = serializers.PrimaryKeyRelatedField(
        queryset=Subprocessor.objects.all(), required=False, allow_null=True
    )
    customers = serializers.ListField(child=IdField(), required=False, max_length=100_000)


class IncidentNotifySerializer(Serializer):
    late_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Required after the 48-hour deadline (BR-03)."),
    )


class NotifyResultSerializer(Serializer):
    notices_created = serializers.IntegerField()
    messages_queued = serializers.IntegerField()
    customers_without_recipients = serializers.ListField(child=serializers.IntegerField())
    pending_approval = serializers.BooleanField(
        help_text=_("True when a second privacy officer must approve (four eyes).")
    )


class CustomerReportSerializer(Serializer):
    """BR-10: a customer user reports a suspected incident. Products are limited to those of
    the reporting customer's contracts (the view passes them as `products` in the context)."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField()
    occurred_at = AwareDateTimeField(required=False, allow_null=True)
    found_at_source = AwareDateTimeField(
        required=False, allow_null=True, help_text=_("When your organisation found it.")
    )
    products = serializers.SlugRelatedField(
        slug_field="code", queryset=Product.objects.none(), many=True, required=False
    )
    personal_data_possible = serializers.BooleanField(required=False, allow_null=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        products = self.context.get("products")
        if products is not None:
            self.fields["products"].child_relation.queryset = products


class IncidentDismissSerializer(Serializer):
    reason = serializers.CharField(
        help_text=_("Why this is no security incident at all (a false alarm).")
    )


class UpdatePublishSerializer(Serializer):
    """BR-07: a progress update to every notified customer."""

    summary = serializers.CharField(help_text=_("What changed."))
    measures = serializers.CharField(required=False, allow_blank=True, default="")


class IncidentUpdateSerializer(ModelSerializer):
    class Meta:
        model = IncidentUpdate
        fields = ["id", "number", "kind", "summary", "measures", "created_at", "recipients_count"]
        read_only_fields = fields


class CustomerUpdateSerializer(ModelSerializer):
    """An update as the customer received it: without how many others received it."""

    class Meta:
        model = IncidentUpdate
        fields = ["id", "number", "kind", "summary", "measures", "created_at"]
        read_only_fields = fields


class FinalReportSerializer(Serializer):
    """ISO 27001 A.5.27: root cause and lessons learned; closes the incident."""

    root_cause = serializers.CharField()
    lessons_learned = serializers.CharField()
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    measures = serializers.CharField(required=False, allow_blank=True, default="")


class DiscoveryCorrectSerializer(Serializer):
    """BR-03: when the processor really became aware; the 48-hour deadline moves with it."""

    discovered_at = AwareDateTimeField()
    reason = serializers.CharField(help_text=_("Why the discovery time changes."))


class PreviewQuerySerializer(Serializer):
    customer = IdField(help_text=_("A customer in the incident's selection."))
    language = serializers.ChoiceField(
        choices=Language.choices,
        required=False,
        help_text=_("Defaults to the customer's language."),
    )
    kind = serializers.ChoiceField(
        choices=IncidentUpdateKind.choices, required=False, default=IncidentUpdateKind.INITIAL
    )


class NoticePreviewSerializer(Serializer):
    customer = serializers.IntegerField()
    language = serializers.CharField()
    subject = serializers.CharField()
    text = serializers.CharField()
    html = serializers.CharField()


class ProgressCountsSerializer(Serializer):
    queued = serializers.IntegerField()
    accepted = serializers.IntegerField()
    failed = serializers.IntegerField()


class ProgressCustomerSerializer(ProgressCountsSerializer):
    notice_id = serializers.IntegerField()
    customer_id = serializers.IntegerField()
    customer_name = serializers.CharField()
    customer_number = serializers.CharField()
    state = serializers.CharField()
    informed_at = serializers.DateTimeField(allow_null=True, read_only=True)


class ProgressCustomerCountsSerializer(Serializer):
    all = serializers.IntegerField(help_text=_("Customers with a notice."))
    uninformed = serializers.IntegerField(
        help_text=_("Customers not informed yet (no message accepted, no out-of-band notice).")
    )
    failed = serializers.IntegerField(
        help_text=_("Customers with a failed message or whose every message failed.")
    )


PROGRESS_SHOW_CHOICES = [
    ("all", _("Every customer")),
    ("uninformed", _("Customers not informed yet")),
    ("failed", _("Customers with a failed message")),
]


class ProgressQuerySerializer(Serializer):
    """Which page of customers the progress lists (BR-03/BR-05)."""

    page = serializers.IntegerField(
        min_value=1,
        max_value=ID_MAX,
        required=False,
        default=1,
        help_text=_("Page of customers, from 1; a page past the last gives the last."),
    )
    page_size = serializers.IntegerField(
        min_value=1,
        max_value=500,
        required=False,
        default=50,
        help_text=_("Customers per page (at most 500)."),
    )
    show = serializers.ChoiceField(
        choices=PROGRESS_SHOW_CHOICES,
        required=False,
        default="all",
        help_text=_("Only customers not informed yet, or only those with a failed message."),
    )
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=100,
        help_text=_("Part of a customer's name or customer number."),
    )


class FanoutProgressSerializer(Serializer):
    """Messages queued / accepted / failed in total and, one page at a time, per customer.

    `total` and `customer_counts` always cover the whole incident; `customers` holds one
    page (by customer name) of the customers matching `show` and `q`; `count` is how many
    match, `next` / `previous` link to the neighbouring pages."""

    total = ProgressCountsSerializer(help_text=_("Every message of the incident."))
    customer_counts = ProgressCustomerCountsSerializer()
    count = serializers.IntegerField(help_text=_("Customers matching `show` and `q`."))
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    page_size = serializers.IntegerField(source="per_page")
    show = serializers.CharField()
    q = serializers.CharField(allow_blank=True)
    next = serializers.URLField(allow_null=True, read_only=True)
    previous = serializers.URLField(allow_null=True, read_only=True)
    customers = ProgressCustomerSerializer(many=True, help_text=_("One page of customers."))
