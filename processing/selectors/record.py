"""The record of processing (GDPR Art. 30(2), obligation RP-01): what it says, composed by a
pure function from the current data, and the words for what changed between two versions.

`record_inputs` reads the data (processor profile, the record's settings, the customer, its
contacts, current contracts and their products, the subprocessors of those products with
their locations); `record_compose` turns those plain values into the record's content
(JSON, language-neutral: codes and the texts people wrote); `changes_describe` names in
words what differs between two contents. Reads for people go through the user's scope.
"""

from __future__ import annotations

import datetime

from django.db.models import Max, OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from compliance.access import customer_scope, require
from compliance.models import Contact, Contract, Customer, ProcessorProfile
from processing.models.record import (
    ProcessingRecordDetails,
    ProcessingRecordSettings,
    ProcessingRecordVersion,
    ProductProcessingDescription,
)
from subprocessors.models import EEA_COUNTRIES, Subprocessor, SubprocessorStatus

SECTIONS = (
    "processor",
    "controller",
    "categories",
    "transfers",
    "subprocessors",
    "security",
)


def record_settings() -> ProcessingRecordSettings:
    """The one settings row (created empty when missing)."""
    found = ProcessingRecordSettings.objects.order_by("pk").first()
    return found or ProcessingRecordSettings.objects.create()


def record_details(customer: Customer) -> ProcessingRecordDetails | None:
    return ProcessingRecordDetails.objects.filter(customer=customer).first()


def _dpo(name: str, email: str, phone: str) -> dict | None:
    if not (name or email or phone):
        return None
    return {"name": name, "email": email, "phone": phone}


def record_inputs(customer: Customer, *, today: datetime.date) -> dict:
    """The current data the record of `customer` is composed from, as plain values."""
    profile = ProcessorProfile.objects.order_by("pk").first()
    settings_row = ProcessingRecordSettings.objects.order_by("pk").first()
    details = record_details(customer)
    contacts = list(Contact.objects.filter(customer=customer).order_by("name", "pk"))
    subscription = [c for c in contacts if c.is_subscription_contact]
    contracts = list(
        Contract.objects.filter(customer=customer)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .filter(starts_on__lte=today)
        .prefetch_related("products")
        .order_by("starts_on", "pk")
    )
    product_ids = {p.pk for c in contracts for p in c.products.all()}
    descriptions = dict(
        ProductProcessingDescription.objects.filter(product_id__in=product_ids).values_list(
            "product_id", "description"
        )
    )
    subprocessors = (
        Subprocessor.objects.filter(status=SubprocessorStatus.ACTIVE, products__in=product_ids)
        .distinct()
        .prefetch_related("locations", "products")
        .order_by("legal_entity")
    )
    return {
        "processor": {
            "name": profile.legal_name if profile else "",
            "address": profile.address if profile else "",
            "team": profile.privacy_team_name if profile else "",
            "email": profile.privacy_email if profile else "",
            "phone": profile.privacy_phone if profile else "",
        },
        "processor_dpo": _dpo(settings_row.dpo_name, settings_row.dpo_email, settings_row.dpo_phone)
        if settings_row
        else None,
        "controller": {
            "name": customer.name,
            "customer_number": customer.customer_number,
            "country": customer.country,
        },
        "controller_contacts": [
            {"name": c.name, "email": c.email, "phone": c.phone} for c in (subscription or contacts)
        ],
        "controller_dpo": _dpo(details.dpo_name, details.dpo_email, details.dpo_phone)
        if details
        else None,
        "contracts": [
            {
                "starts_on": c.starts_on.isoformat(),
                "ends_on": c.ends_on.isoformat() if c.ends_on else None,
                "agreement_model": c.agreement_model,
                "products": [
                    {"code": p.code, "name": p.name, "description": descriptions.get(p.pk, "")}
                    for p in c.products.all()
                ],
            }
            for c in contracts
        ],
        "categories_note": details.categories_note if details else "",
        "subprocessors": [
            {
                "name": s.legal_entity,
                "purpose": s.purpose,
                "products": sorted(p.code for p in s.products.all() if p.pk in product_ids),
                "locations": [
                    {"name": loc.name, "city": loc.city, "country": loc.country}
                    for loc in s.locations.all()
                ],
            }
            for s in subprocessors
        ],
        "security_general": settings_row.security_measures if settings_row else "",
        "security_additions": details.security_additions if details else "",
    }


def record_compose(inputs: dict) -> dict:
    """OBL RP-01: the content of a record of processing (Art. 30(2)(a)–(d)) from plain
    inputs; pure: the same inputs give the same content, no database, no clock."""
    products: dict[str, dict] = {}
    for contract in inputs["contracts"]:
        for product in contract["products"]:
            entry = products.setdefault(
                product["code"],
                {
                    "product": product["code"],
                    "product_name": product["name"],
                    "description": product["description"],
                    "agreement_models": [],
                },
            )
            if contract["agreement_model"] not in entry["agreement_models"]:
                entry["agreement_models"].append(contract["agreement_model"])
    subprocessors = [
        {
            "name": s["name"],
            "purpose": s["purpose"],
            "products": sorted(s["products"]),
            "locations": sorted(
                s["locations"], key=lambda loc: (loc["country"], loc["city"], loc["name"])
            ),
        }
        for s in sorted(inputs["subprocessors"], key=lambda s: s["name"])
    ]
    third = sorted(
        {
            loc["country"]
            for s in subprocessors
            for loc in s["locations"]
            if loc["country"] not in EEA_COUNTRIES
        }
    )
    return {
        "processor": {**inputs["processor"], "dpo": inputs["processor_dpo"]},
        "controller": {
            **inputs["controller"],
            "contacts": inputs["controller_contacts"],
            "dpo": inputs["controller_dpo"],
        },
        "categories": {
            "products": [products[code] for code in sorted(products)],
            "note": inputs["categories_note"],
        },
        "transfers": {"eea_only": not third, "third_countries": third},
        "subprocessors": subprocessors,
        "security": {
            "general": inputs["security_general"],
            "additions": inputs["security_additions"],
        },
    }


def _names(items) -> str:
    return ", ".join(items)


def changes_describe(old: dict | None, new: dict) -> list[str]:
    """What changed from `old` to `new`, in words in the active language; pure."""
    if old is None:
        return [_("First version of the record.")]
    words: list[str] = []
    if old.get("processor") != new.get("processor"):
        words.append(_("The processor's details or data protection officer changed."))
    if old.get("controller") != new.get("controller"):
        words.append(_("The customer's details, contacts or data protection officer changed."))
    old_products = {p["product"]: p for p in old.get("categories", {}).get("products", [])}
    new_products = {p["product"]: p for p in new.get("categories", {}).get("products", [])}
    added = [new_products[c]["product_name"] for c in new_products if c not in old_products]
    removed = [old_products[c]["product_name"] for c in old_products if c not in new_products]
    if added:
        words.append(_("Products added: %(names)s.") % {"names": _names(added)})
    if removed:
        words.append(_("Products removed: %(names)s.") % {"names": _names(removed)})
    changed = [
        new_products[c]["product_name"]
        for c in new_products
        if c in old_products and old_products[c] != new_products[c]
    ]
    if changed or old.get("categories", {}).get("note") != new.get("categories", {}).get("note"):
        words.append(_("The description of the categories of processing changed."))
    old_subs = {s["name"]: s for s in old.get("subprocessors", [])}
    new_subs = {s["name"]: s for s in new.get("subprocessors", [])}
    added = [n for n in new_subs if n not in old_subs]
    removed = [n for n in old_subs if n not in new_subs]
    if added:
        words.append(_("Subprocessors added: %(names)s.") % {"names": _names(added)})
    if removed:
        words.append(_("Subprocessors removed: %(names)s.") % {"names": _names(removed)})
    moved = [n for n in new_subs if n in old_subs and old_subs[n] != new_subs[n]]
    if moved:
        words.append(
            _("Subprocessors with changed purpose, products or locations: %(names)s.")
            % {"names": _names(moved)}
        )
    if old.get("transfers") != new.get("transfers"):
        words.append(_("Transfers to third countries changed."))
    if old.get("security") != new.get("security"):
        words.append(_("The description of the security measures changed."))
    return words


# Reads for people.


def record_customers_for(user):
    """Customers with their latest version number and its date (staff list)."""
    require(user, "processing_record.view_list")
    latest = ProcessingRecordVersion.objects.filter(customer=OuterRef("pk")).order_by("-version")
    return Customer.objects.annotate(
        record_version=Max("processing_records__version"),
        record_changed_at=Subquery(latest.values("created_at")[:1]),
    ).order_by("name")


def record_customer_get(user, customer_id: int) -> Customer:
    """The customer whose record `user` may read; another organisation's id is a 404."""
    from django.shortcuts import get_object_or_404

    scope = customer_scope(user)
    qs = Customer.objects.all()
    if scope is not None:
        qs = qs.filter(pk=scope)
    customer = get_object_or_404(qs, pk=customer_id)
    require(user, "processing_record.view", customer)
    return customer


def record_versions(customer: Customer):
    return ProcessingRecordVersion.objects.filter(customer=customer).order_by("-version")


def record_latest(customer: Customer) -> ProcessingRecordVersion | None:
    return record_versions(customer).first()


def record_versions_for(user):
    """Versions `user` may read (the API): staff readers all, a customer's users their own."""
    require(user, "processing_record.view")
    qs = ProcessingRecordVersion.objects.select_related("customer").order_by("customer", "-version")
    scope = customer_scope(user)
    return qs.filter(customer_id=scope) if scope is not None else qs


def record_display(content: dict) -> dict:
    """`content` with the words people read in place of codes (agreement models)."""
    from compliance.models import AgreementModel

    products = []
    for product in content.get("categories", {}).get("products", []):
        labels = []
        for code in product.get("agreement_models", []):
            try:
                labels.append(str(AgreementModel(code).label))
            except ValueError:
                labels.append(code)
        products.append({**product, "agreement_labels": labels})
    names = {p["product"]: p["product_name"] for p in products}
    subprocessors = [
        {**s, "product_names": [names.get(code, code) for code in s.get("products", [])]}
        for s in content.get("subprocessors", [])
    ]
    return {
        **content,
        "categories": {**content.get("categories", {}), "products": products},
        "subprocessors": subprocessors,
    }
