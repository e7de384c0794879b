"""Audits of the processor for a customer (AU-01, AU-02).

AU-01: the privacy officer records an audit by the customer's auditors or by auditors the
regulator hired. The customer is informed at once (a mail to its administrators and breach
contacts through the outbox, `customer_informed_at`) unless a legal ground forbids it; the
ground is then required and only the processor's own people ever see it.

What a customer-scoped reader of the audit trail sees: events of an audit the customer was
told about (or asked for) carry its `customer_id`; events of an audit it was NOT told about
are recorded without a customer, so neither the portal, the customer's history nor an
auditor that customer engaged (the Audit section's search is limited to its customer id)
ever sees that such an audit exists. The ground itself is never put in any event payload;
it lives only on the record (and its field history), read through `customer_audit.view_ground`.

AU-02: a customer's administrator asks for an audit (by arrangement, at its own cost); the
privacy officer schedules it, marks it started and records the report's receipt. Beat: a
scheduled audit is reminded to the privacy officers `REMIND_BEFORE_DAYS` before its first
day (Amsterdam midnight), an asked-for audit still unscheduled `ESCALATE_AFTER_DAYS` after
it was asked for is escalated to them; each once.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.services import event_record
from compliance.access import require
from compliance.models import Contact, Customer, Role, User
from compliance.outbox import message_queue, message_render
from compliance.recipients import alert_recipients
from processing.models.audits import (
    ESCALATE_AFTER_DAYS,
    REMIND_BEFORE_DAYS,
    AuditKind,
    CustomerAudit,
    CustomerAuditState,
)

MAIL_TEMPLATE = "processing_audit"
BATCH = 200
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _state(audit: CustomerAudit) -> dict:
    """The event payload: never the legal ground (AU-01)."""
    return {
        "state": audit.state,
        "kind": audit.kind,
        "customer": audit.customer_id,
        "auditor": audit.auditor,
        "starts_on": _iso(audit.starts_on),
        "ends_on": _iso(audit.ends_on),
        "customer_informed": audit.informed,
    }


def _event_customer(audit: CustomerAudit) -> int | None:
    """AU-01: an audit the customer does not know of leaves no trace in its history."""
    return audit.customer_id if audit.informed else None


def _event(audit: CustomerAudit, *, actor, action: str, before=None, after=None) -> None:
    event_record(
        actor=actor,
        action=f"processing.audit.{action}",
        obj=audit,
        before=before,
        after=after if after is not None else _state(audit),
        customer_id=_event_customer(audit),
    )


def _link(audit: CustomerAudit, *, portal: bool) -> str:
    if portal:
        path = reverse("processing:portal_audits")
    else:
        path = reverse("processing:audit_detail", kwargs={"pk": audit.pk})
    return settings.SITE_URL.rstrip("/") + path


def _context(audit: CustomerAudit, *, kind: str, name: str, portal: bool) -> dict:
    return {
        "kind": kind,
        "audit": audit,
        "name": name,
        "customer": audit.customer.name,
        "link": _link(audit, portal=portal),
    }


def _tell_customer(audit: CustomerAudit, *, kind: str, actor) -> int:
    """A mail to the customer's administrators and breach contacts, each address once."""
    if not audit.informed:
        return 0
    language = audit.customer.language or "en"
    admins = User.objects.filter(
        role=Role.CUSTOMER_ADMIN, customer_id=audit.customer_id, is_active=True
    ).order_by("pk")
    contacts = Contact.objects.filter(
        customer_id=audit.customer_id, receives_breach_notices=True
    ).order_by("pk")
    recipients = [
        (f"user:{u.pk}", u.email, u.full_name, u.language or language, None) for u in admins
    ] + [(f"contact:{c.pk}", c.email, c.name, c.effective_language or "en", c) for c in contacts]
    seen: set[str] = set()
    for suffix, email, name, lang, contact in recipients:
        if not email or email.lower() in seen:
            continue
        seen.add(email.lower())
        subject, text, html = message_render(
            MAIL_TEMPLATE, language=lang, context=_context(audit, kind=kind, name=name, portal=True)
        )
        message_queue(
            key=f"processing:audit:{audit.pk}:{kind}:{suffix}",
            to_email=email,
            to_name=name,
            language=lang,
            subject=subject,
            body_text=text,
            body_html=html,
            customer=audit.customer,
            contact=contact,
            actor=actor,
            cause=audit,
        )
    return len(seen)


def _tell_officers(audit: CustomerAudit, *, kind: str, actor, exclude_user_id=None) -> int:
    officers = alert_recipients(exclude_user_id=exclude_user_id)
    for officer in officers:
        subject, text, html = message_render(
            MAIL_TEMPLATE,
            language=officer.language,
            context=_context(audit, kind=kind, name=officer.name, portal=False),
        )
        message_queue(
            key=f"processing:audit:{audit.pk}:{kind}:{officer.key}",
            to_email=officer.email,
            to_name=officer.name,
            language=officer.language,
            subject=subject,
            body_text=text,
            body_html=html,
            actor=actor,
            cause=audit,
        )
    return len(officers)


def _locked(audit: CustomerAudit) -> CustomerAudit:
    return (
        CustomerAudit.objects.select_for_update(of=("self",))
        .select_related("customer")
        .get(pk=audit.pk)
    )


def _period_errors(starts_on, ends_on, errors: dict) -> None:
    if starts_on is None:
        errors["starts_on"] = _("Give the first day of the audit.")
    if ends_on is None:
        errors["ends_on"] = _("Give the last day of the audit.")
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("The last day cannot come before the first day.")


# --------------------------------------------------------------------------- AU-01


def audit_record(
    *,
    actor,
    customer_id,
    kind: str,
    auditor: str,
    scope: str,
    starts_on: datetime.date | None,
    ends_on: datetime.date | None,
    inform: bool,
    ground: str = "",
) -> CustomerAudit:
    """The privacy officer records an audit by the customer's auditors or by auditors the
    regulator hired (AU-01); the customer is told at once unless `ground` forbids it."""
    require(actor, "customer_audit.record")
    auditor, scope, ground = ((value or "").strip() for value in (auditor, scope, ground))
    errors: dict[str, str] = {}
    customer = None
    if customer_id in (None, ""):
        errors["customer"] = _("Choose the customer the audit is for.")
    else:
        customer = Customer.objects.filter(pk=customer_id).first()
        if customer is None:
            errors["customer"] = _("There is no such customer.")
    if kind not in (AuditKind.CUSTOMER_AUDITOR, AuditKind.REGULATOR):
        errors["kind"] = _("Choose who carries out the audit.")
    if not auditor:
        errors["auditor"] = _("Name the auditor or audit firm.")
    if not scope:
        errors["scope"] = _("Describe what the audit covers.")
    _period_errors(starts_on, ends_on, errors)
    if not inform and not ground:
        errors["ground"] = _(
            "The customer is informed unless a legal ground forbids it: give that ground."
        )
    if inform and ground:
        errors["ground"] = _("Leave the ground empty when the customer is informed.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        audit = CustomerAudit(
            customer=customer,
            kind=kind,
            auditor=auditor,
            scope=scope,
            requested_by=actor,
            requested_at=now,
            customer_informed_at=now if inform else None,
            not_informed_ground="" if inform else ground,
        )
        audit.schedule(starts_on=starts_on, ends_on=ends_on)
        audit.save()
        _event(audit, actor=actor, action="recorded", after={**_state(audit), "scope": scope})
        _tell_customer(audit, kind="informed", actor=actor)
    return audit


# --------------------------------------------------------------------------- AU-02


def audit_request(
    *,
    actor,
    scope: str,
    preferred_period: str,
    auditor: str,
    cost_acknowledged: bool,
) -> CustomerAudit:
    """A customer's administrator asks for an audit, by arrangement and at its own cost."""
    require(actor, "customer_audit.request")
    scope, preferred_period, auditor = (
        (value or "").strip() for value in (scope, preferred_period, auditor)
    )
    errors: dict[str, str] = {}
    if not scope:
        errors["scope"] = _("Describe what the audit should cover.")
    if not preferred_period:
        errors["preferred_period"] = _("Say when you would like the audit to take place.")
    if not cost_acknowledged:
        errors["cost_acknowledged"] = _(
            "An audit takes place by arrangement and at your own cost; confirm that to ask."
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        audit = CustomerAudit.objects.create(
            customer_id=actor.customer_id,
            kind=AuditKind.REQUESTED,
            auditor=auditor,
            scope=scope,
            preferred_period=preferred_period,
            requested_by=actor,
            requested_at=timezone.now(),
            cost_agreed=True,
        )
        audit = CustomerAudit.objects.select_related("customer").get(pk=audit.pk)
        _event(
            audit,
            actor=actor,
            action="requested",
            after={**_state(audit), "scope": scope, "preferred_period": preferred_period},
        )
        _tell_officers(audit, kind="requested", actor=actor)
    return audit


def audit_schedule(*, actor, audit: CustomerAudit, starts_on, ends_on) -> CustomerAudit:
    require(actor, "customer_audit.manage", audit)
    errors: dict[str, str] = {}
    _period_errors(starts_on, ends_on, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        audit = _locked(audit)
        if audit.state != CustomerAuditState.REQUESTED:
            raise ValidationError(_("Only an audit that was asked for can be scheduled."))
        before = _state(audit)
        audit.schedule(starts_on=starts_on, ends_on=ends_on)
        audit.save()
        _event(audit, actor=actor, action="scheduled", before=before)
        _tell_customer(audit, kind="scheduled", actor=actor)
    return audit


def audit_start(*, actor, audit: CustomerAudit) -> CustomerAudit:
    require(actor, "customer_audit.manage", audit)
    with transaction.atomic():
        audit = _locked(audit)
        if audit.state != CustomerAuditState.SCHEDULED:
            raise ValidationError(_("Only a scheduled audit can start."))
        before = _state(audit)
        audit.start()
        audit.save()
        _event(audit, actor=actor, action="started", before=before)
    return audit


def audit_report(
    *, actor, audit: CustomerAudit, received_on: datetime.date | None, reference: str
) -> CustomerAudit:
    """The report was received: its date (Amsterdam) and a reference to find it by."""
    require(actor, "customer_audit.manage", audit)
    reference = (reference or "").strip()
    errors: dict[str, str] = {}
    today = timezone.localtime(timezone.now(), AMSTERDAM).date()
    if received_on is None:
        errors["received_on"] = _("Give the day the report was received.")
    elif received_on > today:
        errors["received_on"] = _("The report cannot be received in the future.")
    if not reference:
        errors["reference"] = _("Give a reference to the report (a title, number or place).")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        audit = _locked(audit)
        if audit.state != CustomerAuditState.IN_PROGRESS:
            raise ValidationError(_("Only an audit in progress can get its report."))
        before = _state(audit)
        at = datetime.datetime.combine(received_on, datetime.time(12), tzinfo=AMSTERDAM)
        audit.report_receive(at=at, reference=reference)
        audit.save()
        _event(
            audit,
            actor=actor,
            action="reported",
            before=before,
            after={**_state(audit), "reference": reference, "received_at": _iso(at)},
        )
        _tell_customer(audit, kind="reported", actor=actor)
    return audit


def audit_cancel(*, actor, audit: CustomerAudit, reason: str) -> CustomerAudit:
    require(actor, "customer_audit.manage", audit)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the audit is cancelled.")})
    with transaction.atomic():
        audit = _locked(audit)
        if audit.state in (CustomerAuditState.REPORTED, CustomerAuditState.CANCELLED):
            raise ValidationError(_("This audit has already ended."))
        before = _state(audit)
        audit.cancel(reason=reason)
        audit.save()
        _event(audit, actor=actor, action="cancelled", before=before)
        _tell_customer(audit, kind="cancelled", actor=actor)
    return audit


# --------------------------------------------------------------------------- beat


def remind_from(audit: CustomerAudit) -> datetime.datetime | None:
    """The moment the privacy officers are reminded of a scheduled audit."""
    if audit.starts_on is None:
        return None
    start = datetime.datetime.combine(audit.starts_on, datetime.time(0), tzinfo=AMSTERDAM)
    return start - datetime.timedelta(days=REMIND_BEFORE_DAYS)


def escalate_from(audit: CustomerAudit) -> datetime.datetime:
    return audit.requested_at + datetime.timedelta(days=ESCALATE_AFTER_DAYS)


def audit_sweep() -> tuple[int, int]:
    """Beat (AU-02): remind of scheduled audits starting within `REMIND_BEFORE_DAYS` days,
    escalate asked-for audits unscheduled after `ESCALATE_AFTER_DAYS` days; each once."""
    now = timezone.now()
    horizon = timezone.localtime(now, AMSTERDAM).date() + datetime.timedelta(
        days=REMIND_BEFORE_DAYS
    )
    reminded = escalated = 0
    with transaction.atomic():
        due = list(
            CustomerAudit.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("customer")
            .filter(
                state=CustomerAuditState.SCHEDULED,
                starts_on__lte=horizon,
                reminded_at__isnull=True,
            )
            .order_by("starts_on")[:BATCH]
        )
        for audit in due:
            audit.reminded_at = now
            audit.save(update_fields=["reminded_at"])
            sent = _tell_officers(audit, kind="reminder", actor=None)
            _event(audit, actor=None, action="reminded", after={**_state(audit), "to": sent})
            reminded += 1
        late = list(
            CustomerAudit.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("customer")
            .filter(
                state=CustomerAuditState.REQUESTED,
                requested_at__lte=now - datetime.timedelta(days=ESCALATE_AFTER_DAYS),
                escalated_at__isnull=True,
            )
            .order_by("requested_at")[:BATCH]
        )
        for audit in late:
            audit.escalated_at = now
            audit.save(update_fields=["escalated_at"])
            sent = _tell_officers(audit, kind="escalation", actor=None)
            _event(audit, actor=None, action="escalated", after={**_state(audit), "to": sent})
            escalated += 1
    return reminded, escalated
