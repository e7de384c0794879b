"""Which stored dossiers of an incident a user may have (AU-03): the incident itself, the
dossiers a user may download, one of them."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from breaches.models import Incident
from compliance.access import customer_scope, require
from compliance.models import StoredDocument

DOSSIER_TEMPLATE = "pdf/incident_dossier.html"


def dossier_incident_get(user, pk) -> Incident:
    """The incident whose dossier the user may have, else 404 (AU-03).

    Privacy officer and the processor's auditor: any incident. A customer-engaged auditor:
    only an incident its customer has a notice of. Everyone else is refused by `audit.view`.
    """
    require(user, "audit.view")
    scope = customer_scope(user)
    incidents = Incident.objects.select_related("source_subprocessor")
    if scope is not None:
        incidents = incidents.filter(notices__customer_id=scope).distinct()
    return get_object_or_404(incidents, pk=pk)


def filename_prefix(incident_id: int, customer_id: int | None) -> str:
    part = f"c{customer_id}" if customer_id is not None else "all"
    return f"incident-{incident_id}-dossier-{part}-"


def dossiers_for(user, incident: Incident) -> QuerySet[StoredDocument]:
    """The stored dossiers of an incident the user may download, newest first.

    A dossier is recognised by its template and its file name (`incident-<id>-dossier-…`,
    with `all` or `c<customer id>`): stored documents never change, so the name is as
    stable as a foreign key would be, without a table of our own.
    """
    require(user, "audit.view")
    scope = customer_scope(user)
    documents = (
        StoredDocument.objects.select_related("customer", "created_by")
        .defer("content")
        .filter(template_name=DOSSIER_TEMPLATE)
    )
    if scope is not None:
        return documents.filter(
            customer_id=scope, filename__startswith=filename_prefix(incident.pk, scope)
        )
    return documents.filter(
        Q(filename__startswith=filename_prefix(incident.pk, None), customer__isnull=True)
        | Q(filename__startswith=f"incident-{incident.pk}-dossier-c", customer__isnull=False)
    )


def dossier_get(user, incident: Incident, uuid) -> StoredDocument:
    return get_object_or_404(dossiers_for(user, incident).defer(None), uuid=uuid)
