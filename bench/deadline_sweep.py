"""Milliseconds of one reminder sweep (`breaches.services.deadline_sweep`) with a handful of
reminders due, with 1,000,000 notices stored, against the same with 1,000 stored (issue 5).

Set-up (not measured): 1,000 customers; closed incidents whose notices are all decided (no
reminder left: `next_reminder_at` NULL); one incident still notifying whose officers'
reminder is due (customers uninformed, 10 h before their deadline) and one in monitoring
whose BENCH_DUE notices (default 3) are informed, undecided and 20 h before their own
72-hour deadline, so the 24-hour reminder to each customer's two contacts is due. Notices
are written with COPY (PostgreSQL) or bulk_create (SQLite), without history rows.

Measured: BENCH_SWEEPS (default 30) sweeps at each size, each after the due items were made
due again outside the clock — moving their deadlines by a second, so every sweep queues new
reminders (their keys include the deadline) rather than finding them queued. value and
baseline are medians; the sweep with nothing due is measured beside (params).
BENCH_NOTICES overrides 1,000,000 for a quick run.
"""

from __future__ import annotations

import datetime
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bench import common

NAME = "deadline_sweep"
TARGET_RATIO = 2
TARGET_MS = 5
CUSTOMERS = 1000
BASELINE_NOTICES = 1000


def _notice_template(incident_id: int, at: datetime.datetime):
    """A decided notice (state decided, nothing left to remind) as column values."""
    from django.db import connection

    from breaches.models import CustomerNotice

    notice = CustomerNotice(
        incident_id=incident_id,
        customer_id=0,
        state="decided",
        created_at=at,
        notified_at=at,
        informed_at=at,
        informed_how="email",
        aware_at=at,
        authority_due_at=at + datetime.timedelta(hours=72),
        acknowledged_at=at,
        decision_is_breach=False,
        decision_breach_reasoning="No personal data of ours was in the files.",
        decided_at=at + datetime.timedelta(hours=20),
        next_reminder_at=None,
    )
    fields = [f for f in CustomerNotice._meta.concrete_fields if not f.primary_key]
    columns = [f.column for f in fields]
    values = [f.get_db_prep_save(getattr(notice, f.attname), connection) for f in fields]
    return columns, values


def notices_write(incident_ids: list[int], customer_ids: list[int], at) -> int:
    """One decided notice per incident and customer; how many were written."""
    from django.db import connection

    from breaches.models import CustomerNotice

    if not incident_ids:
        return 0
    columns, values = _notice_template(incident_ids[0], at)
    i_incident, i_customer = columns.index("incident_id"), columns.index("customer_id")
    table = CustomerNotice._meta.db_table
    written = 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg's own cursor, for COPY
            names = ", ".join(f'"{c}"' for c in columns)
            with raw.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                row = list(values)
                for incident_id in incident_ids:
                    row[i_incident] = incident_id
                    for customer_id in customer_ids:
                        row[i_customer] = customer_id
                        copy.write_row(row)
                        written += 1
            cursor.execute(f'ANALYZE "{table}"')
        return written
    batch = []
    for incident_id in incident_ids:
        for customer_id in customer_ids:
            batch.append(_orm_notice(columns, values, incident_id, customer_id))
            if len(batch) >= 5000:
                CustomerNotice.objects.bulk_create(batch)
                written += len(batch)
                batch = []
    CustomerNotice.objects.bulk_create(batch)
    return written + len(batch)


def _orm_notice(columns, values, incident_id, customer_id):
    from breaches.models import CustomerNotice

    at = values[columns.index("created_at")]
    return CustomerNotice(
        incident_id=incident_id,
        customer_id=customer_id,
        state="decided",
        created_at=at,
        notified_at=at,
        informed_at=at,
        informed_how="email",
        aware_at=at,
        decision_is_breach=False,
        decided_at=at,
    )


def incidents_closed(count: int, officer, at) -> list[int]:
    from breaches.models import Incident

    rows = Incident.objects.bulk_create(
        [
            Incident(
                title=f"Closed incident {i}",
                description="Resolved long ago.",
                reported_by=officer,
                discovered_at=at,
                reported_at=at,
                customer_due_at=at + datetime.timedelta(hours=48),
                state="closed",
                notified_at=at,
                closed_at=at + datetime.timedelta(days=30),
            )
            for i in range(count)
        ],
        batch_size=1000,
    )
    if rows and rows[0].pk is None:
        return list(
            Incident.objects.filter(state="closed").order_by("-pk").values_list("pk", flat=True)
        )[:count]
    return [r.pk for r in rows]


def sweep_times(due, repeats: int) -> tuple[list[float], list[float]]:
    """Milliseconds of `repeats` sweeps with the handful due, and of as many with none."""
    from breaches.services import deadline_sweep

    with_due, idle = [], []
    for i in range(repeats):
        due(i)
        started = time.perf_counter()
        result = deadline_sweep()
        with_due.append((time.perf_counter() - started) * 1000)
        expected = due.expected
        got = (result.officer_reminders, result.customer_reminders)
        if got != expected:
            raise RuntimeError(f"sweep sent {got} reminders, expected {expected}")
        started = time.perf_counter()
        result = deadline_sweep()
        idle.append((time.perf_counter() - started) * 1000)
        if result.officer_reminders or result.customer_reminders:
            raise RuntimeError("a second sweep found reminders due again")
    return with_due, idle


def sweep_anatomy(due) -> dict:
    """One more sweep with the handful due, with its SQL captured: how many statements, how
    long they took in all, and the slowest five; plus the top of a cProfile of five sweeps."""
    import cProfile
    import io
    import pstats

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from breaches.services import deadline_sweep

    due(0)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        deadline_sweep()
    total_ms = (time.perf_counter() - started) * 1000
    queries = [(float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries]
    slowest = sorted(queries, reverse=True)[:5]
    profiler = cProfile.Profile()
    for i in range(5):
        due(i)
        profiler.enable()
        deadline_sweep()
        profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
    return {
        "sweep_ms": round(total_ms, 2),
        "statements": len(queries),
        "sql_ms": round(sum(t for t, _ in queries), 2),
        "slowest": [{"ms": round(t, 3), "sql": sql[:240]} for t, sql in slowest],
        "profile_top_cumulative": [
            line.strip() for line in out.getvalue().splitlines() if line.strip()
        ][:45],
    }


class Due:
    """Makes the handful due again, with deadlines a second later each time (new keys)."""

    def __init__(self, *, incident_notifying: int, incident_monitoring: int, notices: list[int]):
        self.incident_notifying = incident_notifying
        self.incident_monitoring = incident_monitoring
        self.notices = notices
        self.expected = (1, len(notices))
        self.round = 0

    def __call__(self, i: int) -> None:
        from django.utils import timezone

        from breaches.models import CustomerNotice, Incident

        self.round += 1
        now = timezone.now()
        shift = datetime.timedelta(seconds=self.round)
        Incident.objects.filter(pk=self.incident_notifying).update(
            customer_due_at=now + datetime.timedelta(hours=10) + shift,
            next_reminder_at=now - datetime.timedelta(minutes=1),
        )
        CustomerNotice.objects.filter(pk__in=self.notices).update(
            authority_due_at=now + datetime.timedelta(hours=20) + shift,
            next_reminder_at=now - datetime.timedelta(minutes=1),
        )


def setup(officer, customer_ids: list[int], due_count: int) -> Due:
    """The open incidents and their notices: the items that will be due."""
    from django.utils import timezone

    from breaches.models import CustomerNotice, Incident
    from compliance.models import Contact

    now = timezone.now()
    notifying = Incident.objects.create(
        title="Incident still notifying",
        description="Customers not yet informed.",
        reported_by=officer,
        discovered_at=now - datetime.timedelta(hours=38),
        customer_due_at=now + datetime.timedelta(hours=10),
        state="notifying",
        notified_at=now,
    )
    monitoring = Incident.objects.create(
        title="Incident in monitoring",
        description="Customers informed; decisions awaited.",
        reported_by=officer,
        discovered_at=now - datetime.timedelta(hours=60),
        customer_due_at=now - datetime.timedelta(hours=12),
        state="monitoring",
        notified_at=now - datetime.timedelta(hours=52),
    )
    uninformed = [
        CustomerNotice(
            incident=notifying, customer_id=cid, created_at=now, notified_at=now, state="queued"
        )
        for cid in customer_ids[:5]
    ]
    informed_at = now - datetime.timedelta(hours=52)
    open_ = [
        CustomerNotice(
            incident=monitoring,
            customer_id=cid,
            created_at=informed_at,
            notified_at=informed_at,
            informed_at=informed_at,
            informed_how="email",
            aware_at=informed_at,
            authority_due_at=now + datetime.timedelta(hours=20),
            state="sent",
        )
        for cid in customer_ids[:due_count]
    ]
    CustomerNotice.objects.bulk_create(uninformed + open_)
    notices = list(
        CustomerNotice.objects.filter(incident=monitoring)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    contacts = []
    for cid in customer_ids[:due_count]:
        contacts.append(
            Contact(
                customer_id=cid,
                name=f"Subscription contact {cid}",
                email=f"subscription{cid}@customer{cid}.example",
                is_subscription_contact=True,
            )
        )
        contacts.append(
            Contact(
                customer_id=cid,
                name=f"Security officer {cid}",
                email=f"security{cid}@customer{cid}.example",
                receives_breach_notices=True,
            )
        )
    Contact.objects.bulk_create(contacts)
    return Due(incident_notifying=notifying.pk, incident_monitoring=monitoring.pk, notices=notices)


def run() -> dict:
    total = int(os.environ.get("BENCH_NOTICES", "1000000"))
    repeats = int(os.environ.get("BENCH_SWEEPS", "30"))
    due_count = int(os.environ.get("BENCH_DUE", "3"))
    tmp = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    env, described = common.environment(tmp, common.free_port(), "sweep")
    try:
        common.log(NAME, f"{total} notices, {due_count} notices due; migrating ...")
        common.migrate(env)
        common.django_setup(env)
        from django.db import connection
        from django.utils import timezone

        from breaches.models import CustomerNotice
        from compliance.models import Customer, Role

        common.processor_profile()
        officer = common.user_make("officer@processor.example", Role.PRIVACY_OFFICER)
        common.user_make("officer2@processor.example", Role.PRIVACY_OFFICER)
        Customer.objects.bulk_create(
            [
                Customer(
                    name=f"Customer {i} B.V.",
                    customer_number=f"S{i:07d}",
                    country="NL",
                    language="nl" if i % 2 else "en",
                )
                for i in range(CUSTOMERS)
            ]
        )
        customer_ids = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
        due = setup(officer, customer_ids, due_count)
        long_ago = timezone.now() - datetime.timedelta(days=400)
        stored = CustomerNotice.objects.count()
        # Fill up to 1,000 notices with one closed incident's decided notices.
        first = incidents_closed(1, officer, long_ago)
        notices_write(first, customer_ids[stored : stored + BASELINE_NOTICES - stored], long_ago)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        base_count = CustomerNotice.objects.count()
        sweep_times(due, 3)  # warm caches and templates
        common.log(NAME, f"sweeping with {base_count} notices stored ...")
        base_due, base_idle = sweep_times(due, repeats)
        base_anatomy = sweep_anatomy(due)

        more = max(0, total - base_count)
        incidents_needed = -(-more // CUSTOMERS)
        started = time.perf_counter()
        closed = incidents_closed(incidents_needed, officer, long_ago)
        written = 0
        for k, incident_id in enumerate(closed):
            take = min(CUSTOMERS, more - written)
            written += notices_write([incident_id], customer_ids[:take], long_ago)
            if k % 100 == 99:
                common.log(NAME, f"{written} notices written ...")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        fill_seconds = time.perf_counter() - started
        big_count = CustomerNotice.objects.count()
        common.log(NAME, f"{big_count} notices stored in {fill_seconds:.0f} s; sweeping ...")
        sweep_times(due, 3)
        big_due, big_idle = sweep_times(due, repeats)
        big_anatomy = sweep_anatomy(due)

        plans = {}
        if connection.vendor == "postgresql":
            due(0)
            now = timezone.now()
            with connection.cursor() as cursor:
                for label, sql in {
                    "notices_due": (
                        "SELECT id FROM breaches_customernotice WHERE next_reminder_at <= %s "
                        "ORDER BY next_reminder_at LIMIT 500"
                    ),
                    "incidents_due": (
                        "SELECT id FROM breaches_incident WHERE next_reminder_at <= %s "
                        "ORDER BY next_reminder_at LIMIT 500"
                    ),
                }.items():
                    cursor.execute("EXPLAIN ANALYZE " + sql, [now])
                    plans[label] = [r[0] for r in cursor.fetchall()]

        value = statistics.median(big_due)
        base = statistics.median(base_due)
        return {
            "params": {
                "notices": big_count,
                "baseline_notices": base_count,
                "customers": CUSTOMERS,
                "due_customer_notices": due_count,
                "due_officer_reminders": 1,
                "messages_per_sweep": due_count * 2 + 2,
                "sweeps": repeats,
                "statistic": "median",
                "p90_ms": round(sorted(big_due)[int(repeats * 0.9) - 1], 2),
                "baseline_p90_ms": round(sorted(base_due)[int(repeats * 0.9) - 1], 2),
                "idle_sweep_ms": round(statistics.median(big_idle), 3),
                "baseline_idle_sweep_ms": round(statistics.median(base_idle), 3),
                "fill_seconds": round(fill_seconds, 1),
                "plans": plans,
                "anatomy": big_anatomy,
                "baseline_anatomy": base_anatomy,
                "note": common.SHARED_NOTE,
                **described,
            },
            "value": round(value, 2),
            "unit": "ms",
            "baseline": round(base, 2),
            "target": TARGET_RATIO,
            "target_op": "<=",
            "value_target": {"op": "<=", "value": TARGET_MS},
        }
    finally:
        common.cleanup(env, described)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    print(f"run it with: python bench/run.py {NAME}")
