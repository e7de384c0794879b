"""Template helpers shared by every page."""

import datetime
from zoneinfo import ZoneInfo

from django import template
from django.conf import settings
from django.utils import formats, timezone

from audits import actions
from compliance.models import Role

register = template.Library()

DEFAULT_DEADLINE_FORMAT = "j F Y, H:i"


@register.filter
def local_deadline(value, fmt: str = DEFAULT_DEADLINE_FORMAT) -> str:
    """An aware datetime in the display zone (Europe/Amsterdam), with the zone named.

    Deadlines are stored in UTC; people read them in Amsterdam time, and naming the zone
    (CET or CEST) keeps a deadline near a DST change unambiguous.
    """
    if not isinstance(value, datetime.datetime):
        return ""
    if timezone.is_naive(value):
        # Stored datetimes are aware; a naive one can only come from code that meant UTC.
        value = value.replace(tzinfo=datetime.UTC)
    local = value.astimezone(ZoneInfo(settings.DISPLAY_TIME_ZONE))
    return f"{formats.date_format(local, fmt)} {local.tzname()}"


@register.filter
def role_label(value: str) -> str:
    """The translated name of a role stored as its code (as audit events keep it)."""

    try:
        return Role(value).label
    except ValueError:
        return value


@register.filter
def audit_action_label(value: str) -> str:
    """The people words for an audit action stored as its code (`auth.signed_in` →
    "Signed in"); an action not (or no longer) listed in `AuditAction` shows as stored."""
    return actions.audit_action_label(value)
