"""The versions of a customer's decision (BR-04: revisable, with history), read once for
the portal and the dossier.

A version is a history row of the notice with a decision; a row is a new version when its
moment of decision or any of the decision's fields (`DECISION_FIELDS`) differs from the row
before it. Kept beside the selectors so the portal and the dossier use one key.
"""

from __future__ import annotations

from breaches.models import DECISION_FIELDS, CustomerNotice


def _key(record) -> tuple:
    return (record.decided_at, *(getattr(record, name) for name in DECISION_FIELDS))


def decision_versions(notice: CustomerNotice, *, latest: int | None = None) -> list:
    """Each distinct version of `notice`'s decision, oldest first (history rows).

    `latest`: only the newest `latest` versions, read from at most ten times as many
    history rows (the portal's page stays bounded however often a decision is saved).
    """
    records = notice.history.filter(decided_at__isnull=False)
    if latest is None:
        rows = list(records.order_by("history_date", "history_id"))
    else:
        rows = list(records.order_by("-history_date", "-history_id")[: latest * 10])[::-1]
    out: list = []
    last = None
    for record in rows:
        key = _key(record)
        if key != last:
            out.append(record)
            last = key
    return out if latest is None else out[-latest:]
