"""Dismissal (a false alarm), resolution and closure with the final report of incidents."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audits.services import event_record
from breaches.models import Incident, IncidentState, IncidentUpdateKind
from breaches.services.common import iso, now, required_text
from breaches.services.incidents import _lock
from breaches.services.notify import fanout_update
from compliance.access import require


def incident_dismiss(*, actor, incident: Incident, reason: str) -> Incident:
    """Close a report that is no security incident at all (a false alarm), with the
    reasoning on record (BR-02). Not possible once notices went out (BR-03)."""
    require(actor, "incident.manage")
    reason = required_text(reason, "reason", _("Explain why this is no security incident at all."))
    with transaction.atomic():
        incident = _lock(incident)
        if incident.state not in (IncidentState.REPORTED, IncidentState.TRIAGE):
            raise ValidationError(
                {"__all__": _("Only a reported incident that is still in triage can be dismissed.")}
            )
        if incident.notices.filter(notified_at__isnull=False).exists():
            raise ValidationError(
                {
                    "__all__": _(
                        "Customers were notified already; this incident cannot be dismissed."
                    )
                }
            )
        at = now()
        incident.dismiss(reason=reason, by=actor, at=at)
        incident.next_reminder_at = None
        incident.save()
        event_record(
            actor=actor,
            action="incident.dismissed",
            obj=incident,
            after={"reason": reason, "dismissed_at": iso(at)},
        )
    return incident


def incident_resolve(*, actor, incident: Incident) -> Incident:
    """The incident is contained and remedied; the final report follows (BR-02)."""
    require(actor, "incident.manage")
    with transaction.atomic():
        incident = _lock(incident)
        if incident.state not in (IncidentState.NOTIFYING, IncidentState.MONITORING):
            raise ValidationError(
                {"__all__": _("Only an incident whose customers were notified can be resolved.")}
            )
        at = now()
        incident.resolve(at=at)
        incident.save()
        event_record(
            actor=actor, action="incident.resolved", obj=incident, after={"resolved_at": iso(at)}
        )
    return incident


def incident_final_report(
    *,
    actor,
    incident: Incident,
    root_cause: str,
    lessons_learned: str,
    summary: str = "",
    measures: str = "",
) -> Incident:
    """The final report with root cause and lessons learned (ISO 27001 A.5.27) closes the
    incident; every notified customer receives it as a further message on its notice
    (BR-07)."""

    require(actor, "incident.manage")
    root_cause = required_text(root_cause, "root_cause")
    lessons_learned = required_text(lessons_learned, "lessons_learned")
    with transaction.atomic():
        incident = _lock(incident)
        if not incident.is_open:
            raise ValidationError({"__all__": _("This incident is closed already.")})
        notified = incident.notices.filter(notified_at__isnull=False).exists()
        if incident.state in (IncidentState.REPORTED, IncidentState.TRIAGE) and (
            incident.affected_customers.exists()
        ):
            raise ValidationError(
                {"__all__": _("Notify the affected customers before closing the incident.")}
            )
        at = now()
        incident.root_cause = root_cause
        incident.lessons_learned = lessons_learned
        # The final report keeps its own measures beside those reported (breaches.measures);
        # without a notified customer there is no report to keep them.
        update = None
        if not notified and measures.strip():
            incident.measures_taken = measures.strip()
        if notified:
            update = fanout_update(
                incident=incident,
                kind=IncidentUpdateKind.FINAL,
                summary=summary.strip(),
                measures=measures.strip(),
                actor=actor,
            )
        incident.close(at=at)
        incident.save()
        event_record(
            actor=actor,
            action="incident.closed",
            obj=incident,
            after={
                "root_cause": root_cause,
                "lessons_learned": lessons_learned,
                "final_message": update.number if update else None,
                "closed_at": iso(at),
            },
        )
    return incident
