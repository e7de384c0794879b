"""Choosing the customers an incident affects: by product, by subprocessor (BR-08), by hand
or all. The rule and the resulting customers are saved with the incident."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from audits.services import event_record
from breaches.models import Incident, IncidentState, SelectionRule
from breaches.services.common import chunks, incident_lock, now
from compliance.access import require
from compliance.models import Contract, Customer, Product
from subprocessors.models import Subprocessor

SELECTABLE_STATES = (
    IncidentState.REPORTED,
    IncidentState.TRIAGE,
    IncidentState.NOTIFYING,
    IncidentState.MONITORING,
)


def _customers_with_active_contract(products: Iterable[Product], today: datetime.date) -> list[int]:
    contracts = Contract.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today),
        starts_on__lte=today,
        products__in=list(products),
    )
    return sorted(set(contracts.values_list("customer_id", flat=True)))


def affected_select(
    *,
    actor,
    incident: Incident,
    rule: str,
    products: Iterable[Product] = (),
    subprocessor: Subprocessor | None = None,
    customers: Iterable[Customer | int] = (),
) -> Incident:
    """Save which customers are affected and by which rule (BR-08).

    product: customers with a contract active today for any of the products;
    subprocessor: the same through the products that use the subprocessor (a breach at a
    subprocessor, BR-08); hand: the customers given; all: every customer. Customers
    already notified stay notified; a pending four-eyes request is withdrawn because it
    approved another selection.
    """
    require(actor, "incident.manage")
    products = list(products)
    today = now().date()
    if rule == SelectionRule.PRODUCT:
        if not products:
            raise ValidationError({"products": _("Choose at least one product.")})
        ids = _customers_with_active_contract(products, today)
    elif rule == SelectionRule.SUBPROCESSOR:
        if subprocessor is None:
            raise ValidationError({"subprocessor": _("Choose the subprocessor.")})
        products = list(subprocessor.products.all())
        ids = _customers_with_active_contract(products, today) if products else []
    elif rule == SelectionRule.HAND:
        ids = sorted({c if isinstance(c, int) else c.pk for c in customers})
        if not ids:
            raise ValidationError({"customers": _("Choose at least one customer.")})
        known = set()
        for chunk in chunks(ids):
            known.update(Customer.objects.filter(pk__in=chunk).values_list("pk", flat=True))
        if len(known) != len(ids):
            raise ValidationError({"customers": _("Unknown customer.")})
    elif rule == SelectionRule.ALL:
        ids = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    else:
        raise ValidationError({"rule": _("Choose product, subprocessor, by hand or all.")})

    with transaction.atomic():
        incident = incident_lock(incident)
        if incident.state not in SELECTABLE_STATES:
            raise ValidationError(
                {"__all__": _("The affected customers can no longer change for this incident.")}
            )
        before = {
            "rule": incident.selection_rule,
            "count": incident.affected_customers.count(),
        }
        # Customers who reported the incident themselves stay affected.
        reporters = list(
            incident.notices.filter(customer_reported=True).values_list("customer_id", flat=True)
        )
        result = sorted(set(ids) | set(reporters))
        incident.selection_rule = rule
        incident.selection_subprocessor = (
            subprocessor if rule == SelectionRule.SUBPROCESSOR else None
        )
        incident.selected_at = now()
        incident.selected_by = actor
        withdrawn = incident.notify_requested_by_id
        incident.notify_requested_by = None
        incident.notify_requested_at = None
        incident.save()
        incident.selection_products.set(
            products if rule in (SelectionRule.PRODUCT, SelectionRule.SUBPROCESSOR) else []
        )
        incident.affected_customers.set(result)
        event_record(
            actor=actor,
            action="incident.customers_selected",
            obj=incident,
            before=before,
            after={
                "rule": rule,
                "products": sorted(p.code for p in products),
                "subprocessor": subprocessor.pk if subprocessor else None,
                "customers": result,
                "count": len(result),
                "four_eyes_request_withdrawn": bool(withdrawn),
            },
        )
    return incident
