"""Pages of data-subject requests (DS-01): the register, the record form, one request with
what its reader may do, the forms of those steps, and the customer's page in the portal.
Objects come through the user's scope (another's id is a 404); the service decides."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from compliance.access import can, require
from compliance.forms import attach_service_errors
from compliance.methods import require_form
from processing.forms import subject_requests as forms
from processing.models import SubjectRequestState
from processing.selectors import subject_requests as selectors
from processing.services import subject_requests as services

FILTER_LABELS = {
    "": gettext_lazy("All"),
    "to_forward": gettext_lazy("To forward"),
    "forwarded": gettext_lazy("Forwarded"),
    "closed": gettext_lazy("Closed"),
}


@require_safe
def subject_request_list(request):
    user = request.user
    require(user, "subject_request.view")
    show = request.GET.get("show", "")
    show = show if show in selectors.FILTERS else ""
    now = timezone.now()
    rows = [
        (item, selectors.deadline_words(item, now))
        for item in selectors.subject_requests_for(user, show=show)[:500]
    ]
    return render(
        request,
        "processing/subject_requests/list.html",
        {
            "rows": rows,
            "show": show,
            "filters": list(FILTER_LABELS.items()),
            "can_record": can(user, "subject_request.record"),
        },
    )


@require_form
def subject_request_create(request):
    user = request.user
    require(user, "subject_request.record")
    form = forms.SubjectRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        customer = data.pop("customer")
        try:
            item = services.subject_request_record(
                actor=user, customer_id=customer.pk if customer else None, **data
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("The request was recorded; forward it within 24 hours."))
            return redirect("processing:subject_request_detail", pk=item.pk)
    return render(
        request,
        "processing/subject_requests/form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@require_safe
def subject_request_detail(request, pk):
    user = request.user
    require(user, "subject_request.view")
    item = selectors.subject_request_get(user, pk)
    manage = can(user, "subject_request.manage", item)
    state = item.state
    return render(
        request,
        "processing/subject_requests/detail.html",
        {
            "item": item,
            "deadline": selectors.deadline_words(item),
            "can_forward": manage and state == SubjectRequestState.RECEIVED,
            "can_reply": manage
            and state == SubjectRequestState.FORWARDED
            and item.replied_at is None
            and bool(item.requester_email),
            "can_close": manage and state != SubjectRequestState.CLOSED,
            "can_add_task": manage and state == SubjectRequestState.FORWARDED,
            "can_task_done": can(user, "subject_request.task_done"),
            "user_pk": user.pk,
            "is_manager": manage,
        },
    )


def _step(request, item, form, title, explanation, button, run, done):
    if request.method == "POST" and form.is_valid():
        try:
            run(form.cleaned_data)
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("processing:subject_request_detail", pk=item.pk)
    return render(
        request,
        "processing/subject_requests/step.html",
        {
            "item": item,
            "form": form,
            "title": title,
            "explanation": explanation,
            "button": button,
        },
        status=400 if form.errors else 200,
    )


def _managed(request, pk):
    item = selectors.subject_request_get(request.user, pk)
    require(request.user, "subject_request.manage", item)
    return item


def _data(request):
    return request.POST if request.method == "POST" else None


@require_form
def subject_request_forward(request, pk):
    item = _managed(request, pk)
    form = forms.ForwardForm(_data(request), initial={"customer": item.customer_id})

    def run(data):
        customer = data["customer"]
        services.subject_request_forward(
            actor=request.user, subject_request=item, customer_id=customer.pk if customer else None
        )

    return _step(
        request,
        item,
        form,
        _("Forward the request to the customer"),
        _(
            "The customer's contacts for notices and its administrators receive the request's "
            "content by e-mail. We never answer the request ourselves."
        ),
        _("Forward"),
        run,
        _("The request was forwarded to the customer."),
    )


@require_form
def subject_request_reply(request, pk):
    item = _managed(request, pk)
    form = forms.ReplyForm(_data(request))
    if item.controller_named:
        explanation = _(
            "The data subject is told the request was passed on to %(named)s, as they named "
            "the organisation themselves. Nothing is said about the request itself."
        ) % {"named": item.controller_named_as}
    else:
        explanation = _(
            "The data subject is told the request was passed on to the organisation "
            "responsible, without naming it: they did not name it themselves, and the reply "
            "never reveals who our customers are."
        )
    return _step(
        request,
        item,
        form,
        _("Tell the data subject the request was passed on"),
        explanation,
        _("Send the reply"),
        lambda data: services.subject_request_reply(
            actor=request.user, subject_request=item, language=data["language"]
        ),
        _("The reply was sent to the data subject."),
    )


@require_form
def subject_request_close(request, pk):
    item = _managed(request, pk)
    return _step(
        request,
        item,
        forms.CloseForm(_data(request)),
        _("Close the request"),
        _("Close it once the customer has what it needs and every task is done."),
        _("Close"),
        lambda data: services.subject_request_close(
            actor=request.user, subject_request=item, note=data["note"]
        ),
        _("The request was closed."),
    )


@require_form
def subject_request_task_add(request, pk):
    item = _managed(request, pk)

    def run(data):
        services.subject_request_task_add(
            actor=request.user,
            subject_request=item,
            title=data["title"],
            assignee_id=data["assignee"].pk,
            due_at=data["due_at"],
        )

    return _step(
        request,
        item,
        forms.TaskForm(_data(request)),
        _("Add a task"),
        _("Help the customer asked for, where the application allows it. The customer sees it."),
        _("Add the task"),
        run,
        _("The task was added."),
    )


@require_form
def subject_request_task_done(request, pk, task_pk):
    user = request.user
    require(user, "subject_request.task_done")
    item = selectors.subject_request_get(user, pk)
    task = selectors.task_get(user, item, task_pk)
    return _step(
        request,
        item,
        forms.TaskDoneForm(_data(request)),
        _("Mark the task done: %(title)s") % {"title": task.title},
        _("Say what was done; the customer sees it."),
        _("Done"),
        lambda data: services.subject_request_task_done(
            actor=user, task=task, outcome=data["outcome"]
        ),
        _("The task was marked done."),
    )


@require_safe
def portal_subject_requests(request):
    """The customer's own requests, forwarded to it, with the progress of their tasks."""
    user = request.user
    require(user, "subject_request.view_own")
    items = list(selectors.subject_requests_for(user)[:500])
    return render(request, "processing/subject_requests/portal.html", {"items": items})
