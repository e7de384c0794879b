"""The privacy officer's delivery alerts: open and closed, breach notices apart from other
mail, and the mail server's outages (BR-05).

An alert closes by the officer's hand or by itself when its message is accepted after all;
closed alerts stay listed here (and in the audit trail), so nothing that resolved itself
needs a click and nothing disappears.
"""

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from breaches.at_risk import notice_incidents
from compliance.access import can, customer_scope, require
from compliance.contact_confirmation import customers_unreachable
from compliance.models import OutboxMessage
from compliance.outbox import (
    closed_alerts,
    mail_outages_recent,
    mail_server_state,
    open_alerts,
)

ALERTS_SHOWN = 50


def alerts_annotate(user, alerts: list[OutboxMessage]) -> list[OutboxMessage]:
    """Mark each alert with what the officer can do next (BR-05): `unreachable` when no
    e-mail address of its customer works any more (phone it), and for a breach notice
    `notice_url`, its page where an out-of-band notice is recorded."""
    open_ones = [a for a in alerts if a.alert_resolved_at is None]
    unreachable = customers_unreachable({a.customer_id for a in open_ones if a.customer_id})
    links = can(user, "incident.view") and customer_scope(user) is None
    notices = [a.cause_id for a in alerts if a.is_breach_notice]
    incidents = notice_incidents(notices) if links and notices else {}
    for alert in alerts:
        alert.unreachable = alert.customer_id in unreachable
        incident_id = incidents.get(alert.cause_id) if alert.is_breach_notice else None
        alert.notice_url = (
            reverse("incident_notice_messages", args=[incident_id, alert.cause_id])
            if incident_id
            else ""
        )
    return alerts


def _groups(user, alerts_of) -> dict:
    groups = {}
    for name, breach_notices in (("breach_notices", True), ("other", False)):
        alerts = alerts_of(user, breach_notices=breach_notices)
        shown = alerts_annotate(user, list(alerts[:ALERTS_SHOWN]))
        groups[name] = {"alerts": shown, "count": alerts.count() if shown else 0}
    return groups


@require_safe
def outbox_alerts(request):
    """Every delivery alert, open and closed, breach notices apart from other mail, and the
    mail server's recent outages (BR-05)."""
    user = request.user
    require(user, "outbox.view")
    context = {
        "mail_server": mail_server_state(user),
        "outages": mail_outages_recent(user),
        "open_groups": _groups(user, open_alerts),
        "closed_groups": _groups(user, closed_alerts),
        "can_resolve_alerts": can(user, "outbox.resolve_alert"),
    }
    return render(request, "compliance/outbox_alerts.html", context)
