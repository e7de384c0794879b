"""Forms of the subprocessor pages. They validate input; the services write and have the last
word (their ValidationErrors are shown on the form with `attach_service_errors`)."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance import moments
from compliance.models import Language, Product
from compliance.moments import day_text, display_zone
from subprocessors.models import (
    ChangeKind,
    ChangeNotice,
    ChangeNoticeState,
    ObjectionState,
    Subprocessor,
    SubprocessorStatus,
    UpheldOutcome,
)

LOCAL_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]


def local_input_value(moment: datetime.datetime | None) -> str:
    """An aware moment as the value of a datetime-local input, in Europe/Amsterdam."""
    if moment is None:
        return ""
    return moment.astimezone(display_zone()).strftime("%Y-%m-%dT%H:%M")


class AmsterdamDateTimeField(forms.DateTimeField):
    """A moment typed in Europe/Amsterdam wall-clock time, whatever the server's zone.

    A wall-clock time that does not exist (skipped when summer time starts) or exists twice
    (when it ends) is refused: the effective moment of a change must be unambiguous.
    """

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    input_formats = LOCAL_INPUT_FORMATS
    default_error_messages = {
        "invalid": _("Enter a date and time, e.g. 2026-10-01 09:00."),
        "nonexistent": _(
            "%(value)s does not exist in Amsterdam (the clocks move forward); choose another time."
        ),
        "ambiguous": _(
            "%(value)s occurs twice in Amsterdam (the clocks move back); choose another time."
        ),
    }

    def prepare_value(self, value):
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            return local_input_value(value)
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            if timezone.is_aware(value):
                return value
            naive = value
        else:
            naive = None
            for fmt in self.input_formats:
                try:
                    naive = datetime.datetime.strptime(str(value).strip(), fmt)
                    break
                except ValueError:
                    continue
            if naive is None:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        zone = display_zone()
        first, second = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
        shown = moments.wall_text(naive)
        if first.utcoffset() != second.utcoffset():
            # fold only matters when the wall time is skipped or repeated.
            roundtrip = first.astimezone(datetime.UTC).astimezone(zone).replace(tzinfo=None)
            code = "ambiguous" if roundtrip == naive else "nonexistent"
            raise forms.ValidationError(
                self.error_messages[code], code=code, params={"value": shown}
            )
        return first.astimezone(datetime.UTC)


# --------------------------------------------------------------------------- public


class SubscribeForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    language = forms.ChoiceField(label=_("Language of the messages"), choices=Language.choices)


# --------------------------------------------------------------------------- officer


def _register_subprocessors():
    return Subprocessor.objects.filter(status=SubprocessorStatus.ACTIVE).order_by("legal_entity")


class ChangeNoticeForm(forms.Form):
    """A new change notice (SP-03). Which fields apply depends on the kind; the service
    refuses what is missing or wrong (unknown country, outside the EEA — SP-02)."""

    kind = forms.ChoiceField(label=_("Kind of change"), choices=ChangeKind.choices)
    subprocessor = forms.ModelChoiceField(
        label=_("Subprocessor"),
        queryset=Subprocessor.objects.none(),
        required=False,
        help_text=_("For a new location, a new purpose or a removal."),
    )
    legal_entity = forms.CharField(
        label=_("Legal entity"),
        max_length=200,
        required=False,
        help_text=_("New subprocessor only."),
    )
    purpose = forms.CharField(
        label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    certifications = forms.CharField(label=_("Certifications"), max_length=300, required=False)
    flow_down_reference = forms.CharField(
        label=_("Flow-down agreement reference"), max_length=200, required=False
    )
    flow_down_signed_on = forms.DateField(
        label=_("Flow-down agreement date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    products = forms.ModelMultipleChoiceField(
        label=_("Products using it"),
        queryset=Product.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    location_name = forms.CharField(label=_("Location name"), max_length=200, required=False)
    location_city = forms.CharField(label=_("City"), max_length=100, required=False)
    location_country = forms.CharField(
        label=_("Country"),
        max_length=2,
        required=False,
        help_text=_("ISO 3166 code, e.g. NL. Only countries in the European Economic Area."),
    )
    new_purpose = forms.CharField(
        label=_("New purpose"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    description = forms.CharField(
        label=_("Explanation for customers"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    effective_at = AmsterdamDateTimeField(
        label=_("Planned effective moment (Amsterdam time)"),
        help_text=_(
            "At least 28 days after every customer was informed; it moves later "
            "by itself when sending takes longer."
        ),
    )

    NEW_SUBPROCESSOR_FIELDS = (
        "legal_entity",
        "purpose",
        "certifications",
        "flow_down_reference",
        "flow_down_signed_on",
        "products",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subprocessor"].queryset = _register_subprocessors()

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {
            "kind": data["kind"],
            "effective_at": data["effective_at"],
            "description": data["description"],
            "location_name": data["location_name"],
            "location_city": data["location_city"],
            "location_country": data["location_country"],
            "new_purpose": data["new_purpose"],
        }
        if data["kind"] == ChangeKind.NEW_SUBPROCESSOR:
            kwargs["new_subprocessor"] = {
                name: data[name] for name in self.NEW_SUBPROCESSOR_FIELDS
            } | {"products": list(data["products"])}
        else:
            kwargs["subprocessor"] = data["subprocessor"]
        return kwargs


class ChangeNoticeUpdateForm(forms.Form):
    """Edit a draft (SP-03)."""

    location_name = forms.CharField(label=_("Location name"), max_length=200, required=False)
    location_city = forms.CharField(label=_("City"), max_length=100, required=False)
    location_country = forms.CharField(
        label=_("Country"), max_length=2, required=False, help_text=_("ISO 3166 code, e.g. NL.")
    )
    new_purpose = forms.CharField(
        label=_("New purpose"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    description = forms.CharField(
        label=_("Explanation for customers"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    effective_at = AmsterdamDateTimeField(label=_("Planned effective moment (Amsterdam time)"))

    @classmethod
    def initial_for(cls, notice: ChangeNotice) -> dict:
        return {name: getattr(notice, name) for name in cls.base_fields}


class EffectiveMomentForm(forms.Form):
    effective_at = AmsterdamDateTimeField(
        label=_("New effective moment (Amsterdam time)"),
        help_text=_("Only later: never before 28 days after every customer was informed."),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the withdrawal"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Customers and subscribers who were told of the change receive it."),
    )


class OutOfBandForm(forms.Form):
    note = forms.CharField(
        label=_("How and whom you informed"), widget=forms.Textarea(attrs={"rows": 3})
    )
    informed_at = AmsterdamDateTimeField(
        label=_("Informed at (Amsterdam time)"),
        required=False,
        help_text=_("Leave empty for now."),
    )


# --------------------------------------------------------------------------- objections


class ObjectionForm(forms.Form):
    """A customer's objection to a subprocessor, existing or announced (SP-04)."""

    subprocessor = forms.ModelChoiceField(
        label=_("Subprocessor"),
        queryset=Subprocessor.objects.none(),
        required=False,
        help_text=_("A subprocessor in the register, or one announced."),
    )
    change_notice = forms.ModelChoiceField(
        label=_("Announced change"),
        queryset=ChangeNotice.objects.none(),
        required=False,
        help_text=_(
            "The announced change you object to. Choose none for an objection to an existing "
            "subprocessor as it is."
        ),
    )
    reasons = forms.CharField(
        label=_("Your reasons"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,  # the service gives the message, the same as the API's
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        subprocessor = self.fields["subprocessor"]
        subprocessor.queryset = Subprocessor.objects.filter(
            status__in=(SubprocessorStatus.ACTIVE, SubprocessorStatus.PENDING)
        ).order_by("legal_entity")
        subprocessor.label_from_instance = _subprocessor_label
        change = self.fields["change_notice"]
        change.queryset = ChangeNotice.objects.filter(
            state=ChangeNoticeState.ANNOUNCED
        ).select_related("subprocessor")
        change.label_from_instance = _change_label

    @staticmethod
    def initial_for(*, subprocessor_id: int | None, change_notice_id: int | None) -> dict:
        """The announced change is chosen beforehand: the one asked for, else the latest
        announced change of the subprocessor asked for, else the latest announced change
        (SP-04). The customer may clear it to object to an existing subprocessor as it is."""
        announced = ChangeNotice.objects.filter(state=ChangeNoticeState.ANNOUNCED).order_by(
            "-announced_at", "-id"
        )
        change = None
        if change_notice_id:
            change = announced.filter(pk=change_notice_id).first()
        elif subprocessor_id:
            change = announced.filter(subprocessor_id=subprocessor_id).first()
        else:
            change = announced.first()
        if change is not None:
            return {"subprocessor": change.subprocessor_id, "change_notice": change.pk}
        return {"subprocessor": subprocessor_id, "change_notice": None}


def _subprocessor_label(subprocessor: Subprocessor) -> str:
    if subprocessor.status == SubprocessorStatus.PENDING:
        return _("%(entity)s (pending new subprocessor)") % {"entity": subprocessor.legal_entity}
    return _("%(entity)s (existing subprocessor)") % {"entity": subprocessor.legal_entity}


def _change_label(notice: ChangeNotice) -> str:
    return _("%(kind)s: %(entity)s, from %(day)s") % {
        "kind": notice.get_kind_display(),
        "entity": notice.subprocessor.legal_entity,
        "day": day_text(notice.effective_at),
    }


class DecisionForm(forms.Form):
    """The board's decision on an objection (SP-05)."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (ObjectionState.UPHELD, _("Upheld")),
            (ObjectionState.REJECTED, _("Rejected")),
        ],
        widget=forms.RadioSelect,
    )
    outcome = forms.ChoiceField(
        label=_("When upheld"),
        choices=UpheldOutcome.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    accommodation = forms.CharField(
        label=_("Accommodation for this customer"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    reasoning = forms.CharField(
        label=_("Reasoning (sent to the customer)"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,  # the service gives the message
    )
