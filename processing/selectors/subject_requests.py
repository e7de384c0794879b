"""Reads of data-subject requests (DS-01), scoped by the user.

The privacy officer, the ICT manager and the processor's auditor see every request; a staff
member those it recorded; a customer's users (and an auditor engaged by that customer) only
the requests forwarded to their own organisation, so another organisation's id is a 404.
"""

from __future__ import annotations

import datetime

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _

from compliance.access import customer_scope
from compliance.models import Role
from processing.models import ProcessingTask, SubjectRequest, SubjectRequestState

FILTERS = {
    "to_forward": SubjectRequestState.RECEIVED,
    "forwarded": SubjectRequestState.FORWARDED,
    "closed": SubjectRequestState.CLOSED,
}


def _tasks():
    return Prefetch(
        "tasks",
        queryset=ProcessingTask.objects.select_related("assignee", "done_by").order_by(
            "due_at", "id"
        ),
    )


def subject_requests_for(user, *, show: str = "") -> QuerySet[SubjectRequest]:
    rows = SubjectRequest.objects.select_related(
        "customer", "recorded_by", "forwarded_by"
    ).prefetch_related(_tasks())
    scope = customer_scope(user)
    if scope is not None:
        rows = rows.filter(customer_id=scope, forwarded_at__isnull=False)
    elif getattr(user, "role", None) == Role.STAFF_MEMBER:
        rows = rows.filter(recorded_by_id=user.pk)
    if show in FILTERS:
        rows = rows.filter(state=FILTERS[show])
    return rows.order_by("-received_at", "-id")


def subject_request_get(user, pk) -> SubjectRequest:
    subject_request = subject_requests_for(user).filter(pk=pk).first()
    if subject_request is None:
        raise Http404
    return subject_request


def task_get(user, subject_request: SubjectRequest, task_pk) -> ProcessingTask:
    task = next((t for t in subject_request.tasks.all() if t.pk == int(task_pk)), None)
    if task is None:
        raise Http404
    return task


def deadline_words(subject_request: SubjectRequest, now: datetime.datetime | None = None) -> str:
    """The forwarding deadline of one request in words ("to be forwarded within 5 hours")."""
    now = now or timezone.now()
    if subject_request.state == SubjectRequestState.RECEIVED:
        due = subject_request.forward_due_at
        if due >= now:
            return _("to be forwarded within %(span)s") % {"span": timeuntil(due, now)}
        return _("forwarding overdue by %(span)s") % {"span": timeuntil(now, due)}
    if subject_request.state == SubjectRequestState.FORWARDED:
        open_tasks = sum(1 for task in subject_request.tasks.all() if task.done_at is None)
        if open_tasks:
            return _("forwarded; open tasks: %(count)d") % {"count": open_tasks}
        return _("forwarded")
    return _("closed")
