"""Reads of contract end (RT-01): every read through the user's scope (another customer's
id is a 404), due dates in words."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _

from compliance.access import customer_scope
from compliance.models import Contract
from processing.models.contract_end import DeletionState, EnvironmentDeletion


def deletions_for(user) -> QuerySet[EnvironmentDeletion]:
    rows = EnvironmentDeletion.objects.select_related(
        "customer", "contract", "deletion_confirmed_by", "early_requested_by", "certificate"
    )
    scope = customer_scope(user)
    if scope is not None:
        rows = rows.filter(customer_id=scope)
    return rows.order_by("state", "deletion_due_at", "pk")


def deletion_get(user, pk) -> EnvironmentDeletion:
    deletion = deletions_for(user).filter(pk=pk).first()
    if deletion is None:
        raise Http404
    return deletion


def deletion_of_customer(customer_id: int) -> EnvironmentDeletion | None:
    """The customer's most recent deletion (the portal shows it)."""
    return (
        EnvironmentDeletion.objects.select_related("certificate", "early_requested_by")
        .filter(customer_id=customer_id)
        .order_by("-contract_ended_on", "-pk")
        .first()
    )


def contracts_without_end():
    """Contracts whose end can still be recorded (the form's choices)."""
    return (
        Contract.objects.select_related("customer")
        .filter(ends_on__isnull=True)
        .order_by("customer__name", "-starts_on")
    )


def is_overdue(deletion: EnvironmentDeletion, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return deletion.state == DeletionState.SCHEDULED and deletion.deletion_due_at < now


def due_words(deletion: EnvironmentDeletion, now: datetime.datetime | None = None) -> str:
    """The deletion's deadline in words ("to be deleted within 3 days")."""
    now = now or timezone.now()
    if deletion.state == DeletionState.DELETED:
        return _("deleted")
    if deletion.deletion_due_at >= now:
        return _("to be deleted within %(span)s") % {
            "span": timeuntil(deletion.deletion_due_at, now)
        }
    return _("deletion overdue by %(span)s") % {"span": timeuntil(now, deletion.deletion_due_at)}
