"""Pages that span apps: home, the staff dashboard, the customer portal's home and help.

They read through the selectors of the apps beneath (the core, breaches, subprocessors, the
audit trail) and render; the templates keep their names under `compliance/`.
"""

from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from access.models import ConsentState
from access.selectors.consent import consents_for
from audits.models import AuditEvent
from breaches.at_risk import deadlines_at_risk
from breaches.open_incidents import open_incidents
from breaches.selectors import open_deadlines, recent_answers
from compliance.access import can, customer_scope, require
from compliance.contact_views import confirmation_context
from compliance.models import Product
from compliance.outbox import mail_server_state, open_alerts
from compliance.selectors import (
    audit_events_for_user,
    contacts_for,
    customer_get,
    customers_for,
)
from compliance.services import processor_profile_get
from subprocessors.selectors import change_notice_letters_for, open_objections_for_dashboard
from web.alerts import alerts_annotate

RECENT_AUDIT_EVENTS = 10
OUTBOX_ALERTS_SHOWN = 20


@require_safe
def home(request):
    if can(request.user, "dashboard.view"):
        return redirect("dashboard")
    return redirect("portal")


def _recent_audit_events(user) -> list[AuditEvent] | None:
    """The newest audit events the user may read, or None when the role may not read any."""
    if not can(user, "audit.view"):
        return None
    events = audit_events_for_user(user=user).order_by("-occurred_at", "-id")
    return list(events[:RECENT_AUDIT_EVENTS])


def _outbox_alerts(user):
    """Escalated undelivered mail for the privacy officer, breach notices apart from other
    mail (BR-05), or None when not shown."""
    if not can(user, "outbox.view"):
        return None
    groups = {}
    for name, breach_notices in (("breach_notices", True), ("other", False)):
        alerts = open_alerts(user, breach_notices=breach_notices)
        shown = alerts_annotate(user, list(alerts[:OUTBOX_ALERTS_SHOWN]))
        groups[name] = {"alerts": shown, "count": alerts.count() if shown else 0}
    return groups


def _mail_outage(user):
    """The open mail server outage with the deadlines it puts at risk, or None (BR-05)."""
    state = mail_server_state(user)
    if state is None:
        return None
    # Staff only: a customer-scoped auditor sees its own outage counts, no incident links.
    staff = can(user, "incident.view") and customer_scope(user) is None
    at_risk = deadlines_at_risk(user) if staff else None
    return {"state": state, "at_risk": at_risk}


OPEN_DEADLINES_SHOWN = 20


def _open_deadlines(user):
    """Open incidents and customer notices by nearest deadline, or None when not shown."""
    if not can(user, "incident.view"):
        return None
    return open_deadlines(user, limit=OPEN_DEADLINES_SHOWN)


def _open_incidents(user):
    """Every incident not yet closed, whatever its state, or None when not shown (BR-03)."""
    if not can(user, "incident.view") or customer_scope(user) is not None:
        return None
    return open_incidents(user)


def _open_objections(user):
    """Open subprocessor objections, oldest first, or None when not shown."""
    if not can(user, "objection.review"):
        return None
    return open_objections_for_dashboard(user)


@require_safe
def dashboard(request):
    user = request.user
    require(user, "dashboard.view")
    alert_groups = _outbox_alerts(user)
    context = {
        # The cards a role's work needs (ON-02): customers for those who may list them,
        # breach contacts only for those who may read contacts (AC-01).
        "customers_count": customers_for(user).count() if can(user, "customer.view_list") else None,
        "breach_contacts_count": None,
        "show_outbox": can(user, "outbox.view"),
        # BR-05: a mail server that cannot be reached is shown at once, with what it risks.
        "mail_outage": _mail_outage(user),
        # BR-05: breach notices apart from other mail.
        "outbox_alert_groups": alert_groups,
        "outbox_alerts": (
            None
            if alert_groups is None
            else [a for g in alert_groups.values() for a in g["alerts"]]
        ),
        "outbox_alerts_count": (
            sum(group["count"] for group in alert_groups.values()) if alert_groups else 0
        ),
        "can_resolve_alerts": can(user, "outbox.resolve_alert"),
        "audit_events": _recent_audit_events(user),
        # BR-03/BR-04: open incidents and notices, nearest deadline first.
        "open_deadlines": _open_deadlines(user),
        # Open incidents in every state, also those without a running deadline.
        "open_incidents": _open_incidents(user),
        # SP-05: open objections with their age and the change's effective moment.
        "open_objections": _open_objections(user),
        # BR-01: anyone who may report an incident finds the button here.
        "can_report_incident": can(user, "incident.report"),
    }
    if can(user, "notice.view"):
        # BR-04, BR-09: the customers' decisions in words; a customer's 72-hour row leaves
        # the deadlines only once its decision shows here.
        context["recent_answers"], context["recent_answers_count"] = recent_answers(user)
    if can(user, "contact.view"):
        context["breach_contacts_count"] = (
            contacts_for(user).filter(receives_breach_notices=True).count()
        )
        # BR-05: a customer without a breach contact cannot be notified in time.
        context["customers_without_breach_contact"] = (
            customers_for(user).exclude(contacts__receives_breach_notices=True).count()
        )
    return render(request, "compliance/dashboard.html", context)


@require_safe
def portal(request):
    """The customer's own organisation: contracts, agreement model (CT-01), products."""
    user = request.user
    require(user, "portal.view")
    customer = customer_get(user, user.customer_id)
    today = timezone.localdate()
    contracts = customer.contracts.prefetch_related("products")
    current = Q(contracts__ends_on__isnull=True) | Q(contracts__ends_on__gte=today)
    # One filter() call, so that all conditions apply to the same contract.
    products = Product.objects.filter(
        current, contracts__customer=customer, contracts__starts_on__lte=today
    ).distinct()
    context = {
        "customer": customer,
        "contracts": contracts,
        "products": products,
        "today": today,
        "can_change_contacts": can(user, "contact.change", customer),
        "change_notices": change_notice_letters_for(user)[:10],
        # AC-04, AC-05, A.5.18: the customer's part in who may touch its data.
        "access_links": can(user, "consent.view", customer),
        "consents_waiting": consents_for(user, state=ConsentState.REQUESTED).count()
        if can(user, "consent.view", customer)
        else 0,
        "can_see_support_copies": can(user, "support_copy.view_own", customer),
        "can_review_accounts": can(user, "access_review.decide_as_customer", customer),
        # BR-05: the banner asking to confirm the breach contacts.
        **confirmation_context(user, customer),
    }
    return render(request, "compliance/portal.html", context)


@require_safe
def help_page(request):
    """Public help (ON-03): who the processor is and how to reach its privacy team."""
    profile = processor_profile_get()
    context = {
        "profile": profile,
        "help_text": profile.help_text_for(get_language() or "en"),
    }
    return render(request, "compliance/help.html", context)
