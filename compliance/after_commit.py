"""Work gathered during one transaction and done once, after it commits."""

from __future__ import annotations

from collections.abc import Callable, Hashable

from django.db import transaction


class _Batch:
    def __init__(self, handle: Callable[[list], None]):
        self.items: list = []
        self.handle = handle

    def run(self) -> None:
        items, self.items = self.items, []
        self.handle(items)


def after_commit_add(key: str, item: Hashable, handle: Callable[[list], None]) -> None:
    """Add `item` to this transaction's batch `key`; `handle(items)` runs once after commit.

    One callback per transaction instead of one per item: a fan-out to thousands would
    otherwise register thousands. The batch lives on the connection while its on_commit
    callback is still registered; Django drops the callback on rollback, and then a fresh
    batch is started.
    """
    conn = transaction.get_connection()
    batch = getattr(conn, key, None)
    if batch is None or not any(
        getattr(func, "__self__", None) is batch for _, func, _ in conn.run_on_commit
    ):
        batch = _Batch(handle)
        setattr(conn, key, batch)
        transaction.on_commit(batch.run)
    batch.items.append(item)
