"""Forms of customer consent and uses of access (AC-04). They read input; services check and
write. Periods are whole days in Amsterdam time: from the start of the first day until the
end of the last."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access.models.consent import AccessBasis, ConsentLevel
from access.selectors.consent import employees
from compliance.models import Customer, Role


def day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day` in Amsterdam, as an aware moment."""
    zone = ZoneInfo(settings.DISPLAY_TIME_ZONE)
    return datetime.datetime.combine(day, datetime.time(), tzinfo=zone)


def day_end(day: datetime.date) -> datetime.datetime:
    return day_start(day + datetime.timedelta(days=1))


def last_day(moment: datetime.datetime) -> datetime.date:
    """The last whole day a period ending at `moment` covers (for a form's initial value)."""
    local = (moment - datetime.timedelta(microseconds=1)).astimezone(
        ZoneInfo(settings.DISPLAY_TIME_ZONE)
    )
    return local.date()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class EmployeeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name or obj.email} ({obj.get_role_display()})"


class ConsentRequestForm(forms.Form):
    customer = forms.ModelChoiceField(
        label=_("Customer"), queryset=Customer.objects.order_by("name")
    )
    employee = EmployeeChoiceField(
        label=_("Employee who needs access"), queryset=employees(), empty_label=None
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the employee will do with the customer's data, and why."),
        max_length=2000,
    )
    level = forms.ChoiceField(label=_("Level"), choices=ConsentLevel.choices)
    starts_on = forms.DateField(label=_("From (first day)"), widget=DateInput())
    ends_on = forms.DateField(
        label=_("Until (last day)"),
        widget=DateInput(),
        help_text=_("The access ends at midnight after this day, Amsterdam time."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = employees()
        self.fields["employee"].empty_label = "—"

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on"):
            if data["ends_on"] < data["starts_on"]:
                self.add_error("ends_on", _("The last day cannot be before the first day."))
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "customer": data["customer"],
            "employee": data["employee"],
            "purpose": data["purpose"],
            "level": data["level"],
            "starts_at": day_start(data["starts_on"]),
            "ends_at": day_end(data["ends_on"]),
        }


class ConsentDecisionForm(forms.Form):
    """Grant (possibly narrower or shorter) or refuse; which one is the button pressed."""

    level = forms.ChoiceField(label=_("Level you grant"), choices=ConsentLevel.choices)
    ends_on = forms.DateField(
        label=_("Until (last day)"),
        widget=DateInput(),
        required=False,
        help_text=_("You may shorten the period asked for; leave it to grant the whole period."),
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args, consent=None, **kwargs):
        super().__init__(*args, **kwargs)
        if consent is not None:
            self.fields["level"].initial = consent.level
            self.fields["ends_on"].initial = last_day(consent.ends_at)
            if consent.level == ConsentLevel.READ:
                self.fields["level"].choices = [(ConsentLevel.READ, ConsentLevel.READ.label)]

    def service_arguments(self, *, refuse: bool) -> dict:
        data = self.cleaned_data
        if refuse:
            return {"note": data["note"]}
        ends_on = data.get("ends_on")
        return {
            "level": data["level"],
            "ends_at": day_end(ends_on) if ends_on else None,
            "note": data["note"],
        }


class AccessUseForm(forms.Form):
    customer = forms.ModelChoiceField(
        label=_("Customer"), queryset=Customer.objects.order_by("name")
    )
    user = EmployeeChoiceField(label=_("Employee"), queryset=employees())
    basis = forms.ChoiceField(label=_("Basis of the access"), choices=AccessBasis.choices)
    basis_id = forms.IntegerField(
        label=_("Number of the basis record (optional)"),
        required=False,
        min_value=1,
        help_text=_("Needed for a support copy; otherwise the covering record is found."),
    )
    level = forms.ChoiceField(label=_("What kind of access"), choices=ConsentLevel.choices)
    used_on = forms.DateField(label=_("Date of use"), widget=DateInput())
    used_time = forms.TimeField(
        label=_("Time of use (Amsterdam time)"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    activity = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = employees()
        if actor is not None and actor.role == Role.STAFF_MEMBER:
            # A staff member records their own uses, and sees only the customers they were
            # given access to (not the list of all customers).
            self.fields["user"].queryset = employees().filter(pk=actor.pk)
            self.fields["customer"].queryset = (
                Customer.objects.filter(
                    Q(access_consents__employee=actor) | Q(temporary_access__requester=actor)
                )
                .distinct()
                .order_by("name")
            )
        if actor is not None and self.fields["user"].queryset.filter(pk=actor.pk).exists():
            self.fields["user"].initial = actor.pk
        local = timezone.localtime(timezone.now(), ZoneInfo(settings.DISPLAY_TIME_ZONE))
        self.fields["used_on"].initial = local.date()
        self.fields["used_time"].initial = local.time().replace(second=0, microsecond=0)

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        zone = ZoneInfo(settings.DISPLAY_TIME_ZONE)
        used_at = datetime.datetime.combine(data["used_on"], data["used_time"], tzinfo=zone)
        return {
            "customer": data["customer"],
            "user": data["user"],
            "basis": data["basis"],
            "basis_id": data.get("basis_id"),
            "level": data["level"],
            "used_at": used_at,
            "activity": data["activity"],
        }
