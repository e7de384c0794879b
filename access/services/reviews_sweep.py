"""The access review's deadline (ISO 27001 A.5.18): owners with undecided items are reminded
seven days before `due_at`; at `due_at` the privacy officer is told what is still undecided.

Each step is done once per review (`reminded_at`, `escalated_at`), claimed with a row lock
that skips a review another sweep holds; each mail is an outbox row with its own key.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from access.models import AccessReview, AccessReviewItem, ReviewDecision, ReviewState
from access.services.reviews import REMIND_BEFORE, _link, mail_people
from audits.services import event_record
from compliance.models import Role, User


def _pending_by_owner(review: AccessReview) -> dict[int, int]:
    rows = (
        AccessReviewItem.objects.filter(review=review, decision=ReviewDecision.PENDING)
        .values("owner_id")
        .annotate(n=Count("id"))
    )
    return {row["owner_id"]: row["n"] for row in rows}


def _remind(review: AccessReview, *, actor, at) -> None:
    pending = _pending_by_owner(review)
    owners = User.objects.filter(pk__in=list(pending), is_active=True).order_by("pk")
    for owner in owners:
        mail_people(
            people=[owner],
            template="access_review_reminder",
            key=f"access_review:{review.pk}:reminder",
            context={
                "review": review.period_label,
                "count": pending[owner.pk],
                "due_at": review.due_at,
                "link": _link("access:review_detail", review.pk) + "?mine=1",
            },
            actor=actor,
        )
    review.reminded_at = at
    review.save(update_fields=["reminded_at"])
    event_record(
        actor=actor,
        action="access.review.reminded",
        obj=review,
        after={
            "owners": len(pending),
            "pending": sum(pending.values()),
            "due_at": str(review.due_at),
        },
    )


def _escalate(review: AccessReview, *, actor, at) -> None:
    pending = _pending_by_owner(review)
    officers = list(User.objects.filter(role=Role.PRIVACY_OFFICER, is_active=True).order_by("pk"))
    if pending:
        mail_people(
            people=officers,
            template="access_review_escalation",
            key=f"access_review:{review.pk}:escalation",
            context={
                "review": review.period_label,
                "count": sum(pending.values()),
                "owners": len(pending),
                "due_at": review.due_at,
                "link": _link("access:review_overdue"),
            },
            actor=actor,
        )
    review.escalated_at = at
    review.save(update_fields=["escalated_at"])
    event_record(
        actor=actor,
        action="access.review.escalated",
        obj=review,
        after={"pending": sum(pending.values()), "told": len(officers) if pending else 0},
    )


def reviews_sweep(*, actor, at: datetime.datetime | None = None) -> dict:
    """Send the reminders and escalations that are due; each at most once per review."""
    at = at or timezone.now()
    done = {"reminded": 0, "escalated": 0}
    open_reviews = AccessReview.objects.filter(state=ReviewState.OPEN)
    steps = (
        ("reminded", "reminded_at", REMIND_BEFORE, _remind),
        ("escalated", "escalated_at", datetime.timedelta(0), _escalate),
    )
    for name, column, before, step in steps:
        due = open_reviews.filter(**{f"{column}__isnull": True, "due_at__lte": at + before})
        for pk in due.order_by("due_at").values_list("pk", flat=True):
            with transaction.atomic():
                review = (
                    AccessReview.objects.select_for_update(skip_locked=True)
                    .filter(pk=pk, state=ReviewState.OPEN, **{f"{column}__isnull": True})
                    .first()
                )
                if review is None:
                    continue
                step(review, actor=actor, at=at)
                done[name] += 1
    return done
