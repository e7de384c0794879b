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
from django.views.decorators.http import require_POST, require_safe

from breaches import selectors, services
from breaches.forms import (
    DiscoveryCorrectForm,
    DismissForm,
    FinalReportForm,
    IncidentReportForm,
    NotifyForm,
    PreviewForm,
    SelectionForm,
    TriageForm,
    UpdateForm,
    local_initial,
)
from breaches.models import Incident, IncidentState
from breaches.views.common import form_status, manage_incident, page_numbers, with_service
from breaches.views.staff_progress import progress_context
from compliance.access import can, require
from compliance.methods import require_form
from compliance.services import processor_profile_get

INCIDENTS_PER_PAGE = 25
RESPONSES_PER_PAGE = 50
AFFECTED_SHOWN = 50
LATE_SHOWN = 20


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


def _incident_page(request, incident: Incident, *, forms: dict | None = None, status=200):
    """The incident page: facts, deadline, timeline and every form the user may use.

    At 10,000 affected customers it stays one page of a fixed number of queries: the
    progress and the customers' responses are shown a page at a time, the affected customers
    as the first few with a link to the selection page."""
    user = request.user
    manage = can(user, "incident.manage")
    triage = can(user, "incident.triage")
    view_notices = can(user, "notice.view")
    notices = selectors.notices_for(user, incident=incident)
    forms = forms or {}
    open_ = incident.is_open
    past_deadline = timezone.now() > incident.customer_due_at
    responses = (
        Paginator(notices.order_by("customer__name", "pk"), RESPONSES_PER_PAGE).get_page(
            request.GET.get("responses_page")
        )
        if view_notices
        else None
    )
    context = {
        "incident": incident,
        "responses": responses,
        "responses_pages": page_numbers(responses)
        if responses is not None and responses.has_other_pages()
        else [],
        "timeline": selectors.incident_timeline(user, incident),
        "updates": selectors.incident_updates(user, incident),
        "products": incident.products.all(),
        # Names and numbers of the affected customers for those who may list customers; a
        # staff member sees its own report without them (ON-02).
        "affected": incident.affected_customers.order_by("name", "pk")[:AFFECTED_SHOWN]
        if can(user, "customer.view_list")
        else [],
        "affected_count": incident.affected_customers.count(),
        "can_select": manage,
        "can_manage": manage and open_,
        "can_triage": triage and open_,
        "progress": None,
        "profile": processor_profile_get(),
        "past_deadline": past_deadline,
    }
    if manage or view_notices:
        context.update(progress_context(request, incident))
    if triage and open_:
        context["triage_form"] = forms.get("triage") or TriageForm(
            initial=TriageForm.initial_for(incident)
        )
    if manage and open_:
        if incident.state in (IncidentState.REPORTED, IncidentState.TRIAGE):
            context["dismiss_form"] = forms.get("dismiss") or DismissForm()
        context["select_form"] = forms.get("select") or SelectionForm(
            initial={
                "rule": incident.selection_rule or "product",
                "products": list(incident.selection_products.all()) or list(context["products"]),
                "subprocessor": incident.selection_subprocessor or incident.source_subprocessor,
            }
        )
        if context["affected_count"]:
            # Suggests the first affected customers by name, those listed above already.
            context["preview_form"] = PreviewForm(
                incident=incident, suggestions=context["affected"]
            )
        context["notify_form"] = forms.get("notify") or NotifyForm()
        if context["progress"]["customer_counts"]["all"]:
            # Out-of-band notices and reasons for a delay are recorded per customer, from
            # the progress table; only the first late notices without a reason are listed.
            # Each reason recorded makes room for the next one.
            late = selectors.notices_late_without_reason(user).filter(incident=incident)
            context["late_without_reason"] = late.order_by("customer__name", "pk")[:LATE_SHOWN]
            context["late_without_reason_count"] = late.count()
        context["update_form"] = forms.get("update") or UpdateForm()
        context["final_form"] = forms.get("final") or FinalReportForm(
            initial={
                "root_cause": incident.root_cause,
                "lessons_learned": incident.lessons_learned,
            }
        )
        context["discovery_form"] = forms.get("discovery") or DiscoveryCorrectForm(
            initial={"discovered_at": local_initial(incident.discovered_at)}
        )
    context["form_errors"] = any(f.errors for f in forms.values())
    return render(request, "breaches/incident_detail.html", context, status=status)


@require_safe
def incident_detail(request, pk):
    user = request.user
    require(user, "incident.view")
    incident = selectors.incident_get(user, pk)
    return _incident_page(request, incident)


def post_action(request, pk, *, key, form_class, call, success, action="incident.manage"):
    """Shared flow of the forms on the incident page: validate, call the service, redirect
    back to the page with a message; on errors show the page with the form's errors."""
    incident = manage_incident(request, pk, action)
    if request.method != "POST":
        return redirect("incident_detail", incident.pk)
    form = form_class(request.POST)
    if form.is_valid():
        result = with_service(form, lambda: call(incident, form))
        if result is not None:
            messages.success(request, success(result) if callable(success) else success)
            return redirect("incident_detail", incident.pk)
    return _incident_page(request, incident, forms={key: form}, status=400)


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
                " "
                + _("Severity %(score)s: %(band)s.")
                % {"score": inc.severity_score, "band": inc.get_severity_band_display()}
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
    """BR-03/05/06: queue one notice per selected customer (four eyes when configured)."""
    user = request.user
    incident = manage_incident(request, pk)
    if request.method != "POST":
        return redirect("incident_detail", incident.pk)
    form = NotifyForm(request.POST)
    if form.is_valid():
        result = with_service(
            form,
            lambda: services.incident_notify(
                actor=user, incident=incident, late_reason=form.cleaned_data["late_reason"]
            ),
        )
        if result is not None:
            _notify_message(request, result)
            return redirect("incident_detail", incident.pk)
    return _incident_page(request, incident, forms={"notify": form}, status=400)


def _notify_message(request, result) -> None:
    if result.pending_approval:
        messages.info(
            request, _("The notices wait for a second privacy officer's approval (four eyes).")
        )
        return
    messages.success(
        request,
        _("%(notices)d customers notified; %(messages)d messages queued.")
        % {"notices": result.notices_created, "messages": result.messages_queued},
    )
    if result.customers_without_recipients:
        messages.error(
            request,
            _(
                "%(count)d customers have no contact to e-mail. Inform them another way and "
                "record the out-of-band notice."
            )
            % {"count": len(result.customers_without_recipients)},
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
        return _incident_page(request, incident, forms={"notify": form}, status=400)
    _notify_message(request, result)
    return redirect("incident_detail", incident.pk)


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
    return redirect("incident_detail", incident.pk)


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
