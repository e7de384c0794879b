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
from breaches.models import Consequences
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
    ("1", _("Simple data: name, contact details, education, work history, family life")),
    ("2", _("Behavioural data: location, traffic data, habits, preferences")),
    ("3", _("Financial data: income, transactions, bank statements, payment cards")),
    ("4", _("Sensitive data: health, political views, religion, sex life, criminal records")),
]
LOWERED_CHOICES = [
    ("0", _("Not lowered")),
    (
        "1",
        _(
            "By 1: the data says less than its kind suggests (for example a bank account "
            "number without balance or transactions)"
        ),
    ),
    (
        "2",
        _(
            "By 2: the data hardly tells anything about the person (for example only that "
            "someone is a client of a bank)"
        ),
    ),
    (
        "3",
        _(
            "By 3: the data was public already or tells almost nothing (for example the "
            "party of a well-known politician)"
        ),
    ),
]
EI_CHOICES = [
    ("", _("Not assessed yet")),
    ("0.25", _("Negligible: extremely hard, even with other information")),
    ("0.5", _("Limited: possible with effort (for example a common name and nothing else)")),
    ("0.75", _("Significant: fairly easy (for example a name with a town or a birth date)")),
    (
        "1",
        _(
            "Maximum: the data points straight at the person (for example name and address, "
            "or a citizen service number)"
        ),
    ),
]
# ENISA's scale of each circumstance of the breach; each has its own words below.
CB_CHOICES = [("0", _("None (0)")), ("0.25", _("Some (+0.25)")), ("0.5", _("Serious (+0.5)"))]
CONFIDENTIALITY_CHOICES = [
    ("0", _("None: exposed, but no sign that anyone unauthorised read or used it")),
    ("0.25", _("Some (+0.25): a known, limited number of recipients saw it")),
    (
        "0.5",
        _(
            "Serious (+0.5): an unknown number of people could see it (for example "
            "published, or copied by an attacker)"
        ),
    ),
]
INTEGRITY_CHOICES = [
    ("0", _("None: the data was not changed")),
    (
        "0.25",
        _("Some (+0.25): changed and perhaps used wrongly; the correct data can be restored"),
    ),
    (
        "0.5",
        _("Serious (+0.5): changed and perhaps used wrongly; the correct data is gone"),
    ),
]
AVAILABILITY_CHOICES = [
    ("0", _("None: the data was there whenever it was needed")),
    ("0.25", _("Some (+0.25): unavailable for a while; it can be restored")),
    ("0.5", _("Serious (+0.5): lost for good; it cannot be restored")),
]
CONSEQUENCE_CHOICES = [("", _("Not known yet")), *Consequences.choices]


def _radio(label, choices, *, help_text="", initial=None):
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=initial is None,
        initial=initial,
        help_text=help_text,
        widget=forms.RadioSelect,
    )


class TriageForm(forms.Form):
    """BR-11: the structured assessment, ENISA's severity inputs with its adjustments and the
    EDPB's factors; every choice says what it means."""

    personal_data_involved = _tristate(_("Personal data involved"))
    data_categories = _text(_("Categories of personal data"))
    special_categories = _tristate(_("Special categories of personal data (Art. 9/10 GDPR)"))
    special_categories_detail = _text(_("Which special categories"), rows=2)
    data_subject_categories = _text(_("Categories of data subjects"))
    vulnerable_subjects = _tristate(_("Are vulnerable people affected?"))
    subjects_min = forms.IntegerField(
        label=_("Data subjects (minimum)"), min_value=0, required=False
    )
    subjects_max = forms.IntegerField(
        label=_("Data subjects (maximum)"),
        min_value=0,
        required=False,
        help_text=_("From a thousand people on, the suggestion counts it as a large number."),
    )
    records_min = forms.IntegerField(label=_("Records (minimum)"), min_value=0, required=False)
    records_max = forms.IntegerField(label=_("Records (maximum)"), min_value=0, required=False)
    identifiability = _text(_("Identifiability"), rows=2)
    likely_consequences = _text(_("Likely consequences"))
    consequences_level = forms.ChoiceField(
        label=_("How serious are the consequences for the people?"),
        choices=CONSEQUENCE_CHOICES,
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "Minor: having to re-enter data, annoyance. Significant: extra costs, stress, "
            "unwanted mail. Serious: fraud, financial loss, discrimination, danger to health."
        ),
    )
    consequences_lasting = _tristate(_("Do the consequences last or can they not be undone?"))
    data_unintelligible = _tristate(_("Data unintelligible (encrypted or hashed)"))
    unintelligible_how = _text(_("How the data was protected"), rows=2)
    backup_available = _tristate(_("Is there a usable backup?"))
    enisa_dpc = forms.TypedChoiceField(
        label=_("Kind of data (ENISA's data processing context)"),
        choices=DPC_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Choose the most sensitive kind involved; the questions below adjust it."),
    )
    enisa_dpc_volume = _tristate(_("Does the amount of data per person allow a profile?"))
    enisa_dpc_lowered = forms.TypedChoiceField(
        label=_("Does the data say less than its kind suggests?"),
        choices=LOWERED_CHOICES,
        coerce=int,
        initial="0",
        required=False,
        empty_value=0,
        widget=forms.RadioSelect,
        help_text=_(
            "ENISA allows lowering behavioural data by 1, financial data by 2 and sensitive "
            "data by 3; simple data is not lowered."
        ),
    )
    enisa_ei = _radio(
        _("How easily can the people be identified? (ENISA's ease of identification)"),
        EI_CHOICES,
        initial="",
    )
    enisa_cb_confidentiality = _radio(
        _("Who could see the data? (loss of confidentiality)"),
        CONFIDENTIALITY_CHOICES,
        initial="0",
    )
    enisa_cb_integrity = _radio(
        _("Was the data changed? (loss of integrity)"), INTEGRITY_CHOICES, initial="0"
    )
    enisa_cb_availability = _radio(
        _("Was the data unavailable? (loss of availability)"),
        AVAILABILITY_CHOICES,
        initial="0",
    )
    enisa_cb_malicious = forms.BooleanField(
        label=_("Done on purpose, to harm (+0.5)"),
        required=False,
        help_text=_("For example theft, hacking or selling the data; not a mistake or a bug."),
    )
    measures_taken = _text(_("Measures taken"))
    measures_proposed = _text(_("Measures proposed"))

    HELP = {
        "personal_data_involved": _(
            "Starts from the answer in the report until the assessment is saved."
        ),
        "special_categories": _(
            "Health, ethnic origin, political views, religion, union membership, genetic or "
            "biometric data, sex life, criminal records."
        ),
        "vulnerable_subjects": _(
            "For example children, patients, people in debt counselling or protected witnesses."
        ),
        "consequences_lasting": _(
            "For example a health condition made public, or a document that cannot be made again."
        ),
        "data_unintelligible": _(
            "Yes only when state-of-the-art encryption or hashing protected it and the key or "
            "secret was not compromised."
        ),
        "backup_available": _("An up-to-date backup from which the data can be restored in time."),
        "enisa_dpc_volume": _(
            "For example a year of call records rather than a week. Raises the context by 1."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, text in self.HELP.items():
            self.fields[name].help_text = text

    @classmethod
    def initial_for(cls, incident) -> dict:
        initial = {}
        for name in cls.base_fields:
            value = getattr(incident, name)
            if name == "personal_data_involved" and value is None and not incident.triaged_at:
                value = incident.personal_data_possible
            if name in ("enisa_dpc", "enisa_dpc_lowered"):
                value = "" if value is None else str(value)
            elif isinstance(cls.base_fields[name], forms.TypedChoiceField):
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
        for name in ("enisa_cb_confidentiality", "enisa_cb_integrity", "enisa_cb_availability"):
            cleaned[name] = cleaned.get(name) or "0"
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
