"""Staff pages choosing the affected customers (BR-08) and previewing the notice one of them
will receive."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from breaches import selectors, services
from breaches.forms import HandSelectionForm, PreviewForm, SelectionForm
from breaches.models import Incident
from breaches.services.selection import SELECTABLE_STATES
from breaches.views.common import (
    form_status,
    manage_incident,
    page_numbers,
    query_url,
    with_service,
)
from breaches.views.staff import post_action
from compliance.methods import require_form


@require_form
def incident_select(request, pk):
    """BR-08: affected customers by product, subprocessor, hand or all.

    A POST with a rule (the form on the incident page) replaces the selection. GET shows the
    selection by hand for any number of customers: a search by name or customer number, 50
    customers a page, the chosen ones ticked; every button of that form saves the ticks of
    the page shown (`affected_customers_change`) before it searches or turns the page, so
    what was chosen elsewhere stays chosen."""
    if request.method == "POST" and "hand" not in request.POST:
        return post_action(
            request,
            pk,
            key="select",
            form_class=SelectionForm,
            call=lambda incident, form: services.affected_select(
                actor=request.user, incident=incident, **form.service_kwargs()
            ),
            success=lambda inc: _selected_text(inc.affected_customers.count()),
        )
    incident = manage_incident(request, pk)
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
        saved = with_service(form, lambda: _hand_selection_save(request, incident, form))
        if saved is not None:
            target = form.destination()
            return redirect(query_url(reverse("incident_select", args=[incident.pk]), target))
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


def _selected_text(count: int) -> str:
    return ngettext("%(count)d customer selected.", "%(count)d customers selected.", count) % {
        "count": count
    }


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
            ngettext(
                "Selection saved: %(count)d customer chosen.",
                "Selection saved: %(count)d customers chosen.",
                count,
            )
            % {"count": count},
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
            "page_numbers": page_numbers(page_obj) if page_obj.has_other_pages() else [],
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
    incident = manage_incident(request, pk)
    form = PreviewForm(request.GET or None, incident=incident)
    preview = None
    if form.is_bound and form.is_valid():
        result = with_service(
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
        status=form_status(form),
    )
