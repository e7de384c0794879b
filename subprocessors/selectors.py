"""Reads of the subprocessor area, scoped by the user asking (SP-01, SP-03 … SP-06)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from compliance.access import can, customer_scope
from subprocessors.models import (
    OPEN_OBJECTION_STATES,
    ChangeNotice,
    ChangeNoticeRecipient,
    ChangeNoticeState,
    Objection,
    ProcessingLocation,
    Subprocessor,
    SubprocessorStatus,
    TerminationRight,
)


def change_notices_for(user) -> QuerySet[ChangeNotice]:
    """Staff readers: every notice; customer users: every notice once announced (the
    register shows them publicly anyway), never drafts."""
    if not can(user, "change_notice.view"):
        return ChangeNotice.objects.none()
    notices = ChangeNotice.objects.select_related("subprocessor")
    if customer_scope(user) is not None:
        notices = notices.exclude(state=ChangeNoticeState.DRAFT)
    return notices


def change_notice_get(user, pk) -> ChangeNotice:
    notice = change_notices_for(user).filter(pk=pk).first()
    if notice is None:
        raise Http404
    return notice


def change_notice_letters_for(user) -> QuerySet[ChangeNoticeRecipient]:
    """The change notices sent to the user's own organisation, newest first, with their PDF
    letters (SP-03): what the portal lists. Empty for users not limited to one customer."""
    scope = customer_scope(user)
    if scope is None or not can(user, "change_notice.view"):
        return ChangeNoticeRecipient.objects.none()
    return (
        ChangeNoticeRecipient.objects.filter(customer_id=scope)
        .exclude(change_notice__state=ChangeNoticeState.DRAFT)
        .select_related("change_notice__subprocessor", "letter")
        .defer("letter__content")
        .order_by("-change_notice__announced_at")
    )


def objections_for(user) -> QuerySet[Objection]:
    """A customer user sees its own organisation's objections only (SP-04); the privacy
    officer, the board and auditors see all (an engaged auditor: its customer's)."""
    if not can(user, "objection.view"):
        return Objection.objects.none()
    objections = Objection.objects.select_related(
        "customer", "subprocessor", "change_notice", "lodged_by", "decided_by"
    )
    scope = customer_scope(user)
    if scope is not None:
        objections = objections.filter(customer_id=scope)
    return objections


def objection_get(user, pk) -> Objection:
    """One objection, or 404 — also for another customer's, so its existence is not told."""
    objection = objections_for(user).filter(pk=pk).first()
    if objection is None:
        raise Http404
    return objection


def announced_changes() -> QuerySet[ChangeNotice]:
    """Announced changes, the latest announced first."""
    return (
        ChangeNotice.objects.filter(state=ChangeNoticeState.ANNOUNCED)
        .select_related("subprocessor")
        .order_by("-announced_at", "-id")
    )


def objection_change(objection: Objection) -> ChangeNotice | None:
    """The change an objection concerns: the one chosen, else the subprocessor's announced
    change (the latest); None for an objection to an existing subprocessor as it is."""
    if objection.change_notice_id:
        return objection.change_notice
    return announced_changes().filter(subprocessor_id=objection.subprocessor_id).first()


def open_objections_for_dashboard(user) -> list[dict]:
    """Open objections, oldest first, with their age, the subprocessor's status and the
    effective moment of the change they concern (SP-05)."""
    if customer_scope(user) is not None:
        return []
    now = timezone.now()
    rows = objections_for(user).filter(state__in=OPEN_OBJECTION_STATES).order_by("lodged_at")
    out = []
    for objection in rows:
        change = objection_change(objection)
        out.append(
            {
                "objection": objection,
                "age": now - objection.lodged_at,
                "change": change,
                "effective_at": change.effective_at if change else None,
                "pending": objection.subprocessor.status == SubprocessorStatus.PENDING,
            }
        )
    return out


def termination_rights_for(user) -> QuerySet[TerminationRight]:
    if not can(user, "termination.view"):
        return TerminationRight.objects.none()
    rights = TerminationRight.objects.select_related(
        "customer", "change_notice__subprocessor", "objection", "exercised_by"
    )
    scope = customer_scope(user)
    if scope is not None:
        rights = rights.filter(customer_id=scope)
    return rights


def public_changes() -> QuerySet[ChangeNotice]:
    """Changes the public was told of: announced, live, or withdrawn after announcement."""
    return (
        ChangeNotice.objects.filter(announced_at__isnull=False)
        .exclude(state=ChangeNoticeState.DRAFT)
        .select_related("subprocessor")
        .prefetch_related("subprocessor__products", "subprocessor__locations")
    )


def public_register() -> dict:
    """The public register (SP-01): processing subprocessors with locations, products,
    certifications, flow-down date and since when, plus the announced changes. Only
    organisations and places: no personal data."""
    locations = Prefetch("locations", queryset=ProcessingLocation.objects.order_by("city"))
    subprocessors = list(
        Subprocessor.objects.filter(status=SubprocessorStatus.ACTIVE)
        .prefetch_related(locations, "products")
        .order_by("legal_entity")
    )
    announced = list(
        ChangeNotice.objects.filter(state=ChangeNoticeState.ANNOUNCED)
        .select_related("subprocessor")
        .prefetch_related("subprocessor__products", "subprocessor__locations")
        .order_by("effective_at", "id")
    )
    return {"subprocessors": subprocessors, "announced_changes": announced}
