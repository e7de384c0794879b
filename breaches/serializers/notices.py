"""API shapes of a customer notice: what the customer sees and records, and what the staff
record on one notice."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from breaches.models import (
    DECISION_FIELDS,
    Authority,
    AuthorityDecision,
    CustomerNotice,
    Incident,
    IntentionRecipient,
    NotificationKind,
    SubjectsDecision,
)
from compliance.api_fields import AwareDateTimeField, IdField, ModelSerializer, Serializer
from compliance.models import OutboxMessage


class NoticeIncidentSerializer(ModelSerializer):
    """What the customer needs for its own notification (BR-06, GDPR Art. 33(3)); empty
    values are not yet known."""

    class Meta:
        model = Incident
        fields = [
            "id",
            "title",
            "description",
            "state",
            "occurred_at",
            "discovered_at",
            "personal_data_involved",
            "data_categories",
            "special_categories",
            "special_categories_detail",
            "data_subject_categories",
            "subjects_min",
            "subjects_max",
            "records_min",
            "records_max",
            "data_unintelligible",
            "unintelligible_how",
            "likely_consequences",
            "measures_taken",
            "measures_proposed",
            "severity_score",
            "severity_band",
            "root_cause",
            "lessons_learned",
        ]
        read_only_fields = fields


class NoticeSerializer(ModelSerializer):
    incident = NoticeIncidentSerializer(read_only=True)
    letter_url = serializers.SerializerMethodField()
    intention_recipient = serializers.SerializerMethodField(
        help_text=_(
            "Deprecated: the first of intention_recipients, for clients written when an "
            "intention had one recipient."
        )
    )

    class Meta:
        model = CustomerNotice
        fields = [
            "id",
            "incident",
            "customer",
            "state",
            "notified_at",
            "informed_at",
            "informed_how",
            "customer_reported",
            "aware_at",
            "authority_due_at",
            "acknowledged_at",
            "intention_kind",
            "intention_recipients",
            "intention_recipient",
            "intention_planned_at",
            "intention_note",
            "intention_at",
            *DECISION_FIELDS,
            "decided_at",
            "letter_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_intention_recipient(self, obj) -> str:
        return (obj.intention_recipients or [""])[0]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_letter_url(self, obj) -> str | None:
        if not obj.letter_id:
            return None
        return reverse("document_download", args=[obj.letter.uuid])


class NoticeQuerySerializer(Serializer):
    """The notices list's filter."""

    incident = IdField(
        required=False,
        help_text=_("Only the notices of this incident."),
        error_messages={"invalid": _("Give the incident's number.")},
    )


class NoticeIntentionSerializer(Serializer):
    """BR-09: the notification the customer intends to make."""

    kind = serializers.ChoiceField(choices=NotificationKind.choices)
    recipients = serializers.ListField(
        child=serializers.ChoiceField(choices=IntentionRecipient.choices),
        required=False,
        allow_empty=False,
        help_text=_(
            "Everyone the customer will notify: one or more of ap, gba (both for a "
            "cross-border breach) and data_subjects."
        ),
    )
    recipient = serializers.ChoiceField(
        choices=IntentionRecipient.choices,
        required=False,
        write_only=True,
        help_text=_("Deprecated: one recipient; use recipients."),
    )
    planned_at = AwareDateTimeField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, attrs):
        """`recipients` (a list), or the earlier single `recipient`; not both, not neither."""
        single = attrs.pop("recipient", None)
        if single and "recipients" in attrs:
            raise serializers.ValidationError(
                {"recipient": [_("Give recipients or recipient, not both.")]}
            )
        if single:
            attrs["recipients"] = [single]
        if not attrs.get("recipients"):
            raise serializers.ValidationError(
                {"recipients": [_("Choose one or more of the AP, the GBA and the data subjects.")]}
            )
        return attrs


class NoticeDecisionSerializer(Serializer):
    """BR-04: the customer's own decision; it records what the customer does and never
    notifies an authority. The same rules as the portal form (`breaches.decisions`): a
    breach needs `authority_status` and `subjects_status`, and each status the fields it
    calls for. `authority_notified`, `authority_kind` and `subjects_informed` are the earlier
    yes/no answers, still taken when the statuses are left out."""

    is_breach = serializers.BooleanField()
    breach_reasoning = serializers.CharField()
    authority_status = serializers.ChoiceField(
        choices=AuthorityDecision.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=_(
            "Required for a breach: will notify, notified (completely or "
            "provisionally, Art. 33(4) GDPR) or will not notify."
        ),
    )
    authority = serializers.ChoiceField(
        choices=Authority.choices, required=False, allow_blank=True, default=""
    )
    authority_notified_on = serializers.DateField(required=False, allow_null=True, default=None)
    authority_reference = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    authority_reasoning = serializers.CharField(required=False, allow_blank=True, default="")
    subjects_status = serializers.ChoiceField(
        choices=SubjectsDecision.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Required for a breach: will inform, informed or will not inform."),
    )
    subjects_informed_on = serializers.DateField(required=False, allow_null=True, default=None)
    subjects_how = serializers.CharField(required=False, allow_blank=True, default="")
    subjects_reasoning = serializers.CharField(required=False, allow_blank=True, default="")
    authority_notified = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Earlier form of authority_status; used only when it is left out."),
    )
    authority_kind = serializers.ChoiceField(
        choices=NotificationKind.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("With authority_notified only."),
    )
    subjects_informed = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Earlier form of subjects_status; used only when it is left out."),
    )


class OutOfBandSerializer(Serializer):
    """BR-03: the customer was informed another way; counts as informing."""

    note = serializers.CharField(help_text=_("For example: phoned J. Jansen at 14:05."))
    informed_at = AwareDateTimeField(
        required=False, allow_null=True, help_text=_("Defaults to now; never in the future.")
    )
    late_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Required when this is after the 48-hour deadline."),
    )


class LateReasonSerializer(Serializer):
    reason = serializers.CharField(help_text=_("Why the customer was informed late."))


class StaffNoticeSerializer(NoticeSerializer):
    """A notice as the privacy officer sees it: with lateness and the out-of-band record."""

    customer_name = serializers.CharField(source="customer.name", read_only=True)

    class Meta(NoticeSerializer.Meta):
        fields = [
            *NoticeSerializer.Meta.fields,
            "customer_name",
            "late",
            "late_reason",
            "out_of_band_note",
            "out_of_band_at",
            "undelivered_at",
        ]
        read_only_fields = fields


class NoticeMessageSerializer(ModelSerializer):
    """One e-mail of a notice with its Message-ID and what the mail server answered."""

    server_reply = serializers.CharField(source="last_reply", read_only=True)

    class Meta:
        model = OutboxMessage
        fields = [
            "id",
            "message_id",
            "to_name",
            "to_email",
            "language",
            "subject",
            "status",
            "attempts",
            "created_at",
            "accepted_at",
            "failed_at",
            "server_reply",
        ]
        read_only_fields = fields
