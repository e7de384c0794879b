"""Asking for a notice's PDF letter: one version per moment the notice was informed, written
with its cause and rendered in the background (BR-06, BR-04; see `breaches.letters.jobs`)."""

from __future__ import annotations

import logging

from django.db import transaction

from audits.services import event_record
from breaches.models import CustomerNotice, NoticeLetter
from breaches.services.common import chunks, iso, now
from compliance.after_commit import after_commit_add
from compliance.doorbell import task_ring

log = logging.getLogger(__name__)

# The Celery task that renders letter versions by id (breaches.tasks).
LETTER_VERSIONS_TASK = "breaches.tasks.notice_letter_versions_render"
# Version ids per task: one task renders them in batches (breaches.letters).
RING_CHUNK = 100


def notice_letter_queue(notice: CustomerNotice) -> NoticeLetter | None:
    """OBL BR-06, BR-04: ask for the next version of the notice's PDF letter when it is
    informed and no version states that yet.

    Called in the transaction that set or changed the notice's `informed_at` (and saved
    it): the e-mail's acceptance, an out-of-band notice, the customer's acknowledgement or
    decision. It locks the notice, and when `informed_at` is set and differs from what the
    latest version states (or its 72-hour deadline does), writes the next version stating
    `informed_at`, `aware_at` and `authority_due_at` as they are now, with a
    `notice.letter_requested` audit event; after commit the version is rung to a worker
    (one ring per transaction for all its versions). Older versions are kept. Returns the
    new version, or None when nothing was asked for."""
    with transaction.atomic():
        current = (
            # of=self: the incident row stays free for the other notices' workers.
            CustomerNotice.objects.select_for_update(of=("self",))
            .only("pk", "customer_id", "informed_at", "aware_at", "authority_due_at")
            .get(pk=notice.pk)
        )
        if current.informed_at is None:
            return None
        latest = (
            NoticeLetter.objects.filter(notice_id=current.pk)
            .order_by("-version")
            .only("version", "informed_at", "authority_due_at")
            .first()
        )
        if (
            latest is not None
            and latest.informed_at == current.informed_at
            and latest.authority_due_at == current.authority_due_at
        ):
            return None
        version = NoticeLetter.objects.create(
            notice=current,
            version=latest.version + 1 if latest else 1,
            informed_at=current.informed_at,
            aware_at=current.aware_at,
            authority_due_at=current.authority_due_at,
            requested_at=now(),
        )
        event_record(
            actor=None,
            action="notice.letter_requested",
            obj=current,
            customer_id=current.customer_id,
            after={
                "version": version.version,
                "informed_at": iso(version.informed_at),
                "aware_at": iso(version.aware_at),
                "authority_due_at": iso(version.authority_due_at),
            },
        )
        after_commit_add("_breach_letter_versions", version.pk, _letters_ring)
    return version


def _letters_ring(version_ids: list[int]) -> None:
    for chunk in chunks(version_ids, RING_CHUNK):
        try:
            task_ring(LETTER_VERSIONS_TASK, list(chunk))
        except Exception:  # noqa: BLE001 - the versions are stored; the sweep takes them up
            log.warning("letter task not queued", exc_info=True)
