"""The customer portal's notice pages (BR-04, BR-06, BR-09, BR-10): the customer's notices,
one notice with its updates, the customer's acknowledgement, intention and decision, and a
report of a suspected incident. Customer users of that customer only."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from breaches import selectors, services
from breaches.decisions import decision_versions
from breaches.forms import CustomerReportForm, DecisionForm, IntentionForm, local_initial
from breaches.measures import measures_timeline
from breaches.views.common import form_status, with_service
from compliance.access import can, customer_scope, require
from compliance.methods import require_form
from compliance.models import Product
from compliance.services import processor_profile_get

NOTICES_PER_PAGE = 25


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


def _notice_page(request, notice, *, forms: dict | None = None, status=200):
    user = request.user
    forms = forms or {}
    respond = can(user, "notice.respond", notice)
    updates = list(selectors.notice_updates(user, notice))
    context = {
        "notice": notice,
        "incident": notice.incident,
        "updates": updates,
        "measures": measures_timeline(notice.incident, updates),
        "letters": selectors.notice_letters(user, notice),
        "processor": processor_profile_get(),
        "can_respond": respond,
        "decision_history": decision_versions(notice, latest=20)[::-1],
    }
    if respond:
        context["intention_form"] = forms.get("intention") or IntentionForm(
            initial={
                "kind": notice.intention_kind or "preliminary",
                "recipients": list(notice.intention_recipients or ()),
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
        result = with_service(
            form,
            lambda: services.notice_intention_announce(
                actor=request.user,
                notice=notice,
                kind=data["kind"],
                recipients=data["recipients"],
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
        result = with_service(
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
        incident = with_service(
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
        request, "breaches/report.html", {"form": form, "portal": True}, status=form_status(form)
    )
