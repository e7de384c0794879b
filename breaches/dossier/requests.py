"""The lifecycle of a dossier request (AU-03): asked for on a page or through the API,
rendered by a Celery task, handed out again by the sweep when a task is lost or a worker
dies, and failed with its reason after `DOSSIER_MAX_ATTEMPTS` tries."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from audits.history import acting_as
from audits.services import event_record
from breaches.dossier.files import dossier_build
from breaches.dossier.selection import dossiers_for
from breaches.models import DossierRequest, DossierRequestState, Incident
from compliance.access import SYSTEM, customer_scope, require
from compliance.documents import DocumentRenderError, documents_store
from compliance.doorbell import task_ring
from compliance.models import StoredDocument

logger = logging.getLogger(__name__)

# The Celery task that renders one requested dossier (breaches.tasks).
RENDER_TASK = "breaches.tasks.dossier_request_render"

# A worker rendering a request holds it this long; after that the sweep hands it out again.
DOSSIER_RENDER_LEASE = datetime.timedelta(minutes=30)
# A request nobody took up this long after it was made (its task lost) is handed out again.
DOSSIER_PICKUP_AFTER = datetime.timedelta(minutes=2)
# After an unexpected error the request waits this long, then the sweep tries again.
DOSSIER_RETRY_AFTER = datetime.timedelta(minutes=1)
# Tries (claims by a worker) before a request is given up as failed.
DOSSIER_MAX_ATTEMPTS = 3
# Failed requests stay on the dossier page this long.
DOSSIER_FAILURES_SHOWN = datetime.timedelta(days=7)


def dossier_requests_for(user, incident: Incident) -> QuerySet[DossierRequest]:
    """The dossier requests of an incident the user may see, newest first: the privacy
    officer and the processor's auditor all of them, a customer-engaged auditor only its
    customer's (AU-03; the same rule as `dossiers_for`)."""
    require(user, "audit.view")
    scope = customer_scope(user)
    requests = DossierRequest.objects.filter(incident=incident).select_related(
        "requested_by", "customer"
    )
    if scope is not None:
        requests = requests.filter(customer_id=scope)
    return requests.order_by("-requested_at", "-pk")


@dataclass(frozen=True)
class DossierOverview:
    """What the dossier page shows: requests being prepared, recent failures, and the
    stored dossiers."""

    pending: list[DossierRequest]
    failed: list[DossierRequest]
    documents: QuerySet[StoredDocument]

    @property
    def refresh(self) -> bool:
        return bool(self.pending)


def dossier_overview(user, incident: Incident) -> DossierOverview:
    requests = dossier_requests_for(user, incident)
    since = timezone.now() - DOSSIER_FAILURES_SHOWN
    return DossierOverview(
        pending=list(requests.filter(state=DossierRequestState.PENDING)),
        failed=list(requests.filter(state=DossierRequestState.FAILED, finished_at__gte=since)),
        documents=dossiers_for(user, incident),
    )


def _request_event(request: DossierRequest, action: str, *, actor=SYSTEM, **after) -> None:
    event_record(
        actor=actor,
        action=action,
        obj=request,
        customer_id=request.customer_id,
        after={
            "incident": request.incident_id,
            "scope": request.customer_id or "all",
            "requested_by": request.requested_by_id,
            **after,
        },
    )


def dossier_request_create(*, actor, incident: Incident) -> tuple[DossierRequest, bool]:
    """OBL AU-03: ask for a new evidence dossier of the incident; rendered in the background.

    Returns the request and whether it is new: while a request of the same incident and
    scope (the actor's customer for a customer-engaged auditor, else all customers) is still
    pending, that one is returned and nothing is written (a second click). The request and
    its `dossier.requested` audit event commit together; after commit a Celery task renders
    it, and the sweep picks it up if that task is lost (BR-02: the dossier is evidence of
    the incident's handling). Access as for the dossier itself: privacy officer and auditors.
    """
    require(actor, "audit.view")
    scope = customer_scope(actor)
    if scope is not None and not incident.notices.filter(customer_id=scope).exists():
        raise Http404
    pending = DossierRequest.objects.filter(
        incident=incident, customer_id=scope, state=DossierRequestState.PENDING
    )
    with transaction.atomic():
        existing = pending.select_related("requested_by").first()
        if existing is not None:
            return existing, False
        try:
            with transaction.atomic():
                request = DossierRequest.objects.create(
                    incident=incident,
                    requested_by=actor,
                    requested_at=timezone.now(),
                    customer_id=scope,
                )
        except IntegrityError:
            # Another click won the race (the partial unique constraint).
            existing = pending.select_related("requested_by").first()
            if existing is None:
                raise
            return existing, False
        _request_event(request, "dossier.requested", actor=actor)
        transaction.on_commit(lambda: _dossier_enqueue(request.pk))
    return request, True


def _dossier_enqueue(request_id: int) -> None:
    try:
        task_ring(RENDER_TASK, request_id)
    except Exception:  # noqa: BLE001 - the request is stored; the sweep hands it out later
        logger.warning("dossier task for request %s not queued", request_id, exc_info=True)


def _locked(request_id: int) -> DossierRequest | None:
    return (
        DossierRequest.objects.select_for_update(of=("self",))
        .select_related("requested_by", "incident", "customer")
        .filter(pk=request_id)
        .first()
    )


def _fail(request: DossierRequest, error: str) -> None:
    """Inside the caller's transaction, on a locked pending request."""
    request.state = DossierRequestState.FAILED
    request.error = error[:4000]
    request.finished_at = timezone.now()
    request.claimed_until = None
    request.save()
    _request_event(request, "dossier.failed", attempts=request.attempts, error=request.error)


def _claim(request_id: int) -> DossierRequest | None:
    """Lock the request and take it for one lease, or None when it is not ours to render
    (finished, or another worker's lease still runs). A request that used up its tries is
    failed here."""
    with transaction.atomic():
        request = _locked(request_id)
        if request is None or request.state != DossierRequestState.PENDING:
            return None
        now = timezone.now()
        if request.claimed_until is not None and request.claimed_until > now:
            return None
        if request.attempts >= DOSSIER_MAX_ATTEMPTS:
            _fail(
                request,
                f"Not finished after {request.attempts} attempts (the worker stopped). "
                + request.error,
            )
            return None
        request.attempts += 1
        request.claimed_until = now + DOSSIER_RENDER_LEASE
        request.save()
        return request


# Errors that will not go away by trying again: the request fails at once.
_FINAL_ERRORS = (PermissionDenied, Http404, ValidationError, DocumentRenderError)


def dossier_request_process(*, request_id: int) -> DossierRequest | None:
    """OBL AU-03: render and store the dossier of one pending request (the Celery task's
    work; also called in-process). Idempotent: a finished request, or one another worker
    is rendering, is left alone, and the document is stored only while the request is still
    pending, in the transaction that marks it done (`dossier.issued` and `document.issued`
    events). Rendered with the rights the requester has now: a requester who lost them (or
    whose customer changed) gets a failed request, never a dossier beyond its scope.
    An unexpected error leaves the request pending for the sweep to try again, up to
    `DOSSIER_MAX_ATTEMPTS` tries; then, as for errors that cannot go away, it fails with
    the reason."""
    claimed = _claim(request_id)
    if claimed is None:
        return DossierRequest.objects.filter(pk=request_id).first()
    requester = claimed.requested_by
    with acting_as(requester):
        try:
            if customer_scope(requester) != claimed.customer_id:
                raise PermissionDenied("the requester's scope changed since the request")
            document = dossier_build(actor=requester, incident=claimed.incident)
        except Exception as exc:  # noqa: BLE001 - recorded on the request, never lost
            logger.exception("dossier request %s failed", request_id)
            return _attempt_failed(claimed, exc)
        with transaction.atomic():
            request = _locked(request_id)
            if request is None or request.state != DossierRequestState.PENDING:
                # Another worker finished it first: its document is the one.
                return request
            [document] = documents_store(documents=[document], actor=SYSTEM)
            request.state = DossierRequestState.DONE
            request.document = document
            request.finished_at = timezone.now()
            request.claimed_until = None
            request.error = ""
            request.save()
            _request_event(
                request,
                "dossier.issued",
                document=str(document.uuid),
                sha256=document.sha256,
                attempts=request.attempts,
            )
    return request


def _attempt_failed(claimed: DossierRequest, exc: Exception) -> DossierRequest | None:
    error = f"{type(exc).__name__}: {exc}".strip()
    with transaction.atomic():
        request = _locked(claimed.pk)
        # Only the attempt that holds the request decides about it.
        if (
            request is None
            or request.state != DossierRequestState.PENDING
            or request.attempts != claimed.attempts
        ):
            return request
        if isinstance(exc, _FINAL_ERRORS) or request.attempts >= DOSSIER_MAX_ATTEMPTS:
            _fail(request, error)
        else:
            request.error = error[:4000]
            request.claimed_until = timezone.now() + DOSSIER_RETRY_AFTER
            request.save()
    return request


def dossier_requests_due(*, limit: int = 100) -> list[int]:
    """Pending requests that need a worker: never taken up within `DOSSIER_PICKUP_AFTER`
    (their task lost), or whose lease or retry wait ran out (a dead worker, an error)."""
    now = timezone.now()
    due = DossierRequest.objects.filter(state=DossierRequestState.PENDING).filter(
        Q(claimed_until__isnull=True, requested_at__lte=now - DOSSIER_PICKUP_AFTER)
        | Q(claimed_until__lte=now)
    )
    return list(due.order_by("requested_at", "pk").values_list("pk", flat=True)[:limit])


def dossier_requests_sweep(*, process=None) -> list[int]:
    """OBL AU-03: hand every due request (see `dossier_requests_due`) to a worker again, so a
    lost task or a dead worker loses no dossier. `process(request_id)` defaults to queueing
    the Celery task; the claim makes a request handed out twice render once. Returns the ids
    handed out."""
    ids = dossier_requests_due()
    for request_id in ids:
        if process is None:
            _dossier_enqueue(request_id)
        else:
            process(request_id)
    return ids
