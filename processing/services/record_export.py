"""Exports of the record of processing for the authority (GDPR Art. 30(4), RP-01): the
current version of one customer's record, or of every customer's together, as one PDF
(WeasyPrint through compliance/documents.py) or one XLSX (a sheet per section), in English
or Dutch. Each export is recorded with its SHA-256 in the reader's audit event."""

from __future__ import annotations

import io

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from compliance.access import require
from compliance.documents import pdf_render
from compliance.models import Customer
from compliance.selectors import processor_profile
from processing.models.record import ProcessingRecordVersion
from processing.services.record import PDF_TEMPLATE, export_record, record_items, record_title

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def current_versions(customer: Customer | None) -> list[ProcessingRecordVersion]:
    qs = ProcessingRecordVersion.objects.select_related("customer").order_by(
        "customer__name", "customer_id", "-version"
    )
    if customer is not None:
        qs = qs.filter(customer=customer)
    seen, latest = set(), []
    for version in qs.iterator():
        if version.customer_id not in seen:
            seen.add(version.customer_id)
            latest.append(version)
    return latest


def _contact(person) -> str:
    if not person:
        return ""
    return ", ".join(x for x in (person.get("name"), person.get("email"), person.get("phone")) if x)


def xlsx_build(items: list[dict], *, language: str) -> bytes:
    with translation.override(language):
        book = Workbook()
        parties = book.active
        parties.title = _("Parties")[:31]
        parties.append(
            [
                _("Customer"),
                _("Version"),
                _("Processor"),
                _("Processor's contact"),
                _("Processor's data protection officer"),
                _("Controller"),
                _("Controller's contact"),
                _("Controller's data protection officer"),
            ]
        )
        categories = book.create_sheet(_("Categories")[:31])
        categories.append(
            [_("Customer"), _("Product"), _("Categories of processing"), _("Agreement")]
        )
        transfers = book.create_sheet(_("Transfers")[:31])
        transfers.append([_("Customer"), _("Transfers to third countries")])
        subs = book.create_sheet(_("Subprocessors")[:31])
        subs.append([_("Customer"), _("Subprocessor"), _("Purpose"), _("Products"), _("Locations")])
        security = book.create_sheet(_("Security measures")[:31])
        security.append(
            [_("Customer"), _("General description"), _("For this controller in addition")]
        )
        for item in items:
            record, name = item["record"], item["version"].customer.name
            p, c = record["processor"], record["controller"]
            parties.append(
                [
                    name,
                    item["version"].version,
                    p["name"],
                    _contact({"name": p["team"], "email": p["email"], "phone": p["phone"]}),
                    _contact(p["dpo"]) or _("None appointed"),
                    c["name"],
                    "; ".join(_contact(x) for x in c["contacts"]),
                    _contact(c["dpo"]) or _("None known"),
                ]
            )
            for product in record["categories"]["products"]:
                categories.append(
                    [
                        name,
                        product["product_name"],
                        product["description"] or product["product_name"],
                        ", ".join(product["agreement_labels"]),
                    ]
                )
            if record["categories"]["note"]:
                categories.append([name, "", record["categories"]["note"], ""])
            transfers.append(
                [
                    name,
                    _("None: all processing takes place inside the European Economic Area (EEA).")
                    if record["transfers"]["eea_only"]
                    else ", ".join(record["transfers"]["third_countries"]),
                ]
            )
            for s in record["subprocessors"]:
                subs.append(
                    [
                        name,
                        s["name"],
                        s["purpose"],
                        ", ".join(s["product_names"]),
                        "; ".join(
                            ", ".join(x for x in (loc["name"], loc["city"], loc["country"]) if x)
                            for loc in s["locations"]
                        ),
                    ]
                )
            security.append([name, record["security"]["general"], record["security"]["additions"]])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()


def record_export(*, actor, customer: Customer | None, format: str, language: str):
    """OBL RP-01 (Art. 30(4)): (bytes, content type, file name) of the export; audited."""
    if customer is None:
        require(actor, "processing_record.view_list")
    else:
        require(actor, "processing_record.view", customer)
    language = language if language in ("en", "nl") else "en"
    versions = current_versions(customer)
    items = record_items(versions, language=language)
    stem = (
        f"record-of-processing-{customer.customer_number}" if customer else "records-of-processing"
    )
    if format == "xlsx":
        content, ctype, filename = (
            xlsx_build(items, language=language),
            XLSX_TYPE,
            f"{stem}-{language}.xlsx",
        )
    else:
        content = pdf_render(
            template_name=PDF_TEMPLATE,
            context={
                "items": items,
                "processor": processor_profile(),
                "customer": customer,
                "document_title": record_title(customer, language=language),
                "document_reference": stem,
                "issued_at": timezone.now(),
            },
            language=language,
        )
        ctype, filename = "application/pdf", f"{stem}-{language}.pdf"
    export_record(actor=actor, customer=customer, format=format, language=language, content=content)
    return content, ctype, filename
