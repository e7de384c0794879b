"""Forms of temporary access (AC-03). Moments are typed in Amsterdam time; the rules
(period forward, at most 30 days, a reason, a known customer) live in the service."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access.models.temporary import MAX_PERIOD_DAYS
from compliance.models import Customer

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


class TemporaryRequestForm(forms.Form):
    customer = CustomerField(
        label=_("Customer"),
        queryset=Customer.objects.order_by("name"),
        error_messages={"invalid_choice": _("There is no such customer.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why you need this customer's data, e.g. the ticket or the fault you trace."),
    )
    starts_at = AmsterdamMomentField(label=_("From"), help_text=_("Amsterdam time."))
    ends_at = AmsterdamMomentField(label=_("Until"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ends_at"].help_text = _(
            "Amsterdam time. At most %(days)d days after the start."
        ) % {"days": MAX_PERIOD_DAYS}


class NoteForm(forms.Form):
    """The note of a decision, revocation or confirmed removal (required where the service
    says so; the service's message is shown at the field)."""

    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
