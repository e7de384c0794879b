"""Forms of standing access (AC-02)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from access.models.standing import StandingPurpose
from access.selectors.confidentiality import staff_bound


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name or obj.email} ({obj.get_role_display()})"


class GrantForm(forms.Form):
    holder = StaffChoiceField(label=_("Holder"), queryset=staff_bound())
    role_title = forms.CharField(
        label=_("Role"), max_length=100, initial=_("System administrator"), required=False
    )
    purposes = forms.MultipleChoiceField(
        label=_("Purposes"),
        choices=StandingPurpose.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one purpose from the list.")},
    )


class EndForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for ending"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for ending this access.")},
    )


class RemovalForm(forms.Form):
    confirmed_by = StaffChoiceField(
        label=_("Removal in the systems confirmed by"),
        queryset=staff_bound(),
        error_messages={
            "required": _("Name the staff member who confirmed the removal in the systems."),
            "invalid_choice": _("Name the staff member who confirmed the removal in the systems."),
        },
    )
