"""Pages of the support-copy register (AC-05): staff register, detail and its steps, and
the customer's own copies in the portal. Objects come through selectors scoped by the user,
so another organisation's id (or another staff member's copy) answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from access.forms.support_copies import (
    AccessRecordForm,
    DeletionForm,
    SupportCopyRegisterForm,
    TicketStatusForm,
    local_input,
)
from access.models import TicketStatus
from access.selectors import support_copies as selectors
from access.services import support_copies as services
from compliance.access import can, require
from compliance.forms import attach_service_errors
from compliance.methods import require_form


def _decorated(copies, now):
    for copy in copies:
        copy.deadline_text = selectors.deadline_words(copy, now)
        copy.overdue = selectors.is_overdue(copy, now)
    return copies


@require_safe
def support_copy_list(request):
    user = request.user
    require(user, "support_copy.view")
    show = request.GET.get("show", "")
    show = show if show in selectors.FILTERS else ""
    now = timezone.now()
    copies = _decorated(list(selectors.support_copies_for(user, show=show)[:500]), now)
    filters = [
        ("", _("All")),
        ("held", _("Held")),
        ("overdue", _("Overdue")),
        ("deleted", _("Deleted")),
    ]
    return render(
        request,
        "access/support_copies/list.html",
        {
            "copies": copies,
            "show": show,
            "filters": filters,
            "can_change": can(user, "support_copy.change"),
        },
    )


def _form_page(request, form, template, context, status=200):
    return render(
        request,
        template,
        {"form": form, **context},
        status=400 if form.errors else status,
    )


@require_form
def support_copy_create(request):
    user = request.user
    require(user, "support_copy.change")
    initial = {"taken_by": user.pk, "taken_at": local_input(timezone.now())}
    form = SupportCopyRegisterForm(
        request.POST if request.method == "POST" else None, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            copy = services.support_copy_register(actor=user, **form.cleaned_data)
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("The support copy was registered."))
            return redirect("access:support_copy_detail", pk=copy.pk)
    return _form_page(request, form, "access/support_copies/form.html", {})


@require_safe
def support_copy_detail(request, pk):
    user = request.user
    require(user, "support_copy.view")
    copy = selectors.support_copy_get(user, pk)
    _decorated([copy], timezone.now())
    held = copy.is_held
    may_change = can(user, "support_copy.change", copy)
    return render(
        request,
        "access/support_copies/detail.html",
        {
            "copy": copy,
            "accesses": copy.accesses.all(),
            "can_change": may_change and held,
            "can_record_access": may_change,
        },
    )


def _step(request, pk, form_class, initial, call, success, title):
    user = request.user
    copy = selectors.support_copy_get(user, pk)
    require(user, "support_copy.change", copy)
    form = form_class(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            call(user, copy, form.cleaned_data)
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, success)
            return redirect("access:support_copy_detail", pk=copy.pk)
    return _form_page(
        request, form, "access/support_copies/step.html", {"copy": copy, "title": title}
    )


@require_form
def support_copy_ticket_status(request, pk):
    """The ticket's status set by hand (the ticketing system uses the API)."""
    return _step(
        request,
        pk,
        TicketStatusForm,
        {"status": TicketStatus.RESOLVED, "at": local_input(timezone.now())},
        lambda user, copy, data: services.support_copy_ticket_status_set(
            actor=user, copy=copy, **data
        ),
        _("The ticket's status was recorded."),
        _("Ticket status"),
    )


@require_form
def support_copy_access_record(request, pk):
    return _step(
        request,
        pk,
        AccessRecordForm,
        {"user": request.user.pk, "accessed_at": local_input(timezone.now())},
        lambda user, copy, data: services.support_copy_access_record(actor=user, copy=copy, **data),
        _("The access was recorded."),
        _("Record an access to the copy"),
    )


@require_form
def support_copy_deletion(request, pk):
    return _step(
        request,
        pk,
        DeletionForm,
        {"deleted_at": local_input(timezone.now())},
        lambda user, copy, data: services.support_copy_deletion_confirm(
            actor=user, copy=copy, **data
        ),
        _("The deletion was confirmed in your name."),
        _("Confirm the deletion"),
    )


@require_safe
def portal_support_copies(request):
    """The customer's own copies: deadlines, deletion, and every employee who opened them."""
    user = request.user
    require(user, "support_copy.view_own")
    copies = _decorated(list(selectors.support_copies_for(user)[:500]), timezone.now())
    return render(request, "access/support_copies/portal_list.html", {"copies": copies})


@require_safe
def portal_support_copy_detail(request, pk):
    user = request.user
    require(user, "support_copy.view_own")
    copy = selectors.support_copy_get(user, pk)
    _decorated([copy], timezone.now())
    return render(
        request,
        "access/support_copies/portal_detail.html",
        {"copy": copy, "accesses": copy.accesses.all()},
    )
