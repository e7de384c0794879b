"""Choosing the customers an incident affects: by product, by subprocessor (BR-08), by hand
or all. The rule and the resulting customers are saved with the incident.

By hand there are two ways in: `affected_select(rule="hand", customers=...)` replaces the
selection with the customers given, and `affected_customers_change(add=..., remove=...)`
changes it a page at a time (the selection page at 10,000 customers saves what was ticked on
each page). Both refuse unknown customers and customers that never had a contract.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
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


def _ids(values: Iterable[Customer | int]) -> set[int]:
    return {value if isinstance(value, int) else value.pk for value in values}


def hand_choice_check(ids: Iterable[int]) -> None:
    """Every id names a customer that has or had a contract with the processor (BR-08): an
    unknown id or a customer without any contract is a clear error, never a silent skip."""
    ids = sorted(set(ids))
    numbers: dict[int, str] = {}
    contracted: set[int] = set()
    for chunk in chunks(ids):
        rows = (
            Customer.objects.filter(pk__in=chunk)
            .annotate(has_contract=Exists(Contract.objects.filter(customer=OuterRef("pk"))))
            .values_list("pk", "customer_number", "has_contract")
        )
        for pk, number, has_contract in rows:
            numbers[pk] = number
            if has_contract:
                contracted.add(pk)
    unknown = [pk for pk in ids if pk not in numbers]
    if unknown:
        raise ValidationError(
            {
                "customers": ValidationError(
                    _("Unknown customers: %(ids)s") % {"ids": ", ".join(map(str, unknown[:20]))},
                    code="unknown_customer",
                )
            }
        )
    without = [numbers[pk] for pk in ids if pk not in contracted]
    if without:
        raise ValidationError(
            {
                "customers": ValidationError(
                    _(
                        "These customers have no contract with us, so an incident cannot "
                        "affect them: %(numbers)s"
                    )
                    % {"numbers": ", ".join(sorted(without)[:20])},
                    code="no_contract",
                )
            }
        )


def _selectable(incident: Incident) -> Incident:
    """The incident, locked, while its affected customers may still change."""
    incident = incident_lock(incident)
    if incident.state not in SELECTABLE_STATES:
        raise ValidationError(
            {"__all__": _("The affected customers can no longer change for this incident.")}
        )
    return incident


def _reporters(incident: Incident) -> set[int]:
    """Customers who reported the incident themselves: they stay affected."""
    return set(
        incident.notices.filter(customer_reported=True).values_list("customer_id", flat=True)
    )


def _selection_mark(incident: Incident, *, actor, rule, subprocessor, products) -> bool:
    """Save who selected by which rule, now; a pending four-eyes request is withdrawn, as it
    approved another selection. Returns whether one was withdrawn."""
    incident.selection_rule = rule
    incident.selection_subprocessor = subprocessor
    incident.selected_at = now()
    incident.selected_by = actor
    withdrawn = bool(incident.notify_requested_by_id)
    incident.notify_requested_by = None
    incident.notify_requested_at = None
    incident.save()
    incident.selection_products.set(products)
    return withdrawn


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
    subprocessor, BR-08); hand: the customers given, each known and with a contract (now or
    ended); all: every customer. Customers already notified stay notified; a pending
    four-eyes request is withdrawn because it approved another selection.
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
        ids = sorted(_ids(customers))
        if not ids:
            raise ValidationError(
                {
                    "customers": ValidationError(
                        _("Choose at least one customer."), code="empty_selection"
                    )
                }
            )
        hand_choice_check(ids)
    elif rule == SelectionRule.ALL:
        ids = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    else:
        raise ValidationError({"rule": _("Choose product, subprocessor, by hand or all.")})

    with transaction.atomic():
        incident = _selectable(incident)
        before = {
            "rule": incident.selection_rule,
            "count": incident.affected_customers.count(),
        }
        # Customers who reported the incident themselves stay affected.
        result = sorted(set(ids) | _reporters(incident))
        withdrawn = _selection_mark(
            incident,
            actor=actor,
            rule=rule,
            subprocessor=subprocessor if rule == SelectionRule.SUBPROCESSOR else None,
            products=products
            if rule in (SelectionRule.PRODUCT, SelectionRule.SUBPROCESSOR)
            else [],
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


def affected_customers_change(
    *,
    actor,
    incident: Incident,
    add: Iterable[Customer | int] = (),
    remove: Iterable[Customer | int] = (),
) -> Incident:
    """Change the affected customers by hand, a few at a time (BR-08, BR-03).

    Starts from the saved selection (whatever its rule), adds `add` and takes away `remove`
    (a customer in both is added); the rule becomes "by hand". What the officer chose on
    earlier pages or searches stays chosen because it is saved. Added customers must exist and
    have or have had a contract; customers who reported the incident themselves stay
    affected; a change that would leave nobody selected is refused. Nothing changes, and
    nothing is recorded, when the customers given are already as asked. A pending four-eyes
    request is withdrawn, as with `affected_select`, because it approved another selection.
    The audit event names the customers added and removed and the new count.
    """
    require(actor, "incident.manage")
    add_ids = _ids(add)
    remove_ids = _ids(remove) - add_ids
    if not add_ids and not remove_ids:
        return incident
    with transaction.atomic():
        incident = _selectable(incident)
        current = set(incident.affected_customers.values_list("pk", flat=True))
        added = sorted(add_ids - current)
        removed = sorted((remove_ids & current) - _reporters(incident))
        if not added and not removed:
            return incident
        hand_choice_check(added)
        count = len(current) + len(added) - len(removed)
        if count == 0:
            raise ValidationError(
                {
                    "customers": ValidationError(
                        _("Choose at least one customer: the selection would be empty."),
                        code="empty_selection",
                    )
                }
            )
        before = {"rule": incident.selection_rule, "count": len(current)}
        withdrawn = _selection_mark(
            incident, actor=actor, rule=SelectionRule.HAND, subprocessor=None, products=[]
        )
        for chunk in chunks(removed):
            incident.affected_customers.remove(*chunk)
        for chunk in chunks(added):
            incident.affected_customers.add(*chunk)
        event_record(
            actor=actor,
            action="incident.customers_selected",
            obj=incident,
            before=before,
            after={
                "rule": SelectionRule.HAND.value,
                "added": added,
                "removed": removed,
                "count": count,
                "four_eyes_request_withdrawn": bool(withdrawn),
            },
        )
    return incident
