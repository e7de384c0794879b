"""Seconds and peak memory from asking for an incident's evidence dossier to its stored,
sealed document, for an incident with 100 customers and one with 10,000 (issue 14): the
cost must be flat — time(10,000) / time(100) <= 5 and peak RSS(10,000) <= 2 x RSS(100).

Set-up (not measured), in this process: customers, contracts and contacts in bulk; per
incident its customers selected by their own product and notified with the real services
(notices, messages, letters asked for, audit events); then, in bulk, every message accepted
by the mail server and every notice informed (with their history rows and `outbox.accepted`
and `notice.informed` events), every customer's decision recorded (history rows and
`notice.decision_recorded` events), and two progress updates published with the real
service (their messages accepted too); finally the audit chain is sealed.
Measured, each incident in a child process of its own (so each peak RSS is its own):
`dossier_request_create` by the privacy officer, then `dossier_request_process` (seal the
chain, read the data, write the attachments, render the PDF/A-3b, seal it, store it), timed
together; the child reports its time, its peak RSS (VmHWM) and the document's pages and
sizes. WeasyPrint's fonts are warmed up first with a one-line PDF, as in a running worker.

Value: seconds for 10,000 customers; baseline: seconds for 100; ratio <= 5.
DOSSIER_SMALL / DOSSIER_LARGE override 100 / 10,000.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import common

NAME = "dossier_render"
TARGET_RATIO = 5
TARGET_RSS_RATIO = 2
OFFICER = "officer@processor.example"


def _incident_make(count: int, code: str, officer):
    """An incident whose `count` customers (product `code`) were notified, informed,
    decided and sent two updates; the bulk parts mirror what the services write."""
    from django.db import transaction
    from django.utils import timezone
    from simple_history.utils import bulk_update_with_history

    from audits.services import events_record
    from breaches import deadlines
    from breaches.models import CustomerNotice
    from breaches.services import (
        affected_select,
        incident_notify,
        incident_report,
        incident_triage,
        update_publish,
    )
    from breaches.services.common import NOTICE_CAUSE
    from compliance.models import OutboxMessage

    made = common.customers_bulk(count, count, product_codes=(code,))
    incident = incident_report(
        actor=officer,
        title=f"Backup files exposed ({count} customers)",
        description=(
            "A misconfigured storage bucket at our hosting provider exposed backup files of "
            "the payroll module for about two hours. We closed the bucket, rotated every key "
            "and asked the hosting provider for its investigation report."
        ),
        products=made["products"],
        personal_data_possible=True,
    )
    incident_triage(
        actor=officer,
        incident=incident,
        personal_data_involved=True,
        data_categories="Names, e-mail addresses, payroll data",
        data_subject_categories="Employees of the customers",
        likely_consequences="Phishing aimed at the employees.",
        data_unintelligible=False,
        enisa_dpc=2,
        enisa_ei="0.5",
        measures_taken="Access closed; keys rotated.",
    )
    affected_select(actor=officer, incident=incident, rule="product", products=made["products"])
    incident_notify(actor=officer, incident=incident)

    def accept_messages():
        at = timezone.now()
        messages = OutboxMessage.objects.filter(
            cause_type=NOTICE_CAUSE, cause_id__in=incident.notices.values("pk")
        ).exclude(status="accepted")
        rows = list(messages.values("pk", "cause_id", "message_id", "customer_id"))
        messages.update(status="accepted", accepted_at=at, attempts=1, last_reply="250 2.0.0 Ok")
        with transaction.atomic():
            events_record(
                [
                    {
                        "actor": None,
                        "action": "outbox.accepted",
                        "obj": OutboxMessage(pk=row["pk"]),
                        "after": {"message_id": row["message_id"], "reply": "250 2.0.0 Ok"},
                        "customer_id": row["customer_id"],
                    }
                    for row in rows
                ]
            )
        return at

    informed_at = accept_messages()
    notices = list(CustomerNotice.objects.filter(incident=incident).order_by("pk"))
    for notice in notices:
        notice.informed_at = notice.aware_at = informed_at
        notice.informed_how = "email"
        notice.authority_due_at = deadlines.authority_due_at(informed_at)
        if notice.state == "queued":
            notice.mark_sent()
    bulk_update_with_history(
        notices,
        CustomerNotice,
        ["informed_at", "aware_at", "informed_how", "authority_due_at", "state"],
        batch_size=2000,
    )
    decided_at = timezone.now()
    for number, notice in enumerate(notices):
        notice.decide(by=None, at=decided_at)
        notice.decision_is_breach = number % 3 != 0
        notice.decision_breach_reasoning = "Employee data of ours."
        notice.decision_authority_notified = number % 3 == 1
        notice.decision_authority = "ap" if number % 3 == 1 else ""
        notice.decision_authority_reasoning = "" if number % 3 == 1 else "Low risk."
        notice.decision_subjects_informed = False
        notice.decision_subjects_reasoning = "Low risk."
    bulk_update_with_history(
        notices,
        CustomerNotice,
        [
            "state",
            "decided_at",
            "decision_is_breach",
            "decision_breach_reasoning",
            "decision_authority_notified",
            "decision_authority",
            "decision_authority_reasoning",
            "decision_subjects_informed",
            "decision_subjects_reasoning",
        ],
        batch_size=2000,
    )
    with transaction.atomic():
        events_record(
            [
                {
                    "actor": None,
                    "action": action,
                    "obj": notice,
                    "after": {"state": state},
                    "customer_id": notice.customer_id,
                }
                for notice in notices
                for action, state in (
                    ("notice.informed", "sent"),
                    ("notice.decision_recorded", "decided"),
                )
            ]
        )
    for text in ("Keys rotated; investigation started.", "Hosting provider's report received."):
        update_publish(actor=officer, incident=incident, summary=text)
        accept_messages()
    return incident


def _rss_mb() -> float:
    """This process's peak RSS (VmHWM): unlike getrusage's ru_maxrss, which Linux carries
    over from the parent through fork and exec, it starts afresh in the child."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _attachment_sizes(reader) -> dict:
    """Each embedded file's size as its /Params say (without inflating it)."""
    names = reader.trailer["/Root"]["/Names"]["/EmbeddedFiles"]["/Names"]
    sizes = {}
    for number in range(0, len(names), 2):
        spec = names[number + 1].get_object()
        stream = spec["/EF"]["/F"].get_object()
        sizes[str(names[number])] = int(stream["/Params"]["/Size"])
    return sizes


def measure(incident_id: int) -> dict:
    """In a child process: one dossier from request to stored document."""
    import io

    from pypdf import PdfReader
    from weasyprint import HTML

    from breaches.dossier.requests import dossier_request_create, dossier_request_process
    from breaches.models import DossierRequestState, Incident
    from compliance.models import User

    rss_start = _rss_mb()
    HTML(string="<p>warm-up</p>").write_pdf()
    officer = User.objects.get(email=OFFICER)
    incident = Incident.objects.get(pk=incident_id)
    rss_before = _rss_mb()
    started = time.perf_counter()
    request, _ = dossier_request_create(actor=officer, incident=incident)
    request = dossier_request_process(request_id=request.pk)
    seconds = time.perf_counter() - started
    assert request.state == DossierRequestState.DONE, request.error
    content = bytes(request.document.content)
    reader = PdfReader(io.BytesIO(content))
    return {
        "seconds": seconds,
        "peak_rss_mb": _rss_mb(),
        "rss_before_mb": rss_before,
        "rss_start_mb": rss_start,
        "pages": len(reader.pages),
        "pdf_bytes": len(content),
        "attachments_bytes": _attachment_sizes(reader),
        "notices": incident.notices.count(),
    }


def _child(env: dict, incident_id: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.dossier_render", "--measure", str(incident_id)],
        cwd=common.ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise RuntimeError(f"measuring incident {incident_id} failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run() -> dict:
    small = int(os.environ.get("DOSSIER_SMALL", "100"))
    large = int(os.environ.get("DOSSIER_LARGE", "10000"))
    tmp = Path(tempfile.mkdtemp(prefix="bench-dossier-"))
    env, described = common.environment(tmp, common.free_port(), "dossier")
    env["EVIDENCE_SEAL_KEY_FILE"] = str(tmp / "seal" / "key.pem")
    env["EVIDENCE_SEAL_CERT_FILE"] = str(tmp / "seal" / "certificate.pem")
    env["EVIDENCE_TSA_URL"] = ""
    try:
        common.log(NAME, f"{small} and {large} customers; migrating ...")
        common.migrate(env)
        common.django_setup(env)
        from audits.services import audit_seal
        from compliance.models import Role

        started = time.perf_counter()
        common.processor_profile()
        officer = common.user_make(OFFICER, Role.PRIVACY_OFFICER)
        incidents = {}
        for count, code in ((small, "small"), (large, "large")):
            incidents[count] = _incident_make(count, code, officer).pk
            common.log(NAME, f"incident of {count} customers set up")
        sealed = audit_seal()
        setup_seconds = time.perf_counter() - started
        common.log(NAME, f"set-up {setup_seconds:.1f} s ({sealed} events sealed)")
        from django.db import connections

        connections.close_all()
        results = {}
        for count in (small, large):
            results[count] = _child(env, incidents[count])
            r = results[count]
            common.log(
                NAME,
                f"{count} customers: {r['seconds']:.2f} s, peak RSS {r['peak_rss_mb']:.0f} MB, "
                f"{r['pages']} pages, {r['pdf_bytes']} bytes",
            )
        value, baseline = results[large]["seconds"], results[small]["seconds"]
        rss_ratio = results[large]["peak_rss_mb"] / results[small]["peak_rss_mb"]
        return {
            "params": {
                "customers": [small, large],
                "seconds": {str(k): round(v["seconds"], 2) for k, v in results.items()},
                "peak_rss_mb": {str(k): round(v["peak_rss_mb"], 1) for k, v in results.items()},
                "rss_ratio": round(rss_ratio, 3),
                "rss_target": TARGET_RSS_RATIO,
                "rss_target_met": rss_ratio <= TARGET_RSS_RATIO,
                "pages": {str(k): v["pages"] for k, v in results.items()},
                "pdf_bytes": {str(k): v["pdf_bytes"] for k, v in results.items()},
                "attachments_bytes": {str(k): v["attachments_bytes"] for k, v in results.items()},
                "notices": {str(k): v["notices"] for k, v in results.items()},
                "measured": "dossier_request_create + dossier_request_process, one child "
                "process per incident (warm fonts)",
                "setup_seconds": round(setup_seconds, 1),
                "note": common.SHARED_NOTE,
                **described,
            },
            "value": round(value, 2),
            "unit": "s",
            "baseline": round(baseline, 2),
            "target": TARGET_RATIO,
            "target_op": "<=",
        }
    finally:
        common.cleanup(env, described)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        sys.path.insert(0, str(common.ROOT))
        import django

        django.setup()
        print(json.dumps(measure(int(sys.argv[2]))))
    else:
        print(f"run it with: python bench/run.py {NAME}")
