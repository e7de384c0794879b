"""Change notices: draft (`subprocessors.services.drafting`), announce to every affected
customer, wait 28 days, go live (SP-03).

The 28 days run from `sent_completely_at`, the moment the last affected customer was
informed (its first message accepted by the mail server, or a notice recorded out of band).
The rule is checked here, enforced by a database constraint on the stored moments, and
checked again by the beat task that makes a change live.
"""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from audits.services import event_record
from compliance.access import require
from compliance.after_commit import after_commit_add
from subprocessors import deadlines
from subprocessors.models import (
    ChangeKind,
    ChangeNotice,
    ChangeNoticeRecipient,
    ChangeNoticeState,
    SubprocessorStatus,
)
from subprocessors.services.common import display_time_lazy
from subprocessors.services.notice_mail import (
    affected_customers,
    fan_out,
    letters_render_later,
)
from subprocessors.services.validation import (
    effective_at_check,
    effective_at_later_check,
    notice_snapshot,
)

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------- announce


def change_notice_announce(*, actor, notice: ChangeNotice) -> ChangeNotice:
    """Announce a change to every affected customer and every subscriber (SP-03).

    One recipient row per affected customer, one outbox message per notice contact (cause =
    that row, so acceptance sets `informed_at`), one per confirmed subscriber, all in this
    transaction. The PDF letters are rendered after commit; sending never waits for them.
    """
    require(actor, "change_notice.change")
    now = timezone.now()
    with transaction.atomic():
        notice = (
            ChangeNotice.objects.select_for_update()
            .select_related("subprocessor")
            .get(pk=notice.pk)
        )
        if notice.state != ChangeNoticeState.DRAFT:
            raise ValidationError(_("This change notice was already announced or withdrawn."))
        effective_at_check(kind=notice.kind, effective_at=notice.effective_at, now=now)
        notice.announce(by=actor, at=now)
        affected = affected_customers(notice)
        recipients = bulk_create_with_history(
            [
                ChangeNoticeRecipient(
                    change_notice=notice,
                    customer_id=customer_id,
                    reason=reason,
                    contract_ended_on=ended_on,
                    created_at=now,
                )
                for customer_id, (reason, ended_on) in sorted(affected.items())
            ],
            ChangeNoticeRecipient,
            default_user=actor if getattr(actor, "pk", None) else None,
        )
        if not recipients:
            # Nobody to wait for: the 28 days run from the announcement.
            notice.sent_completely_at = now
            notice.effective_at = deadlines.effective_at_after_sending(
                kind=notice.kind, effective_at=notice.effective_at, sent_completely_at=now
            )
        notice.save()
        recipients = list(
            ChangeNoticeRecipient.objects.filter(change_notice=notice).order_by("customer_id")
        )
        queued = fan_out(
            notice=notice,
            event="announced",
            recipients=recipients,
            actor=actor,
            customer_template="subprocessor_change_announced",
            subscriber_template="subprocessor_change_announced_subscriber",
        )
        event_record(
            actor=actor,
            action="change_notice.announced",
            obj=notice,
            after={
                **notice_snapshot(notice),
                "customers": len(recipients),
                "messages": queued,
                "sent_completely_at": notice.sent_completely_at.isoformat()
                if notice.sent_completely_at
                else None,
            },
        )
        notice_id = notice.pk
        transaction.on_commit(lambda: letters_render_later(notice_id))
    return notice


# --------------------------------------------------------------------------- informed


def _sent_completely_check(notice_id: int, *, actor=None) -> bool:
    """When no recipient is left uninformed: record `sent_completely_at` (the last
    `informed_at`) exactly once and move the effective moment later if the 28 days now end
    after it (never earlier) (SP-03).

    The notice row is locked only here, once nobody is left: informing a customer locks
    just its recipient row, so workers recording acceptances do not take turns on the
    notice. Two transactions informing the last two customers at once may each still see
    the other's customer as open; the check after commit (`_sent_completely_after_commit`)
    and the beat sweep catch that case. Returns whether it recorded the moment.
    """
    open_notice = ChangeNotice.objects.filter(
        pk=notice_id, state=ChangeNoticeState.ANNOUNCED, sent_completely_at__isnull=True
    )
    uninformed = ChangeNoticeRecipient.objects.filter(
        change_notice_id=notice_id, informed_at__isnull=True
    )
    # Both unlocked reads are index lookups (`change_recipient_open_idx` for the second).
    if not open_notice.exists() or uninformed.exists():
        return False
    with transaction.atomic():
        notice = ChangeNotice.objects.select_for_update().get(pk=notice_id)
        # Read again under the lock: whoever got it first has recorded the moment.
        if notice.sent_completely_at is not None or notice.state != ChangeNoticeState.ANNOUNCED:
            return False
        if uninformed.exists():
            return False
        last = notice.recipients.aggregate(last=Max("informed_at"))["last"]
        notice.sent_completely_at = last
        before = notice.effective_at
        notice.effective_at = deadlines.effective_at_after_sending(
            kind=notice.kind, effective_at=notice.effective_at, sent_completely_at=last
        )
        notice.save(update_fields=["sent_completely_at", "effective_at"])
        event_record(
            actor=actor,
            action="change_notice.sent_completely",
            obj=notice,
            before={"effective_at": before.isoformat()},
            after={
                "sent_completely_at": last.isoformat(),
                "effective_at": notice.effective_at.isoformat(),
                "effective_at_moved": notice.effective_at != before,
            },
        )
    return True


def _sent_completely_after_commit(notice_id: int) -> None:
    """Check again once this transaction has committed, at most once per transaction and
    notice: the last of several transactions informing customers concurrently to commit
    sees them all informed."""
    after_commit_add("_change_notice_checks", notice_id, _sent_completely_checks)


def _sent_completely_checks(ids: list[int]) -> None:
    for notice_id in sorted(set(ids)):
        try:
            _sent_completely_check(notice_id)
        except Exception:  # noqa: BLE001 - the beat sweep checks again
            log.warning("sent-completely check of notice %s failed", notice_id, exc_info=True)


def sent_completely_sweep() -> int:
    """Beat safety net: record `sent_completely_at` for announced notices whose customers
    are all informed but whose check after commit was lost (a worker died between its
    commit and the check). The moment recorded is still the last `informed_at`."""
    done = 0
    candidates = ChangeNotice.objects.filter(
        state=ChangeNoticeState.ANNOUNCED, sent_completely_at__isnull=True
    ).exclude(recipients__informed_at__isnull=True)
    for notice_id in candidates.values_list("pk", flat=True):
        done += _sent_completely_check(notice_id)
    return done


def recipient_informed(*, recipient_id: int, informed_at: datetime.datetime) -> None:
    """A message to this customer was accepted (signal receiver, inside the outbox's
    transaction): the first one sets `informed_at` (SP-03).

    Locks only the recipient row: the outbox holds its locks until its commit group
    commits, and a lock on the notice would make every sending worker wait for the
    others' groups. The notice is locked only once no customer is left uninformed.
    """
    if not ChangeNoticeRecipient.objects.filter(pk=recipient_id, informed_at__isnull=True).exists():
        return  # the usual case for the second contact of a customer: nothing to do
    with transaction.atomic():
        # of=self and no ordering: the model's ordering joins the notice, and a bare FOR
        # UPDATE would lock that joined row too.
        recipient = (
            ChangeNoticeRecipient.objects.select_for_update(of=("self",))
            .filter(pk=recipient_id)
            .order_by()
            .first()
        )
        if recipient is None or recipient.informed_at is not None:
            return
        state, sent_completely_at = (
            ChangeNotice.objects.filter(pk=recipient.change_notice_id)
            .values_list("state", "sent_completely_at")
            .get()
        )
        if state != ChangeNoticeState.ANNOUNCED:
            return
        recipient.informed_at = informed_at
        recipient.save(update_fields=["informed_at"])
        event_record(
            actor=None,
            action="change_notice.customer_informed",
            obj=recipient,
            after={
                "change_notice": recipient.change_notice_id,
                "informed_at": informed_at.isoformat(),
            },
            customer_id=recipient.customer_id,
        )
        if sent_completely_at is None and not _sent_completely_check(recipient.change_notice_id):
            _sent_completely_after_commit(recipient.change_notice_id)


def change_notice_out_of_band_record(
    *,
    actor,
    recipient: ChangeNoticeRecipient,
    note: str,
    informed_at: datetime.datetime | None = None,
) -> ChangeNoticeRecipient:
    """Record that a customer was informed another way (phone, letter) (SP-03)."""
    require(actor, "change_notice.change")
    note = (note or "").strip()
    now = timezone.now()
    informed_at = informed_at or now
    if not note:
        raise ValidationError({"note": _("Say how and whom you informed.")})
    if informed_at > now:
        raise ValidationError({"informed_at": _("This moment lies in the future.")})
    with transaction.atomic():
        # Recipient before notice, the order `recipient_informed` takes them in.
        recipient = ChangeNoticeRecipient.objects.select_for_update().get(pk=recipient.pk)
        notice = ChangeNotice.objects.select_for_update().get(pk=recipient.change_notice_id)
        if notice.state != ChangeNoticeState.ANNOUNCED:
            raise ValidationError(_("This change notice is not announced."))
        if notice.announced_at and informed_at < notice.announced_at:
            raise ValidationError(
                {"informed_at": _("A customer cannot be informed before the announcement.")}
            )
        if recipient.informed_at is not None:
            raise ValidationError(_("This customer was already informed."))
        recipient.informed_at = informed_at
        recipient.out_of_band_note = note
        recipient.out_of_band_by = actor if getattr(actor, "pk", None) else None
        recipient.save()
        event_record(
            actor=actor,
            action="change_notice.informed_out_of_band",
            obj=recipient,
            after={"informed_at": informed_at.isoformat(), "note": note},
            customer_id=recipient.customer_id,
        )
        _sent_completely_check(notice.pk, actor=actor)
    return recipient


# --------------------------------------------------------------------------- dates


def change_notice_effective_set(
    *, actor, notice: ChangeNotice, effective_at: datetime.datetime
) -> ChangeNotice:
    """Move the effective moment of an announced change later (SP-03).

    1. Customers were told the current moment: an earlier one is refused, and so is one
       before the earliest moment the product accepts (`deadlines.earliest_effective_at`).
    2. The same moment is no move: nothing is stored, sent or recorded.
    3. A later moment is stored (history), mailed through the outbox to every contact of
       every customer told of the change and every confirmed subscriber, in each
       recipient's language, with a key per move and recipient, and recorded as an event.
    """
    require(actor, "change_notice.change")
    now = timezone.now()
    with transaction.atomic():
        notice = (
            ChangeNotice.objects.select_for_update()
            .select_related("subprocessor")
            .get(pk=notice.pk)
        )
        if notice.state != ChangeNoticeState.ANNOUNCED:
            raise ValidationError(_("Only an announced change has an effective moment to move."))
        effective_at_check(
            kind=notice.kind,
            effective_at=effective_at,
            announced=True,
            sent_completely_at=notice.sent_completely_at,
            now=now,
        )
        before = notice.effective_at
        effective_at_later_check(told=before, effective_at=effective_at)
        if effective_at == before:
            return notice
        notice.effective_at = effective_at
        notice.save(update_fields=["effective_at"])
        # One key per move: each move is strictly later, so its moment names it.
        moved = effective_at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        queued = fan_out(
            notice=notice,
            event=f"moved:{moved}",
            recipients=list(notice.recipients.order_by("customer_id")),
            actor=actor,
            customer_template="subprocessor_change_moved",
            subscriber_template="subprocessor_change_moved_subscriber",
            extra_context={"previous_display": display_time_lazy(before)},
        )
        event_record(
            actor=actor,
            action="change_notice.effective_moved",
            obj=notice,
            before={"effective_at": before.isoformat()},
            after={"effective_at": effective_at.isoformat(), "messages": queued},
        )
    return notice


# --------------------------------------------------------------------------- withdraw


def notice_withdraw(*, actor, notice: ChangeNotice, reason: str) -> ChangeNotice:
    """Withdraw without the permission check: for the officer's service and for a board
    decision upholding an objection (SP-05). Runs in the caller's transaction."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the withdrawal.")})
    notice = (
        ChangeNotice.objects.select_for_update().select_related("subprocessor").get(pk=notice.pk)
    )
    if notice.state not in (ChangeNoticeState.DRAFT, ChangeNoticeState.ANNOUNCED):
        raise ValidationError(_("Only a draft or an announced change can be withdrawn."))
    was_announced = notice.state == ChangeNoticeState.ANNOUNCED
    notice.withdraw(by=actor, at=timezone.now(), reason=reason)
    notice.save()
    subprocessor = notice.subprocessor
    if notice.kind == ChangeKind.NEW_SUBPROCESSOR and subprocessor.status == "pending":
        subprocessor.status = SubprocessorStatus.WITHDRAWN
        subprocessor.save(update_fields=["status"])
    queued = 0
    if was_announced:
        queued = fan_out(
            notice=notice,
            event="withdrawn",
            recipients=list(notice.recipients.order_by("customer_id")),
            actor=actor,
            customer_template="subprocessor_change_withdrawn",
            subscriber_template="subprocessor_change_withdrawn_subscriber",
        )
    event_record(
        actor=actor,
        action="change_notice.withdrawn",
        obj=notice,
        after={**notice_snapshot(notice), "reason": reason, "messages": queued},
    )
    return notice


def change_notice_withdraw(*, actor, notice: ChangeNotice, reason: str) -> ChangeNotice:
    """Withdraw a change (SP-03); after announcement everyone is told again."""
    require(actor, "change_notice.change")
    with transaction.atomic():
        return notice_withdraw(actor=actor, notice=notice, reason=reason)
