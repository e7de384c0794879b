"""Template helpers shared by every page."""

from django import template

from audits import actions
from compliance import moments
from compliance.models import Role

register = template.Library()

DEFAULT_DEADLINE_FORMAT = moments.MOMENT_FORMAT


@register.filter
def local_deadline(value, fmt: str = DEFAULT_DEADLINE_FORMAT) -> str:
    """An aware datetime as people read it (`compliance.moments.moment_text`)."""
    return moments.moment_text(value, fmt=fmt)


@register.filter
def local_moment_seconds(value) -> str:
    """A moment with seconds, for evidence (when exactly something was sent or signed)."""
    return moments.moment_text(value, seconds=True)


@register.filter
def local_day(value) -> str:
    return moments.day_text(value)


@register.filter
def role_label(value: str) -> str:
    """The translated name of a role stored as its code (as audit events keep it)."""

    try:
        return Role(value).label
    except ValueError:
        return value


@register.filter
def record_kind_label(value: str) -> str:
    """The people words for the kind of record an audit event names, stored as its model
    label (`breaches.CustomerNotice` → "Customer notice"); an unknown label shows as stored."""
    from django.apps import apps

    try:
        model = apps.get_model(value)
    except (LookupError, ValueError):
        return value
    return str(model._meta.verbose_name).capitalize()


@register.filter
def audit_action_label(value: str) -> str:
    """The people words for an audit action stored as its code (`auth.signed_in` →
    "Signed in"); an action not (or no longer) listed in `AuditAction` shows as stored."""
    return actions.audit_action_label(value)
