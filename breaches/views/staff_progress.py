"""Staff pages of the notices' fan-out (BR-03/BR-05): the progress of one page of customers,
one customer's messages, and the per-notice pages for an out-of-band notice or the reason
for a delay, which lead back to the progress page and filter the officer came from."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_safe

from breaches import deadlines, selectors, services
from breaches.forms import LateReasonForm, OutOfBandForm
from breaches.models import Incident
from breaches.views.common import manage_incident, page_numbers, query_url, with_service
from compliance.access import can, require
from compliance.methods import require_form

PROGRESS_FILTER_LABELS = {
    "all": _lazy("All customers"),
    "uninformed": _lazy("Not informed yet"),
    "failed": _lazy("With a delivery problem"),
}


def progress_context(request, incident: Incident) -> dict:
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
    # On the incident page the links without JavaScript stay on its customers' tab.
    on_tab = {} if here == fragment else {"tab": "customers"}
    current = {"show": progress["show"], "q": progress["q"]}

    def link(**changes) -> dict:
        wanted = {**current, "page": progress["page"], **changes}
        return {
            "href": query_url(here, {**on_tab, **wanted}, "#fanout-progress"),
            "hx": query_url(fragment, wanted),
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
            "back": query_url("", {**current, "page": progress["page"]}),
            "poll": query_url(fragment, {**current, "page": progress["page"]}),
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
                for n in page_numbers(page_obj)
            ]
            if page_obj.has_other_pages()
            else [],
        },
    }


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
    context = {"incident": incident, **progress_context(request, incident)}
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
            "letters": selectors.notice_letters(user, notice),
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
    return query_url(
        reverse("incident_detail", args=[incident.pk]),
        {"tab": "customers", **_progress_params(request)},
        "#fanout-progress",
    )


def _notice_of_incident(request, pk, notice_pk):
    """The incident and one of its notices, for the privacy officer (others: 403; a notice
    of another incident or one the user may not see: 404)."""
    user = request.user
    incident = manage_incident(request, pk)
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
            recorded = with_service(form, lambda: record(form.cleaned_data))
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
