"""Shared helpers of the subprocessor services: links, displayed times, who gets mail."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from compliance import moments
from compliance.models import Customer, User
from compliance.services import processor_profile_get

log = logging.getLogger(__name__)


def absolute_url(name: str, fallback: str, **kwargs) -> str:
    """A link for an e-mail; pages are built separately, so fall back to a known path."""
    try:
        path = reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        path = fallback
    return settings.SITE_URL.rstrip("/") + path


def register_url() -> str:
    return absolute_url("subprocessors:register", "/subprocessors/")


def portal_url() -> str:
    return absolute_url("portal", "/portal/")


def display_time(moment: datetime.datetime | None) -> str:
    """A moment as people in Europe/Amsterdam read it, with the time zone named."""
    return moments.moment_text(moment)


def display_time_lazy(moment: datetime.datetime | None):
    """`display_time` written out in the language the mail or letter is rendered in."""
    return moments.moment_text_lazy(moment)


def customer_addressees(customer: Customer, *, user: User | None = None) -> list[tuple]:
    """(email, name, language, contact) for a letter to one customer: the user who acted,
    then its subscription contact; each address once."""
    seen: set[str] = set()
    out = []
    if user is not None and getattr(user, "email", ""):
        seen.add(user.email.lower())
        out.append((user.email, user.full_name, user.language or customer.language, None))
    for contact in customer.contacts.filter(is_subscription_contact=True):
        if contact.email.lower() not in seen:
            seen.add(contact.email.lower())
            out.append((contact.email, contact.name, contact.effective_language, contact))
    return out


def processor_name() -> str:
    return processor_profile_get().legal_name
