"""Context every page gets: the processor's name for the header and navigation flags.

The flags come from the access layer, so the menu never shows a page the user would be
refused; the pages still check for themselves.
"""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from compliance.access import can, customer_scope
from compliance.services import processor_profile_get


def navigation(request):
    context = {
        "display_time_zone": settings.DISPLAY_TIME_ZONE,
        # Lazy: pages that never show the header (e.g. JSON errors) skip the query.
        "processor_profile": SimpleLazyObject(processor_profile_get),
    }
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return context
    context.update(
        {
            "nav_staff": can(user, "dashboard.view"),
            "nav_portal": can(user, "portal.view"),
            "nav_customers": can(user, "customer.view_list"),
            "nav_contacts": can(user, "portal.view") and can(user, "contact.view"),
            "nav_admin": can(user, "admin.view") and customer_scope(user) is None,
            "nav_outbox": can(user, "outbox.view"),
            "nav_audit": can(user, "audit.view"),
            "nav_access": can(user, "access.view"),
            "nav_processing": can(user, "processing.view"),
            "nav_people": can(user, "invitation.create"),
            "nav_objections": can(user, "objection.view"),
        }
    )
    return context
