"""The customer's export of its own records in this product (RT-01), before the contract
ends: Excel, CSV and PDF.

Composed here, in the web layer, because it spans apps that may not import each other:
breach notices (breaches), change notices and objections with their decisions
(subprocessors), written instructions, binding instructions and data-subject requests
(processing), and the customer's stored documents (letters, receipts, decisions,
certificates; listed with their download links). Each part is read through the models,
always filtered on the signed-in user's own customer.

Column headings are the fields' names; Excel and PDF show choice labels, days as people
write them and yes/no in words, CSV keeps the stored codes, ISO dates and booleans (a machine
export) with the label in an extra column.
"""

from __future__ import annotations

import csv
import datetime
import io

from django.conf import settings
from django.db import models
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe
from openpyxl import Workbook

from audits.services import event_record
from breaches.models import CustomerNotice
from compliance.access import customer_scope, require
from compliance.documents import pdf_render
from compliance.models import Customer, StoredDocument
from compliance.moments import day_text
from compliance.selectors import processor_profile
from compliance.templatetags.compliance_tags import local_deadline
from processing.models.instructions import BindingInstruction, Instruction
from processing.models.subject_requests import SubjectRequest
from subprocessors.models import ChangeNoticeRecipient, Objection

FORMATS = ("xlsx", "csv", "pdf")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SKIP_TYPES = (models.BinaryField, models.ManyToManyField)
SKIP_NAMES = {"content", "customer", "history", "sha256", "claimed_by", "claimed_until"}

# (key, heading, model, lookup from the model to the customer's id)
SECTIONS = (
    ("notices", gettext_lazy("Breach notices"), CustomerNotice, "customer_id"),
    (
        "change_notices",
        gettext_lazy("Subprocessor change notices"),
        ChangeNoticeRecipient,
        "customer_id",
    ),
    ("objections", gettext_lazy("Objections and decisions"), Objection, "customer_id"),
    ("instructions", gettext_lazy("Instructions"), Instruction, "customer_id"),
    ("binding", gettext_lazy("Binding instructions"), BindingInstruction, "customer_id"),
    ("subject_requests", gettext_lazy("Data-subject requests"), SubjectRequest, "customer_id"),
    ("documents", gettext_lazy("Letters and documents"), StoredDocument, "customer_id"),
)


def _fields(model) -> list:
    return [
        f
        for f in model._meta.concrete_fields
        if not isinstance(f, SKIP_TYPES) and f.name not in SKIP_NAMES
    ]


def _value(obj, field, *, codes: bool):
    if field.is_relation and not codes:
        related = getattr(obj, field.name)  # people read the person or document, not its id
        return "" if related is None else str(related)
    value = getattr(obj, field.attname)
    if field.choices and not codes and value not in (None, ""):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, datetime.datetime):
        return value.isoformat() if codes else local_deadline(value)
    if isinstance(value, datetime.date):
        return value.isoformat() if codes else day_text(value)
    if value is None:
        return ""
    if isinstance(value, bool) and not codes:
        return _("Yes") if value else _("No")
    return value if isinstance(value, int | float | bool) else str(value)


def _link(document: StoredDocument) -> str:
    path = reverse("document_download", kwargs={"uuid": document.uuid})
    return settings.SITE_URL.rstrip("/") + path


def export_sections(customer_id: int, *, codes: bool) -> list[dict]:
    """Each part: heading, column headings and rows of the customer's own records."""
    out = []
    for key, heading, model, lookup in SECTIONS:
        fields = _fields(model)
        rows_qs = model.objects.filter(**{lookup: customer_id}).order_by("pk")
        if model is StoredDocument:
            rows_qs = rows_qs.filter(audit_only=False)
        columns = [str(f.verbose_name) for f in fields]
        if codes:
            columns += [f"{f.verbose_name} ({_('label')})" for f in fields if f.choices]
        if model is StoredDocument:
            columns.append(_("Download"))
        rows = []
        for obj in rows_qs.iterator():
            row = [_value(obj, f, codes=codes) for f in fields]
            if codes:
                row += [_value(obj, f, codes=False) for f in fields if f.choices]
            if model is StoredDocument:
                row.append(_link(obj))
            rows.append(row)
        out.append({"key": key, "heading": str(heading), "columns": columns, "rows": rows})
    return out


def _xlsx(sections) -> bytes:
    book = Workbook(write_only=True)
    for section in sections:
        sheet = book.create_sheet(title=section["heading"][:31])
        sheet.append(section["columns"])
        for row in section["rows"]:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _csv(sections) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for section in sections:
        writer.writerow(["section", section["key"]])
        writer.writerow(section["columns"])
        writer.writerows(section["rows"])
        writer.writerow([])
    return ("\ufeff" + buffer.getvalue()).encode()


@require_safe
def customer_export(request, fmt: str) -> HttpResponse:
    """The signed-in customer user's own records as `fmt` (xlsx, csv or pdf)."""
    user = request.user
    require(user, "customer_export.view_own")
    customer = Customer.objects.get(pk=customer_scope(user))
    now = timezone.now()
    sections = export_sections(customer.pk, codes=fmt == "csv")
    if fmt == "xlsx":
        content, kind = _xlsx(sections), XLSX_TYPE
    elif fmt == "csv":
        content, kind = _csv(sections), "text/csv; charset=utf-8"
    else:
        content = pdf_render(
            template_name="pdf/customer_export.html",
            context={
                "customer": customer,
                "sections": [
                    {**s, "rows": [list(zip(s["columns"], row, strict=True)) for row in s["rows"]]}
                    for s in sections
                ],
                "issued_at": now,
                "processor": processor_profile(),
                "document_title": _("Your records in this product"),
                "document_reference": f"records-{customer.customer_number}-{now:%Y%m%d}",
            },
            language=request.LANGUAGE_CODE if request.LANGUAGE_CODE in ("en", "nl") else "en",
            pdf_options=None,
        )
        kind = "application/pdf"
    event_record(
        actor=user,
        action="processing.export.downloaded",
        obj=customer,
        after={"format": fmt, "rows": {s["key"]: len(s["rows"]) for s in sections}},
        customer_id=customer.pk,
    )
    response = HttpResponse(content, content_type=kind)
    filename = f"records-{customer.customer_number}-{now:%Y%m%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
