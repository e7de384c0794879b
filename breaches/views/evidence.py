"""Pages and downloads of the breach evidence: the customer's authority form draft (BR-04),
the incident's evidence dossier (AU-03) and the private calendar feed of deadlines.

Thin views: the selectors read scoped by the user (another customer's notice is a 404), the
modules `breaches.authority_draft`, `breaches.dossier` and `breaches.calendar` do the work.
"""

from __future__ import annotations

import base64
import json

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from breaches import calendar, selectors
from breaches.authority_draft.build import (
    authority_draft_build,
    authority_draft_filename,
    authority_draft_pdf,
)
from breaches.dossier.requests import dossier_overview, dossier_request_create
from breaches.dossier.selection import dossier_get, dossier_incident_get
from compliance.access import require
from compliance.methods import require_form
from compliance.templatetags.compliance_tags import local_deadline
from compliance.text import bidi_strip


def _download(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, bidi_strip(filename))
    response["Content-Length"] = str(len(content))
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ------------------------------------------------------------------ authority draft (BR-04)


def _notice(request, pk):
    notice = selectors.notice_get(request.user, pk)
    require(request.user, "notice.view", notice)
    return notice


@require_safe
@never_cache
def authority_draft_page(request, pk):
    """BR-04: the draft of the authority's form, on screen; never sent by the product."""
    notice = _notice(request, pk)
    draft = authority_draft_build(user=request.user, notice=notice)
    return render(
        request, "breach_evidence/authority_draft.html", {"notice": notice, "draft": draft}
    )


@require_safe
@never_cache
def authority_draft_json(request, pk):
    """BR-04: the draft as JSON, for copying into the authority's form by script."""
    notice = _notice(request, pk)
    draft = authority_draft_build(user=request.user, notice=notice)
    content = json.dumps(draft, ensure_ascii=False, indent=2).encode()
    return _download(
        content,
        content_type="application/json; charset=utf-8",
        filename=authority_draft_filename(draft, "json"),
    )


@require_safe
@never_cache
def authority_draft_pdf_download(request, pk):
    """BR-04: the draft as PDF, rendered on demand (not stored)."""
    notice = _notice(request, pk)
    content, filename = authority_draft_pdf(user=request.user, notice=notice)
    return _download(content, content_type="application/pdf", filename=filename)


# ------------------------------------------------------------------ evidence dossier (AU-03)


@require_form
@never_cache
def incident_dossier(request, pk):
    """AU-03: the incident's stored dossiers, the requests being prepared and recent
    failures; POST asks for a new one, rendered in the background. Privacy officer and
    auditors only (a customer-engaged auditor gets its customer's part). While a request is
    pending, htmx refreshes the list every few seconds."""
    incident = dossier_incident_get(request.user, pk)
    if request.method == "POST":
        dossier_request, created = dossier_request_create(actor=request.user, incident=incident)
        since = local_deadline(dossier_request.requested_at)
        if created:
            messages.success(
                request,
                _(
                    "The evidence dossier is being prepared (requested at %(time)s). It "
                    "appears on this page when it is ready; you may leave the page meanwhile."
                )
                % {"time": since},
            )
        else:
            messages.info(
                request,
                _(
                    "A dossier of this incident is already being prepared (since %(time)s); "
                    "no second one was requested. It appears on this page when it is ready."
                )
                % {"time": since},
            )
        return redirect("incident_dossier", pk=incident.pk)
    context = {"incident": incident, "overview": dossier_overview(request.user, incident)}
    if getattr(request, "htmx", False):
        return render(request, "breach_evidence/_dossier_requests.html", context)
    return render(request, "breach_evidence/dossier_list.html", context)


@require_safe
@never_cache
def incident_dossier_download(request, pk, uuid):
    """AU-03: one stored dossier, with its SHA-256 for checking (RFC 9530 Repr-Digest)."""
    incident = dossier_incident_get(request.user, pk)
    document = dossier_get(request.user, incident, uuid)
    response = _download(
        bytes(document.content), content_type=document.content_type, filename=document.filename
    )
    digest = base64.b64encode(bytes.fromhex(document.sha256)).decode()
    response["Repr-Digest"] = f"sha-256=:{digest}:"
    return response


# ------------------------------------------------------------------ calendar feed (BR-03/04)


@require_form
@never_cache
def calendar_token_page(request):
    """Create, rotate or revoke the private calendar link; the secret is shown once."""
    user = request.user
    secret_url = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            calendar.calendar_token_revoke(actor=user)
            messages.success(request, _("Your calendar link was revoked."))
            return redirect("calendar_token")
        _token, secret = calendar.calendar_token_rotate(actor=user)
        secret_url = calendar.calendar_feed_url(secret)
    return render(
        request,
        "breach_evidence/calendar_token.html",
        {"token": calendar.calendar_token_active(user), "secret_url": secret_url},
    )


@require_safe
def calendar_feed(request, token):
    """Public by URL name; answers only to a valid calendar token (else 404)."""
    user = calendar.calendar_token_user(token)
    if user is None:
        raise Http404
    response = HttpResponse(calendar.calendar_feed(user=user), content_type="text/calendar")
    response["Content-Disposition"] = content_disposition_header(False, "deadlines.ics")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    # The secret is in the URL: keep it out of any Referer (the feed has links).
    response["Referrer-Policy"] = "no-referrer"
    return response
