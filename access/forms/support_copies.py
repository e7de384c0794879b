"""Forms of the support-copy register (AC-05). Moments are typed in Amsterdam time."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access.models import TicketStatus
from compliance.models import STAFF_ROLES, Customer, User

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


def local_input(moment) -> str:
    """A moment as the value of a datetime-local input (Amsterdam time)."""
    local = moment.astimezone(ZoneInfo(settings.DISPLAY_TIME_ZONE))
    return local.strftime(LOCAL_INPUT)


class LocalMomentField(forms.DateTimeField):
    """A moment typed in Amsterdam time (the page says so), stored aware."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT)
        )
        kwargs.setdefault("input_formats", [LOCAL_INPUT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"])
        kwargs.setdefault("help_text", _("Amsterdam time."))
        super().__init__(**kwargs)

    def to_python(self, value):
        with timezone.override(ZoneInfo(settings.DISPLAY_TIME_ZONE)):
            return super().to_python(value)


def staff_users():
    return User.objects.filter(role__in=STAFF_ROLES, is_active=True).order_by("full_name", "email")


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name or obj.email


class CustomerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.customer_number})" if obj.customer_number else obj.name


class SupportCopyRegisterForm(forms.Form):
    customer = CustomerChoiceField(label=_("Customer"), queryset=Customer.objects.order_by("name"))
    ticket = forms.CharField(label=_("Support ticket"), max_length=100)
    description = forms.CharField(
        label=_("What was copied"), widget=forms.Textarea(attrs={"rows": 3})
    )
    taken_at = LocalMomentField(label=_("Taken at"))
    taken_by = StaffChoiceField(label=_("Taken by"), queryset=staff_users())


class TicketStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Ticket status"), choices=TicketStatus.choices)
    at = LocalMomentField(label=_("Since"))


class AccessRecordForm(forms.Form):
    user = StaffChoiceField(label=_("Employee"), queryset=staff_users())
    accessed_at = LocalMomentField(label=_("Accessed at"))
    note = forms.CharField(label=_("What for"), widget=forms.Textarea(attrs={"rows": 2}))


class DeletionForm(forms.Form):
    deleted_at = LocalMomentField(label=_("Deleted at"))
