"""The Audit section's search page, its streamed exports and the history of one object
(AU-03). Every search and export is itself recorded: who, the selection, the rows and, for
an export, the SHA-256 of exactly the bytes sent."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from audits.models import AuditEvent
from audits.seal import seal
from audits.services import event_record
from compliance.access import customer_scope, require
from compliance.api_pdf import stored_document_response
from compliance.models import ExportState
from web.audit.exports import export_get, exports_for, history_export_request
from web.audit.history import HistoryFilterForm, audited_models, history_events, history_rows
from web.audit.object_history import object_history_context
from web.audit.streams import csv_export, json_export

PAGE_SIZE = 50
EXPORTS_SHOWN = 10


def events_before(events, event_id: int):
    """The events of a selection older than one of them (the next page): by time, and by
    id among events of the same moment, as the selection is ordered."""
    mark = AuditEvent.objects.filter(pk=event_id).values_list("occurred_at", flat=True).first()
    if mark is None:
        return events.none()
    return events.filter(Q(occurred_at__lt=mark) | Q(occurred_at=mark, id__lt=event_id))


def _record(user, action: str, after: dict) -> None:
    with transaction.atomic():
        event_record(actor=user, action=action, after=after, customer_id=customer_scope(user))


def _form(request) -> HistoryFilterForm:
    require(request.user, "audit.view")
    return HistoryFilterForm.for_params(request.GET, user=request.user)


@require_safe
def audit_search(request):
    form = _form(request)
    rows, more, before = [], False, None
    if form.is_valid():
        events = history_events(form).select_related("actor")
        before = request.GET.get("before")
        if before and before.isdigit() and len(before) <= 18:
            events = events_before(events, int(before))
        page = list(events[: PAGE_SIZE + 1])
        more = len(page) > PAGE_SIZE
        page = page[:PAGE_SIZE]
        rows = history_rows(page, scope=form.scope)
        _record(
            request.user,
            "audit.history_searched",
            {"selection": form.described(), "rows_shown": len(rows), "more": more},
        )
        query = form.data.urlencode()
        next_url = f"?{query}&before={page[-1].pk}" if more else ""
    else:
        query, next_url = "", ""
    return render(
        request,
        "audit/search.html",
        {
            "current": "audit_search",
            "form": form,
            "rows": rows,
            "next_url": next_url,
            "paged": bool(before),
            "query": query,
            "scoped": form.scope is not None,
            "exports": exports_for(request.user)[:EXPORTS_SHOWN],
            "seal_fingerprint": seal().fingerprint,
            "filters": [(k, v) for k, values in form.data.lists() for v in values],
        },
    )


def _export(request, kind: str):
    form = _form(request)
    if not form.is_valid():
        return HttpResponseBadRequest(
            "; ".join(str(e) for errors in form.errors.values() for e in errors),
            content_type="text/plain; charset=utf-8",
        )
    user, selection = request.user, form.described()

    def done(rows: int, sha256: str, complete: bool) -> None:
        _record(
            user,
            "audit.history_exported",
            {
                "format": kind,
                "selection": selection,
                "rows": rows,
                "sha256": sha256,
                "complete": complete,
            },
        )

    events = history_events(form)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    if kind == "csv":
        stream = csv_export(events, scope=form.scope, done=done)
        content_type = "text/csv; charset=utf-8"
    else:
        stream = json_export(events, scope=form.scope, selection=selection, done=done)
        content_type = "application/json"
    response = StreamingHttpResponse(stream, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="audit-history-{stamp}.{kind}"'
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def audit_export_csv(request):
    return _export(request, "csv")


@require_safe
def audit_export_json(request):
    return _export(request, "json")


@require_safe
def audit_object_history(request, object_type: str, object_id: str):
    """One record's history: its audit events and its state at any past moment."""
    require(request.user, "audit.view")
    model = audited_models().get(object_type)
    if model is None or len(object_id) > 64:
        raise Http404("unknown record")
    at = parse_datetime(request.GET.get("at", "") or "")
    if at is not None and timezone.is_naive(at):
        at = at.replace(tzinfo=datetime.UTC)
    context = object_history_context(user=request.user, model=model, object_id=object_id, at=at)
    context["search_url"] = reverse("audit_search") + "?" + urlencode({"object_type": object_type})
    return render(request, "audit/object_history.html", {"current": "audit_search", **context})


@require_POST
def audit_export_request(request):
    """Ask for an Excel workbook or a PDF report of the selection, built in the background."""
    params = request.POST.copy()
    params.pop("csrfmiddlewaretoken", None)
    try:
        export = history_export_request(
            actor=request.user, params=params, format=request.POST.get("format", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Your %(kind)s is being prepared; it appears below when it is ready.")
            % {"kind": export.get_format_display().lower()},
        )
    params.pop("format", None)
    return redirect(reverse("audit_search") + ("?" + params.urlencode() if params else ""))


@require_safe
def audit_exports(request):
    """The reader's own exports with their progress (refreshed while one is prepared)."""
    require(request.user, "audit.view")
    return render(
        request,
        "audit/_exports.html",
        {"exports": exports_for(request.user)[:EXPORTS_SHOWN]},
    )


@require_safe
def audit_export_download(request, pk: int):
    export = export_get(request.user, pk)
    if export.state != ExportState.DONE or export.document is None:
        raise Http404("not ready")
    return stored_document_response(export.document)
