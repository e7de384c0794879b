"""Forms of instructions (IN-01) and binding instructions (IN-02). Moments are typed in
Amsterdam time; the rules live in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from access.forms.temporary import AmsterdamMomentField, CustomerField
from compliance.models import Customer, Role, User
from processing.models.instructions import Authority, InstructionAnswer


class InstructionRecordForm(forms.Form):
    customer = CustomerField(
        label=_("Customer"),
        queryset=Customer.objects.order_by("name"),
        error_messages={"invalid_choice": _("There is no such customer.")},
    )
    given_by_name = forms.CharField(
        label=_("Given by"), max_length=200, help_text=_("Who at the customer gave it.")
    )
    given_at = AmsterdamMomentField(label=_("Given at"), help_text=_("Amsterdam time."))
    reference = forms.CharField(
        label=_("Reference"),
        max_length=100,
        required=False,
        help_text=_("The letter, e-mail or ticket, if any."),
    )
    content = forms.CharField(
        label=_("Instruction"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the customer asked: which data to add, change or delete."),
    )


class InstructionGiveForm(forms.Form):
    content = forms.CharField(
        label=_("Your instruction"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Which data we should add, change or delete, and why."),
    )
    reference = forms.CharField(label=_("Your reference"), max_length=100, required=False)


class WarningForm(forms.Form):
    warning = forms.CharField(
        label=_("Warning to the customer"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Why the instruction appears to infringe the GDPR."),
        required=False,
    )


class AnswerForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Decision"), choices=InstructionAnswer.choices, widget=forms.RadioSelect
    )
    answer = forms.CharField(
        label=_("Explanation or amended instruction"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )


class StaffAnswerForm(AnswerForm):
    by_name = forms.CharField(
        label=_("Answered by"),
        max_length=200,
        help_text=_("Who at the customer answered."),
        required=False,
    )


class WhatForm(forms.Form):
    what = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )


def _employees():
    return (
        User.objects.filter(is_active=True, customer__isnull=True)
        .exclude(role__in=(Role.AUDITOR, Role.CUSTOMER_ADMIN, Role.CUSTOMER_CONTACT))
        .order_by("full_name", "email")
    )


class EmployeeField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name or obj.email


class BindingReportForm(forms.Form):
    authority = forms.ChoiceField(label=_("Authority"), choices=Authority.choices)
    authority_reference = forms.CharField(
        label=_("The authority's reference"), max_length=100, required=False
    )
    received_on = forms.DateField(
        label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    description = forms.CharField(
        label=_("What the authority requires"), widget=forms.Textarea(attrs={"rows": 5})
    )
    document = forms.FileField(
        label=_("The instruction (PDF)"), required=False, help_text=_("At most 10 MB.")
    )


class TakeOnForm(forms.Form):
    owner = EmployeeField(label=_("Owner"), queryset=User.objects.none())
    due_at = AmsterdamMomentField(label=_("To be complied with by"), help_text=_("Amsterdam time."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _employees()


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    assignee = EmployeeField(label=_("Assigned to"), queryset=User.objects.none())
    due_at = AmsterdamMomentField(label=_("Due"), help_text=_("Amsterdam time."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = _employees()


class OutcomeForm(forms.Form):
    outcome = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ConfirmForm(forms.Form):
    """A button only."""
