"""Sending chain anchors outside the administrators' control (AU-03).

`audits.anchors.anchor_make` signs and stores the chain head; here it leaves the database:
by mail, through the outbox, to every active auditor account and the addresses in
`AUDIT_ANCHOR_RECIPIENTS`, and as JSON to `AUDIT_ANCHOR_WEBHOOK_URL` when one is set. The
mails are queued and committed before the webhook is tried, so a failing webhook never
loses them; its outcome is recorded on the anchor.

Daily: beat rings `anchor_daily` every hour and it makes the day's anchor only when there is
none yet for this Amsterdam day, so a lost tick or two beat processes lose or double nothing.
Evidence bundles call `anchor_make_and_send(reason=AnchorReason.BUNDLE)`.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audits.actions import AuditAction
from audits.anchors import anchor_digest, anchor_document, anchor_make
from audits.models import AnchorReason, ChainAnchor
from audits.services import event_record
from compliance.models import Role, User
from compliance.outbox import message_queue, message_render

log = logging.getLogger(__name__)

WEBHOOK_TIMEOUT_SECONDS = 10
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def anchor_recipients() -> list[tuple[str, str, str]]:
    """(address, name, language) of everyone an anchor is mailed to, each address once."""
    found: dict[str, tuple[str, str, str]] = {}
    auditors = User.objects.filter(role=Role.AUDITOR, is_active=True).order_by("email")
    for user in auditors:
        found.setdefault(user.email.lower(), (user.email, user.full_name, user.language or "en"))
    default_language = settings.LANGUAGE_CODE[:2]
    for address in getattr(settings, "AUDIT_ANCHOR_RECIPIENTS", []) or []:
        address = address.strip()
        if address:
            found.setdefault(address.lower(), (address, "", default_language))
    return list(found.values())


def _mail(anchor: ChainAnchor) -> list[str]:
    context = {
        "anchor": anchor,
        "digest": anchor_digest(anchor),
        "reason": AnchorReason(anchor.reason).label,
        "instance": json.loads(anchor.statement).get("instance", ""),
    }
    sent = []
    for address, name, language in anchor_recipients():
        subject, text, html = message_render(
            "chain_anchor", language=language, context={**context, "name": name}
        )
        message_queue(
            key=f"chain-anchor:{anchor.pk}:{address.lower()}",
            to_email=address,
            to_name=name,
            language=language,
            subject=subject,
            body_text=text,
            body_html=html,
        )
        sent.append(address)
    return sent


def _webhook_post(url: str, anchor: ChainAnchor) -> str:
    body = json.dumps(anchor_document(anchor)).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
            return f"accepted: HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        return f"refused: HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return f"failed: {reason}"[:200]


def anchor_send(anchor: ChainAnchor) -> ChainAnchor:
    """Mail the anchor to every recipient (committed first), then post it to the webhook
    when one is set; both outcomes are recorded on the anchor and in the audit trail."""
    with transaction.atomic():
        sent = _mail(anchor)
        anchor.sent_to = sent
        anchor.save(update_fields=["sent_to"])
    url = getattr(settings, "AUDIT_ANCHOR_WEBHOOK_URL", "")
    status = _webhook_post(url, anchor) if url else ""
    if status and not status.startswith("accepted"):
        log.warning("chain anchor %s: webhook %s", anchor.pk, status)
    with transaction.atomic():
        anchor.webhook_status = status
        anchor.save(update_fields=["webhook_status"])
        event_record(
            actor=None,
            action=AuditAction.AUDIT_CHAIN_ANCHOR_SENT,
            obj=anchor,
            after={"seq": anchor.seq, "to": sent, "webhook": status},
        )
    return anchor


def anchor_make_and_send(*, reason: str = AnchorReason.MANUAL, actor=None) -> ChainAnchor:
    """Anchor the chain head now and send the anchor out (with every evidence bundle)."""
    return anchor_send(anchor_make(reason=reason, actor=actor))


def anchor_daily() -> ChainAnchor | None:
    """The day's anchor, unless this Amsterdam day already has one (AU-03)."""
    today = timezone.localtime(timezone.now(), AMSTERDAM).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    if ChainAnchor.objects.filter(reason=AnchorReason.DAILY, anchored_at__gte=today).exists():
        return None
    return anchor_make_and_send(reason=AnchorReason.DAILY)
