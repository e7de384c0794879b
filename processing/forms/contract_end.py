"""Forms of contract end (RT-01)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from compliance import moments
from processing.selectors.contract_end import contracts_without_end


class ContractChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(customer)s, since %(start)s") % {
            "customer": obj.customer.name,
            "start": moments.day_text(obj.starts_on),
        }


class ContractEndForm(forms.Form):
    contract = ContractChoice(
        queryset=contracts_without_end(),
        label=_("Contract"),
        error_messages={"required": _("Choose the contract that ends.")},
    )
    ends_on = forms.DateField(
        label=_("Last day of the contract"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "The environment is archived for a year after the end of this day, then deleted."
        ),
        error_messages={
            "required": _("Give the contract's last day."),
            "invalid": _("Give the date as day, month and year."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = contracts_without_end()


class ConfirmDeletionForm(forms.Form):
    what = forms.CharField(
        label=_("What was deleted"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("The systems and data of the environment; the customer reads it."),
        error_messages={"required": _("Say what was deleted, and in which systems.")},
    )


class EarlyDeletionForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "I understand that this request is binding and cannot be undone: the environment "
            "and all data in it are deleted."
        ),
        error_messages={
            "required": _(
                "Confirm that you understand the request is binding and cannot be undone."
            )
        },
    )
