"""The incident page in four tabs (BR-01 … BR-11): the summary with the deadlines and the next
step, the customers and their notices' delivery, the updates and the final report, the
evidence. Each tab is a link to the same page (`?tab=customers`), so they work without
JavaScript; the deadlines and the next step head every tab, and only the shown tab's
sections are read."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from breaches import selectors
from breaches.counts import customers_to_notify, notice_counts
from breaches.forms import (
    DiscoveryCorrectForm,
    DismissForm,
    FinalReportForm,
    NotifyForm,
    PreviewForm,
    SelectionForm,
    TriageForm,
    UpdateForm,
    local_initial,
)
from breaches.models import Incident, IncidentState
from breaches.views.common import page_numbers
from breaches.views.staff_progress import progress_context
from compliance.access import can
from compliance.services import processor_profile_get

RESPONSES_PER_PAGE = 50
AFFECTED_SHOWN = 50
LATE_SHOWN = 20

TABS = {
    "summary": _lazy("Summary"),
    "customers": _lazy("Customers and delivery"),
    "updates": _lazy("Updates"),
    "evidence": _lazy("Evidence"),
}
# The tab that shows each form of the page (a form with errors opens its tab).
FORM_TABS = {
    "triage": "summary",
    "dismiss": "summary",
    "discovery": "summary",
    "select": "customers",
    "notify": "customers",
    "update": "updates",
    "final": "updates",
}
# Ids of their own for the forms that share field names, so that every id on the page is
# unique and every box keeps its label (the update and the final report both ask a summary
# and measures; dismissing and correcting the discovery time both ask a reason).
AUTO_IDS = {
    "dismiss": "id_dismiss_%s",
    "discovery": "id_discovery_%s",
    "update": "id_update_%s",
    "final": "id_final_%s",
}


def tab_url(incident: Incident, tab: str, anchor: str = "") -> str:
    base = reverse("incident_detail", args=[incident.pk])
    return (base if tab == "summary" else f"{base}?tab={tab}") + anchor


def _tab_of(request, forms: dict) -> str:
    for key, form in forms.items():
        if form.errors:
            return FORM_TABS.get(key, "summary")
    tab = request.GET.get("tab", "")
    if tab in TABS:
        return tab
    # The progress table's own links (page, filter, search) and the responses' pages.
    if any(key in request.GET for key in ("page", "show", "q", "responses_page")):
        return "customers"
    return "summary"


def next_step(incident: Incident, *, counts: dict, to_notify: int, affected: int, user) -> dict:
    """The one thing to do next on this incident, for this user: a sentence and, when
    there is something to press, a link (`href`, `label`)."""
    manage = can(user, "incident.manage")
    state = incident.state
    if state == IncidentState.DISMISSED:
        return {"text": _("Dismissed: nothing more to do.")}
    if state == IncidentState.CLOSED:
        return {"text": _("Closed with the final report: nothing more to do.")}
    if state == IncidentState.REPORTED and can(user, "incident.triage"):
        return {
            "text": _("Assess the report: is it a security incident, and how severe is it?"),
            "href": tab_url(incident, "summary", "#triage"),
            "label": _("Assess the report"),
        }
    if not manage:
        return {"text": _("The privacy officer handles the notices to the customers.")}
    if incident.notify_requested_by_id:
        return {
            "text": _("The notices wait for a second privacy officer's approval (four eyes)."),
            "href": tab_url(incident, "customers", "#notify"),
            "label": _("See the request"),
        }
    if not affected:
        return {
            "text": _("Choose the affected customers: the selection is empty."),
            "href": tab_url(incident, "customers", "#customers"),
            "label": _("Choose the customers"),
        }
    if to_notify:
        return {
            "text": ngettext(
                "%(count)d selected customer is not notified yet.",
                "%(count)d selected customers are not notified yet.",
                to_notify,
            )
            % {"count": to_notify},
            "href": reverse("incident_notify", args=[incident.pk]),
            "label": ngettext(
                "Notify %(count)d customer…", "Notify %(count)d customers…", to_notify
            )
            % {"count": to_notify},
            "primary": True,
        }
    if counts["uninformed"]:
        return {
            "text": ngettext(
                "%(count)d customer is not informed yet: follow up, by phone or letter if "
                "e-mail fails.",
                "%(count)d customers are not informed yet: follow up, by phone or letter if "
                "e-mail fails.",
                counts["uninformed"],
            )
            % {"count": counts["uninformed"]},
            "href": reverse("incident_detail", args=[incident.pk])
            + "?tab=customers&show=uninformed#fanout-progress",
            "label": _("Show them"),
        }
    if state == IncidentState.RESOLVED:
        return {
            "text": _("Resolved: write the final report to close the incident."),
            "href": tab_url(incident, "updates", "#final-report"),
            "label": _("Write the final report"),
        }
    return {
        "text": _(
            "Every customer is informed. Keep them posted with updates; mark the incident "
            "resolved once it is contained and remedied."
        ),
        "href": tab_url(incident, "updates", "#update"),
        "label": _("Publish an update"),
    }


def _customers_tab(request, incident, context, forms, manage, open_) -> None:
    user = request.user
    to_notify = context["to_notify"]
    # Names and numbers of the affected customers for those who may list customers; a
    # staff member sees its own report without them (ON-02).
    context["affected"] = (
        incident.affected_customers.order_by("name", "pk")[:AFFECTED_SHOWN]
        if can(user, "customer.view_list")
        else []
    )
    if can(user, "notice.view"):
        notices = selectors.notices_for(user, incident=incident)
        responses = Paginator(notices.order_by("customer__name", "pk"), RESPONSES_PER_PAGE)
        context["responses"] = responses.get_page(request.GET.get("responses_page"))
        if context["responses"].has_other_pages():
            context["responses_pages"] = page_numbers(context["responses"])
    if manage or can(user, "notice.view"):
        context.update(progress_context(request, incident))
    if not (manage and open_):
        return
    # Before the first notice the selection can change by rule; afterwards only customers
    # found later are added (by hand), and "Notify" returns only for them.
    if incident.notified_at is None and not incident.notify_requested_by_id:
        context["select_form"] = forms.get("select") or SelectionForm(
            initial={
                "rule": incident.selection_rule or "product",
                "products": list(incident.selection_products.all())
                or list(incident.products.all()),
                "subprocessor": incident.selection_subprocessor or incident.source_subprocessor,
            }
        )
    if context["affected"]:
        # Before and after notifying (what did this customer receive?), suggesting the
        # first affected customers by name, those listed above already.
        context["preview_form"] = PreviewForm(incident=incident, suggestions=context["affected"])
    if to_notify or incident.notify_requested_by_id or "notify" in forms:
        context["notify_form"] = forms.get("notify") or NotifyForm()
    if context["progress"] and context["progress"]["customer_counts"]["all"]:
        # Out-of-band notices and reasons for a delay are recorded per customer, from the
        # progress table; only the first late notices without a reason are listed. Each
        # reason recorded makes room for the next one.
        late = selectors.notices_late_without_reason(user).filter(incident=incident)
        context["late_without_reason"] = late.order_by("customer__name", "pk")[:LATE_SHOWN]
        context["late_without_reason_count"] = late.count()


def incident_page(request, incident: Incident, *, forms: dict | None = None, status=200):
    """The incident page, one tab at a time (module docstring).

    At 10,000 affected customers it stays one page of a fixed number of queries: the
    progress and the customers' responses are shown a page at a time, the affected customers
    as the first few with a link to the selection page."""
    user = request.user
    forms = forms or {}
    manage = can(user, "incident.manage")
    open_ = incident.is_open
    tab = _tab_of(request, forms)
    counts = notice_counts(incident)
    affected = incident.affected_customers.count()
    to_notify = customers_to_notify(incident).count() if affected else 0
    context = {
        "incident": incident,
        "tab": tab,
        "tabs": [
            {"key": key, "label": label, "href": tab_url(incident, key), "current": key == tab}
            for key, label in TABS.items()
        ],
        "counts": counts,
        "affected_count": affected,
        "to_notify": to_notify,
        "next_step": next_step(
            incident, counts=counts, to_notify=to_notify, affected=affected, user=user
        ),
        "can_select": manage,
        "can_manage": manage and open_,
        "can_triage": can(user, "incident.triage") and open_,
        "progress": None,
        "profile": processor_profile_get(),
        "past_deadline": timezone.now() > incident.customer_due_at,
        "form_errors": any(f.errors for f in forms.values()),
    }
    if tab == "summary":
        context["products"] = incident.products.all()
        if context["can_triage"]:
            context["triage_form"] = forms.get("triage") or TriageForm(
                initial=TriageForm.initial_for(incident)
            )
        if manage and open_:
            if incident.state in (IncidentState.REPORTED, IncidentState.TRIAGE):
                context["dismiss_form"] = forms.get("dismiss") or DismissForm(
                    auto_id=AUTO_IDS["dismiss"]
                )
            context["discovery_form"] = forms.get("discovery") or DiscoveryCorrectForm(
                initial={"discovered_at": local_initial(incident.discovered_at)},
                auto_id=AUTO_IDS["discovery"],
            )
    elif tab == "customers":
        _customers_tab(request, incident, context, forms, manage, open_)
    elif tab == "updates":
        context["updates"] = selectors.incident_updates(user, incident)
        if manage and open_:
            context["update_form"] = forms.get("update") or UpdateForm(auto_id=AUTO_IDS["update"])
            context["final_form"] = forms.get("final") or FinalReportForm(
                initial={
                    "root_cause": incident.root_cause,
                    "lessons_learned": incident.lessons_learned,
                },
                auto_id=AUTO_IDS["final"],
            )
    else:
        context["timeline"] = selectors.incident_timeline(user, incident)
    return render(request, "breaches/incident_detail.html", context, status=status)
