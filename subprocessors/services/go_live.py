"""Making an announced change live (SP-03) and offering the right to terminate (SP-06)."""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.services import event_record
from compliance.access import SYSTEM, require
from compliance.outbox import FilledTemplate, message_queue
from compliance.recipients import notice_recipients_by_customer
from subprocessors import deadlines
from subprocessors.models import (
    OPEN_OBJECTION_STATES,
    ChangeKind,
    ChangeNotice,
    ChangeNoticeRecipient,
    ChangeNoticeState,
    Objection,
    ObjectionState,
    SubprocessorStatus,
    TerminationRight,
)
from subprocessors.services.change_notices import sent_completely_sweep
from subprocessors.services.common import (
    display_time,
    display_time_lazy,
)
from subprocessors.services.notice_mail import (
    change_notice_letters_render,
    mail_context,
)
from subprocessors.services.register import location_add
from subprocessors.services.validation import notice_snapshot

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- go live


def _objections_to(notice: ChangeNotice):
    """Objections that concern this change: lodged against it, or against its subprocessor
    since it was announced."""
    return Objection.objects.filter(
        Q(change_notice=notice)
        | Q(
            change_notice__isnull=True,
            subprocessor_id=notice.subprocessor_id,
            lodged_at__gte=notice.announced_at,
        )
    )


def _change_apply(notice: ChangeNotice, *, actor, now: datetime.datetime) -> None:
    subprocessor = notice.subprocessor
    today = timezone.localdate(now)
    if notice.kind == ChangeKind.NEW_SUBPROCESSOR:
        subprocessor.status = SubprocessorStatus.ACTIVE
        subprocessor.active_since = today
        subprocessor.save(update_fields=["status", "active_since"])
        event_record(
            actor=actor,
            action="subprocessor.activated",
            obj=subprocessor,
            after={"change_notice": notice.pk, "active_since": today.isoformat()},
        )
    elif notice.kind == ChangeKind.NEW_LOCATION:
        location_add(
            actor=actor,
            subprocessor=subprocessor,
            city=notice.location_city,
            country=notice.location_country,
            name=notice.location_name,
        )
    elif notice.kind == ChangeKind.NEW_PURPOSE:
        before = subprocessor.purpose
        subprocessor.purpose = notice.new_purpose
        subprocessor.save(update_fields=["purpose"])
        event_record(
            actor=actor,
            action="subprocessor.purpose_changed",
            obj=subprocessor,
            before={"purpose": before},
            after={"purpose": notice.new_purpose, "change_notice": notice.pk},
        )
    else:
        subprocessor.status = SubprocessorStatus.REMOVED
        subprocessor.removed_on = today
        subprocessor.save(update_fields=["status", "removed_on"])
        event_record(
            actor=actor,
            action="subprocessor.removed",
            obj=subprocessor,
            after={"change_notice": notice.pk, "removed_on": today.isoformat()},
        )


def _termination_rights_offer(notice: ChangeNotice, *, actor, now) -> list[TerminationRight]:
    """SP-06: every customer whose objection to this change is open or was rejected may now
    terminate at once; tell its contacts."""
    if notice.kind == ChangeKind.REMOVAL:
        return []
    objections = (
        _objections_to(notice)
        .filter(state__in=[*OPEN_OBJECTION_STATES, ObjectionState.REJECTED])
        .order_by("customer_id", "lodged_at", "id")
    )
    first_per_customer: dict[int, Objection] = {}
    for objection in objections:
        first_per_customer.setdefault(objection.customer_id, objection)
    rights = []
    contacts = notice_recipients_by_customer(first_per_customer.keys())
    context = {**mail_context(notice), "went_live_display": display_time_lazy(now)}
    template = FilledTemplate("subprocessor_termination_right", ())
    for customer_id, objection in first_per_customer.items():
        right, created = TerminationRight.objects.get_or_create(
            customer_id=customer_id,
            change_notice=notice,
            defaults={"objection": objection, "offered_at": now},
        )
        if not created:
            continue
        event_record(
            actor=actor,
            action="termination.offered",
            obj=right,
            after={"change_notice": notice.pk, "objection": objection.pk},
            customer_id=customer_id,
        )
        addressees = [
            (c.email, c.name, c.effective_language, c) for c in contacts.get(customer_id, [])
        ]
        if not any(a[0].lower() == objection.lodged_by.email.lower() for a in addressees):
            user = objection.lodged_by
            addressees.append((user.email, user.full_name, user.language, None))
        for email, name, language, contact in addressees:
            subject, text, html = template.render(language=language, context=context)
            message_queue(
                key=f"termination_right:{right.pk}:{email.lower()}",
                to_email=email,
                to_name=name,
                language=language,
                subject=subject,
                body_text=text,
                body_html=html,
                customer=objection.customer,
                contact=contact,
                actor=actor,
                cause=right,
            )
        rights.append(right)
    return rights


def change_notice_go_live(*, notice: ChangeNotice, actor=SYSTEM) -> ChangeNotice:
    """Make an announced change real at its effective moment (SP-03), and offer the right to
    terminate to customers whose objection is open or was rejected (SP-06).

    Refused unless now >= effective_at and, for all but a removal, effective_at lies at
    least 28 days after the last customer was informed; the database refuses it too.
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
            raise ValidationError(_("Only an announced change can go live."))
        if not deadlines.go_live_allowed(
            kind=notice.kind,
            effective_at=notice.effective_at,
            sent_completely_at=notice.sent_completely_at,
            now=now,
        ):
            if notice.needs_notice_period and notice.sent_completely_at is None:
                message = _("Not every affected customer has been informed yet.")
            else:
                message = _("The effective moment %(at)s has not come yet.") % {
                    "at": display_time(notice.effective_at)
                }
            raise ValidationError(message)
        notice.go_live(at=now)
        try:
            with transaction.atomic():
                notice.save()
        except IntegrityError as exc:
            raise ValidationError(
                _("A change may go live only 28 days after every customer was informed.")
            ) from exc
        _change_apply(notice, actor=actor, now=now)
        rights = _termination_rights_offer(notice, actor=actor, now=now)
        event_record(
            actor=actor,
            action="change_notice.effective",
            obj=notice,
            after={
                **notice_snapshot(notice),
                "went_live_at": now.isoformat(),
                "termination_rights": [r.customer_id for r in rights],
            },
        )
    return notice


def change_notices_go_live_due(*, letters_limit: int = 20) -> int:
    """The beat sweep: every announced change whose moment has come and whose 28 days hold
    goes live; letters a lost task did not render are rendered; a `sent_completely_at` a
    lost after-commit check left unset is recorded. Returns changes made live."""

    sent_completely_sweep()
    now = timezone.now()
    done = 0
    due = ChangeNotice.objects.filter(state=ChangeNoticeState.ANNOUNCED, effective_at__lte=now)
    for notice in due.order_by("effective_at", "id"):
        if not deadlines.go_live_allowed(
            kind=notice.kind,
            effective_at=notice.effective_at,
            sent_completely_at=notice.sent_completely_at,
            now=now,
        ):
            continue
        try:
            change_notice_go_live(notice=notice)
            done += 1
        except ValidationError:
            log.info("change notice %s not live yet", notice.pk)
    missing = defaultdict(int)
    # Recent rows are left to the task queued on commit, which is probably rendering them.
    settled = now - datetime.timedelta(minutes=2)
    for notice_id in (
        ChangeNoticeRecipient.objects.filter(letter__isnull=True, created_at__lte=settled)
        .exclude(change_notice__state=ChangeNoticeState.DRAFT)
        .values_list("change_notice_id", flat=True)[:letters_limit]
    ):
        missing[notice_id] += 1
    for notice_id, count in missing.items():
        change_notice_letters_render(notice_id=notice_id, limit=count)
    return done
