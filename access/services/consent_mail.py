"""The e-mails of customer consent (AC-04), all through the compliance outbox: the customer's
administrators are asked, the staff who asked and the employee are told of the answer and of
the end, the ICT managers are reminded to confirm removal and the privacy officers are told
when it is overdue. Each text is built in the recipient's language."""

from __future__ import annotations

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from access.models.consent import AccessConsent
from compliance.models import Role, User
from compliance.outbox import message_queue, message_render
from compliance.recipients import alert_recipients
from compliance.templatetags.compliance_tags import local_deadline

TEMPLATE = "access_consent"


def _link(name: str, fallback: str) -> str:
    try:
        path = reverse(name)
    except NoReverseMatch:
        path = fallback
    return settings.SITE_URL.rstrip("/") + path


def _facts(consent: AccessConsent) -> dict:
    return {
        "customer": consent.customer.name,
        "employee": consent.employee.full_name or consent.employee.email,
        "level": consent.get_level_display(),
        "starts": local_deadline(consent.starts_at),
        "ends": local_deadline(consent.ends_at),
        "due": local_deadline(consent.removal_due_at),
    }


def _texts(kind: str, consent: AccessConsent) -> tuple[str, str, str]:
    """Subject, body and the page it points to, in the active language."""
    facts = _facts(consent)
    if kind == "requested":
        return (
            _("Consent asked for access to your data by %(employee)s") % facts,
            _(
                "We ask your consent for %(employee)s to access the data of %(customer)s "
                "(%(level)s) from %(starts)s until %(ends)s. Purpose: %(purpose)s\n"
                "As administrator you can grant (also for a shorter period or read only) "
                "or refuse this in the portal."
            )
            % {**facts, "purpose": consent.purpose},
            _link("access:portal_consents", "/portal/access/consents/"),
        )
    if kind in ("granted", "refused"):
        answer = consent.get_state_display()
        return (
            _("%(customer)s answered: %(answer)s") % {**facts, "answer": answer},
            _(
                "%(customer)s answered the request for access by %(employee)s: %(answer)s. "
                "Level: %(level)s; until %(ends)s.\nNote: %(note)s"
            )
            % {**facts, "answer": answer, "note": consent.decision_note or "—"},
            _link("access:consent_list", "/access/consents/"),
        )
    if kind in ("withdrawn", "expired"):
        return (
            _("Access by %(employee)s to %(customer)s has ended") % facts,
            _(
                "The consent of %(customer)s for %(employee)s ended (%(state)s). Remove the "
                "access in the systems now and confirm it by %(due)s."
            )
            % {**facts, "state": consent.get_state_display()},
            _link("access:consent_list", "/access/consents/"),
        )
    if kind == "reminder":
        return (
            _("Confirm removal of access by %(employee)s to %(customer)s") % facts,
            _(
                "The consent of %(customer)s for %(employee)s has ended. Nobody has confirmed "
                "yet that the access was removed in the systems; the deadline is %(due)s."
            )
            % facts,
            _link("access:consent_list", "/access/consents/"),
        )
    return (
        _("Overdue: removal of access by %(employee)s to %(customer)s") % facts,
        _(
            "The removal of access by %(employee)s to the data of %(customer)s was to be "
            "confirmed by %(due)s and is overdue. Please see to it now."
        )
        % facts,
        _link("access:consent_list", "/access/consents/"),
    )


def _send(*, kind: str, consent: AccessConsent, recipients, actor, step: str = "") -> None:
    for key, email, name, language in recipients:
        with translation.override(language):
            subject, body, link = _texts(kind, consent)
        subject, text, html = message_render(
            TEMPLATE,
            language=language,
            context={"subject": subject, "body": body, "link": link},
        )
        message_queue(
            key=f"access_consent:{consent.pk}:{kind}{step}:{key}",
            to_email=email,
            to_name=name,
            language=language,
            subject=subject,
            body_text=text,
            body_html=html,
            customer=consent.customer,
            actor=actor,
            cause=consent,
        )


def _users(users) -> list[tuple]:
    return [(f"user:{u.pk}", u.email, u.full_name, u.language or "en") for u in users]


def customer_admins(consent: AccessConsent):
    return User.objects.filter(
        role=Role.CUSTOMER_ADMIN, customer_id=consent.customer_id, is_active=True
    ).order_by("pk")


def ict_managers():
    return User.objects.filter(role=Role.ICT_MANAGER, is_active=True).order_by("pk")


def staff_of(consent: AccessConsent) -> list:
    people = {consent.requested_by_id: consent.requested_by, consent.employee_id: consent.employee}
    return [u for u in people.values() if u.is_active]


def mail_requested(consent: AccessConsent, *, actor) -> None:
    _send(
        kind="requested", consent=consent, recipients=_users(customer_admins(consent)), actor=actor
    )


def mail_answered(consent: AccessConsent, *, actor) -> None:
    _send(kind=consent.state, consent=consent, recipients=_users(staff_of(consent)), actor=actor)


def mail_ended(consent: AccessConsent, *, actor) -> None:
    people = {u.pk: u for u in [*staff_of(consent), *ict_managers()]}
    _send(kind=consent.state, consent=consent, recipients=_users(people.values()), actor=actor)


def mail_reminder(consent: AccessConsent, *, actor) -> None:
    due = f":{consent.removal_due_at:%Y%m%d%H%M%S}"
    _send(
        kind="reminder",
        consent=consent,
        recipients=_users(ict_managers()),
        actor=actor,
        step=due,
    )


def mail_escalation(consent: AccessConsent, *, actor) -> None:
    due = f":{consent.removal_due_at:%Y%m%d%H%M%S}"
    recipients = [(r.key, r.email, r.name, r.language) for r in alert_recipients()]
    recipients += _users(ict_managers())
    _send(kind="escalation", consent=consent, recipients=recipients, actor=actor, step=due)
