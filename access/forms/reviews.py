"""Forms of the access review (ISO 27001 A.5.18): the rules themselves are the service's."""

from django import forms
from django.utils.translation import gettext_lazy as _

from access.models import ReviewDecision
from access.services.reviews import NOTE_MAX


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (ReviewDecision.CONFIRMED, _("Confirm: the access is still needed")),
            (ReviewDecision.REVOKED, _("Revoke: the access is no longer needed")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose to confirm or to revoke the access.")},
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when you revoke: the ICT manager acts on it."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == ReviewDecision.REVOKED and not data.get("note", "").strip():
            self.add_error("note", _("Say why the access is revoked: the ICT manager acts on it."))
        return data


class ConfirmMineForm(forms.Form):
    """The ids of the items shown to their owner; the service checks each one."""

    items = forms.TypedMultipleChoiceField(
        coerce=int,
        error_messages={"required": _("Choose at least one item to confirm.")},
    )

    def __init__(self, *args, item_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = [(pk, pk) for pk in item_ids]
        self.fields["items"].error_messages["invalid_choice"] = _(
            "Some of these items are not yours to confirm; nothing was confirmed."
        )
