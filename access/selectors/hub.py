"""The access hub (issue 15): the six registers of access to customer data, each with what
needs attention, for the roles that may see it.

Each part is built in its own module. A register is listed when its page's route resolves
and the reader may open it (the first of its actions that exists in the access layer); its
count comes from `access.selectors.<part>.hub_attention(user)` when that part provides one.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from access.selectors.confidentiality import missing_count
from access.selectors.standing import removal_pending_count
from compliance.access import PERMISSIONS, can


@dataclass
class HubEntry:
    title: str
    description: str
    url: str | None
    attention: int | None
    attention_label: str


# (module, route, actions that open it, title, description, what the count means)
PARTS = (
    (
        "confidentiality",
        "access:confidentiality",
        ("confidentiality.view",),
        _("Confidentiality"),
        _("Who acknowledged which version of the confidentiality text."),
        _("not acknowledged the current version"),
    ),
    (
        "standing",
        "access:standing",
        ("standing.view",),
        _("Standing access"),
        _("System administrators: for which purposes, since when, granted by whom."),
        _("ended, removal not yet confirmed"),
    ),
    (
        "temporary",
        "access:temporary_list",
        ("temporary_access.view", "temporary.view"),
        _("Temporary access"),
        _("Product development, with the ICT manager's approval, for a limited period."),
        _("waiting for a decision or removal"),
    ),
    (
        "consent",
        "access:consent_list",
        ("consent.view", "access_consent.view"),
        _("Customer consent"),
        _("Access by other staff with the customer's explicit consent, and every use."),
        _("need attention"),
    ),
    (
        "support_copies",
        "access:support_copy_list",
        ("support_copy.view", "support_copies.view"),
        _("Support copies"),
        _("Copies of customer environments for support, and their deletion deadlines."),
        _("to be deleted"),
    ),
    (
        "reviews",
        "access:review_list",
        ("access_review.view", "review.view", "reviews.view"),
        _("Access reviews"),
        _("Periodic recertification of every grant, consent and account."),
        _("not reviewed in time"),
    ),
)

OWN_COUNTS = {
    "confidentiality": lambda user: missing_count(),
    "standing": lambda user: removal_pending_count(),
}


def _may_open(user, actions) -> bool:
    known = [a for a in actions if a in PERMISSIONS]
    return bool(known) and can(user, known[0])


def _attention(part: str, user) -> int | None:
    if part in OWN_COUNTS:
        return OWN_COUNTS[part](user)
    try:
        module = importlib.import_module(f"access.selectors.{part}")
    except ImportError:
        return None
    counter = getattr(module, "hub_attention", None)
    return counter(user) if callable(counter) else None


def hub_entries(user) -> list[HubEntry]:
    entries = []
    for part, route, actions, title, description, label in PARTS:
        try:
            url = reverse(route)
        except NoReverseMatch:
            url = None
        if url is not None and not _may_open(user, actions):
            continue
        entries.append(
            HubEntry(
                title=str(title),
                description=str(description),
                url=url,
                attention=_attention(part, user) if url else None,
                attention_label=str(label),
            )
        )
    return entries
