"""Customer portal forms: a reported incident, the intention and the decision (BR-04,
BR-09, BR-10)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from breaches.forms.fields import (
    LocalDateTimeField,
    LocalTimesMixin,
    ProductChoiceField,
    _text,
    _tristate,
    _yes_no,
    bool_initial,
)
from breaches.models import Authority, IntentionRecipient, NotificationKind
from compliance.models import Product


class CustomerReportForm(LocalTimesMixin, forms.Form):
    """BR-10: a customer reports a suspected incident."""

    title = forms.CharField(label=_("What happened, in a few words"), max_length=200)
    description = _text(_("What happened"), required=True, rows=5)
    found_at_source = LocalDateTimeField(label=_("When you found it"), required=False)
    occurred_at = LocalDateTimeField(label=_("When it happened, if known"), required=False)
    products = ProductChoiceField(
        label=_("Products affected"), queryset=Product.objects.none(), required=False
    )
    personal_data_possible = _tristate(
        _("May personal data be involved?"), unknown=_("I do not know")
    )

    def __init__(self, *args, products, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["products"].queryset = products

    def service_kwargs(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.fold_field_names()}
        data["products"] = list(data.get("products") or [])
        return data


class IntentionForm(LocalTimesMixin, forms.Form):
    """BR-09: announce an intended notification before making it."""

    kind = forms.ChoiceField(
        label=_("Notification"), choices=NotificationKind.choices, widget=forms.RadioSelect
    )
    recipient = forms.ChoiceField(
        label=_("To"), choices=IntentionRecipient.choices, widget=forms.RadioSelect
    )
    planned_at = LocalDateTimeField(label=_("Planned for"), required=False)
    note = _text(_("Note"))


class DecisionForm(forms.Form):
    """BR-04: the customer's own decision; it records what the customer did, it never
    notifies an authority."""

    is_breach = _yes_no(_("Is this a personal data breach for your organisation?"))
    breach_reasoning = _text(_("Reasoning"), required=True)
    authority_notified = _yes_no(_("Did you notify the supervisory authority?"))
    authority = forms.ChoiceField(
        label=_("Authority"), choices=[("", "—"), *Authority.choices], required=False
    )
    authority_notified_on = forms.DateField(
        label=_("Notified on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    authority_reference = forms.CharField(
        label=_("The authority's reference"), max_length=100, required=False
    )
    authority_kind = forms.ChoiceField(
        label=_("Notification"), choices=[("", "—"), *NotificationKind.choices], required=False
    )
    authority_reasoning = _text(_("Why the authority was not notified"))
    subjects_informed = _yes_no(_("Did you inform the data subjects?"))
    subjects_informed_on = forms.DateField(
        label=_("Informed on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    subjects_how = _text(_("How the data subjects were informed"))
    subjects_reasoning = _text(_("Why the data subjects were not informed"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("is_breach") is None and "is_breach" not in self.errors:
            self.add_error("is_breach", _("Say whether this is a personal data breach for you."))
        return cleaned

    @classmethod
    def initial_for(cls, notice) -> dict:
        initial = {}
        for name in cls.base_fields:
            value = getattr(notice, f"decision_{name}")
            if name in ("is_breach", "authority_notified", "subjects_informed"):
                value = bool_initial(value)
            initial[name] = value
        return initial

    # The service validates the combination (dates, reference, reasoning).
    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)
