"""Forms of the breach workflow pages. They validate input; the services in
`breaches.services` write and have the last word (their errors are shown on the form with
`attach_service_errors`).

Times are typed as Amsterdam wall times (the zone is named on the form). A time that does
not exist at the spring DST change is refused; one that occurs twice at the autumn change
makes the form show a choice between the two, never a silent guess (`local_to_utc`).
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from breaches import deadlines
from breaches.models import (
    Authority,
    IntentionRecipient,
    NotificationKind,
    SelectionRule,
)
from breaches.services.selection import hand_choice_check
from compliance.forms import attach_service_errors
from compliance.models import Customer, Language, Product
from subprocessors.models import Subprocessor

LOCAL_INPUT_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S")
ZONE_HELP = _("Amsterdam time (CET in winter, CEST in summer).")


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class LocalDateTimeField(forms.Field):
    """A wall time in Europe/Amsterdam, kept naive until the form resolves it with
    `local_to_utc` (which knows the DST gap and fold)."""

    widget = LocalDateTimeInput
    default_error_messages = {"invalid": _("Enter a date and time, for example 2026-03-29 14:05.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value
        text = str(value).strip()
        for fmt in LOCAL_INPUT_FORMATS:
            try:
                return datetime.datetime.strptime(text, fmt)
            except ValueError:
                continue
        raise ValidationError(self.error_messages["invalid"], code="invalid")


FOLD_CHOICES = [
    ("0", _("The first time (summer time, CEST)")),
    ("1", _("The second time (winter time, CET)")),
]


def local_initial(value: datetime.datetime | None) -> str:
    """An aware datetime as the value of a datetime-local input in Amsterdam time."""
    if value is None:
        return ""
    return value.astimezone(deadlines.display_zone()).strftime("%Y-%m-%dT%H:%M")


class LocalTimesMixin:
    """Resolves every LocalDateTimeField to aware UTC in `clean()`.

    For each such field `<name>` the form has a `<name>_fold` radio, shown only when the
    typed time occurs twice; `ambiguous_fields` lists them for the template.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if isinstance(self.fields[name], LocalDateTimeField):
                self.fields[name].help_text = self.fields[name].help_text or ZONE_HELP
                self.fields[f"{name}_fold"] = forms.ChoiceField(
                    label=_("Which one do you mean?"),
                    choices=FOLD_CHOICES,
                    widget=forms.RadioSelect,
                    required=False,
                )
        self.ambiguous_fields: set[str] = set()

    def local_fields(self) -> list[str]:
        return [n for n, f in self.fields.items() if isinstance(f, LocalDateTimeField)]

    def fold_field_names(self) -> set[str]:
        return {f"{n}_fold" for n in self.local_fields()}

    def visible_fields_in_order(self):
        """Fields for the template: a fold choice right after its time, only when needed."""
        out = []
        for bound in self:
            if bound.name in self.fold_field_names():
                continue
            out.append(bound)
            if bound.name in self.ambiguous_fields:
                out.append(self[f"{bound.name}_fold"])
        return out

    def clean(self):
        cleaned = super().clean()
        for name in self.local_fields():
            value = cleaned.get(name)
            if value is None:
                continue
            fold_raw = cleaned.get(f"{name}_fold") or ""
            fold = int(fold_raw) if fold_raw in ("0", "1") else None
            if deadlines.is_ambiguous_local(value):
                self.ambiguous_fields.add(name)
            try:
                cleaned[name] = deadlines.local_to_utc(value, fold=fold, field=name)
            except ValidationError as error:
                cleaned.pop(name, None)
                attach_service_errors(self, error)
        return cleaned


def _tristate(label, *, unknown=None):
    return forms.TypedChoiceField(
        label=label,
        choices=[("", unknown or _("Not known yet")), ("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )


def _yes_no(label):
    return forms.TypedChoiceField(
        label=label,
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )


def bool_initial(value):
    return {True: "yes", False: "no"}.get(value, "")


def _text(label, *, required=False, rows=3, help_text="", max_length=None):
    kwargs = {"max_length": max_length} if max_length else {}
    return forms.CharField(
        label=label,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text,
        **kwargs,
    )


class ProductChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return obj.name


# --------------------------------------------------------------------------- staff


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
        help_text=_("Amsterdam time (CET in winter, CEST in summer). Leave empty for now."),
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
        help_text=_("Choose the subprocessor when the incident happened there (BR-08)."),
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
        help_text=_("The reasoning is kept on record (BR-02)."),
    )


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
        help_text=_("Required when the 48-hour deadline has passed (BR-03)."),
    )


class OutOfBandForm(LocalTimesMixin, forms.Form):
    """BR-03: one customer informed another way ("phoned J. Jansen at 14:05"); the notice
    is the page's own (one page per notice)."""

    note = _text(
        _("How, whom and when you informed"),
        required=True,
        help_text=_("For example: phoned J. Jansen at 14:05."),
    )
    informed_at = LocalDateTimeField(
        label=_("Informed at"),
        required=False,
        help_text=_("Amsterdam time (CET in winter, CEST in summer). Leave empty for now."),
    )
    late_reason = _text(_("Reason for the delay (when after the deadline)"))


class LateReasonForm(forms.Form):
    """BR-03: why one customer was (or will be) informed after the 48-hour deadline."""

    reason = _text(_("Reason for the delay"), required=True)


class UpdateForm(forms.Form):
    summary = _text(_("What changed"), required=True, rows=4)
    measures = _text(_("Measures taken or proposed"))


class FinalReportForm(forms.Form):
    root_cause = _text(_("Root cause"), required=True)
    lessons_learned = _text(_("Lessons learned"), required=True)
    summary = _text(_("Summary for the customers"))
    measures = _text(_("Measures taken"))


class DiscoveryCorrectForm(LocalTimesMixin, forms.Form):
    discovered_at = LocalDateTimeField(label=_("Discovered at"))
    reason = _text(
        _("Why the discovery time changes"),
        required=True,
        help_text=_("The deadline moves with it; the history keeps both times."),
    )


# --------------------------------------------------------------------------- portal


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
