"""The KPI report (AU-03): a period's incidents, how fast the affected customers were
informed, late notices and their reasons, the customers' decisions, change notices with
their actual notice periods, objections and their outcomes — as a page with charts, a PDF
and a CSV with the same numbers (`web.audit.kpi_report`).

The period is a range of Amsterdam dates, both included; by default the last twelve months
(from the first day of the month eleven months back to today). The PDF and the CSV are the
reader's own exports: each is recorded in the audit trail with its period, its size and
the SHA-256 of the bytes sent (as the search's exports are).
"""

from __future__ import annotations

import datetime
import hashlib

from django import forms
from django.db import transaction
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from audits.services import event_record
from breaches.kpi import LATE_LIST_LIMIT, late_notices
from compliance.access import customer_scope, require
from compliance.api_pdf import pdf_response
from compliance.documents import pdf_render
from compliance.moments import display_zone
from compliance.selectors import processor_profile
from web.audit.kpi_report import csv_render, report_build

# The longest period one report covers (about ten years of monthly bars).
MAX_DAYS = 3660
PDF_TEMPLATE = "pdf/audit_kpi.html"


def local_today() -> datetime.date:
    return timezone.now().astimezone(display_zone()).date()


def default_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last twelve months: this month and the eleven before it, up to today."""
    month_index = today.year * 12 + today.month - 1 - 11
    return datetime.date(month_index // 12, month_index % 12 + 1, 1), today


def utc_bounds(date_from, date_to) -> tuple[datetime.datetime, datetime.datetime]:
    """Amsterdam midnight starting `date_from` up to the one after `date_to`, in UTC."""
    zone = display_zone()
    start = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min, zone)
    return start.astimezone(datetime.UTC), end.astimezone(datetime.UTC)


class PeriodForm(forms.Form):
    date_from = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=gettext_lazy("Up to and including"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self):
        data = super().clean()
        default_from, default_to = default_period(local_today())
        date_from = data.get("date_from") or default_from
        date_to = data.get("date_to") or default_to
        if self.errors:
            return data
        if date_from > date_to:
            raise forms.ValidationError(_("The period must start before it ends."))
        if (date_to - date_from).days > MAX_DAYS:
            raise forms.ValidationError(_("A report covers at most ten years."))
        data["date_from"], data["date_to"] = date_from, date_to
        return data


def _period(request):
    require(request.user, "audit.view")
    params = {key: request.GET.get(key, "") for key in ("date_from", "date_to")}
    return PeriodForm(params)


def _report(request, form, *, late_limit=LATE_LIST_LIMIT, draw=True):
    date_from, date_to = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    start, end = utc_bounds(date_from, date_to)
    return report_build(
        request.user,
        date_from=date_from,
        date_to=date_to,
        start=start,
        end=end,
        late_limit=late_limit,
        draw=draw,
    )


def _filename(report, extension: str) -> str:
    return f"kpi-{report.date_from.isoformat()}-{report.date_to.isoformat()}.{extension}"


def _record_export(request, report, *, kind: str, content: bytes) -> None:
    """Audit the auditor (AU-03): who exported which period, as what, which bytes."""
    after = {
        "format": kind,
        "date_from": report.date_from.isoformat(),
        "date_to": report.date_to.isoformat(),
        "bytes": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
    }
    with transaction.atomic():
        event_record(
            actor=request.user,
            action="audit.kpi_exported",
            after=after,
            customer_id=customer_scope(request.user),
        )


@require_safe
def audit_kpi(request):
    form = _period(request)
    report = _report(request, form) if form.is_valid() else None
    query = ""
    if report is not None:
        query = urlencode(
            {"date_from": report.date_from.isoformat(), "date_to": report.date_to.isoformat()}
        )
    return render(
        request,
        "audit/kpi.html",
        {"current": "audit_kpi", "form": form, "report": report, "query": query},
    )


@require_safe
def audit_kpi_pdf(request):
    form = _period(request)
    if not form.is_valid():
        return HttpResponseBadRequest(_("The period is not valid."))
    report = _report(request, form)
    language = translation.get_language() or "en"
    content = pdf_render(
        template_name=PDF_TEMPLATE,
        context={
            "report": report,
            "processor": processor_profile(),
            "document_title": _("KPI report"),
            "generated_at": timezone.now(),
            "page_of": page_of_css(),
        },
        language=language,
    )
    _record_export(request, report, kind="pdf", content=content)
    return pdf_response(content, _filename(report, "pdf"))


@require_safe
def audit_kpi_csv(request):
    form = _period(request)
    if not form.is_valid():
        return HttpResponseBadRequest(_("The period is not valid."))
    report = _report(request, form, late_limit=0, draw=False)
    every_late = late_notices(request.user, start=report.start, end=report.end)
    text = csv_render(report, every_late)
    content = ("\ufeff" + text).encode("utf-8")  # the BOM lets spreadsheets read UTF-8
    _record_export(request, report, kind="csv", content=content)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, _filename(report, "csv"))
    response["X-Content-Type-Options"] = "nosniff"
    return response


def page_of_css() -> str:
    """ "Page 2 of 5" as a CSS `content` value, in the active language."""
    text = _("Page {page} of {pages}")
    parts = []
    for piece in text.replace("{pages}", "\0pages\0").replace("{page}", "\0page\0").split("\0"):
        if piece in ("page", "pages"):
            parts.append(f"counter({piece})")
        elif piece:
            parts.append('"' + piece.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return " ".join(parts)
