"""Forms for the core data pages. They validate input; the services write."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from compliance.models import Contact, Language


def _label(model, field: str):
    return capfirst(model._meta.get_field(field).verbose_name)


def _help(model, field: str):
    return model._meta.get_field(field).help_text


def attach_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the field it names when the form has
    that field, otherwise above the form."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            if field == NON_FIELD_ERRORS:
                target = None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


class ContactForm(forms.Form):
    """A contact of a customer (BR-05). A plain form, not a ModelForm: making this contact the
    subscription contact moves the flag from another one, which the service does; model
    validation here would refuse it first."""

    name = forms.CharField(label=_label(Contact, "name"), max_length=200)
    email = forms.EmailField(label=_label(Contact, "email"), max_length=254)
    phone = forms.CharField(label=_label(Contact, "phone"), max_length=50, required=False)
    language = forms.ChoiceField(
        label=_label(Contact, "language"),
        choices=[("", _("The organisation's language"))] + list(Language.choices),
        required=False,
        help_text=_help(Contact, "language"),
    )
    receives_breach_notices = forms.BooleanField(
        label=_label(Contact, "receives_breach_notices"),
        required=False,
        help_text=_(
            "Receives notifications of personal data breaches on behalf of the organisation."
        ),
    )
    is_subscription_contact = forms.BooleanField(
        label=_label(Contact, "is_subscription_contact"),
        required=False,
        help_text=_(
            "The one contact who holds the subscription. Choosing this contact takes the role "
            "away from the current subscription contact."
        ),
    )

    @classmethod
    def initial_for(cls, contact: Contact) -> dict:
        return {name: getattr(contact, name) for name in cls.base_fields}


class CustomerSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search by name or customer number"), required=False, max_length=200
    )
