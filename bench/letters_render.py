"""Letters per second for the PDF letters of an incident affecting 10,000 customers
(issue 5), through the fast path, against rendering each complete letter from scratch.

Set-up (not measured): customers (half English, half Dutch), contracts and contacts written
in bulk; an incident reported, triaged, its customers selected and notified with the real
services (the letter tasks it queues go to the benchmark's own queue, which nothing
consumes). Measured, in this one process: `breaches.letters.notice_letters_render` over
every notice in chunks of 100 ids, as the Celery task receives them; this includes the
shared pages (rendered once per language; the cache is emptied first), the customers' own
pages in batches, assembly with pypdf, and storing each letter with its audit events.
Baseline, same run: `document_render` of the complete letter (`pdf/breach_notice_letter.html`,
the same own page and shared pages in one WeasyPrint document), stored the same way, for a
sample of notices of both languages. One warm-up render precedes each measurement.

LETTERS overrides 10,000 customers; LETTERS_SAMPLE the 50 baseline letters.
"""

from __future__ import annotations

import io
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bench import common

NAME = "letters_render"
TARGET_RATIO = 5
CHUNK = 100  # notice ids per Celery task (breaches.services.notify._letters_enqueue)


def run() -> dict:
    count = int(os.environ.get("LETTERS", "10000"))
    sample = int(os.environ.get("LETTERS_SAMPLE", "50"))
    tmp = Path(tempfile.mkdtemp(prefix="bench-letters-"))
    env, described = common.environment(tmp, common.free_port(), "letters")
    try:
        common.log(NAME, f"{count} customers; migrating ...")
        common.migrate(env)
        common.django_setup(env)

        from django.utils import translation
        from pypdf import PdfReader

        from breaches import letters
        from breaches.models import CustomerNotice
        from breaches.services import (
            affected_select,
            incident_notify,
            incident_report,
            incident_triage,
        )
        from breaches.services.common import notice_link
        from compliance.documents import document_render
        from compliance.models import Role, StoredDocument

        started = time.perf_counter()
        common.processor_profile()
        officer = common.user_make("officer@processor.example", Role.PRIVACY_OFFICER)
        made = common.customers_bulk(count, count)
        incident = incident_report(
            actor=officer,
            title="Backup files exposed at the hosting provider",
            description=(
                "A misconfigured storage bucket at our hosting provider exposed backup files "
                "of the Profit application for about two hours. The bucket held daily "
                "exports of the payroll module; access logs show downloads from two "
                "addresses outside our network before the bucket was closed.\n"
                "We closed the bucket, rotated every key that the exports contained and "
                "asked the hosting provider for its own investigation report."
            ),
            products=made["products"],
            personal_data_possible=True,
        )
        incident_triage(
            actor=officer,
            incident=incident,
            personal_data_involved=True,
            data_categories="Names, e-mail addresses, payroll data, bank account numbers",
            data_subject_categories="Employees of the customers",
            subjects_min=1000,
            subjects_max=250000,
            likely_consequences=(
                "Phishing aimed at the employees using their payroll details; fraud attempts "
                "with bank account numbers. No financial loss is known so far."
            ),
            data_unintelligible=False,
            enisa_dpc=3,
            enisa_ei="0.75",
            measures_taken=(
                "Access closed within two hours; keys rotated; downloads traced; hosting "
                "provider's report requested."
            ),
            measures_proposed=(
                "Storage policies checked daily by an automated test; exports encrypted at "
                "rest with customer-specific keys; alerts on public buckets."
            ),
        )
        affected_select(actor=officer, incident=incident, rule="product", products=made["products"])
        incident_notify(actor=officer, incident=incident)
        notice_ids = list(
            CustomerNotice.objects.filter(incident=incident)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        setup_seconds = time.perf_counter() - started
        common.log(NAME, f"{len(notice_ids)} notices set up in {setup_seconds:.1f} s")

        # Baseline: each complete letter from scratch, as `document_render` issues it.
        notices = list(
            CustomerNotice.objects.filter(pk__in=notice_ids[: sample + 1]).select_related(
                "incident", "customer"
            )
        )

        def complete_letter(notice):
            return document_render(
                template_name=letters.LETTER_TEMPLATE,
                context={
                    "incident": notice.incident,
                    "notice": notice,
                    "notice_link": notice_link(notice.pk),
                    "authority_hours": 72,
                },
                language=notice.customer.language,
                title=letters.letter_title(notice.incident, notice.customer.language),
                filename=f"baseline-{notice.customer.customer_number}.pdf",
                customer=notice.customer,
            )

        complete_letter(notices[0])  # warm-up: fontconfig, stylesheet, imports
        common.log(NAME, f"baseline: {sample} complete letters from scratch ...")
        base_started = time.perf_counter()
        baseline_docs = [complete_letter(n) for n in notices[1 : sample + 1]]
        base_seconds = time.perf_counter() - base_started
        baseline = len(baseline_docs) / base_seconds
        baseline_pages = statistics.mean(
            len(PdfReader(io.BytesIO(bytes(d.content))).pages) for d in baseline_docs
        )
        common.log(NAME, f"baseline {baseline:.1f} letters/s")

        # Warm-up of the fast path on a throw-away render (not stored), then the cache emptied
        # so the measured run renders the shared pages itself.
        with translation.override("en"):
            letters.shared_pages_render(
                incident=incident, language="en", processor=None, issued_at=incident.reported_at
            )
        letters._SHARED_CACHE.clear()
        common.log(NAME, f"fast path: {len(notice_ids)} letters ...")
        fast_started = time.perf_counter()
        stored = 0
        for start in range(0, len(notice_ids), CHUNK):
            stored += len(
                letters.notice_letters_render(notice_ids=notice_ids[start : start + CHUNK])
            )
            if start and start % 2000 == 0:
                done = time.perf_counter() - fast_started
                common.log(NAME, f"  {stored} letters in {done:.1f} s")
        fast_seconds = time.perf_counter() - fast_started
        value = stored / fast_seconds
        common.log(NAME, f"fast path {value:.1f} letters/s ({stored} in {fast_seconds:.1f} s)")

        linked = CustomerNotice.objects.filter(incident=incident, letter__isnull=False).count()
        check = list(
            StoredDocument.objects.filter(template_name=letters.TEMPLATE_NAME).order_by("?")[:20]
        )
        pages = statistics.mean(len(PdfReader(io.BytesIO(bytes(d.content))).pages) for d in check)
        sizes = [d.size for d in check]
        return {
            "params": {
                "letters": stored,
                "notices_with_letter": linked,
                "languages": sorted(
                    {lang for lang in CustomerNotice.objects.values_list("customer__language")}
                ),
                "chunk_per_task": CHUNK,
                "own_pages_per_weasyprint_document": letters.BATCH_SIZE,
                "fast_seconds": round(fast_seconds, 1),
                "pages_per_letter": round(pages, 2),
                "mean_letter_bytes": round(statistics.mean(sizes)),
                "baseline_sample": len(baseline_docs),
                "baseline_seconds": round(base_seconds, 2),
                "baseline_pages_per_letter": round(baseline_pages, 2),
                "baseline_ms_per_letter": round(1000 * base_seconds / len(baseline_docs), 1),
                "fast_ms_per_letter": round(1000 * fast_seconds / max(stored, 1), 2),
                "processes": 1,
                "setup_seconds": round(setup_seconds, 1),
                "note": common.SHARED_NOTE,
                **described,
            },
            "value": round(value, 1),
            "unit": "letters/s",
            "baseline": round(baseline, 2),
            "target": TARGET_RATIO,
            "target_op": ">=",
        }
    finally:
        common.cleanup(env, described)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    print(f"run it with: python bench/run.py {NAME}")
