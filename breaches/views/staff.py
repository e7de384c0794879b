"""Staff pages of an incident (BR-01 … BR-11): reporting, the lists, the incident page with
its forms (triage, dismissal, notifying, updates, resolving, the final report, the
discovery time). There is no page, button or form that lets the processor notify an
authority (BR-04)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from breaches import selectors, services
from breaches.counts import notify_plan
from breaches.forms import (
    DiscoveryCorrectForm,
    DismissForm,
    FinalReportForm,
    IncidentReportForm,
    NotifyForm,
    TriageForm,
    UpdateForm,
)
from breaches.models import IncidentState
from breaches.severity_text import incident_severity
from breaches.views.common import form_status, manage_incident, with_service
from breaches.views.incident_page import AUTO_IDS, FORM_TABS, incident_page, tab_url
from compliance.access import can, require
from compliance.methods import require_form
from compliance.models import Language
from compliance.services import processor_profile_get

INCIDENTS_PER_PAGE = 25


@require_form
def incident_report(request):
    """BR-01: any staff member reports an incident with one short form."""
    user = request.user
    require(user, "incident.report")
    form = IncidentReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        incident = with_service(
            form, lambda: services.incident_report(actor=user, **form.service_kwargs())
        )
        if incident is not None:
            messages.success(
                request,
                _("Thank you. Incident %(number)s was reported; the privacy officer is alerted.")
                % {"number": incident.pk},
            )
            return redirect("incident_detail", incident.pk)
    return render(
        request, "breaches/report.html", {"form": form, "portal": False}, status=form_status(form)
    )


@require_safe
def incident_mine(request):
    """BR-01: the reporter sees their own reports."""
    user = request.user
    require(user, "incident.report")
    incidents = selectors.incidents_for(user).filter(reported_by=user)
    page = Paginator(incidents, INCIDENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "breaches/incident_list.html",
        {"page_obj": page, "mine": True, "can_report": True},
    )


@require_safe
def incident_list(request):
    user = request.user
    require(user, "incident.view")
    incidents = selectors.incidents_for(user)
    state = request.GET.get("state", "")
    if state == "open":
        incidents = incidents.filter(
            state__in=[s for s in IncidentState.values if s not in ("dismissed", "closed")]
        )
    elif state in IncidentState.values:
        incidents = incidents.filter(state=state)
    page = Paginator(incidents, INCIDENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "breaches/incident_list.html",
        {
            "page_obj": page,
            "mine": False,
            "state": state,
            "states": IncidentState.choices,
            "can_report": can(user, "incident.report"),
        },
    )


@require_safe
def incident_detail(request, pk):
    user = request.user
    require(user, "incident.view")
    incident = selectors.incident_get(user, pk)
    return incident_page(request, incident)


def post_action(request, pk, *, key, form_class, call, success, action="incident.manage"):
    """Shared flow of the forms on the incident page: validate, call the service, redirect
    back to the page with a message; on errors show the page with the form's errors."""
    incident = manage_incident(request, pk, action)
    if request.method != "POST":
        return redirect("incident_detail", incident.pk)
    form = form_class(request.POST, **({"auto_id": AUTO_IDS[key]} if key in AUTO_IDS else {}))
    if form.is_valid():
        result = with_service(form, lambda: call(incident, form))
        if result is not None:
            messages.success(request, success(result) if callable(success) else success)
            return redirect(tab_url(incident, FORM_TABS.get(key, "summary")))
    return incident_page(request, incident, forms={key: form}, status=400)


@require_form
def incident_triage(request, pk):
    """BR-11: the structured assessment and severity."""
    return post_action(
        request,
        pk,
        key="triage",
        form_class=TriageForm,
        action="incident.triage",
        call=lambda incident, form: services.incident_triage(
            actor=request.user, incident=incident, **form.cleaned_data
        ),
        success=lambda inc: (
            _("Assessment saved.")
            + (
                " " + _("Severity: %(severity)s.") % {"severity": incident_severity(inc)}
                if inc.severity_band
                else ""
            )
        ),
    )


@require_form
def incident_dismiss(request, pk):
    return post_action(
        request,
        pk,
        key="dismiss",
        form_class=DismissForm,
        call=lambda incident, form: services.incident_dismiss(
            actor=request.user, incident=incident, reason=form.cleaned_data["reason"]
        ),
        success=_("The report was dismissed as no security incident; the reasoning is kept."),
    )


@require_form
def incident_notify(request, pk):
    """BR-03/05/06: the officer confirms first, seeing how many customers and messages in
    which languages (GET), then the POST queues one notice per selected customer not
    notified yet (four eyes when configured)."""
    user = request.user
    incident = manage_incident(request, pk)
    form = NotifyForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            result = with_service(
                form,
                lambda: services.incident_notify(
                    actor=user, incident=incident, late_reason=form.cleaned_data["late_reason"]
                ),
            )
            if result is not None:
                _notify_message(request, result)
                return redirect(tab_url(incident, "customers", "#progress"))
    plan = notify_plan(incident)
    names = dict(Language.choices)
    language_counts = [
        {"name": str(names.get(code, code)), "count": count}
        for code, count in sorted(plan["languages"].items(), key=lambda item: -item[1])
    ]
    return render(
        request,
        "breaches/notify_confirm.html",
        {
            "incident": incident,
            "form": form,
            "plan": plan,
            "language_counts": language_counts,
            "languages_text": _and_list([item["name"] for item in language_counts]),
            "messages_text": ngettext("%(count)d message", "%(count)d messages", plan["messages"])
            % {"count": plan["messages"]},
            "past_deadline": timezone.now() > incident.customer_due_at,
            "four_eyes": bool(getattr(processor_profile_get(), "breach_notify_four_eyes", False)),
            "pending": incident.notify_requested_by_id is not None,
            "back": tab_url(incident, "customers", "#notify"),
        },
        status=status,
    )


def _and_list(names: list[str]) -> str:
    """ "Dutch and English"; "Dutch, English and German"."""
    if len(names) < 2:
        return names[0] if names else _("no language")
    return _("%(first)s and %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def _notify_message(request, result) -> None:
    if result.pending_approval:
        messages.info(
            request, _("The notices wait for a second privacy officer's approval (four eyes).")
        )
        return
    messages.success(
        request,
        ngettext(
            "%(notices)d customer notified; %(messages)s queued.",
            "%(notices)d customers notified; %(messages)s queued.",
            result.notices_created,
        )
        % {
            "notices": result.notices_created,
            "messages": ngettext("%(count)d message", "%(count)d messages", result.messages_queued)
            % {"count": result.messages_queued},
        },
    )
    if result.customers_without_recipients:
        without = len(result.customers_without_recipients)
        messages.error(
            request,
            ngettext(
                "%(count)d customer has no contact to e-mail. Inform it another way and "
                "record the out-of-band notice.",
                "%(count)d customers have no contact to e-mail. Inform them another way and "
                "record the out-of-band notice.",
                without,
            )
            % {"count": without},
        )


@require_POST
def incident_notify_approve(request, pk):
    user = request.user
    incident = manage_incident(request, pk)
    form = NotifyForm(request.POST)
    form.is_valid()
    result = with_service(
        form, lambda: services.incident_notify_approve(actor=user, incident=incident)
    )
    if result is None:
        return incident_page(request, incident, forms={"notify": form}, status=400)
    _notify_message(request, result)
    return redirect(tab_url(incident, "customers", "#progress"))


@require_form
def incident_update(request, pk):
    """BR-07: a progress update to every notified customer."""
    return post_action(
        request,
        pk,
        key="update",
        form_class=UpdateForm,
        call=lambda incident, form: services.update_publish(
            actor=request.user, incident=incident, **form.cleaned_data
        ),
        success=lambda update: (
            _("Update %(number)d published; %(count)d messages queued.")
            % {"number": update.number, "count": update.recipients_count}
        ),
    )


@require_POST
def incident_resolve(request, pk):
    user = request.user
    incident = manage_incident(request, pk)
    try:
        services.incident_resolve(actor=user, incident=incident)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The incident is marked resolved."))
    return redirect(tab_url(incident, "updates"))


@require_form
def incident_final_report(request, pk):
    """The final report with root cause and lessons learned closes the incident."""
    return post_action(
        request,
        pk,
        key="final",
        form_class=FinalReportForm,
        call=lambda incident, form: services.incident_final_report(
            actor=request.user, incident=incident, **form.cleaned_data
        ),
        success=_("The final report was sent and the incident is closed."),
    )


@require_form
def incident_discovery(request, pk):
    """Correct when the processor became aware; the deadline moves, the history keeps both."""
    return post_action(
        request,
        pk,
        key="discovery",
        form_class=DiscoveryCorrectForm,
        call=lambda incident, form: services.incident_discovery_correct(
            actor=request.user,
            incident=incident,
            discovered_at=form.cleaned_data["discovered_at"],
            reason=form.cleaned_data["reason"],
        ),
        success=_("Discovery time corrected; the deadline moved with it."),
    )
