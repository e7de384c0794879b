"""The customer's draft of the authority's notification form (BR-04): as data (also the JSON
download), as a PDF, and its file name."""

from __future__ import annotations

from django.utils import timezone

from breaches.authority_draft.sections import SECTIONS, DraftContext, section_fields
from breaches.authority_draft.writer import AP, GBA, Writer, iso
from breaches.models import CustomerNotice
from breaches.severity_text import incident_severity
from compliance.access import require
from compliance.documents import pdf_render
from compliance.models import Country
from compliance.selectors import processor_profile

DRAFT_FORMAT_VERSION = 1


def severity_guidance(incident, *, language: str) -> dict:
    """What the incident's severity band suggests, labelled as ENISA's heuristic (BR-04,
    BR-11): guidance for the customer's own decision, never a decision."""
    w = Writer(language, "")
    band = incident.severity_band or ""
    return {
        "band": band or None,
        "band_label": w.t(f"band_{band}") if band else None,
        "score": str(incident.severity_score) if incident.severity_score is not None else None,
        # For people: "1.75 · Low" (`breaches.severity_text`).
        "text": incident_severity(incident, language=language),
        "method": "ENISA (2013): SE = DPC × EI + CB",
        "heuristic": True,
        "title": w.t("guidance_title"),
        "suggestion": w.t(f"guidance_{band}" if band else "guidance_none"),
        "law": w.t("guidance_law"),
    }


def authority_draft_build(*, user, notice: CustomerNotice) -> dict:
    """OBL BR-04: the customer's draft of the authority's notification form.

    Follows the AP form's sections (the GBA variant in Dutch for a Belgian customer),
    prefilled with what the processor knows from the incident and the notice; each field
    only the controller can fill is marked "to be completed by you". Never sent by the
    product. The caller got `notice` through `breaches.selectors.notice_get(user, …)`, so
    another customer's notice was a 404 before this runs; `require` re-checks the scope.
    """
    require(user, "notice.view", notice)
    incident = notice.incident
    customer = notice.customer
    processor = processor_profile()
    processor_name = processor.legal_name if processor else ""
    authority = GBA if customer.country == Country.BE else AP
    language = "nl" if authority == GBA else customer.language
    w = Writer(language, processor_name)
    now = timezone.now()
    others = CustomerNotice.objects.filter(incident=incident).count()
    share_note = w.t("all_customers_note", count=others) if others > 1 else ""

    context = DraftContext(
        w=w,
        notice=notice,
        incident=incident,
        customer=customer,
        processor=processor,
        processor_name=processor_name,
        authority=authority,
        share_note=share_note,
    )
    guidance = severity_guidance(incident, language=language)
    fields = section_fields(context, guidance)
    return {
        "format_version": DRAFT_FORMAT_VERSION,
        "draft": True,
        "sent_by_processor": False,
        "title": w.t(f"title_{authority}"),
        "disclaimer": w.t("disclaimer", processor=processor_name),
        "authority": authority,
        "language": language,
        "to_complete_marker": w.t("to_complete"),
        "generated_at": iso(now),
        "generated_at_local": w.when(now),
        "incident_id": incident.pk,
        "notice_id": notice.pk,
        "customer": {"id": customer.pk, "name": customer.name, "country": customer.country},
        "sections": [
            {"key": key, "title": w.t(f"s_{key}"), "fields": fields[key]} for key in SECTIONS
        ],
        "severity_guidance": guidance,
    }


DRAFT_TEMPLATE = "pdf/breach_authority_draft.html"


def authority_draft_pdf(*, user, notice: CustomerNotice) -> tuple[bytes, str]:
    """OBL BR-04: the draft as a PDF (bytes, file name), rendered on demand and not stored
    (see the package docstring), through the same sealed renderer as every document."""
    draft = authority_draft_build(user=user, notice=notice)
    w = Writer(draft["language"], "")
    # The footer: "Page 2 of 3" in the draft's language (CSS counters inside the text).
    page_of = w.t("page_of", page='" counter(page) "', pages='" counter(pages) "')
    reference = w.t(
        "draft_reference",
        incident=draft["incident_id"],
        notice=draft["notice_id"],
        time=draft["generated_at_local"],
    )
    content = pdf_render(
        template_name=DRAFT_TEMPLATE,
        context={
            "draft": draft,
            "processor": processor_profile(),
            "page_of_css": f'"{page_of}"',
            "reference": reference,
        },
        language=draft["language"],
    )
    return content, authority_draft_filename(draft, "pdf")


def authority_draft_filename(draft: dict, extension: str) -> str:
    stamp = draft["generated_at"][:16].replace(":", "").replace("-", "")
    return f"draft-{draft['authority']}-incident-{draft['incident_id']}-{stamp}.{extension}"
