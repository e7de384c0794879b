"""Cache of the public register page and feed (SP-01), invalidated on every change.

Anonymous visitors get the register fragment and the feed from the shared cache, one entry per
language. Every write to what they show (subprocessors, their products and locations, change
notices, product names) bumps a version kept in the cache; the entries are keyed by that
version, so a change is visible at the next request in every process (web, worker, beat),
whichever of them wrote it.

The version is bumped at once and again after commit: the first keeps the writing process from
serving the old text inside its transaction, the second makes sure an entry built from the old
rows by a concurrent request in between is never used again.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import get_language

from compliance.models import ProcessorProfile, Product
from subprocessors.models import ChangeNotice, ProcessingLocation, Subprocessor

VERSION_KEY = "subprocessors:register:version"
# A safety net only: entries are invalidated by version, not by age.
ENTRY_SECONDS = 60 * 60


def register_cache_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY) or "0"
    return version


def register_cache_bump() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def register_cached(name: str, build: Callable[[], str | bytes]) -> str | bytes:
    """The entry `name` for the current language, built by `build()` when missing."""
    key = f"subprocessors:register:{name}:{get_language() or 'en'}:{register_cache_version()}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, ENTRY_SECONDS)
    return value


def _changed(sender, **kwargs) -> None:
    register_cache_bump()
    transaction.on_commit(register_cache_bump)


def connect() -> None:
    """Called from the app's ready(): in every process that can write."""

    # The processor profile names the feed's author.
    for model in (Subprocessor, ProcessingLocation, ChangeNotice, Product, ProcessorProfile):
        uid = f"subprocessors.register_cache.{model.__name__}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}.delete")
    m2m_changed.connect(
        _changed,
        sender=Subprocessor.products.through,
        dispatch_uid="subprocessors.register_cache.products",
    )
