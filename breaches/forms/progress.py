"""Staff forms after the notices went out: informed another way, late reasons, updates and
the final report (BR-03, BR-07)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from breaches.forms.fields import LocalDateTimeField, LocalTimesMixin, _text


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
        help_text=_(
            "Amsterdam time (CET in winter, CEST in summer). Empty means now: the moment you "
            "send this form."
        ),
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
