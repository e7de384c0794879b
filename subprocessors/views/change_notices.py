"""The privacy officer's change notices (SP-03): draft, edit, announce, follow delivery per
customer, move the effective moment later, withdraw; staff readers may look."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from compliance.access import can, require
from compliance.forms import attach_service_errors
from compliance.methods import require_form
from subprocessors import deadlines, selectors
from subprocessors.forms import (
    ChangeNoticeForm,
    ChangeNoticeUpdateForm,
    EffectiveMomentForm,
    OutOfBandForm,
    WithdrawForm,
)
from subprocessors.models import ChangeNoticeRecipient, ChangeNoticeState
from subprocessors.services import (
    affected_customers,
    change_notice_announce,
    change_notice_draft,
    change_notice_effective_set,
    change_notice_out_of_band_record,
    change_notice_update,
    change_notice_withdraw,
)
from subprocessors.services.common import display_time

RECIPIENTS_PER_PAGE = 100


def _staff_notice(user, pk):
    # Staff pages: customer users read announced changes on the public register instead.
    require(user, "dashboard.view")
    require(user, "change_notice.view")
    return selectors.change_notice_get(user, pk)


@require_safe
def change_notice_list(request):
    user = request.user
    require(user, "dashboard.view")
    require(user, "change_notice.view")
    notices = selectors.change_notices_for(user).annotate(
        customers=Count("recipients"),
        informed=Count("recipients", filter=Q(recipients__informed_at__isnull=False)),
    )
    return render(
        request,
        "subprocessors/change_notices/list.html",
        {"notices": notices, "can_change": can(user, "change_notice.change")},
    )


@require_form
def change_notice_create(request):
    user = request.user
    require(user, "change_notice.change")
    form = ChangeNoticeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            notice = change_notice_draft(actor=user, **form.service_kwargs())
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("The change notice was saved as a draft."))
            return redirect("subprocessors:change_notice_detail", pk=notice.pk)
    return render(
        request,
        "subprocessors/change_notices/form.html",
        {"form": form, "notice": None},
        status=400 if form.errors else 200,
    )


@require_safe
def change_notice_detail(request, pk):
    """A notice with its delivery progress per customer (SP-03)."""
    user = request.user
    notice = _staff_notice(user, pk)
    recipients = notice.recipients.select_related("customer", "letter", "out_of_band_by")
    counts = recipients.aggregate(
        total=Count("id"), informed=Count("id", filter=Q(informed_at__isnull=False))
    )
    waiting_first = recipients.order_by("informed_at", "customer__name")
    page = Paginator(waiting_first, RECIPIENTS_PER_PAGE).get_page(request.GET.get("page"))
    can_change = can(user, "change_notice.change")
    draft = notice.state == ChangeNoticeState.DRAFT
    announced = notice.state == ChangeNoticeState.ANNOUNCED
    earliest = None
    if draft or announced:
        earliest = deadlines.earliest_effective_at(
            kind=notice.kind,
            announced=announced,
            sent_completely_at=notice.sent_completely_at,
            now=timezone.now(),
        )
    return render(
        request,
        "subprocessors/change_notices/detail.html",
        {
            "notice": notice,
            "page_obj": page,
            "counts": counts,
            "earliest": earliest,
            # Announced with a customer still uninformed: no earliest moment yet (SP-03).
            "no_earliest_yet": announced and earliest is None,
            "objections": selectors.objections_for(user).filter(change_notice=notice),
            "can_edit": can_change and draft,
            "can_announce": can_change and draft,
            "can_move": can_change and announced,
            "can_withdraw": can_change and (draft or announced),
            "can_record": can_change and announced,
        },
    )


@require_form
def change_notice_edit(request, pk):
    user = request.user
    require(user, "change_notice.change")
    notice = _staff_notice(user, pk)
    form = ChangeNoticeUpdateForm(
        request.POST if request.method == "POST" else None,
        initial=ChangeNoticeUpdateForm.initial_for(notice),
    )
    if request.method == "POST" and form.is_valid():
        try:
            notice = change_notice_update(actor=user, notice=notice, **form.cleaned_data)
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("The draft was saved."))
            return redirect("subprocessors:change_notice_detail", pk=notice.pk)
    return render(
        request,
        "subprocessors/change_notices/form.html",
        {"form": form, "notice": notice},
        status=400 if form.errors else 200,
    )


def _action_page(request, *, notice, form, title, intro, button, act, success, extra=None):
    """GET: the confirmation page with its form; POST: the service, its refusal on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            act(form.cleaned_data)
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, success)
            return redirect("subprocessors:change_notice_detail", pk=notice.pk)
    return render(
        request,
        "subprocessors/change_notices/action.html",
        {
            "notice": notice,
            "form": form,
            "title": title,
            "intro": intro,
            "button": button,
            **(extra or {}),
        },
        status=400 if form.errors else 200,
    )


@require_form
def change_notice_announce_view(request, pk):
    user = request.user
    require(user, "change_notice.change")
    notice = _staff_notice(user, pk)
    affected = len(affected_customers(notice)) if notice.state == ChangeNoticeState.DRAFT else None
    return _action_page(
        request,
        notice=notice,
        form=forms.Form(request.POST if request.method == "POST" else None),
        title=_("Announce the change"),
        intro=_(
            "The notice is sent to the contacts of every affected customer and to every "
            "subscriber, with a PDF letter in the portal. The 28 days run from the moment the "
            "last customer was informed."
        ),
        button=_("Announce"),
        act=lambda data: change_notice_announce(actor=user, notice=notice),
        success=_("The change was announced; the notices are being sent."),
        extra={"affected": affected},
    )


@require_form
def change_notice_effective(request, pk):
    user = request.user
    require(user, "change_notice.change")
    notice = _staff_notice(user, pk)
    return _action_page(
        request,
        notice=notice,
        form=EffectiveMomentForm(
            request.POST if request.method == "POST" else None,
            initial={"effective_at": notice.effective_at},
        ),
        title=_("Move the effective moment"),
        intro=_(
            "Customers were told that the change takes effect at %(told)s. Later only: "
            "everyone who was told receives the new moment, and a change may take effect no "
            "earlier than 28 days after every customer was informed."
        )
        % {"told": display_time(notice.effective_at)},
        button=_("Save effective moment"),
        act=lambda data: change_notice_effective_set(actor=user, notice=notice, **data),
        success=_("The effective moment was changed."),
    )


@require_form
def change_notice_withdraw_view(request, pk):
    user = request.user
    require(user, "change_notice.change")
    notice = _staff_notice(user, pk)
    return _action_page(
        request,
        notice=notice,
        form=WithdrawForm(request.POST if request.method == "POST" else None),
        title=_("Withdraw the change"),
        intro=_("A withdrawn change never takes effect; everyone who was told is told again."),
        button=_("Withdraw"),
        act=lambda data: change_notice_withdraw(actor=user, notice=notice, **data),
        success=_("The change was withdrawn."),
    )


@require_form
def recipient_out_of_band(request, pk):
    """Record that a customer was informed another way (SP-03)."""
    user = request.user
    require(user, "change_notice.change")
    recipient = get_object_or_404(
        ChangeNoticeRecipient.objects.select_related("change_notice", "customer"), pk=pk
    )
    notice = recipient.change_notice
    form = OutOfBandForm(request.POST if request.method == "POST" else None)
    return _action_page(
        request,
        notice=notice,
        form=form,
        title=_("Record a notice given out of band: %(customer)s")
        % {"customer": recipient.customer.name},
        intro=_("For a customer informed by telephone, letter or in person."),
        button=_("Record"),
        act=lambda data: change_notice_out_of_band_record(
            actor=user,
            recipient=recipient,
            note=data["note"],
            informed_at=data.get("informed_at"),
        ),
        success=_("The notice was recorded."),
    )
