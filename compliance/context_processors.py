from django.conf import settings

from compliance.access import can


def navigation(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"display_time_zone": settings.DISPLAY_TIME_ZONE}
    return {
        "display_time_zone": settings.DISPLAY_TIME_ZONE,
        "nav_staff": can(user, "dashboard.view"),
        "nav_portal": can(user, "portal.view"),
        "nav_admin": can(user, "admin.view"),
        "nav_outbox": can(user, "outbox.view"),
    }
