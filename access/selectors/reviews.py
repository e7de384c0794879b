"""Reads of the access review (ISO 27001 A.5.18), scoped by the user.

The privacy officer, the ICT manager, the board and the auditor see every item; anyone else
(a staff member, a customer's administrator) only the items they own.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Max, Q
from django.http import Http404
from django.utils import timezone

from access.models import (
    AccessConsent,
    AccessReview,
    AccessReviewItem,
    ReviewDecision,
    ReviewSubject,
    StandingGrant,
    TemporaryAccess,
)
from audits.models import AuditEvent
from compliance.models import Role, User

SEES_ALL = {Role.PRIVACY_OFFICER, Role.ICT_MANAGER, Role.BOARD_MEMBER, Role.AUDITOR}


def visible_items(user):
    items = AccessReviewItem.objects.select_related("review", "owner", "decided_by")
    if user.role in SEES_ALL and not user.customer_id:
        return items
    return items.filter(owner_id=user.pk)


def reviews_for(user):
    """Reviews with their counts: all items, undecided, flagged; and the user's own."""
    reviews = AccessReview.objects.all()
    if not (user.role in SEES_ALL and not user.customer_id):
        reviews = reviews.filter(items__owner_id=user.pk).distinct()
    return reviews.annotate(
        total=Count("items", distinct=True),
        pending=Count("items", filter=Q(items__decision=ReviewDecision.PENDING), distinct=True),
        flagged=Count("items", filter=Q(items__unused_for_90_days=True), distinct=True),
        mine_pending=Count(
            "items",
            filter=Q(items__decision=ReviewDecision.PENDING, items__owner_id=user.pk),
            distinct=True,
        ),
    )


def review_get(user, pk) -> AccessReview:
    review = reviews_for(user).filter(pk=pk).first()
    if review is None:
        raise Http404
    return review


def items_for(user, review: AccessReview, *, mine: bool = False):
    items = visible_items(user).filter(review=review)
    return items.filter(owner_id=user.pk) if mine else items


def item_get(user, pk) -> AccessReviewItem:
    item = visible_items(user).filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


def open_items_owned(user):
    """The customer administrator's side: its own undecided items of open reviews."""
    return (
        visible_items(user)
        .filter(owner_id=user.pk, review__state="open")
        .order_by("review__due_at", "pk")
    )


def overdue_items(user, at=None):
    """What was not reviewed in time: items of reviews past `due_at` still undecided, or
    decided only after it."""
    at = at or timezone.now()
    return (
        visible_items(user)
        .filter(review__due_at__lt=at)
        .filter(Q(decision=ReviewDecision.PENDING) | Q(decided_at__gt=F("review__due_at")))
        .order_by("-review__due_at", "subject", "pk")
    )


@dataclass
class Row:
    """An item with the words people read about what it covers."""

    item: AccessReviewItem
    what: str
    customer: str
    last_sign_in: object = None

    @property
    def kind(self):
        return ReviewSubject(self.item.subject).label


def last_sign_ins(user_ids) -> dict:
    """Each user's last sign-in: `last_login` or the audit trail's sign-in events, whichever
    is later (None: never)."""
    found = dict(User.objects.filter(pk__in=list(user_ids)).values_list("pk", "last_login"))
    events = (
        AuditEvent.objects.filter(action="auth.signed_in", actor_id__in=list(found))
        .values("actor_id")
        .annotate(last=Max("occurred_at"))
    )
    for row in events:
        current = found.get(row["actor_id"])
        found[row["actor_id"]] = max(filter(None, (current, row["last"])))
    return found


def _subjects(items) -> dict:
    ids: dict[str, set] = {}
    for item in items:
        ids.setdefault(item.subject, set()).add(item.subject_id)
    found = {}
    loaders = {
        ReviewSubject.STANDING: StandingGrant.objects.select_related("holder"),
        ReviewSubject.TEMPORARY: TemporaryAccess.objects.select_related("requester", "customer"),
        ReviewSubject.CONSENT: AccessConsent.objects.select_related("employee", "customer"),
        ReviewSubject.ACCOUNT: User.objects.select_related("customer"),
    }
    for subject, pks in ids.items():
        for obj in loaders[subject].filter(pk__in=pks):
            found[(subject, obj.pk)] = obj
    return found


def _who(user) -> str:
    return user.full_name or user.email if user else ""


def _row(item, obj) -> Row:
    if obj is None:
        return Row(item=item, what="—", customer="")
    if item.subject == ReviewSubject.STANDING:
        return Row(item=item, what=f"{_who(obj.holder)} ({obj.role_title})", customer="")
    if item.subject == ReviewSubject.TEMPORARY:
        return Row(item=item, what=_who(obj.requester), customer=obj.customer.name)
    if item.subject == ReviewSubject.CONSENT:
        return Row(item=item, what=_who(obj.employee), customer=obj.customer.name)
    name = f"{obj.full_name} <{obj.email}>" if obj.full_name else obj.email
    return Row(
        item=item,
        what=name,
        customer=obj.customer.name if obj.customer_id else "",
        last_sign_in=obj.last_login,
    )


def rows_for(items) -> list[Row]:
    items = list(items)
    found = _subjects(items)
    rows = [_row(item, found.get((item.subject, item.subject_id))) for item in items]
    accounts = [row.item.subject_id for row in rows if row.item.subject == ReviewSubject.ACCOUNT]
    if accounts:
        last = last_sign_ins(accounts)
        for row in rows:
            if row.item.subject == ReviewSubject.ACCOUNT:
                row.last_sign_in = last.get(row.item.subject_id)
    return rows


def item_describe(item: AccessReviewItem) -> str:
    row = rows_for([item])[0]
    return f"{row.what} — {row.customer}" if row.customer else row.what


def grouped(rows: list[Row]) -> list[tuple]:
    """Rows grouped by kind, in the order of `ReviewSubject`: (label, rows)."""
    out = []
    for subject in ReviewSubject:
        members = [row for row in rows if row.item.subject == subject]
        if members:
            out.append((subject.label, members))
    return out
