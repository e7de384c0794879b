"""Forms of the record of processing (GDPR Art. 30(2), RP-01)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class DetailsForm(forms.Form):
    dpo_name = forms.CharField(
        label=_("Data protection officer of the customer"), required=False, max_length=200
    )
    dpo_email = forms.EmailField(label=_("Data protection officer's e-mail"), required=False)
    dpo_phone = forms.CharField(
        label=_("Data protection officer's phone"), required=False, max_length=50
    )
    categories_note = forms.CharField(
        label=_("Categories of processing, in addition"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Processing for this customer that its products do not already describe."),
    )
    security_additions = forms.CharField(
        label=_("Security measures for this customer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SettingsForm(forms.Form):
    dpo_name = forms.CharField(
        label=_("Our data protection officer"), required=False, max_length=200
    )
    dpo_email = forms.EmailField(label=_("Data protection officer's e-mail"), required=False)
    dpo_phone = forms.CharField(
        label=_("Data protection officer's phone"), required=False, max_length=50
    )
    security_measures = forms.CharField(
        label=_("Technical and organisational security measures"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("The general description, the same in every customer's record."),
    )
