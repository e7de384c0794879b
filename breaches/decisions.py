"""The customer's decision (BR-04): its rules (what each answer calls for, one table for the
portal form, the API and the service) and its versions (revisable, with history), read once
for the portal and the dossier.

A version is a history row of the notice with a decision; a row is a new version when its
moment of decision or any of the decision's fields (`DECISION_FIELDS`) differs from the row
before it. Kept beside the selectors so the portal and the dossier use one key.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from breaches.models import (
    DECISION_FIELDS,
    Authority,
    AuthorityDecision,
    CustomerNotice,
    NotificationKind,
    SubjectsDecision,
)
from compliance.moments import display_zone


def _key(record) -> tuple:
    return (record.decided_at, *(getattr(record, name) for name in DECISION_FIELDS))


def decision_versions(notice: CustomerNotice, *, latest: int | None = None) -> list:
    """Each distinct version of `notice`'s decision, oldest first (history rows).

    `latest`: only the newest `latest` versions, read from at most ten times as many
    history rows (the portal's page stays bounded however often a decision is saved).
    """
    records = notice.history.filter(decided_at__isnull=False)
    if latest is None:
        rows = list(records.order_by("history_date", "history_id"))
    else:
        rows = list(records.order_by("-history_date", "-history_id")[: latest * 10])[::-1]
    out: list = []
    last = None
    for record in rows:
        key = _key(record)
        if key != last:
            out.append(record)
            last = key
    return out if latest is None else out[-latest:]


# What each answer about the authority and the data subjects calls for (BR-04). The portal
# form shows exactly these fields after each answer; the service requires exactly these.
AUTHORITY_NEEDS: dict[str, tuple[str, ...]] = {
    AuthorityDecision.WILL_NOTIFY: ("authority",),
    AuthorityDecision.NOTIFIED: ("authority", "authority_notified_on", "authority_reference"),
    AuthorityDecision.NOTIFIED_PROVISIONALLY: (
        "authority",
        "authority_notified_on",
        "authority_reference",
    ),
    AuthorityDecision.WILL_NOT_NOTIFY: ("authority_reasoning",),
}
SUBJECTS_NEEDS: dict[str, tuple[str, ...]] = {
    SubjectsDecision.WILL_INFORM: (),
    SubjectsDecision.INFORMED: ("subjects_informed_on", "subjects_how"),
    SubjectsDecision.WILL_NOT_INFORM: ("subjects_reasoning",),
}
_NOTIFIED = (AuthorityDecision.NOTIFIED, AuthorityDecision.NOTIFIED_PROVISIONALLY)


def legacy_statuses(
    *, authority_notified, authority_kind: str, subjects_informed
) -> tuple[str, str]:
    """The answers of a client that still sends the earlier yes/no fields (API): notified
    (a preliminary notification is a provisional one), not notified; informed or not."""
    authority = ""
    if authority_notified is True:
        authority = (
            AuthorityDecision.NOTIFIED_PROVISIONALLY
            if authority_kind == NotificationKind.PRELIMINARY
            else AuthorityDecision.NOTIFIED
        )
    elif authority_notified is False:
        authority = AuthorityDecision.WILL_NOT_NOTIFY
    subjects = {True: SubjectsDecision.INFORMED, False: SubjectsDecision.WILL_NOT_INFORM}
    return authority, subjects.get(subjects_informed, "")


def _missing(name: str) -> str:
    return {
        "authority": _("Choose the authority."),
        "authority_notified_on": _("Enter the date of the notification."),
        "authority_reference": _("Enter the authority's reference."),
        "authority_reasoning": _("Explain why you will not notify the authority."),
        "subjects_informed_on": _("Enter the date you informed them."),
        "subjects_how": _("Say how the data subjects were informed."),
        "subjects_reasoning": _("Explain why you will not inform the data subjects."),
    }[name]


def local_today():
    """Today in the zone people read dates in (a date typed at 00:30 in Amsterdam is not
    "in the future" because it is still yesterday in UTC)."""
    return timezone.now().astimezone(display_zone()).date()


def decision_values(answers: dict, *, today) -> tuple[dict, dict]:
    """OBL BR-04: the stored decision for the customer's `answers` (the form's names) and
    the errors, field by field. Only what an answer calls for is kept; the rest is
    cleared, so a hidden field filled earlier never lands in the record."""
    errors: dict[str, list[str]] = {}
    text = {k: (v or "").strip() if isinstance(v, str) else v for k, v in answers.items()}
    is_breach = text.get("is_breach")
    values = {name: None if name.endswith(_NULLABLE) else "" for name in DECISION_FIELDS}
    values["decision_is_breach"] = is_breach
    values["decision_breach_reasoning"] = text.get("breach_reasoning") or ""
    if is_breach not in (True, False):
        errors["is_breach"] = [_("Say whether this is a personal data breach for you.")]
    if not values["decision_breach_reasoning"]:
        errors["breach_reasoning"] = [_("Give your reasoning.")]
    if is_breach is not True:
        return values, errors
    authority_status = text.get("authority_status") or ""
    subjects_status = text.get("subjects_status") or ""
    if authority_status not in AUTHORITY_NEEDS:
        errors["authority_status"] = [_("Say whether you will notify the authority.")]
    if subjects_status not in SUBJECTS_NEEDS:
        errors["subjects_status"] = [_("Say whether you will inform the data subjects.")]
    needed = AUTHORITY_NEEDS.get(authority_status, ()) + SUBJECTS_NEEDS.get(subjects_status, ())
    for name in needed:
        if not text.get(name):
            errors[name] = [_missing(name)]
    if text.get("authority") and text["authority"] not in Authority.values:
        errors["authority"] = [_("Choose the AP or the GBA.")]
    for name in ("authority_notified_on", "subjects_informed_on"):
        if name in needed and text.get(name) and text[name] > today:
            errors[name] = [_("This date is in the future.")]
    for name in needed:
        values[f"decision_{name}"] = text.get(name) or values[f"decision_{name}"]
    values["decision_authority_status"] = authority_status
    values["decision_subjects_status"] = subjects_status
    if authority_status in _NOTIFIED:
        values["decision_authority_notified"] = True
        values["decision_authority_kind"] = (
            NotificationKind.PRELIMINARY
            if authority_status == AuthorityDecision.NOTIFIED_PROVISIONALLY
            else NotificationKind.COMPLETE
        )
    elif authority_status == AuthorityDecision.WILL_NOT_NOTIFY:
        values["decision_authority_notified"] = False
    informed = {SubjectsDecision.INFORMED: True, SubjectsDecision.WILL_NOT_INFORM: False}
    values["decision_subjects_informed"] = informed.get(subjects_status)
    return values, errors


_NULLABLE = ("_is_breach", "_notified", "_notified_on", "_informed", "_informed_on")
