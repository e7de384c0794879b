"""Pages of the access review (ISO 27001 A.5.18): the list, one review with its items by
kind, deciding one item or confirming all of one's own shown, the report of what was not
reviewed in time (page and CSV), and the customer administrator's side in the portal."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from access.forms.reviews import ConfirmMineForm, DecideForm
from access.models import ReviewDecision, ReviewState
from access.selectors import reviews as selectors
from access.services.reviews import (
    item_decide,
    items_confirm_mine,
    report_exported,
    review_open,
)
from compliance.access import can, require
from compliance.csv_safe import cell
from compliance.forms import attach_service_errors
from compliance.methods import require_form


@require_safe
def review_list(request):
    user = request.user
    require(user, "access_review.view")
    return render(
        request,
        "access/reviews/list.html",
        {"reviews": selectors.reviews_for(user), "can_open": can(user, "access_review.open")},
    )


@require_POST
def review_open_now(request):
    """The privacy officer or the ICT manager opens a review by hand."""
    user = request.user
    require(user, "access_review.open")
    try:
        review = review_open(actor=user, by_hand=True)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("access:review_list")
    messages.success(request, _("The access review was opened; its owners can decide now."))
    return redirect("access:review_detail", pk=review.pk)


def _mine_pending(user, review):
    return selectors.items_for(user, review, mine=True).filter(decision=ReviewDecision.PENDING)


@require_safe
def review_detail(request, pk):
    user = request.user
    require(user, "access_review.view")
    review = selectors.review_get(user, pk)
    mine = request.GET.get("mine") == "1"
    rows = selectors.rows_for(selectors.items_for(user, review, mine=mine))
    shown_mine = [
        row.item.pk
        for row in rows
        if row.item.owner_id == user.pk and row.item.decision == ReviewDecision.PENDING
    ]
    return render(
        request,
        "access/reviews/detail.html",
        {
            "review": review,
            "groups": selectors.grouped(rows),
            "mine": mine,
            "shown_mine": shown_mine,
            "can_decide": can(user, "access_review.decide") and review.state == ReviewState.OPEN,
            "now": timezone.now(),
        },
    )


def _decide_page(request, pk, *, template, done_url):
    user = request.user
    item = selectors.item_get(user, pk)
    require(user, "access_review.decide")  # the owner check is the service's
    form = DecideForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            item_decide(actor=user, item=item, **form.cleaned_data)
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            if form.cleaned_data["decision"] == ReviewDecision.REVOKED:
                messages.success(request, _("Revoked. The ICT manager was asked to remove it."))
            else:
                messages.success(request, _("Confirmed."))
            return redirect(done_url(item))
    return render(
        request,
        template,
        {"form": form, "row": selectors.rows_for([item])[0], "item": item},
        status=400 if form.errors else 200,
    )


@require_form
def item_decide_page(request, pk):
    return _decide_page(
        request,
        pk,
        template="access/reviews/decide.html",
        done_url=lambda item: reverse("access:review_detail", args=[item.review_id]) + "?mine=1",
    )


@require_POST
def review_confirm_mine(request, pk):
    """Confirm every item of one's own that the page showed, and nothing else."""
    user = request.user
    require(user, "access_review.decide")
    review = selectors.review_get(user, pk)
    ids = list(_mine_pending(user, review).values_list("pk", flat=True))
    form = ConfirmMineForm(request.POST, item_ids=ids)
    errors = []
    if form.is_valid():
        try:
            count = items_confirm_mine(
                actor=user, review=review, item_ids=form.cleaned_data["items"]
            )
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("%(count)s items confirmed.") % {"count": count})
    else:
        errors = [message for messages_ in form.errors.values() for message in messages_]
    for message in errors:
        messages.error(request, message)
    return redirect(reverse("access:review_detail", args=[review.pk]) + "?mine=1")


@require_safe
def review_overdue(request):
    user = request.user
    require(user, "access_review.view")
    rows = selectors.rows_for(selectors.overdue_items(user))
    if request.GET.get("format") == "csv":
        return _overdue_csv(user, rows)
    return render(request, "access/reviews/overdue.html", {"rows": rows})


def _overdue_csv(user, rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="access-review-not-in-time.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "review",
            "due_at",
            "subject",
            "subject_label",
            "subject_id",
            "what",
            "customer",
            "owner",
            "unused_for_90_days",
            "decision",
            "decided_at",
        ]
    )
    for row in rows:
        item = row.item
        writer.writerow(
            cell(value)
            for value in [
                item.review.period_label,
                item.review.due_at.isoformat(),
                item.subject,
                str(row.kind),
                item.subject_id,
                row.what,
                row.customer,
                item.owner.email,
                "yes" if item.unused_for_90_days else "no",
                item.decision,
                item.decided_at.isoformat() if item.decided_at else "",
            ]
        )
    report_exported(actor=user, rows=len(rows))
    return response


@require_safe
def portal_review_items(request):
    """A customer's administrator reviews its own organisation's accounts."""
    user = request.user
    require(user, "access_review.decide_as_customer")
    rows = selectors.rows_for(selectors.open_items_owned(user))
    return render(request, "access/reviews/portal_list.html", {"rows": rows})


@require_form
def portal_item_decide(request, pk):
    require(request.user, "access_review.decide_as_customer")
    return _decide_page(
        request,
        pk,
        template="access/reviews/portal_decide.html",
        done_url=lambda item: reverse("access:portal_review_items"),
    )
