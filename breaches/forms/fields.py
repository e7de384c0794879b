"""The fields and helpers every breach form uses.

Times are typed as Amsterdam wall times (the zone is named on the form). A time that does
not exist at the spring DST change is refused; one that occurs twice at the autumn change
makes the form show a choice between the two, never a silent guess (`local_to_utc`).
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from breaches import deadlines
from compliance import moments
from compliance.forms import attach_service_errors

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
    return value.astimezone(moments.display_zone()).strftime("%Y-%m-%dT%H:%M")


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


class ErrorSummaryMixin:
    """The form's errors for the summary at the top of its page (the field's id, message);
    a choice links to its first option, so following the link puts the focus there."""

    def error_links(self) -> list[tuple[str, str]]:
        links = []
        for name, messages in self.errors.items():
            if name not in self.fields:
                continue
            bound = self[name]
            target = bound.auto_id
            if isinstance(bound.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                target = f"{target}_0"
            # A summary line must say which field it is about: "This field is required."
            # alone, far above the field, tells the reader nothing.
            label = str(bound.label or "").strip().rstrip(":")
            joint = " " if label.endswith("?") else ": "
            links.extend(
                (target, f"{label}{joint}{message}" if label else message) for message in messages
            )
        return links


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
