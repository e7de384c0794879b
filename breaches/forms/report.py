"""Staff forms on an incident: the report, the triage, the dismissal and a corrected
discovery time (BR-01, BR-02, BR-11)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from breaches.forms.fields import (
    LocalDateTimeField,
    LocalTimesMixin,
    ProductChoiceField,
    _text,
    _tristate,
    bool_initial,
)
from compliance.models import Product
from subprocessors.models import Subprocessor


class IncidentReportForm(LocalTimesMixin, forms.Form):
    """BR-01: four questions, answerable in under a minute; everything else is optional."""

    title = forms.CharField(label=_("What happened, in a few words"), max_length=200)
    description = _text(
        _("What happened"),
        required=True,
        rows=5,
        help_text=_("What you saw, where and what you did about it so far."),
    )
    discovered_at = LocalDateTimeField(
        label=_("When was it discovered?"),
        required=False,
        help_text=_(
            "Amsterdam time (CET in winter, CEST in summer). Empty means now: the moment you "
            "send this form."
        ),
    )
    products = ProductChoiceField(
        label=_("Products affected"), queryset=Product.objects.none(), required=False
    )
    systems = forms.CharField(
        label=_("Systems affected"),
        max_length=500,
        required=False,
        help_text=_("For example servers, databases or laptops."),
    )
    personal_data_possible = _tristate(
        _("May personal data be involved?"), unknown=_("I do not know")
    )
    source_subprocessor = forms.ModelChoiceField(
        label=_("Reported to us by a subprocessor"),
        queryset=Subprocessor.objects.none(),
        required=False,
        empty_label=_("No, we found it ourselves"),
        help_text=_("Choose the subprocessor when the incident happened there."),
    )
    found_at_source = LocalDateTimeField(label=_("When the subprocessor found it"), required=False)
    occurred_at = LocalDateTimeField(label=_("When it happened, if known"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["products"].queryset = Product.objects.order_by("name")
        self.fields["source_subprocessor"].queryset = Subprocessor.objects.order_by("legal_entity")

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        for name in self.fold_field_names():
            data.pop(name, None)
        data["products"] = list(data.get("products") or [])
        if data.get("source_subprocessor") is not None:
            data["source"] = "subprocessor"
        else:
            data.pop("source_subprocessor", None)
        return data


DPC_CHOICES = [
    ("", _("Not assessed yet")),
    ("1", _("1 – simple data")),
    ("2", _("2 – behavioural data")),
    ("3", _("3 – financial data")),
    ("4", _("4 – sensitive data")),
]
EI_CHOICES = [
    ("", _("Not assessed yet")),
    ("0.25", _("Negligible (0.25)")),
    ("0.5", _("Limited (0.5)")),
    ("0.75", _("Significant (0.75)")),
    ("1", _("Maximum (1)")),
]
CB_CHOICES = [("0", _("None (0)")), ("0.25", _("Some (+0.25)")), ("0.5", _("Serious (+0.5)"))]


class TriageForm(forms.Form):
    """BR-11: the structured assessment and ENISA's severity inputs."""

    personal_data_involved = _tristate(_("Personal data involved"))
    data_categories = _text(_("Categories of personal data"))
    special_categories = _tristate(_("Special categories of personal data (Art. 9/10 GDPR)"))
    special_categories_detail = _text(_("Which special categories"), rows=2)
    data_subject_categories = _text(_("Categories of data subjects"))
    subjects_min = forms.IntegerField(
        label=_("Data subjects (minimum)"), min_value=0, required=False
    )
    subjects_max = forms.IntegerField(
        label=_("Data subjects (maximum)"), min_value=0, required=False
    )
    records_min = forms.IntegerField(label=_("Records (minimum)"), min_value=0, required=False)
    records_max = forms.IntegerField(label=_("Records (maximum)"), min_value=0, required=False)
    identifiability = _text(_("Identifiability"), rows=2)
    likely_consequences = _text(_("Likely consequences"))
    data_unintelligible = _tristate(_("Data unintelligible (encrypted or hashed)"))
    unintelligible_how = _text(_("How the data was protected"), rows=2)
    enisa_dpc = forms.TypedChoiceField(
        label=_("Data processing context (DPC)"),
        choices=DPC_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )
    enisa_ei = forms.ChoiceField(
        label=_("Ease of identification (EI)"), choices=EI_CHOICES, required=False
    )
    enisa_cb_confidentiality = forms.ChoiceField(
        label=_("Loss of confidentiality"), choices=CB_CHOICES, initial="0"
    )
    enisa_cb_integrity = forms.ChoiceField(
        label=_("Loss of integrity"), choices=CB_CHOICES, initial="0"
    )
    enisa_cb_availability = forms.ChoiceField(
        label=_("Loss of availability"), choices=CB_CHOICES, initial="0"
    )
    enisa_cb_malicious = forms.BooleanField(label=_("Malicious intent (+0.5)"), required=False)
    measures_taken = _text(_("Measures taken"))
    measures_proposed = _text(_("Measures proposed"))

    @classmethod
    def initial_for(cls, incident) -> dict:
        initial = {}
        for name in cls.base_fields:
            value = getattr(incident, name)
            if isinstance(cls.base_fields[name], forms.TypedChoiceField) and name != "enisa_dpc":
                value = bool_initial(value)
            elif name.startswith("enisa_cb_") and name != "enisa_cb_malicious":
                value = "0" if value is None else f"{value.normalize():f}"
            elif name == "enisa_ei":
                value = "" if value is None else f"{value.normalize():f}"
            initial[name] = value
        return initial

    def clean(self):
        cleaned = super().clean()
        cleaned["enisa_ei"] = cleaned.get("enisa_ei") or None
        return cleaned


class DismissForm(forms.Form):
    reason = _text(
        _("Why is this no security incident at all?"),
        required=True,
        help_text=_("The reasoning is kept on record."),
    )


class DiscoveryCorrectForm(LocalTimesMixin, forms.Form):
    discovered_at = LocalDateTimeField(label=_("Discovered at"))
    reason = _text(
        _("Why the discovery time changes"),
        required=True,
        help_text=_("The deadline moves with it; the history keeps both times."),
    )
