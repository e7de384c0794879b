"""Exports of the audit history built in the background (AU-03): an Excel workbook (any
size; openpyxl in write-only mode, a new sheet every `AUDIT_XLSX_SHEET_ROWS` rows) or a PDF
report (up to `PDF_MAX_ROWS` rows). A file cannot be streamed while it is written, so the
request is recorded (`HistoryExport`), rung to a worker after commit and swept by beat when
the doorbell was lost or the worker died; the file is stored once, in the transaction that
marks the export done, with its SHA-256 in the reader's own audit event.
"""

from __future__ import annotations

import datetime
import logging
import tempfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, QueryDict
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from audits.services import event_record
from compliance.access import customer_scope, require
from compliance.documents import document_build, documents_store, pdf_render, template_version
from compliance.doorbell import task_ring
from compliance.models import ExportFormat, ExportState, HistoryExport
from web.audit.bundles import bundle_build, bundle_selection_check
from web.audit.history import HistoryFilterForm, history_events, history_rows
from web.audit.streams import EXPORT_COLUMNS, _export_records, spreadsheet_row

log = logging.getLogger(__name__)

BUILD_TASK = "web.tasks.history_export_build"
PDF_MAX_ROWS = 5000
PDF_TEMPLATE = "pdf/audit_history.html"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LEASE = datetime.timedelta(minutes=10)
# A request no worker took within this time is handed out by the sweep.
PICKUP_AFTER = datetime.timedelta(minutes=1)
MAX_ATTEMPTS = 3
PROGRESS_EVERY = 10_000


def sheet_rows() -> int:
    # Excel holds 1,048,576 rows per sheet; a round million leaves room for the header.
    return getattr(settings, "AUDIT_XLSX_SHEET_ROWS", 1_000_000)


def history_export_request(*, actor, params: QueryDict, format: str) -> HistoryExport:
    """OBL AU-03: ask for an Excel or PDF export of a selection; a PDF only for up to
    `PDF_MAX_ROWS` rows (larger selections are offered as CSV or Excel)."""
    require(actor, "audit.view")
    if format not in ExportFormat.values:
        raise ValidationError({"format": _("Choose Excel or PDF.")})
    form = HistoryFilterForm.for_params(params, user=actor)
    filters = dict(form.data.lists())
    if not form.is_valid():
        raise ValidationError(form.errors)
    if format == ExportFormat.BUNDLE:
        bundle_selection_check(form)
    total = history_events(form).count()
    if format == ExportFormat.PDF and total > PDF_MAX_ROWS:
        raise ValidationError(
            {
                "format": _(
                    "A PDF report holds at most %(max)s events; this selection has %(rows)s. "
                    "Narrow it down, or export it as CSV or Excel."
                )
                % {"max": f"{PDF_MAX_ROWS:,}", "rows": f"{total:,}"}
            }
        )
    with transaction.atomic():
        export = HistoryExport.objects.create(
            requested_by=actor,
            customer_id=customer_scope(actor),
            format=format,
            params=filters,
            selection=form.described(),
            rows_total=total,
        )
        event_record(
            actor=actor,
            action="audit.history_export_requested",
            obj=export,
            after={"format": format, "selection": export.selection, "rows": total},
            customer_id=export.customer_id,
        )
        transaction.on_commit(lambda: _ring(export.pk))
    return export


def _ring(export_id: int) -> None:
    try:
        task_ring(BUILD_TASK, export_id)
    except Exception:  # noqa: BLE001 - the request is stored; the sweep hands it out later
        log.warning("export task for %s not queued", export_id, exc_info=True)


def exports_for(user) -> QuerySet[HistoryExport]:
    """The reader's own exports, newest first: nobody else's appear."""
    require(user, "audit.view")
    return HistoryExport.objects.filter(requested_by=user).select_related("document")


def export_get(user, pk: int) -> HistoryExport:
    export = exports_for(user).filter(pk=pk).first()
    if export is None:
        raise Http404("no such export")
    return export


# --------------------------------------------------------------------------- building


def _claim(export_id: int) -> HistoryExport | None:
    now = timezone.now()
    with transaction.atomic():
        taken = HistoryExport.objects.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lte=now),
            pk=export_id,
            state=ExportState.PENDING,
        ).update(claimed_until=now + LEASE)
        if not taken:
            return None
        export = HistoryExport.objects.select_related("requested_by").get(pk=export_id)
        if export.attempts >= MAX_ATTEMPTS:
            _fail(export, _("Not finished after %(n)s attempts.") % {"n": export.attempts})
            return None
        HistoryExport.objects.filter(pk=export_id).update(attempts=export.attempts + 1)
        return export


def _fail(export: HistoryExport, error: str) -> None:
    HistoryExport.objects.filter(pk=export.pk, state=ExportState.PENDING).update(
        state=ExportState.FAILED, error=error[:4000], finished_at=timezone.now(), claimed_until=None
    )
    event_record(
        actor=None,
        action="audit.history_export_failed",
        obj=export,
        after={"format": export.format, "error": error[:500]},
        customer_id=export.customer_id,
    )


def _progress(export_id: int, rows: int) -> None:
    HistoryExport.objects.filter(pk=export_id).update(
        rows_written=rows, claimed_until=timezone.now() + LEASE
    )


def _xlsx(export: HistoryExport, form: HistoryFilterForm) -> tuple[bytes, int]:
    workbook = Workbook(write_only=True)
    per_sheet = sheet_rows()
    rows = 0
    sheet = None
    for record in _export_records(history_events(form), form.scope):
        if rows % per_sheet == 0:
            sheet = workbook.create_sheet(title=f"{_('History')} {rows // per_sheet + 1}")
            sheet.append(EXPORT_COLUMNS)
        sheet.append(spreadsheet_row(record))
        rows += 1
        if rows % PROGRESS_EVERY == 0:
            _progress(export.pk, rows)
    if sheet is None:
        sheet = workbook.create_sheet(title=f"{_('History')} 1")
        sheet.append(EXPORT_COLUMNS)
    with tempfile.TemporaryFile() as file:
        workbook.save(file)
        file.seek(0)
        return file.read(), rows


def _pdf(export: HistoryExport, form: HistoryFilterForm, language: str) -> tuple[bytes, int]:
    events = list(history_events(form).select_related("actor")[: PDF_MAX_ROWS + 1])
    if len(events) > PDF_MAX_ROWS:
        raise ValidationError(_("The selection grew past what a PDF report holds."))
    with translation.override(language):
        rows = history_rows(events, scope=form.scope)
        content = pdf_render(
            template_name=PDF_TEMPLATE,
            context={
                "rows": rows,
                "selection": _selection_words(form),
                "export": export,
                "generated_at": timezone.now(),
            },
            language=language,
        )
    return content, len(rows)


def _selection_words(form: HistoryFilterForm) -> list[tuple[str, str]]:
    """The selection as people read it: each filled-in filter's label and shown value."""
    words = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if value in (None, ""):
            continue
        if isinstance(value, datetime.date):
            shown = formats.date_format(value, "j F Y")
        elif name == "customer":
            shown = f"{value.name} ({value.customer_number})"
        elif hasattr(field, "choices"):
            flat = {k: v for choice in field.choices for k, v in _flatten(choice)}
            shown = flat.get(value, value)
        else:
            shown = value
        words.append((str(field.label), str(shown)))
    return words


def _flatten(choice):
    key, value = choice
    return value if isinstance(value, list | tuple) else [(key, value)]


def history_export_build(*, export_id: int) -> HistoryExport | None:
    """OBL AU-03: build and store one pending export (the task's work; also in-process).
    Idempotent: a finished export, or one another worker holds, is left alone; the file is
    stored only while the export is still pending, with the rights its requester has now."""
    export = _claim(export_id)
    if export is None:
        return None
    user = export.requested_by
    language = getattr(user, "language", "") or settings.LANGUAGE_CODE[:2]
    try:
        form = HistoryFilterForm.for_params(export.params, user=user)
        if not user.is_active or not form.is_valid():
            raise ValidationError(_("The selection is no longer valid for its requester."))
        if export.format == ExportFormat.XLSX:
            content, rows = _xlsx(export, form)
        elif export.format == ExportFormat.BUNDLE:
            with translation.override(language):
                words = _selection_words(form)
            content, rows = bundle_build(
                export,
                form,
                language=language,
                words=words,
                progress=lambda rows: _progress(export.pk, rows),
            )
        else:
            content, rows = _pdf(export, form, language)
    except ValidationError as exc:
        with transaction.atomic():
            _fail(export, "; ".join(exc.messages))
        return None
    except Exception as exc:  # noqa: BLE001 - left pending: the sweep tries again
        log.exception("export %s failed", export_id)
        HistoryExport.objects.filter(pk=export_id).update(error=str(exc)[:4000])
        return None
    return _store(export, content, rows, language)


def _store(export: HistoryExport, content: bytes, rows: int, language: str) -> HistoryExport:
    stamp = export.requested_at.strftime("%Y%m%d-%H%M%S")
    kind = export.format
    document = document_build(
        content=content,
        title=_("Audit history"),
        filename=f"audit-history-{stamp}.pdf",
        template_name=PDF_TEMPLATE if kind == ExportFormat.PDF else "openpyxl",
        template_version=template_version(PDF_TEMPLATE) if kind == ExportFormat.PDF else "1",
        language=language if language in ("en", "nl") else "en",
        issued_at=timezone.now(),
        customer=export.customer,
        actor=export.requested_by,
    )
    document.audit_only = True
    if kind == ExportFormat.XLSX:
        document.content_type = XLSX_TYPE
        document.filename = f"audit-history-{stamp}.xlsx"
    elif kind == ExportFormat.BUNDLE:
        document.content_type = "application/zip"
        document.filename = f"evidence-bundle-{stamp}.zip"
        document.title = _("Sealed evidence bundle")
        document.template_name, document.template_version = "evidence-bundle", "1"
    with transaction.atomic():
        locked = HistoryExport.objects.select_for_update().filter(
            pk=export.pk, state=ExportState.PENDING
        )
        current = locked.first()
        if current is None:
            return None
        [stored] = documents_store(documents=[document], actor=export.requested_by)
        current.document = stored
        current.state = ExportState.DONE
        current.rows_written = rows
        current.finished_at = timezone.now()
        current.claimed_until = None
        current.save()
        event_record(
            actor=export.requested_by,
            action="audit.history_exported",
            obj=current,
            after={
                "format": kind,
                "selection": export.selection,
                "rows": rows,
                "sha256": stored.sha256,
                "complete": True,
                **({"chain_seq": current.chain_seq} if kind == ExportFormat.BUNDLE else {}),
            },
            customer_id=export.customer_id,
        )
    return current


def history_exports_sweep() -> list[int]:
    """Hand out pending exports whose lease ran out or that no worker took (AU-03)."""
    now = timezone.now()
    due = HistoryExport.objects.filter(state=ExportState.PENDING).filter(
        Q(claimed_until__lte=now)
        | Q(claimed_until__isnull=True, requested_at__lte=now - PICKUP_AFTER)
    )
    built = []
    for pk in list(due.values_list("pk", flat=True)[:20]):
        if history_export_build(export_id=pk) is not None:
            built.append(pk)
    return built
