"""Forms of data-subject requests (DS-01). Moments are typed in Amsterdam time; the rules
live in the service, whose messages appear at the fields they name."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance.models import Customer, User
from processing.models.subject_requests import SubjectRight

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class AmsterdamMomentField(forms.DateTimeField):
    """A moment typed in Amsterdam time, stored aware (UTC)."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT)
        )
        kwargs.setdefault("input_formats", [LOCAL_INPUT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"])
        super().__init__(**kwargs)

    def to_python(self, value):
        with timezone.override(ZoneInfo(settings.DISPLAY_TIME_ZONE)):
            return super().to_python(value)


class CustomerField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.customer_number})"


def _customer_field(required: bool, help_text=""):
    return CustomerField(
        label=_("Customer (controller)"),
        queryset=Customer.objects.order_by("name"),
        required=required,
        help_text=help_text,
        error_messages={"invalid_choice": _("There is no such customer.")},
    )


class SubjectRequestForm(forms.Form):
    received_at = AmsterdamMomentField(
        label=_("Received at"), help_text=_("Amsterdam time. The 24 hours count from here.")
    )
    channel = forms.CharField(
        label=_("Received by"), max_length=100, help_text=_("E-mail, letter, phone, web form.")
    )
    requester_name = forms.CharField(label=_("Name of the data subject"), max_length=200)
    requester_email = forms.EmailField(
        label=_("E-mail address of the data subject"),
        required=False,
        help_text=_("The reply that the request was passed on goes here."),
    )
    right = forms.ChoiceField(label=_("Request"), choices=SubjectRight.choices)
    description = forms.CharField(
        label=_("What was asked"), widget=forms.Textarea(attrs={"rows": 4})
    )
    controller_named = forms.BooleanField(
        label=_("The data subject named the organisation"), required=False
    )
    controller_named_as = forms.CharField(
        label=_("Organisation as the data subject named it"),
        max_length=200,
        required=False,
        help_text=_("Exactly as written by the data subject; only then does the reply name it."),
    )
    customer = _customer_field(False, _("Leave empty until the customer is identified."))


class ForwardForm(forms.Form):
    customer = _customer_field(False, _("Needed when not yet identified."))


class ReplyForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of the reply"), choices=[("nl", _("Dutch")), ("en", _("English"))]
    )


class CloseForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Required when the request is closed without forwarding it."),
    )


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    assignee = forms.ModelChoiceField(
        label=_("Assigned to"),
        queryset=User.objects.none(),
        error_messages={"invalid_choice": _("Choose an employee of the processor.")},
    )
    due_at = AmsterdamMomentField(label=_("Due"), help_text=_("Amsterdam time."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = (
            User.objects.filter(is_active=True, customer__isnull=True)
            .exclude(role="auditor")
            .order_by("email")
        )
        self.fields["assignee"].label_from_instance = lambda u: u.full_name or u.email


class TaskDoneForm(forms.Form):
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 3}))
