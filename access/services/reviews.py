"""Recertification (ISO 27001 A.5.18): the periodic access review and its owners' decisions.

A review lists every standing grant still held, every active temporary grant, every granted
customer consent and every active account of this product; each item has one owner who
confirms or revokes it. Who owns what (the one rule, `_owner_for`):

- standing access: whoever granted it, else the ICT manager;
- temporary access: the ICT manager who approved it, else the ICT manager;
- access under a customer's consent: the staff member who asked for the consent;
- staff accounts: the privacy officer;
- a customer's accounts: that customer's administrator, else the privacy officer.

Nobody reviews their own access or account: then the ICT manager owns it, or the privacy
officer for an ICT manager's own. Revoking records the decision and tells the ICT manager by
e-mail to remove the access in the systems; this part never ends grants itself (the other
parts' services do, by their own steps).

An account is flagged when its last sign-in (`User.last_login` or the sign-in events of the
audit trail, whichever is later) is more than 90 days before the review opened, or never.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from access.models import (
    AccessConsent,
    AccessReview,
    AccessReviewItem,
    ConsentState,
    ReviewDecision,
    ReviewState,
    ReviewSubject,
    StandingGrant,
    TemporaryAccess,
    TemporaryState,
)
from access.selectors.reviews import item_describe, last_sign_ins
from audits.services import event_record
from compliance.models import STAFF_ROLES, Role, User
from compliance.outbox.queueing import message_queue, message_render

REVIEW_PERIOD = datetime.timedelta(days=30)  # opened → to be reviewed by
REMIND_BEFORE = datetime.timedelta(days=7)  # owners reminded this long before `due_at`
UNUSED_AFTER = datetime.timedelta(days=90)  # an account unused longer is flagged
NOTE_MAX = 2000


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.DISPLAY_TIME_ZONE)


def quarter_start(at: datetime.datetime) -> datetime.datetime:
    """The first moment (Amsterdam midnight) of the calendar quarter `at` falls in."""
    local = at.astimezone(_zone())
    return datetime.datetime(local.year, 3 * ((local.month - 1) // 3) + 1, 1, tzinfo=_zone())


def quarter_label(start: datetime.datetime) -> str:
    return f"Q{(start.month - 1) // 3 + 1} {start.year}"


def is_unused(last: datetime.datetime | None, at: datetime.datetime) -> bool:
    """Flagged: never signed in, or last signed in more than 90 days before `at`."""
    return last is None or last < at - UNUSED_AFTER


class _Owners:
    """The active people who own items, looked up once per review."""

    def __init__(self):
        people = User.objects.filter(
            is_active=True, role__in=[Role.ICT_MANAGER, Role.PRIVACY_OFFICER, Role.CUSTOMER_ADMIN]
        ).order_by("pk")
        self.ict = [u.pk for u in people if u.role == Role.ICT_MANAGER]
        self.officers = [u.pk for u in people if u.role == Role.PRIVACY_OFFICER]
        self.admins: dict[int, list[int]] = {}
        for u in people:
            if u.role == Role.CUSTOMER_ADMIN:
                self.admins.setdefault(u.customer_id, []).append(u.pk)
        self.active = set(User.objects.filter(is_active=True).values_list("pk", flat=True))

    def first(self, *candidates, not_for: int) -> int:
        for group in candidates:
            for pk in group if isinstance(group, list) else [group]:
                if pk and pk != not_for and pk in self.active:
                    return pk
        raise ValidationError(
            _("Nobody can review this access: add an ICT manager or a privacy officer first.")
        )

    def for_grant(self, granted_by: int | None, holder: int) -> int:
        return self.first(granted_by, self.ict, self.officers, not_for=holder)

    def for_consent(self, requested_by: int, employee: int) -> int:
        return self.first(requested_by, self.ict, self.officers, not_for=employee)

    def for_account(self, user: User) -> int:
        if user.role in STAFF_ROLES:
            return self.first(self.officers, self.ict, not_for=user.pk)
        return self.first(self.admins.get(user.customer_id, []), self.officers, not_for=user.pk)


def _items_collect(review: AccessReview, at: datetime.datetime) -> list[AccessReviewItem]:
    owners = _Owners()
    items = []
    for grant in StandingGrant.objects.filter(ended_at__isnull=True).order_by("pk"):
        owner = owners.for_grant(grant.granted_by_id, grant.holder_id)
        items.append((ReviewSubject.STANDING, grant.pk, owner, False))
    for access in TemporaryAccess.objects.filter(state=TemporaryState.ACTIVE).order_by("pk"):
        owner = owners.for_grant(access.decided_by_id, access.requester_id)
        items.append((ReviewSubject.TEMPORARY, access.pk, owner, False))
    for consent in AccessConsent.objects.filter(state=ConsentState.GRANTED).order_by("pk"):
        owner = owners.for_consent(consent.requested_by_id, consent.employee_id)
        items.append((ReviewSubject.CONSENT, consent.pk, owner, False))
    accounts = list(User.objects.filter(is_active=True).order_by("pk"))
    last = last_sign_ins([u.pk for u in accounts])
    for user in accounts:
        flagged = is_unused(last.get(user.pk), at)
        items.append((ReviewSubject.ACCOUNT, user.pk, owners.for_account(user), flagged))
    return [
        AccessReviewItem(
            review=review, subject=subject, subject_id=pk, owner_id=owner, unused_for_90_days=flag
        )
        for subject, pk, owner, flag in items
    ]


def review_open(
    *, actor, at: datetime.datetime | None = None, by_hand: bool = False
) -> AccessReview:
    """Open a review of the quarter `at` falls in, with an item for everything reviewed.
    Opened by hand when the quarter's review exists already, it is labelled "(2)", "(3)"."""
    at = at or timezone.now()
    label = quarter_label(quarter_start(at))
    with transaction.atomic():
        if by_hand:
            taken = AccessReview.objects.filter(period_label__startswith=label).count()
            label = f"{label} ({taken + 1})" if taken else label
        review = AccessReview.objects.create(
            period_label=label, opened_at=at, due_at=at + REVIEW_PERIOD
        )
        items = bulk_create_with_history(_items_collect(review, at), AccessReviewItem)
        counts = {subject.value: 0 for subject in ReviewSubject}
        for item in items:
            counts[item.subject] += 1
        event_record(
            actor=actor,
            action="access.review.opened",
            obj=review,
            after={
                "period": label,
                "due_at": review.due_at.isoformat(),
                "by_hand": by_hand,
                "items": counts,
                "unused_for_90_days": sum(item.unused_for_90_days for item in items),
            },
        )
    return review


def review_quarter_open(*, actor, at: datetime.datetime | None = None) -> AccessReview | None:
    """Beat: open this quarter's review from its first moment, once (idempotent: nothing
    when a review was opened since the quarter started, by beat or by hand)."""
    at = at or timezone.now()
    if AccessReview.objects.filter(opened_at__gte=quarter_start(at)).exists():
        return None
    if AccessReview.objects.filter(period_label=quarter_label(quarter_start(at))).exists():
        return None
    return review_open(actor=actor, at=at)


def _refuse_unless_open(item: AccessReviewItem, actor) -> None:
    if item.owner_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Only the owner of this item can confirm or revoke it."))
    if item.review.state != ReviewState.OPEN:
        raise ValidationError(_("This review is completed; its items can no longer change."))
    if item.decision != ReviewDecision.PENDING:
        raise ValidationError(_("This item was already decided; a decision is not changed."))


def _check_input(decision: str, note: str) -> str:
    note = (note or "").strip()
    if decision not in (ReviewDecision.CONFIRMED, ReviewDecision.REVOKED):
        raise ValidationError({"decision": _("Choose to confirm or to revoke the access.")})
    if len(note) > NOTE_MAX:
        raise ValidationError(
            {"note": _("Keep the note under %(max)s characters.") % {"max": NOTE_MAX}}
        )
    if decision == ReviewDecision.REVOKED and not note:
        raise ValidationError(
            {"note": _("Say why the access is revoked: the ICT manager acts on it.")}
        )
    return note


def item_customer_id(item: AccessReviewItem) -> int | None:
    """The customer an item concerns, for the audit trail's customer scope."""
    model = {
        ReviewSubject.TEMPORARY: TemporaryAccess,
        ReviewSubject.CONSENT: AccessConsent,
        ReviewSubject.ACCOUNT: User,
    }.get(item.subject)
    if model is None:
        return None
    return model.objects.filter(pk=item.subject_id).values_list("customer_id", flat=True).first()


def _decide(item, *, actor, decision, note, at) -> None:
    item.decision = decision
    item.decided_by = actor
    item.decided_at = at
    item.note = note
    item.save(update_fields=["decision", "decided_by", "decided_at", "note"])
    event_record(
        actor=actor,
        action=f"access.review.item_{decision}",
        obj=item,
        customer_id=item_customer_id(item),
        before={"decision": ReviewDecision.PENDING},
        after={
            "review": item.review_id,
            "subject": item.subject,
            "subject_id": item.subject_id,
            "decision": decision,
            "note": note,
            "late": at > item.review.due_at,
        },
    )
    if decision == ReviewDecision.REVOKED:
        _revocation_mail(item, actor=actor)


def _close_when_done(review: AccessReview, *, actor, at) -> None:
    if review.items.filter(decision=ReviewDecision.PENDING).exists():
        return
    review.close(at=at)
    review.save()
    event_record(
        actor=actor,
        action="access.review.closed",
        obj=review,
        after={"closed_at": at.isoformat(), "late": at > review.due_at},
    )


def item_decide(
    *, actor, item: AccessReviewItem, decision: str, note: str = "", at=None
) -> AccessReviewItem:
    """The owner confirms or revokes one item (a reason is needed to revoke)."""
    at = at or timezone.now()
    note = _check_input(decision, note)
    with transaction.atomic():
        item = AccessReviewItem.objects.select_for_update().select_related("review").get(pk=item.pk)
        _refuse_unless_open(item, actor)
        _decide(item, actor=actor, decision=decision, note=note, at=at)
        _close_when_done(AccessReview.objects.get(pk=item.review_id), actor=actor, at=at)
    return item


def items_confirm_mine(*, actor, review: AccessReview, item_ids, at=None) -> int:
    """Confirm the shown items at once: every one must be pending and the actor's own,
    else nothing is confirmed."""
    at = at or timezone.now()
    ids = sorted({int(pk) for pk in item_ids})
    if not ids:
        raise ValidationError({"items": _("Choose at least one item to confirm.")})
    with transaction.atomic():
        items = list(
            AccessReviewItem.objects.select_for_update()
            .select_related("review")
            .filter(review=review, pk__in=ids)
            .order_by("pk")
        )
        if len(items) != len(ids):
            raise ValidationError(
                {"items": _("Some of these items are not in this review; nothing was confirmed.")}
            )
        for item in items:
            _refuse_unless_open(item, actor)
        for item in items:
            _decide(item, actor=actor, decision=ReviewDecision.CONFIRMED, note="", at=at)
        _close_when_done(AccessReview.objects.get(pk=review.pk), actor=actor, at=at)
    return len(items)


def _link(name: str, *args) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


def mail_people(*, people, template: str, key: str, context: dict, actor) -> int:
    """Queue one mail per person, in each one's language (inside the caller's transaction)."""
    for person in people:
        subject, text, html = message_render(
            template,
            language=person.language,
            context={"name": person.full_name or person.email, **context},
        )
        message_queue(
            key=f"{key}:to:{person.pk}",
            to_email=person.email,
            to_name=person.full_name[:200],
            language=person.language,
            subject=subject,
            body_text=text,
            body_html=html,
            actor=actor,
        )
    return len(people)


def ict_managers() -> list[User]:
    """Who acts on a revocation: the ICT managers, else the privacy officers."""
    for role in (Role.ICT_MANAGER, Role.PRIVACY_OFFICER):
        people = list(User.objects.filter(role=role, is_active=True).order_by("pk"))
        if people:
            return people
    return []


def _revocation_mail(item: AccessReviewItem, *, actor) -> None:
    mail_people(
        people=ict_managers(),
        template="access_review_revoked",
        key=f"access_review_item:{item.pk}:revoked",
        context={
            "review": item.review.period_label,
            "kind": ReviewSubject(item.subject).label,
            "what": item_describe(item),
            "decided_by": actor.full_name or actor.email,
            "note": item.note,
            "link": _link("access:review_detail", item.review_id),
        },
        actor=actor,
    )


def report_exported(*, actor, rows: int) -> None:
    """Record that the report of what was not reviewed in time left the product."""
    with transaction.atomic():
        event_record(
            actor=actor,
            action="access.review.report_exported",
            after={"format": "csv", "rows": rows},
        )
