"""Staff forms that choose the affected customers and inform them (BR-03, BR-06)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from breaches.forms.fields import ProductChoiceField, _text
from breaches.models import SelectionRule
from breaches.services.selection import hand_choice_check
from compliance.models import Customer, Language, Product
from subprocessors.models import Subprocessor

MAX_CUSTOMER_NUMBERS = 10_000


def customer_numbers_split(text: str) -> list[str]:
    """Customer numbers typed or pasted, separated by commas, semicolons, spaces or lines."""
    return list(dict.fromkeys(n for n in (text or "").replace(",", " ").replace(";", " ").split()))


def customer_numbers_check(form, field: str, numbers: list[str]) -> list[int]:
    """The customers with these numbers (BR-08). Unknown numbers, customers without any
    contract and too many numbers are errors on `field`; returns their ids."""
    if len(numbers) > MAX_CUSTOMER_NUMBERS:
        form.add_error(
            field,
            _("Enter at most %(count)d customer numbers at once.")
            % {"count": MAX_CUSTOMER_NUMBERS},
        )
        return []
    found: dict[str, int] = {}
    for start in range(0, len(numbers), 1000):
        found.update(
            Customer.objects.filter(customer_number__in=numbers[start : start + 1000]).values_list(
                "customer_number", "pk"
            )
        )
    unknown = [n for n in numbers if n not in found]
    if unknown:
        form.add_error(
            field,
            _("Unknown customer numbers: %(numbers)s") % {"numbers": ", ".join(unknown[:20])},
        )
        return []
    ids = sorted(set(found.values()))
    try:
        hand_choice_check(ids)
    except ValidationError as error:
        for message in error.messages:
            form.add_error(field, message)
        return []
    return ids


class SelectionForm(forms.Form):
    """BR-08: by product, by subprocessor, by hand (customer numbers) or all customers."""

    rule = forms.ChoiceField(
        label=_("Select affected customers"),
        choices=SelectionRule.choices,
        widget=forms.RadioSelect,
    )
    products = ProductChoiceField(
        label=_("Products"), queryset=Product.objects.none(), required=False
    )
    subprocessor = forms.ModelChoiceField(
        label=_("Subprocessor"), queryset=Subprocessor.objects.none(), required=False
    )
    customer_numbers = forms.CharField(
        label=_("Customer numbers (by hand)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Separate customer numbers with commas, spaces or new lines."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["products"].queryset = Product.objects.order_by("name")
        self.fields["subprocessor"].queryset = Subprocessor.objects.order_by("legal_entity")

    def clean(self):
        cleaned = super().clean()
        rule = cleaned.get("rule")
        customers: list[int] = []
        if rule == SelectionRule.PRODUCT and not cleaned.get("products"):
            self.add_error("products", _("Choose at least one product."))
        if rule == SelectionRule.SUBPROCESSOR and not cleaned.get("subprocessor"):
            self.add_error("subprocessor", _("Choose the subprocessor."))
        if rule == SelectionRule.HAND:
            numbers = customer_numbers_split(cleaned.get("customer_numbers", ""))
            if not numbers:
                self.add_error("customer_numbers", _("Enter at least one customer number."))
            else:
                customers = customer_numbers_check(self, "customer_numbers", numbers)
        cleaned["customers"] = customers
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "rule": data["rule"],
            "products": list(data.get("products") or []),
            "subprocessor": data.get("subprocessor"),
            "customers": data.get("customers", []),
        }


class CustomerIdsField(forms.Field):
    """Customer ids posted as repeated values (ticked boxes, the ids shown on the page)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "invalid": _("Unknown customer."),
        "too_many": _("Too many customers in one request."),
    }

    def __init__(self, *, max_ids: int = 500, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.max_ids = max_ids

    def to_python(self, value) -> list[int]:
        if value in self.empty_values:
            return []
        if isinstance(value, str):
            value = [value]
        ids = []
        for item in value:
            text = str(item).strip()
            if not text.isdigit() or len(text) > 18 or int(text) < 1:
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            ids.append(int(text))
        if len(ids) > self.max_ids:
            raise ValidationError(self.error_messages["too_many"], code="too_many")
        return ids


HAND_NAV_SIMPLE = ("search", "clear", "save", "add_found", "show:all", "show:chosen")


class HandSelectionForm(forms.Form):
    """BR-08: one page of the selection by hand. `shown` are the customers the page listed,
    `chosen` those ticked among them: ticked ones are added, the others taken away, so what
    was chosen on other pages or searches stays chosen. `nav` says where to go afterwards
    (every button saves first): a search, a page, a filter, or "choose all found"."""

    q = forms.CharField(
        label=_("Name or customer number"), required=False, max_length=100, strip=True
    )
    numbers = forms.CharField(
        label=_("Add by customer number"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Separate customer numbers with commas, spaces or new lines."),
    )
    chosen = CustomerIdsField()
    shown = CustomerIdsField()
    current_q = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    show = forms.ChoiceField(
        choices=[("all", "all"), ("chosen", "chosen")], required=False, widget=forms.HiddenInput
    )
    page = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    nav = forms.CharField(required=False, max_length=30, widget=forms.HiddenInput)

    def clean_nav(self) -> str:
        nav = self.cleaned_data.get("nav") or "save"
        if nav in HAND_NAV_SIMPLE:
            return nav
        if nav.startswith("page:") and nav[5:].isdigit() and int(nav[5:]) >= 1:
            return nav
        raise ValidationError(_("Unknown button."), code="invalid")

    def clean(self):
        cleaned = super().clean()
        cleaned["show"] = cleaned.get("show") or "all"
        cleaned["numbers_ids"] = []
        numbers = customer_numbers_split(cleaned.get("numbers", ""))
        if numbers:
            cleaned["numbers_ids"] = customer_numbers_check(self, "numbers", numbers)
        return cleaned

    def destination(self) -> dict:
        """Search, filter and page to show after saving (the GET parameters)."""
        data = self.cleaned_data
        nav, q, show = data["nav"], data.get("current_q") or "", data["show"]
        page = data.get("page") or 1
        if nav == "search":
            q, page = data.get("q") or "", 1
        elif nav == "clear":
            q, page = "", 1
        elif nav.startswith("show:"):
            # "Show only the N chosen" / "every customer": the whole list, not the search.
            q, show, page = "", nav[5:], 1
        elif nav.startswith("page:"):
            page = int(nav[5:])
        return {"q": q, "show": show, "page": page}


PREVIEW_SUGGESTIONS = 50


class SuggestionsInput(forms.TextInput):
    """A text input with a <datalist> of a few suggestions, `(value, label)` pairs; any
    other value can still be typed."""

    def __init__(self, attrs=None, *, list_id: str):
        super().__init__({"autocomplete": "off", **(attrs or {}), "list": list_id})
        self.list_id = list_id
        self.suggestions = ()

    def render(self, name, value, attrs=None, renderer=None):
        field = super().render(name, value, attrs, renderer)
        options = format_html_join(
            "", '<option value="{}">{}</option>', ((v, label) for v, label in self.suggestions)
        )
        return field + format_html('<datalist id="{}">{}</datalist>', self.list_id, options)


class PreviewForm(forms.Form):
    """BR-06: the notice as one affected customer will receive it, in a chosen language.

    The customer is chosen by customer number (a text input suggesting the first affected
    customers by name), so the form stays small whatever the number of affected customers.
    A link may name the customer by id instead (`customer`); the form then shows its
    number."""

    number = forms.CharField(
        label=_("Customer number"),
        max_length=30,
        help_text=_(
            "Any affected customer's number; the suggestions show the first affected "
            "customers by name."
        ),
        widget=SuggestionsInput(attrs={"spellcheck": "false"}, list_id="preview-customers"),
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)

    def __init__(self, data=None, *args, incident, suggestions=None, **kwargs):
        """`suggestions`: the affected customers to suggest when the caller has them
        already (at most PREVIEW_SUGGESTIONS); otherwise the first ones by name."""
        if data is not None and not (data.get("number") or "").strip():
            customer_id = str(data.get("customer") or "").strip()
            if customer_id.isdigit() and len(customer_id) < 19:
                found = (
                    incident.affected_customers.filter(pk=int(customer_id))
                    .values_list("customer_number", flat=True)
                    .first()
                )
                if found:
                    data = data.copy()
                    data["number"] = found
        super().__init__(data, *args, **kwargs)
        self.incident = incident
        if suggestions is None:
            suggestions = incident.affected_customers.order_by("name", "pk")[:PREVIEW_SUGGESTIONS]
        self.fields["number"].widget.suggestions = _Suggestions(suggestions)

    def clean_number(self) -> str:
        number = self.cleaned_data["number"].strip()
        customer = Customer.objects.filter(customer_number=number).first()
        if customer is None:
            customer = Customer.objects.filter(customer_number__iexact=number).first()
        if customer is None:
            raise ValidationError(
                _("No customer has the number %(number)s.") % {"number": number},
                code="unknown_customer",
            )
        if not self.incident.affected_customers.filter(pk=customer.pk).exists():
            raise ValidationError(
                _("%(name)s (%(number)s) is not affected by this incident.")
                % {"name": customer.name, "number": customer.customer_number},
                code="not_affected",
            )
        self.cleaned_data["customer"] = customer
        return customer.customer_number


class _Suggestions:
    """Customers as (number, name) pairs, read only when the input is rendered."""

    def __init__(self, customers):
        self.customers = customers

    def __iter__(self):
        for customer in list(self.customers)[:PREVIEW_SUGGESTIONS]:
            yield customer.customer_number, customer.name


class NotifyForm(forms.Form):
    late_reason = _text(
        _("Reason for the delay"),
        help_text=_("Required when the 48-hour deadline has passed."),
    )
