"""Reads of the support-copy register (AC-05), scoped by the user.

Staff with the register see every copy, a staff member only the copies it took; a
customer's users (and an auditor engaged by the customer) only their organisation's. An id
outside the scope is a 404.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from access.models import CopyState, SupportCopy, SupportCopyAccess, TicketStatus
from compliance.access import customer_scope
from compliance.models import Role
from compliance.templatetags.compliance_tags import local_deadline

FILTERS = ("held", "overdue", "deleted")


def copy_link(pk: int) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("access:support_copy_detail", args=[pk])


def support_copies_for(user, *, show: str = "") -> QuerySet[SupportCopy]:
    accesses = Prefetch(
        "accesses",
        queryset=SupportCopyAccess.objects.select_related("user").order_by("accessed_at"),
    )
    copies = SupportCopy.objects.select_related(
        "customer", "taken_by", "deletion_confirmed_by"
    ).prefetch_related(accesses)
    scope = customer_scope(user)
    if scope is not None:
        copies = copies.filter(customer_id=scope)
    elif getattr(user, "role", None) == Role.STAFF_MEMBER:
        copies = copies.filter(taken_by=user)
    now = timezone.now()
    if show == "held":
        copies = copies.filter(state=CopyState.HELD)
    elif show == "overdue":
        copies = copies.filter(state=CopyState.HELD).filter(
            Q(due_after_ticket_at__lt=now) | Q(due_latest_at__lt=now)
        )
    elif show == "deleted":
        copies = copies.filter(state=CopyState.DELETED)
    return copies


def support_copy_get(user, pk) -> SupportCopy:
    copy = support_copies_for(user).filter(pk=pk).first()
    if copy is None:
        raise Http404(_("No support copy with this number that you may see."))
    return copy


def _span(seconds: int) -> str:
    minutes = seconds // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}


def deadline_words(copy: SupportCopy, now=None) -> str:
    """The copy's deadline as people read it, with why it applies and how far off it is."""
    if copy.state == CopyState.DELETED:
        return _("Deleted on %(moment)s.") % {"moment": local_deadline(copy.deleted_at)}
    now = now or timezone.now()
    due = copy.delete_by
    if copy.deadline_reason == "ticket":
        closed = _("resolved") if copy.ticket_status == TicketStatus.RESOLVED else _("cancelled")
        why = _("48 hours after the ticket was %(closed)s") % {"closed": closed}
    elif copy.ticket_status == TicketStatus.OPEN:
        why = _("150 days after the copy was taken; the ticket is still open")
    else:
        why = _("150 days after the copy was taken")
    seconds = int((due - now).total_seconds())
    when = (
        _("in %(span)s") % {"span": _span(seconds)}
        if seconds >= 0
        else _("overdue by %(span)s") % {"span": _span(-seconds)}
    )
    return _("Delete by %(moment)s (%(why)s): %(when)s.") % {
        "moment": local_deadline(due),
        "why": why,
        "when": when,
    }


def is_overdue(copy: SupportCopy, now=None) -> bool:
    return copy.state == CopyState.HELD and (now or timezone.now()) > copy.delete_by
