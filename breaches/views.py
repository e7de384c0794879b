"""Pages of the breach workflow (BR-01 … BR-11).

Thin views: `require` checks the action, the `breaches.selectors` read scoped by the user
(another customer's notice answers 404), the forms validate and the services write. Every
page works without JavaScript; htmx only refreshes the fan-out progress while it runs.
There is no page, button or form that lets the processor notify an authority (BR-04).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST, require_safe

from audits.models import AuditEvent
from breaches import deadlines, selectors, services
from breaches.forms import (
    CustomerReportForm,
    DecisionForm,
    DiscoveryCorrectForm,
    DismissForm,
    FinalReportForm,
    HandSelectionForm,
    IncidentReportForm,
    IntentionForm,
    LateReasonForm,
    NotifyForm,
    OutOfBandForm,
    PreviewForm,
    SelectionForm,
    TriageForm,
    UpdateForm,
    local_initial,
)
from breaches.models import Incident, IncidentState
from breaches.services.selection import SELECTABLE_STATES
from compliance.access import can, customer_scope, require
from compliance.forms import attach_service_errors
from compliance.methods import require_form
from compliance.models import Product
from compliance.services import processor_profile_get

INCIDENTS_PER_PAGE = 25
NOTICES_PER_PAGE = 25
RESPONSES_PER_PAGE = 50
AFFECTED_SHOWN = 50
LATE_SHOWN = 20


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


def _with_service(form, call):
    """Run a service; its ValidationError lands on the form. Returns the result or None."""
    try:
        return call()
    except ValidationError as error:
        attach_service_errors(form, error)
        return None


# --------------------------------------------------------------------------- staff


@require_form
def incident_report(request):
    """BR-01: any staff member reports an incident with one short form."""
    user = request.user
    require(user, "incident.report")
    form = IncidentReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        incident = _with_service(
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
        request, "breaches/report.html", {"form": form, "portal": False}, status=_status(form)
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


TIMELINE_LABELS = {
    "incident.reported": _lazy("Reported"),
    "incident.reported_by_customer": _lazy("Reported by the customer"),
    "incident.triaged": _lazy("Assessment recorded"),
    "incident.dismissed": _lazy("Dismissed: no security incident"),
    "incident.customers_selected": _lazy("Affected customers selected"),
    "incident.notify_requested": _lazy("Notices requested, awaiting a second officer"),
    "incident.notified": _lazy("Customers notified"),
    "incident.update_published": _lazy("Progress update published"),
    "incident.resolved": _lazy("Resolved"),
    "incident.closed": _lazy("Closed with the final report"),
    "incident.discovery_corrected": _lazy("Discovery time corrected"),
}


def _timeline(incident: Incident) -> list[dict]:
    """The incident's own recorded events, oldest first (BR-02)."""
    events = AuditEvent.objects.filter(
        object_type=Incident._meta.label, object_id=str(incident.pk)
    ).order_by("occurred_at", "pk")
    return [
        {
            "at": event.occurred_at,
            "label": TIMELINE_LABELS.get(event.action, event.action),
            "actor": event.actor_label,
            "reason": (event.after or {}).get("reason", "")
            if isinstance(event.after, dict)
            else "",
        }
        for event in events[:200]
    ]


def _page_numbers(page_obj) -> list:
    """Page numbers around the current one, None for a gap (shown as …)."""
    return [
        n if isinstance(n, int) else None
        for n in page_obj.paginator.get_elided_page_range(
            page_obj.number, on_each_side=2, on_ends=1
        )
    ]


def _query(base: str, params: dict, anchor: str = "") -> str:
    """`base` with the parameters that are not their default, and an anchor."""
    defaults = {"page": 1, "show": "all", "q": ""}
    kept = {k: v for k, v in params.items() if v not in (None, "") and defaults.get(k) != v}
    return base + (f"?{urlencode(kept)}" if kept else "") + anchor


PROGRESS_FILTER_LABELS = {
    "all": _lazy("All customers"),
    "uninformed": _lazy("Not informed yet"),
    "failed": _lazy("With failed messages"),
}


def _progress_context(request, incident: Incident) -> dict:
    """The fan-out progress of one page of customers (BR-03/BR-05) and the links of its
    filters and pages. Links work without JavaScript (`href`, on the page being shown) and
    with htmx (`hx`, the fragment); the live refresh asks for the same page and filter."""
    params = request.GET
    progress = selectors.fanout_progress(
        request.user,
        incident,
        page=params.get("page") or 1,
        show=params.get("show", "all"),
        q=params.get("q", ""),
    )
    fragment = reverse("incident_progress", args=[incident.pk])
    here = fragment if request.path == fragment else reverse("incident_detail", args=[incident.pk])
    current = {"show": progress["show"], "q": progress["q"]}

    def link(**changes) -> dict:
        wanted = {**current, "page": progress["page"], **changes}
        return {
            "href": _query(here, wanted, "#fanout-progress"),
            "hx": _query(fragment, wanted),
        }

    page_obj = progress["page_obj"]
    if can(request.user, "incident.manage") and incident.is_open:
        # Each row links to the customer's own out-of-band and late-reason pages; they lead
        # back to this page and filter.
        now = timezone.now()
        progress = {
            **progress,
            "actions": True,
            "customers": [
                {
                    **row,
                    "late": deadlines.is_late_or_overdue(
                        informed_at=row["informed_at"], due_at=incident.customer_due_at, now=now
                    ),
                }
                for row in progress["customers"]
            ],
        }
    return {
        "progress": progress,
        # Each row links to the customer's messages (its contacts' addresses, AC-01).
        "progress_recipients": can(request.user, "contact.view"),
        "progress_links": {
            "back": _query("", {**current, "page": progress["page"]}),
            "poll": _query(fragment, {**current, "page": progress["page"]}),
            "search": here,
            "search_hx": fragment,
            "filters": [
                {
                    "label": label,
                    "count": progress["customer_counts"][value],
                    "current": value == progress["show"],
                    **link(show=value, page=1),
                }
                for value, label in PROGRESS_FILTER_LABELS.items()
            ],
            "previous": link(page=page_obj.previous_page_number())
            if page_obj.has_previous()
            else None,
            "next": link(page=page_obj.next_page_number()) if page_obj.has_next() else None,
            "pages": [
                {"number": n, "current": n == progress["page"], **link(page=n)}
                if n is not None
                else {"number": "…"}
                for n in _page_numbers(page_obj)
            ]
            if page_obj.has_other_pages()
            else [],
        },
    }


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
        "responses_pages": _page_numbers(responses)
        if responses is not None and responses.has_other_pages()
        else [],
        "timeline": _timeline(incident),
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
        context.update(_progress_context(request, incident))
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


def _manage_incident(request, pk, action="incident.manage") -> Incident:
    user = request.user
    require(user, action)
    return selectors.incident_get(user, pk)


def _post_action(request, pk, *, key, form_class, call, success, action="incident.manage"):
    """Shared flow of the forms on the incident page: validate, call the service, redirect
    back to the page with a message; on errors show the page with the form's errors."""
    incident = _manage_incident(request, pk, action)
    if request.method != "POST":
        return redirect("incident_detail", incident.pk)
    form = form_class(request.POST)
    if form.is_valid():
        result = _with_service(form, lambda: call(incident, form))
        if result is not None:
            messages.success(request, success(result) if callable(success) else success)
            return redirect("incident_detail", incident.pk)
    return _incident_page(request, incident, forms={key: form}, status=400)


@require_form
def incident_triage(request, pk):
    """BR-11: the structured assessment and severity."""
    return _post_action(
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
    return _post_action(
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
def incident_select(request, pk):
    """BR-08: affected customers by product, subprocessor, hand or all.

    A POST with a rule (the form on the incident page) replaces the selection. GET shows the
    selection by hand for any number of customers: a search by name or customer number, 50
    customers a page, the chosen ones ticked; every button of that form saves the ticks of
    the page shown (`affected_customers_change`) before it searches or turns the page, so
    what was chosen elsewhere stays chosen."""
    if request.method == "POST" and "hand" not in request.POST:
        return _post_action(
            request,
            pk,
            key="select",
            form_class=SelectionForm,
            call=lambda incident, form: services.affected_select(
                actor=request.user, incident=incident, **form.service_kwargs()
            ),
            success=lambda inc: (
                _("%(count)d customers selected.") % {"count": inc.affected_customers.count()}
            ),
        )
    incident = _manage_incident(request, pk)
    if request.method != "POST":
        show = request.GET.get("show", "all")
        return _selection_page(
            request,
            incident,
            q=request.GET.get("q", ""),
            show=show if show in selectors.SELECTION_FILTERS else "all",
            page=request.GET.get("page") or 1,
        )
    form = HandSelectionForm(request.POST)
    if form.is_valid():
        saved = _with_service(form, lambda: _hand_selection_save(request, incident, form))
        if saved is not None:
            target = form.destination()
            return redirect(_query(reverse("incident_select", args=[incident.pk]), target))
    data = getattr(form, "cleaned_data", {})
    show = data.get("show") or "all"
    return _selection_page(
        request,
        incident,
        form=form,
        q=data.get("current_q") or "",
        show=show,
        page=data.get("page") or 1,
        status=400,
    )


def _hand_selection_save(request, incident: Incident, form) -> Incident:
    """Ticked customers of the page (and numbers typed, and "all found") are added, unticked
    ones of the page taken away; an explicit save of an empty selection is an error."""
    user = request.user
    data = form.cleaned_data
    chosen = set(data["chosen"])
    add = chosen | set(data["numbers_ids"])
    if data["nav"] == "add_found" and data.get("current_q"):
        add |= set(
            selectors.selectable_customers(user, incident, q=data["current_q"])
            .filter(has_contract=True)
            .values_list("pk", flat=True)
        )
    remove = set(data["shown"]) - chosen
    incident = services.affected_customers_change(
        actor=user, incident=incident, add=add, remove=remove
    )
    count = incident.affected_customers.count()
    if data["nav"] in ("save", "add_found") or data["numbers_ids"]:
        if not count:
            raise ValidationError({"__all__": _("Choose at least one customer.")})
        messages.success(
            request,
            _("Selection saved: %(count)d customers chosen.") % {"count": count},
        )
    return incident


def _selection_page(
    request, incident: Incident, *, form=None, q="", show="all", page=1, status=200
):
    """One page of customers to choose from, with the saved selection ticked."""
    user = request.user
    q = (q or "").strip()[: selectors.SEARCH_MAX_LENGTH]
    customers = selectors.selectable_customers(user, incident, q=q, show=show)
    page_obj = Paginator(customers, selectors.SELECTION_PER_PAGE).get_page(page)
    posted = getattr(form, "cleaned_data", None) or {}
    if posted.get("shown"):
        # A form with errors shows the ticks as they were sent, not as saved.
        shown, chosen = set(posted["shown"]), set(posted.get("chosen") or ())
        page_obj.object_list = list(page_obj.object_list)
        for customer in page_obj.object_list:
            if customer.pk in shown:
                customer.chosen = customer.pk in chosen
    return render(
        request,
        "breaches/select.html",
        {
            "incident": incident,
            "form": form or HandSelectionForm(initial={"q": q}),
            "page_obj": page_obj,
            "page_numbers": _page_numbers(page_obj) if page_obj.has_other_pages() else [],
            "q": q,
            "show": show,
            "selected_count": incident.affected_customers.count(),
            "editable": incident.state in SELECTABLE_STATES,
        },
        status=status,
    )


@require_safe
def incident_preview(request, pk):
    """The notice as a chosen customer will receive it, in a chosen language (the same
    templates the fan-out renders). The customer is named by its customer number; an
    unknown number or a customer the incident does not affect is an error on the form."""
    user = request.user
    incident = _manage_incident(request, pk)
    form = PreviewForm(request.GET or None, incident=incident)
    preview = None
    if form.is_bound and form.is_valid():
        result = _with_service(
            form,
            lambda: services.notice_preview(
                actor=user,
                incident=incident,
                customer=form.cleaned_data["customer"],
                language=form.cleaned_data["language"],
            ),
        )
        if result is not None:
            subject, text, _html = result
            preview = {"subject": subject, "text": text}
    return render(
        request,
        "breaches/preview.html",
        {"incident": incident, "form": form, "preview": preview},
        status=_status(form),
    )


@require_form
def incident_notify(request, pk):
    """BR-03/05/06: queue one notice per selected customer (four eyes when configured)."""
    user = request.user
    incident = _manage_incident(request, pk)
    if request.method != "POST":
        return redirect("incident_detail", incident.pk)
    form = NotifyForm(request.POST)
    if form.is_valid():
        result = _with_service(
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
    incident = _manage_incident(request, pk)
    form = NotifyForm(request.POST)
    form.is_valid()
    result = _with_service(
        form, lambda: services.incident_notify_approve(actor=user, incident=incident)
    )
    if result is None:
        return _incident_page(request, incident, forms={"notify": form}, status=400)
    _notify_message(request, result)
    return redirect("incident_detail", incident.pk)


@require_safe
def incident_progress(request, pk):
    """The fan-out progress in total and for one page of customers (`page`, filter `show`:
    all / uninformed / failed, search `q`); htmx swaps in the fragment, and the live refresh
    asks for the same page and filter."""
    user = request.user
    require(user, "incident.view")
    incident = selectors.incident_get(user, pk)
    if not (can(user, "incident.manage") or can(user, "notice.view")):
        raise Http404
    context = {"incident": incident, **_progress_context(request, incident)}
    if getattr(request, "htmx", False):
        return render(request, "breaches/_progress.html", context)
    return render(request, "breaches/progress.html", context)


@require_safe
def incident_notice_messages(request, pk, notice_pk):
    """One customer's messages with their Message-ID and what the mail server said: its
    contacts' addresses, so only for those who may read contacts (AC-01)."""
    user = request.user
    require(user, "incident.view")
    require(user, "contact.view")
    incident = selectors.incident_get(user, pk)
    notice = selectors.notice_get(user, notice_pk)
    if notice.incident_id != incident.pk:
        raise Http404
    return render(
        request,
        "breaches/notice_messages.html",
        {
            "incident": incident,
            "notice": notice,
            "outbox": selectors.notice_messages(user, notice),
            "history": notice.history.order_by("-history_date")[:50],
        },
    )


def _progress_params(request) -> dict:
    """The progress page and filter the officer came from (`show`, `page`, `q`), passed
    along by a row's link and its form; only those that are not the default."""
    params = request.POST if request.method == "POST" else request.GET
    show = params.get("show", "all")
    page = str(params.get("page") or "1")
    wanted = {
        "show": show if show in selectors.PROGRESS_FILTERS else "all",
        "page": int(page) if page.isdigit() and len(page) < 10 else 1,
        "q": (params.get("q") or "").strip()[: selectors.SEARCH_MAX_LENGTH],
    }
    defaults = {"show": "all", "page": 1, "q": ""}
    return {k: v for k, v in wanted.items() if v != defaults[k]}


def _progress_back(request, incident: Incident) -> str:
    """The incident page at the progress page and filter the officer came from."""
    return _query(
        reverse("incident_detail", args=[incident.pk]),
        _progress_params(request),
        "#fanout-progress",
    )


def _notice_of_incident(request, pk, notice_pk):
    """The incident and one of its notices, for the privacy officer (others: 403; a notice
    of another incident or one the user may not see: 404)."""
    user = request.user
    incident = _manage_incident(request, pk)
    notice = selectors.notice_get(user, notice_pk)
    if notice.incident_id != incident.pk:
        raise Http404
    return incident, notice


def _notice_form_page(
    request, incident, notice, *, template, form_class, initial, available, record, done
):
    """One customer's notice with its recipients' delivery (as on the messages page) and
    one form. GET shows the form; a POST records through `record(cleaned_data)` and returns
    to the progress page the officer came from with the `done` message; invalid input, a
    service error or an action not `available` answers 400 with the page. When not
    `available` the page says why there is nothing to record instead of the form."""
    status = 200
    if request.method != "POST":
        form = form_class(initial=initial)
    else:
        form, status = form_class(request.POST), 400
        if available and form.is_valid():
            recorded = _with_service(form, lambda: record(form.cleaned_data))
            if recorded is not None:
                messages.success(request, done % {"customer": recorded.customer.name})
                return redirect(_progress_back(request, incident))
    return render(
        request,
        template,
        {
            "incident": incident,
            "notice": notice,
            "outbox": selectors.notice_messages(request.user, notice),
            "form": form if available else None,
            "back": _progress_back(request, incident),
            "back_params": _progress_params(request),
            "past_deadline": timezone.now() > incident.customer_due_at,
        },
        status=status,
    )


@require_form
def notice_out_of_band(request, pk, notice_pk):
    """BR-03: the officer informed one customer another way (a telephone call, a letter);
    it counts as informing. One page per notice, linked from its row of the progress."""
    incident, notice = _notice_of_incident(request, pk, notice_pk)
    return _notice_form_page(
        request,
        incident,
        notice,
        template="breaches/notice_out_of_band.html",
        form_class=OutOfBandForm,
        initial={"late_reason": notice.late_reason},
        available=notice.informed_at is None,
        record=lambda data: services.notice_out_of_band_record(
            actor=request.user,
            notice=notice,
            note=data["note"],
            informed_at=data.get("informed_at"),
            late_reason=data.get("late_reason", ""),
        ),
        done=_("Out-of-band notice to %(customer)s recorded."),
    )


@require_form
def notice_late_reason(request, pk, notice_pk):
    """BR-03: why one customer was (or will be) informed after the 48-hour deadline. One
    page per notice, linked from its row of the progress."""
    incident, notice = _notice_of_incident(request, pk, notice_pk)
    return _notice_form_page(
        request,
        incident,
        notice,
        template="breaches/notice_late_reason.html",
        form_class=LateReasonForm,
        initial={"reason": notice.late_reason},
        available=deadlines.is_late_or_overdue(
            informed_at=notice.informed_at, due_at=incident.customer_due_at, now=timezone.now()
        ),
        record=lambda data: services.notice_late_reason_record(
            actor=request.user, notice=notice, reason=data["reason"]
        ),
        done=_("Reason for the delay of the notice to %(customer)s recorded."),
    )


@require_form
def incident_update(request, pk):
    """BR-07: a progress update to every notified customer."""
    return _post_action(
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
    incident = _manage_incident(request, pk)
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
    return _post_action(
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
    return _post_action(
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


# --------------------------------------------------------------------------- portal


def _portal_customer(user):
    require(user, "notice.view")
    if customer_scope(user) is None:
        raise Http404
    return user.customer


@require_safe
def portal_notices(request):
    """The customer's notices, newest first, each with its own 72-hour deadline."""
    user = request.user
    customer = _portal_customer(user)
    notices = selectors.notices_for(user).order_by("-created_at", "-pk")
    page = Paginator(notices, NOTICES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "breaches/portal/notice_list.html",
        {
            "customer": customer,
            "page_obj": page,
            "can_report": can(user, "incident.report_as_customer"),
        },
    )


def _decision_versions(notice) -> list:
    """Each recorded version of the decision once (BR-04: revisable, with history)."""
    seen, out = set(), []
    for version in notice.history.filter(decided_at__isnull=False).order_by("-history_date")[:200]:
        key = (
            version.decided_at,
            version.decision_is_breach,
            version.decision_breach_reasoning,
            version.decision_authority_reference,
        )
        if key not in seen:
            seen.add(key)
            out.append(version)
    return out[:20]


def _notice_page(request, notice, *, forms: dict | None = None, status=200):
    user = request.user
    forms = forms or {}
    respond = can(user, "notice.respond", notice)
    context = {
        "notice": notice,
        "incident": notice.incident,
        "updates": selectors.notice_updates(user, notice),
        "processor": processor_profile_get(),
        "can_respond": respond,
        "decision_history": _decision_versions(notice),
    }
    if respond:
        context["intention_form"] = forms.get("intention") or IntentionForm(
            initial={
                "kind": notice.intention_kind or "preliminary",
                "recipient": notice.intention_recipient,
                "planned_at": local_initial(notice.intention_planned_at),
                "note": notice.intention_note,
            }
        )
        context["decision_form"] = forms.get("decision") or DecisionForm(
            initial=DecisionForm.initial_for(notice)
        )
    return render(request, "breaches/portal/notice_detail.html", context, status=status)


@require_safe
def portal_notice_detail(request, pk):
    """BR-06: everything the customer needs for its own notification."""
    user = request.user
    _portal_customer(user)
    notice = selectors.notice_get(user, pk)
    return _notice_page(request, notice)


def _respond(request, pk):
    user = request.user
    _portal_customer(user)
    notice = selectors.notice_get(user, pk)
    require(user, "notice.respond", notice)
    return notice


@require_POST
def portal_notice_acknowledge(request, pk):
    notice = _respond(request, pk)
    try:
        services.notice_acknowledge(actor=request.user, notice=notice)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Thank you: the notice is acknowledged."))
    return redirect("portal_notice_detail", notice.pk)


@require_form
def portal_notice_intention(request, pk):
    """BR-09: announce an intended notification before making it."""
    notice = _respond(request, pk)
    if request.method != "POST":
        return redirect("portal_notice_detail", notice.pk)
    form = IntentionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        result = _with_service(
            form,
            lambda: services.notice_intention_announce(
                actor=request.user,
                notice=notice,
                kind=data["kind"],
                recipient=data["recipient"],
                planned_at=data.get("planned_at"),
                note=data.get("note", ""),
            ),
        )
        if result is not None:
            messages.success(
                request, _("Thank you: the privacy officer knows of your intended notification.")
            )
            return redirect("portal_notice_detail", notice.pk)
    return _notice_page(request, notice, forms={"intention": form}, status=400)


@require_form
def portal_notice_decision(request, pk):
    """BR-04: record or revise the customer's decision (history kept)."""
    notice = _respond(request, pk)
    if request.method != "POST":
        return redirect("portal_notice_detail", notice.pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        result = _with_service(
            form,
            lambda: services.notice_decision_record(
                actor=request.user, notice=notice, **form.service_kwargs()
            ),
        )
        if result is not None:
            messages.success(request, _("Your decision is recorded."))
            return redirect("portal_notice_detail", notice.pk)
    return _notice_page(request, notice, forms={"decision": form}, status=400)


@require_form
def portal_incident_report(request):
    """BR-10: a customer reports a suspected incident."""
    user = request.user
    require(user, "incident.report_as_customer")
    today = timezone.localdate()
    products = (
        Product.objects.filter(
            contracts__customer_id=user.customer_id, contracts__starts_on__lte=today
        )
        .distinct()
        .order_by("name")
    )
    form = CustomerReportForm(request.POST or None, products=products)
    if request.method == "POST" and form.is_valid():
        incident = _with_service(
            form,
            lambda: services.incident_report_by_customer(actor=user, **form.service_kwargs()),
        )
        if incident is not None:
            messages.success(
                request,
                _("Thank you. Your report reached the privacy officer, who will contact you."),
            )
            notice = selectors.notices_for(user, incident=incident).first()
            if notice is not None:
                return redirect("portal_notice_detail", notice.pk)
            return redirect("portal_notices")
    return render(
        request, "breaches/report.html", {"form": form, "portal": True}, status=_status(form)
    )
