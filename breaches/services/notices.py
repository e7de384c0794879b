"""A customer's notice: informing it (e-mail acceptance, out of band), and the customer's
own acknowledgement, announced intention and decision (BR-03, BR-04, BR-09)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audits.services import event_record
from breaches import deadlines
from breaches.decisions import decision_values, legacy_statuses, local_today
from breaches.links import incident_link
from breaches.models import (
    DECISION_FIELDS,
    CustomerNotice,
    InformedHow,
    IntentionRecipient,
    NoticeState,
    NotificationKind,
)
from breaches.services.common import (
    error,
    iso,
    not_in_future,
    now,
    officers_alert,
    required_text,
)
from breaches.services.letters import notice_letter_queue
from compliance.access import require
from compliance.templatetags.compliance_tags import local_deadline


def _lock(notice: CustomerNotice) -> CustomerNotice:
    return (
        # of=self: a bare FOR UPDATE would also lock the joined incident row, which every
        # outbox worker recording an acceptance for that incident then waits on.
        CustomerNotice.objects.select_for_update(of=("self",))
        .select_related("incident", "customer")
        .get(pk=notice.pk)
    )


def _value(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


def notice_inform(notice: CustomerNotice, *, at: datetime.datetime, how: str) -> list[str]:
    """Mark a notice informed at `at` (the first accepted message, an out-of-band notice or
    the customer's acknowledgement): its awareness and its own 72 hours start then, unless
    it reported the incident itself and was aware already (BR-04). Changes fields only;
    returns what changed for the audit event. The caller holds the lock and saves."""
    if notice.informed_at is not None:
        return []
    notice.informed_at = at
    notice.informed_how = how
    notice.undelivered_at = None
    if not notice.customer_reported or notice.aware_at is None:
        notice.aware_at = at
    notice.authority_due_at = deadlines.authority_due_at(notice.aware_at)
    notice.late = deadlines.is_late(informed_at=at, due_at=notice.incident.customer_due_at)
    if notice.decided_at is None:
        notice.next_reminder_at = deadlines.first_reminder_at(
            due_at=notice.authority_due_at, hours=deadlines.CUSTOMER_REMINDER_HOURS, now=now()
        )
    if notice.state in (NoticeState.QUEUED, NoticeState.FAILED):
        notice.mark_sent()
    return ["informed_at", "aware_at", "authority_due_at", "late"]


def _informed_snapshot(notice: CustomerNotice) -> dict:
    return {
        "informed_at": iso(notice.informed_at),
        "informed_how": notice.informed_how,
        "aware_at": iso(notice.aware_at),
        "authority_due_at": iso(notice.authority_due_at),
        "late": notice.late,
        "state": notice.state,
    }


def notice_out_of_band_record(
    *,
    actor,
    notice: CustomerNotice,
    note: str,
    informed_at: datetime.datetime | None = None,
    late_reason: str = "",
) -> CustomerNotice:
    """The officer informed the customer another way ("phoned J. Jansen at 14:05"); it
    counts as informing it (BR-03), and its 72 hours run from then (BR-04), so the moment
    lies between the incident's discovery and now: earlier, the customer's 72 hours would
    be over before it was told. When it was after the 48-hour deadline, the reason for the
    delay is required."""
    require(actor, "incident.manage")
    note = required_text(note, "note", _("Say how, whom and when you informed."))
    at = now()
    informed_at = informed_at or at
    not_in_future(informed_at, "informed_at", at)
    with transaction.atomic():
        notice = _lock(notice)
        discovered_at = notice.incident.discovered_at
        if informed_at < discovered_at:
            raise error(
                "informed_at",
                _(
                    "This is before the incident was discovered (%(discovered)s): a customer "
                    "cannot have been informed of it then."
                )
                % {"discovered": local_deadline(discovered_at)},
                "before_discovery",
            )
        before = _informed_snapshot(notice)
        late = deadlines.is_late(informed_at=informed_at, due_at=notice.incident.customer_due_at)
        late_reason = (late_reason or "").strip()
        if notice.informed_at is None and late and not (late_reason or notice.late_reason):
            raise error(
                "late_reason",
                _("This is after the 48-hour deadline. Record the reason."),
                "late_reason_required",
            )
        notice.out_of_band_note = note
        notice.out_of_band_by = actor
        notice.out_of_band_at = informed_at
        if late_reason:
            notice.late_reason = late_reason
        notice_inform(notice, at=informed_at, how=InformedHow.OUT_OF_BAND)
        notice.save()
        notice_letter_queue(notice)  # BR-06: the letter states its own deadline (BR-04)
        event_record(
            actor=actor,
            action="notice.out_of_band_recorded",
            obj=notice,
            before=before,
            after={**_informed_snapshot(notice), "note": note, "late_reason": notice.late_reason},
            customer_id=notice.customer_id,
        )
    return notice


def notice_late_reason_record(*, actor, notice: CustomerNotice, reason: str) -> CustomerNotice:
    """The reason a customer was (or will be) informed after the 48-hour deadline (BR-03).

    Taken only when `deadlines.is_late_or_overdue`, the rule the pages offer the form by:
    informed after the deadline, or not informed while it has passed. A customer informed
    in time has no delay to explain, however late the reason is offered."""
    require(actor, "incident.manage")
    reason = required_text(reason, "reason", _("Explain the delay."))
    with transaction.atomic():
        notice = _lock(notice)
        if not deadlines.is_late_or_overdue(
            informed_at=notice.informed_at, due_at=notice.incident.customer_due_at, now=now()
        ):
            raise ValidationError({"__all__": _("This notice is not late.")})
        before = {"late_reason": notice.late_reason}
        notice.late_reason = reason
        notice.save()
        event_record(
            actor=actor,
            action="notice.late_reason_recorded",
            obj=notice,
            before=before,
            after={"late_reason": reason},
            customer_id=notice.customer_id,
        )
    return notice


def notice_acknowledge(*, actor, notice: CustomerNotice) -> CustomerNotice:
    """The customer's contact confirms it received the notice (BR-04). Seeing the notice in
    the portal also proves the customer is aware, if no message was accepted yet."""
    require(actor, "notice.respond", notice)
    with transaction.atomic():
        notice = _lock(notice)
        if notice.acknowledged_at is not None:
            return notice
        at = now()
        before = _informed_snapshot(notice)
        notice_inform(notice, at=at, how=InformedHow.PORTAL)
        if notice.state == NoticeState.DECIDED:
            notice.acknowledged_at, notice.acknowledged_by = at, actor
        else:
            notice.acknowledge(by=actor, at=at)
        notice.save()
        notice_letter_queue(notice)
        event_record(
            actor=actor,
            action="notice.acknowledged",
            obj=notice,
            before=before,
            after={**_informed_snapshot(notice), "acknowledged_at": iso(at)},
            customer_id=notice.customer_id,
        )
    return notice


def notice_intention_announce(
    *,
    actor,
    notice: CustomerNotice,
    kind: str,
    recipients: list[str],
    planned_at: datetime.datetime | None = None,
    note: str = "",
) -> CustomerNotice:
    """The customer announces a (preliminary) notification to one or more of the AP, the GBA
    (a cross-border breach) and the data subjects before making it (BR-09); every privacy
    officer is alerted at once."""
    require(actor, "notice.respond", notice)
    errors = {}
    if kind not in NotificationKind.values:
        errors["kind"] = [_("Choose preliminary or complete.")]
    chosen = set(recipients or ())
    if not chosen or not chosen <= set(IntentionRecipient.values):
        errors["recipients"] = [_("Choose one or more of the AP, the GBA and the data subjects.")]
    recipients = [value for value in IntentionRecipient.values if value in chosen]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        notice = _lock(notice)
        at = now()
        before = {
            "intention_kind": notice.intention_kind,
            "intention_recipients": list(notice.intention_recipients or ()),
            "intention_planned_at": iso(notice.intention_planned_at),
            "intention_note": notice.intention_note,
        }
        notice.intention_kind = kind
        notice.intention_recipients = recipients
        notice.intention_planned_at = planned_at
        notice.intention_note = (note or "").strip()
        notice.intention_at = at
        notice.intention_by = actor
        notice.save()
        event_record(
            actor=actor,
            action="notice.intention_announced",
            obj=notice,
            before=before,
            after={
                "intention_kind": kind,
                "intention_recipients": recipients,
                "intention_planned_at": iso(planned_at),
                "intention_note": notice.intention_note,
            },
            customer_id=notice.customer_id,
        )
        officers_alert(
            key=f"notice:{notice.pk}:intention:{at.timestamp():.6f}",
            kind="intention",
            context={
                "incident": notice.incident,
                "notice": notice,
                "customer": notice.customer,
                "link": incident_link(notice.incident_id),
            },
            actor=actor,
            customer=notice.customer,
        )
    return notice


def notice_decision_record(
    *,
    actor,
    notice: CustomerNotice,
    is_breach: bool,
    breach_reasoning: str,
    authority_status: str = "",
    authority: str = "",
    authority_notified_on: datetime.date | None = None,
    authority_reference: str = "",
    authority_reasoning: str = "",
    subjects_status: str = "",
    subjects_informed_on: datetime.date | None = None,
    subjects_how: str = "",
    subjects_reasoning: str = "",
    authority_notified: bool | None = None,
    authority_kind: str = "",
    subjects_informed: bool | None = None,
) -> CustomerNotice:
    """The customer records its own decision (BR-04): whether it is a personal data breach
    for it; whether it will notify, notified (completely or provisionally, Art. 33(4)) or
    will not notify the authority; whether it will inform, informed or will not inform the
    data subjects. Revisable; the history keeps every version. The processor never
    notifies an authority: this records only what the customer does.

    `authority_notified`, `authority_kind` and `subjects_informed` are the earlier yes/no
    answers, still taken when the statuses are not given (API clients)."""
    require(actor, "notice.respond", notice)
    legacy_authority, legacy_subjects = legacy_statuses(
        authority_notified=authority_notified,
        authority_kind=authority_kind,
        subjects_informed=subjects_informed,
    )
    answers = {
        "is_breach": is_breach,
        "breach_reasoning": breach_reasoning,
        "authority_status": authority_status or legacy_authority,
        "authority": authority,
        "authority_notified_on": authority_notified_on,
        "authority_reference": authority_reference,
        "authority_reasoning": authority_reasoning,
        "subjects_status": subjects_status or legacy_subjects,
        "subjects_informed_on": subjects_informed_on,
        "subjects_how": subjects_how,
        "subjects_reasoning": subjects_reasoning,
    }
    values, errors = decision_values(answers, today=local_today())
    if authority_notified is True and not authority_status and not authority_kind:
        errors["authority_kind"] = [_("Choose preliminary or complete.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        notice = _lock(notice)
        at = now()
        before = {name: _value(getattr(notice, name)) for name in DECISION_FIELDS}
        revised = notice.decided_at is not None
        notice_inform(notice, at=at, how=InformedHow.PORTAL)
        for name, value in values.items():
            setattr(notice, name, value)
        notice.decide(by=actor, at=at)
        notice.save()
        notice_letter_queue(notice)
        event_record(
            actor=actor,
            action="notice.decision_revised" if revised else "notice.decision_recorded",
            obj=notice,
            before=before if revised else None,
            after={name: _value(getattr(notice, name)) for name in DECISION_FIELDS},
            customer_id=notice.customer_id,
        )
    return notice
