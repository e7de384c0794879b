"""Forms of customer audits (AU-01, AU-02). The rules (a ground when the customer is not
informed, the period, the acknowledgement of cost) live in the service; these forms only
read what was typed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from compliance.models import Customer
from processing.models.audits import AuditKind

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CustomerField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.customer_number})"


class AuditRecordForm(forms.Form):
    customer = CustomerField(
        label=_("Customer"),
        queryset=Customer.objects.order_by("name"),
        error_messages={"invalid_choice": _("There is no such customer.")},
    )
    kind = forms.ChoiceField(
        label=_("Who audits"),
        choices=[
            (AuditKind.CUSTOMER_AUDITOR.value, AuditKind.CUSTOMER_AUDITOR.label),
            (AuditKind.REGULATOR.value, AuditKind.REGULATOR.label),
        ],
        widget=forms.RadioSelect,
    )
    auditor = forms.CharField(label=_("Auditor or audit firm"), max_length=200)
    scope = forms.CharField(label=_("Scope"), widget=forms.Textarea(attrs={"rows": 3}))
    starts_on = forms.DateField(label=_("First day"), widget=DATE_INPUT, required=False)
    ends_on = forms.DateField(label=_("Last day"), widget=DATE_INPUT, required=False)
    inform = forms.TypedChoiceField(
        label=_("Inform the customer"),
        choices=[
            ("yes", _("Yes, inform the customer now")),
            ("no", _("No, a legal ground forbids informing the customer")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        initial="yes",
    )
    ground = forms.CharField(
        label=_("Legal ground for not informing"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_(
            "Only when the customer may not be told. Shown only to the processor's own "
            "people, never to the customer or the auditors it engaged."
        ),
    )


class AuditRequestForm(forms.Form):
    scope = forms.CharField(
        label=_("What should the audit cover?"), widget=forms.Textarea(attrs={"rows": 3})
    )
    preferred_period = forms.CharField(
        label=_("Preferred period"),
        max_length=200,
        help_text=_("For example: the second half of March."),
    )
    auditor = forms.CharField(label=_("Auditor (if known)"), max_length=200, required=False)
    cost_acknowledged = forms.BooleanField(
        label=_("I understand that the audit takes place by arrangement and at our own cost."),
        required=False,
    )


class ScheduleForm(forms.Form):
    starts_on = forms.DateField(label=_("First day"), widget=DATE_INPUT, required=False)
    ends_on = forms.DateField(label=_("Last day"), widget=DATE_INPUT, required=False)


class ReportForm(forms.Form):
    received_on = forms.DateField(label=_("Report received on"), widget=DATE_INPUT, required=False)
    reference = forms.CharField(
        label=_("Reference"),
        max_length=200,
        required=False,
        help_text=_("Where the report can be found: its title, number or place."),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class StartForm(forms.Form):
    pass
