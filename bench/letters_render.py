"""Letters per second for the PDF letters of an incident affecting 10,000 customers
(issue 5), through the fast path, against rendering each complete letter from scratch.

Set-up (not measured): customers (half English, half Dutch), contracts and contacts written
in bulk; an incident reported, triaged, its customers selected and notified with the real
services; then every notice informed and its letter version asked for, in bulk (what each
mail's acceptance does through `breaches.services.notice_letter_queue`: the letter states
the customer's own deadline, so it is rendered once the customer is informed).
Measured, in this one process: `breaches.letters.letter_versions_render` over every version
in chunks of 100 ids, as the Celery task receives them; this includes claiming each chunk,
the shared pages and the own page's stationery (rendered once per language and variant; the
cache is emptied first), the customers' values in batches, the assembly of each letter, and
storing each letter with its audit events.
Baseline, same run: `document_render` of the complete letter (`pdf/breach_notice_letter.html`,
the same own page and shared pages in one WeasyPrint document), stored the same way, for a
sample of notices of both languages, one after every few chunks of the fast path (timed
apart), so both see the same load. One warm-up render precedes each measurement.

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
CHUNK = 100  # version ids per Celery task (breaches.services.letters.RING_CHUNK)


def run() -> dict:
    count = int(os.environ.get("LETTERS", "10000"))
    sample = int(os.environ.get("LETTERS_SAMPLE", "50"))
    tmp = Path(tempfile.mkdtemp(prefix="bench-letters-"))
    env, described = common.environment(tmp, common.free_port(), "letters")
    try:
        common.log(NAME, f"{count} customers; migrating ...")
        common.migrate(env)
        common.django_setup(env)

        from django.utils import timezone
        from pypdf import PdfReader

        from breaches import deadlines, letters
        from breaches.models import CustomerNotice, NoticeLetter
        from breaches.services import (
            affected_select,
            incident_notify,
            incident_report,
            incident_triage,
        )
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
                "asked the hosting provider for its own investigation report.\n\n"
                "Timeline (Europe/Amsterdam):\n"
                "- 09:12 a change to the bucket's access policy is deployed by the hosting "
                "provider's automation, making the bucket readable without credentials;\n"
                "- 10:47 our monitoring reports an unusual number of read requests;\n"
                "- 11:05 the on-call engineer confirms public access and escalates;\n"
                "- 11:14 the bucket policy is reverted and public access is closed;\n"
                "- 11:30 the access logs are secured for the investigation;\n"
                "- 13:00 the privacy officer starts the assessment of the exported data.\n\n"
                "What the exports contain: per customer of the Profit payroll module, the "
                "employees' names, personal and business e-mail addresses, employee numbers, "
                "gross salaries of the last month and the bank account numbers salaries are "
                "paid to. The exports do not contain national identification numbers, "
                "passwords or health data. The files were compressed but not encrypted.\n\n"
                "What we know of the downloads: two IP addresses outside our network "
                "downloaded 14 of the 30 export files; we asked the hosting provider and the "
                "network operators concerned for the subscribers behind these addresses and "
                "reported the incident to the police. We will tell you in an update which "
                "files, and so which customers' data, were downloaded."
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
        # Every customer informed (its mail accepted), each letter version asked for.
        informed_at = timezone.now()
        due = deadlines.authority_due_at(informed_at)
        CustomerNotice.objects.filter(pk__in=notice_ids).update(
            informed_at=informed_at, aware_at=informed_at, authority_due_at=due
        )
        NoticeLetter.objects.bulk_create(
            [
                NoticeLetter(
                    notice_id=pk,
                    version=1,
                    informed_at=informed_at,
                    aware_at=informed_at,
                    authority_due_at=due,
                )
                for pk in notice_ids
            ],
            batch_size=1000,
        )
        version_ids = list(
            NoticeLetter.objects.filter(notice_id__in=notice_ids)
            .order_by("notice_id")
            .values_list("pk", flat=True)
        )
        setup_seconds = time.perf_counter() - started
        common.log(NAME, f"{len(notice_ids)} notices set up in {setup_seconds:.1f} s")

        # Baseline: each complete letter from scratch, as `document_render` issues it; its
        # notices get their fast letters too (the baseline's documents are not linked).
        notices = list(
            CustomerNotice.objects.filter(pk__in=notice_ids[: sample + 1]).select_related(
                "incident", "customer"
            )
        )

        complete_letter = letters.letter_complete_render
        complete_letter(notice=notices[0])  # warm-up: fontconfig, stylesheet, imports
        # Warm-up of the fast path on a throw-away render (not stored), then the cache emptied
        # so the measured run renders the shared pages and the stationery itself.
        letters.shared_pages_render(incident=incident, language="en", processor=None)
        letters._SHARED_CACHE.clear()

        # The baseline letters are interleaved with the fast path's chunks (timed apart), so
        # both see the same load on a machine shared with other work.
        chunks = [version_ids[i : i + CHUNK] for i in range(0, len(version_ids), CHUNK)]
        every = max(1, len(chunks) // max(sample, 1))
        pending = list(notices[1 : sample + 1])
        baseline_docs = []
        base_seconds = fast_seconds = 0.0
        stored = 0
        common.log(NAME, f"fast path: {len(notice_ids)} letters, {sample} baseline among them")
        for number, chunk in enumerate(chunks):
            started = time.perf_counter()
            stored += len(letters.letter_versions_render(ids=chunk))
            fast_seconds += time.perf_counter() - started
            while pending and (number % every == 0 or number == len(chunks) - 1):
                started = time.perf_counter()
                baseline_docs.append(complete_letter(notice=pending.pop(0)))
                base_seconds += time.perf_counter() - started
                if number != len(chunks) - 1:
                    break
            if number and number % 20 == 0:
                common.log(NAME, f"  {stored} letters in {fast_seconds:.1f} s")
        baseline = len(baseline_docs) / base_seconds
        baseline_pages = statistics.mean(
            len(PdfReader(io.BytesIO(bytes(d.content))).pages) for d in baseline_docs
        )
        value = stored / fast_seconds
        common.log(NAME, f"fast path {value:.1f} letters/s ({stored} in {fast_seconds:.1f} s)")
        common.log(NAME, f"baseline {baseline:.1f} letters/s")

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
                    set(CustomerNotice.objects.values_list("customer__language", flat=True))
                ),
                "chunk_per_task": CHUNK,
                "customers_per_fields_document": letters.BATCH_SIZE,
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
