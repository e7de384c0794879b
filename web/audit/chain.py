"""The chain check of the Audit section (AU-03): the auditor or the privacy officer asks for a
verification of the whole audit chain; a worker runs it (`audits.verification.chain_verify`,
held against the newest anchor) with its progress, and the outcome is recorded as an audit
event and shown in words. Like the history exports: the request is a row (`ChainCheck`),
rung to a worker after commit, with a lease, and swept by beat when the doorbell was lost or
the worker died. The page also lists the recent anchors with their fingerprint.

The chain is the processor's whole trail; an auditor engaged by one customer sees only
positions, counts and hashes here, never an event, and only the checks it asked for."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.db.models import Q, QuerySet
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audits.models import ChainAnchor, ChainCheck, CheckState
from audits.services import event_record
from audits.verification import Problem, chain_total, chain_verify, newest_anchor
from compliance.access import customer_scope, require
from compliance.doorbell import task_ring
from compliance.methods import require_form

log = logging.getLogger(__name__)

CHECK_TASK = "web.tasks.chain_check_run"
LEASE = datetime.timedelta(minutes=10)
PICKUP_AFTER = datetime.timedelta(minutes=1)
MAX_ATTEMPTS = 3
PROGRESS_EVERY = 20_000
CHECKS_SHOWN = 10
ANCHORS_SHOWN = 10

# The first break, in people's words (the kinds are codes people never see).
BREAK_WORDS = {
    Problem.CONTENT_CHANGED: _("the content of an event was changed"),
    Problem.PAYLOAD_CHANGED: _("the details (before and after) of an event were changed"),
    Problem.CHAIN_BROKEN: _("the link to the previous event does not match"),
    Problem.SEQ_GAP: _("events are missing: they were deleted"),
    Problem.REORDERED: _("events were put in a different order"),
    Problem.HEAD_MISMATCH: _("the last event does not match the recorded end of the chain"),
    Problem.ERASURE_UNRECORDED: _("personal data was erased without a recorded erasure"),
    Problem.UNSEALED: _("recent events are waiting too long to be added to the chain"),
    Problem.ANCHOR_MISMATCH: _(
        "the chain no longer holds the hash that was sent out at the anchored position: it "
        "was rewritten"
    ),
    Problem.ANCHOR_MISSING: _("the chain ends before the anchored position: events were deleted"),
}


def checks_for(user) -> QuerySet[ChainCheck]:
    """The reader's own chain checks, newest first."""
    require(user, "audit.view")
    return ChainCheck.objects.filter(requested_by=user)


def chain_check_request(*, actor) -> ChainCheck:
    """OBL AU-03: ask for a check of the whole chain; one pending check per reader."""
    require(actor, "audit.view")
    with transaction.atomic():
        waiting = checks_for(actor).filter(state__in=[CheckState.PENDING, CheckState.RUNNING])
        existing = waiting.select_for_update().first()
        if existing is not None:
            return existing
        check = ChainCheck.objects.create(requested_by=actor, total=chain_total())
        event_record(
            actor=actor,
            action="audit.chain_check_requested",
            obj=check,
            after={"total": check.total},
            customer_id=customer_scope(actor),
        )
        transaction.on_commit(lambda: _ring(check.pk))
    return check


def _ring(check_id: int) -> None:
    try:
        task_ring(CHECK_TASK, check_id)
    except Exception:  # noqa: BLE001 - the request is stored; the sweep hands it out later
        log.warning("chain check task for %s not queued", check_id, exc_info=True)


def _claim(check_id: int) -> ChainCheck | None:
    now = timezone.now()
    with transaction.atomic():
        taken = ChainCheck.objects.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lte=now),
            pk=check_id,
            state__in=[CheckState.PENDING, CheckState.RUNNING],
        ).update(claimed_until=now + LEASE, state=CheckState.RUNNING)
        if not taken:
            return None
        check = ChainCheck.objects.select_related("requested_by").get(pk=check_id)
        if check.attempts >= MAX_ATTEMPTS:
            _finish(check, state=CheckState.FAILED, intact=None, result={"error": "attempts"})
            return None
        ChainCheck.objects.filter(pk=check_id).update(attempts=check.attempts + 1, checked=0)
        return check


def _finish(check: ChainCheck, *, state: str, intact: bool | None, result: dict) -> None:
    with transaction.atomic():
        ChainCheck.objects.filter(pk=check.pk).update(
            state=state,
            intact=intact,
            result=result,
            finished_at=timezone.now(),
            claimed_until=None,
        )
        event_record(
            actor=check.requested_by,
            action="audit.chain_checked",
            obj=check,
            after={"state": state, "intact": intact, **result},
            customer_id=customer_scope(check.requested_by),
        )


def _outcome(verification) -> dict:
    """What is kept of a verification: positions, counts, hashes and the kind of the first
    break — never an event's content."""
    first = verification.first_break
    anchor = verification.anchor
    kept = {
        "count": verification.count,
        "head_seq": verification.head_seq,
        "head_hash": verification.head_hash,
        "unsealed": verification.unsealed_count,
        "break": {"kind": first.kind, "seq": first.seq} if first else None,
        "in_tail": bool(first and first in verification.tail_breaks),
    }
    if anchor is not None:
        kept["anchor"] = {
            "seq": anchor.seq,
            "chain_hash": anchor.chain_hash,
            "ok": anchor.ok,
            "after": anchor.after,
            "lost_first": anchor.lost_first,
            "lost_last": anchor.lost_last,
        }
    return kept


def chain_check_run(*, check_id: int) -> ChainCheck | None:
    """OBL AU-03: run one asked-for check (the task's work; also in-process). Idempotent: a
    finished check, or one another worker holds, is left alone."""
    check = _claim(check_id)
    if check is None:
        return None

    def progress(count: int) -> None:
        ChainCheck.objects.filter(pk=check_id).update(
            checked=count, claimed_until=timezone.now() + LEASE
        )

    try:
        verification = chain_verify(
            anchor=newest_anchor(), progress=progress, progress_every=PROGRESS_EVERY
        )
    except Exception:  # noqa: BLE001 - left running: the lease runs out and the sweep retries
        log.exception("chain check %s failed", check_id)
        return None
    ChainCheck.objects.filter(pk=check_id).update(checked=verification.count)
    _finish(check, state=CheckState.DONE, intact=verification.ok, result=_outcome(verification))
    return ChainCheck.objects.get(pk=check_id)


def chain_checks_sweep() -> list[int]:
    """Hand out checks whose lease ran out or that no worker took (AU-03)."""
    now = timezone.now()
    due = ChainCheck.objects.filter(state__in=[CheckState.PENDING, CheckState.RUNNING]).filter(
        Q(claimed_until__lte=now)
        | Q(claimed_until__isnull=True, requested_at__lte=now - PICKUP_AFTER)
    )
    done = []
    for pk in list(due.values_list("pk", flat=True)[:5]):
        if chain_check_run(check_id=pk) is not None:
            done.append(pk)
    return done


# --------------------------------------------------------------------------- the page


def _shown(check: ChainCheck) -> dict:
    result = check.result or {}
    brk = result.get("break")
    total = check.total or 0
    return {
        "check": check,
        "percent": min(100, round(100 * check.checked / total)) if total else None,
        "break_words": BREAK_WORDS.get(brk["kind"], "") if brk else "",
        "break_seq": brk["seq"] if brk else None,
        "in_tail": result.get("in_tail", False),
        "anchor": result.get("anchor"),
        "count": result.get("count"),
    }


@require_form
def audit_chain(request):
    """The chain check: start one (POST), see the reader's checks and the recent anchors."""
    user = request.user
    checks = checks_for(user)
    if request.method == "POST":
        chain_check_request(actor=user)
        return redirect("audit_chain")
    shown = [_shown(check) for check in checks[:CHECKS_SHOWN]]
    waiting = (CheckState.PENDING, CheckState.RUNNING)
    return render(
        request,
        "audit/chain.html",
        {
            "current": "audit",
            "checks": shown,
            "refresh": any(s["check"].state in waiting for s in shown),
            "anchors": ChainAnchor.objects.order_by("-anchored_at", "-id")[:ANCHORS_SHOWN],
            "total": chain_total(),
        },
    )
