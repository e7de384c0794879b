"""Customer portal forms: a reported incident, the intention and the decision (BR-04,
BR-09, BR-10)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from breaches.decisions import AUTHORITY_NEEDS, SUBJECTS_NEEDS, decision_values, local_today
from breaches.forms.fields import (
    ErrorSummaryMixin,
    LocalDateTimeField,
    LocalTimesMixin,
    ProductChoiceField,
    _text,
    _tristate,
    _yes_no,
    bool_initial,
)
from breaches.models import (
    Authority,
    AuthorityDecision,
    IntentionRecipient,
    NotificationKind,
    SubjectsDecision,
)
from compliance.models import Product


def _showing(table: dict, names: tuple[str, ...]) -> tuple[str, ...]:
    """The answers in `table` that call for all of `names`."""
    return tuple(str(answer) for answer, needs in table.items() if set(names) <= set(needs))


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


class IntentionForm(ErrorSummaryMixin, LocalTimesMixin, forms.Form):
    """BR-09: announce an intended notification before making it."""

    kind = forms.ChoiceField(
        label=_("Notification"), choices=NotificationKind.choices, widget=forms.RadioSelect
    )
    recipients = forms.MultipleChoiceField(
        label=_("To"),
        choices=IntentionRecipient.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Tick every one you will notify: the AP and the GBA when the breach crosses "
            "the border, and the data subjects."
        ),
        error_messages={
            "required": _("Choose one or more of the AP, the GBA and the data subjects."),
            "invalid_choice": _("Choose one or more of the AP, the GBA and the data subjects."),
        },
    )
    planned_at = LocalDateTimeField(label=_("Planned for"), required=False)
    note = _text(_("Note"))


def _date(label):
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class DecisionForm(ErrorSummaryMixin, forms.Form):
    """BR-04: the customer's own decision; it records what the customer does, it never
    notifies an authority. Asked step by step: each answer shows only the fields it calls
    for (`STEPS`, from the rules in `breaches.decisions`, which the service applies too)."""

    is_breach = _yes_no(_("Is this a personal data breach for your organisation?"))
    breach_reasoning = _text(_("Your reasoning"), required=True)
    authority_status = forms.ChoiceField(
        label=_("The supervisory authority"),
        choices=AuthorityDecision.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "Within 72 hours you may notify provisionally and give the rest in phases "
            "(Art. 33(4) GDPR)."
        ),
    )
    authority = forms.ChoiceField(
        label=_("Which authority"), choices=[("", "—"), *Authority.choices], required=False
    )
    authority_notified_on = _date(_("Notified on"))
    authority_reference = forms.CharField(
        label=_("The authority's reference"), max_length=100, required=False
    )
    authority_reasoning = _text(_("Why you will not notify the authority"))
    subjects_status = forms.ChoiceField(
        label=_("The data subjects (Art. 34 GDPR)"),
        choices=SubjectsDecision.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    subjects_informed_on = _date(_("Informed on"))
    subjects_how = _text(_("How the data subjects were informed"))
    subjects_reasoning = _text(_("Why you will not inform the data subjects"))

    # Each step: an answer, its values that show the step, and the step's fields.
    STEPS = {
        "breach": ("is_breach", ("yes",), ("authority_status", "subjects_status")),
        **{
            key: (status, _showing(table, names), names)
            for key, status, table, names in (
                ("authority_which", "authority_status", AUTHORITY_NEEDS, ("authority",)),
                (
                    "authority_notified",
                    "authority_status",
                    AUTHORITY_NEEDS,
                    ("authority_notified_on", "authority_reference"),
                ),
                ("authority_not", "authority_status", AUTHORITY_NEEDS, ("authority_reasoning",)),
                (
                    "subjects_informed",
                    "subjects_status",
                    SUBJECTS_NEEDS,
                    ("subjects_informed_on", "subjects_how"),
                ),
                ("subjects_not", "subjects_status", SUBJECTS_NEEDS, ("subjects_reasoning",)),
            )
        },
    }

    def answer(self, name: str) -> str:
        if self.is_bound:
            return self.data.get(name, "") or ""
        return str(self.initial.get(name) or "")

    def steps(self) -> dict:
        """Each step: whether the answers so far show it, the answer and values that show
        it (for the page's script) and its bound fields."""
        out = {}
        for key, (answer, values, names) in self.STEPS.items():
            shown = self.answer(answer) in values
            if key != "breach":
                shown = shown and out["breach"]["shown"]
            out[key] = {
                "shown": shown,
                "when": answer,
                "values": " ".join(values),
                "fields": [self[name] for name in names if key != "breach"],
            }
        return out

    def clean(self):
        cleaned = super().clean()
        answers = {name: cleaned.get(name) for name in self.base_fields}
        _values, errors = decision_values(answers, today=local_today())
        for name, messages in errors.items():
            if name not in self.errors:
                self.add_error(name, messages)
        return cleaned

    @classmethod
    def initial_for(cls, notice) -> dict:
        initial = {}
        for name in cls.base_fields:
            value = getattr(notice, f"decision_{name}")
            if name == "is_breach":
                value = bool_initial(value)
            initial[name] = value
        return initial

    # The service applies the same rules again (the API's way in).
    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)
