"""Template helpers of the breach pages: deadline countdowns."""

import datetime

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from breaches.severity_text import incident_severity

register = template.Library()


def _span(seconds: int) -> str:
    minutes = seconds // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}


@register.filter
def countdown(due_at) -> str:
    """ "in 5 h 12 min" before a deadline, "overdue by 2 h 3 min" after it."""
    if not isinstance(due_at, datetime.datetime):
        return ""
    delta = int((due_at - timezone.now()).total_seconds())
    if delta >= 0:
        return _("in %(span)s") % {"span": _span(delta)}
    return _("overdue by %(span)s") % {"span": _span(-delta)}


@register.filter
def is_overdue(due_at) -> bool:
    return isinstance(due_at, datetime.datetime) and timezone.now() > due_at


@register.filter
def fields_for(form):
    """The form's fields in display order; a DST fold choice appears right after its time
    only when the typed time occurs twice (see `LocalTimesMixin`)."""
    ordered = getattr(form, "visible_fields_in_order", None)
    if ordered is not None:
        return ordered()
    return list(form)


@register.filter
def deadline_met(incident):
    """When the 48-hour duty was met (every selected customer informed), else None."""
    from breaches.counts import customer_deadline_met_at

    return customer_deadline_met_at(incident)


@register.filter
def span_before(moment, due_at) -> str:
    """ "5 h 12 min before the deadline" or "2 h 3 min after the deadline"."""
    if not isinstance(moment, datetime.datetime) or not isinstance(due_at, datetime.datetime):
        return ""
    delta = int((due_at - moment).total_seconds())
    if delta >= 0:
        return _("%(span)s before the deadline") % {"span": _span(delta)}
    return _("%(span)s after the deadline") % {"span": _span(-delta)}


@register.filter
def severity(incident) -> str:
    """The incident's ENISA severity as people read it: "1.75 · Low" (`breaches.severity_text`)."""
    return incident_severity(incident)
