"""Forms of confidentiality (AC-01)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class PublishForm(forms.Form):
    text_en = forms.CharField(
        label=_("Text in English"), widget=forms.Textarea(attrs={"rows": 14}), strip=True
    )
    text_nl = forms.CharField(
        label=_("Text in Dutch"), widget=forms.Textarea(attrs={"rows": 14}), strip=True
    )


class AcknowledgeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    agree = forms.BooleanField(
        label=_("I have read this text and I keep customer data confidential accordingly."),
        error_messages={"required": _("Tick the box to confirm you have read the text.")},
    )
