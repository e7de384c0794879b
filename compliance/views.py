"""Pages of the core: resolving an outbox alert, the language switch, health.

The pages that span apps (home, dashboard, portal home, help) are in `web.views`.
"""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django.views.i18n import set_language as django_set_language

from compliance.access import require
from compliance.health import health_report
from compliance.outbox import alert_resolve, open_alerts
from compliance.personal_locale import user_language_set


@require_POST
def outbox_alert_resolve(request, pk):
    """The officer has dealt with an undelivered message (for example by phone) (BR-05)."""
    require(request.user, "outbox.resolve_alert")
    message = get_object_or_404(open_alerts(request.user), pk=pk)
    alert_resolve(message=message, actor=request.user)
    messages.success(
        request, _("The alert for %(email)s is resolved.") % {"email": message.to_email}
    )
    return redirect("dashboard")


@require_POST
def set_language(request):
    """The language switch: the session's language cookie, and for a signed-in person the
    language stored on the account, which then wins over the browser's on every page."""
    response = django_set_language(request)
    if request.user.is_authenticated:
        user_language_set(actor=request.user, language=request.POST.get("language", ""))
    return response


@require_safe
def healthz(request):
    report, healthy = health_report()
    return JsonResponse(report, status=200 if healthy else 503)
