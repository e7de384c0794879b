"""Which audit events make up an incident's history (AU-03): the Audit section asks, since
the audit trail itself knows objects only by type and id."""

from __future__ import annotations

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast

from breaches.models import CustomerNotice, DossierRequest, Incident, IncidentUpdate
from compliance.models import OutboxMessage


def _ids_as_text(queryset) -> QuerySet:
    # Audit events keep object ids as text.
    return queryset.annotate(id_text=Cast("pk", CharField())).values("id_text")


def incident_audit_objects(incident_id: int) -> tuple[tuple[str, QuerySet | list[str]], ...]:
    """The objects whose audit events make up an incident's history: the incident, its
    notices with every message sent for them, its updates and dossier requests."""
    notices = CustomerNotice.objects.filter(incident_id=incident_id)
    messages = OutboxMessage.objects.filter(
        cause_type=CustomerNotice._meta.label, cause_id__in=notices.values("pk")
    )
    updates = IncidentUpdate.objects.filter(incident_id=incident_id)
    dossiers = DossierRequest.objects.filter(incident_id=incident_id)
    return (
        (Incident._meta.label, [str(incident_id)]),
        (CustomerNotice._meta.label, _ids_as_text(notices)),
        (OutboxMessage._meta.label, _ids_as_text(messages)),
        (IncidentUpdate._meta.label, _ids_as_text(updates)),
        (DossierRequest._meta.label, _ids_as_text(dossiers)),
    )


def customer_incidents_shared(customer_id: int) -> tuple[tuple[str, QuerySet], ...]:
    """The incidents a customer was notified of or reported, as objects whose events
    recorded without a customer (they concern several) its reader may see, without their
    payload."""
    incidents = Incident.objects.filter(
        Q(notices__customer_id=customer_id) | Q(source_customer_id=customer_id)
    ).distinct()
    return ((Incident._meta.label, _ids_as_text(incidents)),)


def incident_visible_to_customer(incident_id: int, customer_id: int) -> bool:
    return Incident.objects.filter(
        Q(notices__customer_id=customer_id) | Q(source_customer_id=customer_id), pk=incident_id
    ).exists()
