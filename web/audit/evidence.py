"""Evidence by control (AU-03): for a period, the records that show each ISO/IEC 27001:2022
control of `web.audit.controls` working and failing (`web.audit.evidence_checks`), grouped
by control or by duty of the processing agreement, as a page and as CSV and JSON.

Each check is computed once per view and shared by the controls (and duties) that list it.
The page shows duties in words; the exports carry the obligation IDs and check keys."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from audits.models import ChainHead
from audits.sampling import export_record
from audits.selectors import EventFilter, audit_search
from compliance.access import customer_scope, require
from compliance.csv_safe import cell
from web.audit.controls import CHECKS, CONTROLS, OBLIGATIONS, Check, controls_of, obligation_order
from web.audit.evidence_checks import (
    RECORD_QUERIES,
    CheckResult,
    Context,
    EvidenceRecord,
    Period,
    search_url,
    zone,
)

SHOWN_PER_CHECK = 5
EXPORT_PER_CHECK = 10_000
DEFAULT_PERIOD_DAYS = 365
# Walking the whole chain takes a while on a long trail: beyond this many sealed events it
# is done only when asked (`?verify=1`).
CHAIN_VERIFY_LIMIT = 200_000
ISO_DATE = ["%Y-%m-%d"]
DATE_INPUT = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


# --- the period ---------------------------------------------------------------------------


def default_period() -> Period:
    today = timezone.now().astimezone(zone()).date()
    return Period(today - datetime.timedelta(days=DEFAULT_PERIOD_DAYS), today)


class PeriodForm(forms.Form):
    # A date input sends and shows ISO dates whatever the language.
    period_from = forms.DateField(
        label=_("From"), required=False, input_formats=ISO_DATE, widget=DATE_INPUT
    )
    period_to = forms.DateField(
        label=_("To (inclusive)"), required=False, input_formats=ISO_DATE, widget=DATE_INPUT
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("period_from"), data.get("period_to")
        if start and end and end < start:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data

    def period(self) -> Period:
        """The period asked for; a missing or invalid end falls back to the default."""
        fallback = default_period()
        if not self.is_valid():
            return fallback
        end = self.cleaned_data.get("period_to") or fallback.end
        start = self.cleaned_data.get("period_from") or end - datetime.timedelta(
            days=DEFAULT_PERIOD_DAYS
        )
        return Period(start, end)


# --- running the checks ----------------------------------------------------------------


def _records_check(ctx: Context, check: Check) -> CheckResult:
    qs_fn, rows, date_field, period_field = RECORD_QUERIES[check.key]
    qs = qs_fn(ctx)
    if period_field:
        qs = qs.filter(ctx.period.within(period_field))
    return CheckResult(check, count=qs.count(), records=list(rows(ctx, qs, date_field)))


def _events_check(ctx: Context, check: Check) -> CheckResult:
    selection = EventFilter(
        occurred_from=ctx.period.starts_at,
        occurred_before=ctx.period.ends_before,
        actions=check.actions,
    )
    count = audit_search(scope=ctx.scope, selection=selection).count()
    links = [(action, search_url(action, ctx.period)) for action in check.actions]
    return CheckResult(check, count=count, search_links=[(a, url) for a, url in links if url])


def _chain_check(ctx: Context, check: Check) -> CheckResult:
    chain = ctx.chain()
    if chain is None:
        return CheckResult(check, verified=False)
    if check.key == "chain_intact":
        head = EvidenceRecord("chain_head", chain.head_seq, chain.head_hash, None)
        return CheckResult(check, count=chain.count if chain.ok else 0, records=[head])
    breaks = [
        EvidenceRecord("chain_break", brk.event_id, brk.message, None) for brk in chain.breaks
    ]
    return CheckResult(check, count=len(breaks), records=breaks)


def check_run(ctx: Context, check: Check) -> CheckResult:
    if check.key in ("chain_intact", "chain_breaks"):
        return _chain_check(ctx, check)
    if check.actions:
        return _events_check(ctx, check)
    return _records_check(ctx, check)


# --- assembling the view ------------------------------------------------------------------


@dataclass
class ControlEvidence:
    control: object
    duties: list[tuple[str, object]]
    working: list[CheckResult]
    failing: list[CheckResult]


@dataclass
class DutyEvidence:
    code: str
    duty: object
    controls: list
    working: list[CheckResult]
    failing: list[CheckResult]


def context_for(user, period: Period, *, verify: bool = False, limit: int = SHOWN_PER_CHECK):
    sealed = ChainHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
    return Context(
        user=user,
        scope=customer_scope(user),
        period=period,
        now=timezone.now(),
        verify_chain=verify or sealed <= CHAIN_VERIFY_LIMIT,
        limit=limit,
    )


def evidence_by_control(ctx: Context) -> list[ControlEvidence]:
    results: dict[str, CheckResult] = {}

    def run(key):
        if key not in results:
            results[key] = check_run(ctx, CHECKS[key])
        return results[key]

    return [
        ControlEvidence(
            control=control,
            duties=[(code, OBLIGATIONS[code]) for code in control.obligations],
            working=[run(key) for key in control.working],
            failing=[run(key) for key in control.failing],
        )
        for control in CONTROLS
    ]


def evidence_by_duty(by_control: list[ControlEvidence]) -> list[DutyEvidence]:
    """The same checks grouped by the duty of the processing agreement."""
    by_code = {item.control.code: item for item in by_control}
    duties = []
    for code in obligation_order():
        controls = [by_code[control.code] for control in controls_of(code)]
        working, failing, seen = [], [], set()
        for item in controls:
            for side, results in ((working, item.working), (failing, item.failing)):
                for result in results:
                    if result.check.key not in seen:
                        seen.add(result.check.key)
                        side.append(result)
        duties.append(
            DutyEvidence(code, OBLIGATIONS[code], [i.control for i in controls], working, failing)
        )
    return duties


# --- the page and its exports -------------------------------------------------------------

CSV_COLUMNS = (
    "period_from",
    "period_to",
    "control",
    "control_title",
    "obligations",
    "side",
    "check",
    "check_label",
    "count",
    "record_kind",
    "record_id",
    "record_label",
    "record_at",
    "record_url",
    "search_urls",
    "not_recorded",
)


def _request_context(request, *, limit: int):
    form = PeriodForm(request.GET or None)
    period = form.period()
    if not form.is_bound:
        form = PeriodForm(initial={"period_from": period.start, "period_to": period.end})
    ctx = context_for(request.user, period, verify=request.GET.get("verify") == "1", limit=limit)
    return form, period, ctx


@require_safe
def audit_evidence(request):
    """Evidence by control (AU-03): each control with its duties in words, counts and the
    records that show it working or failing; or grouped by duty (`?by=duty`)."""
    require(request.user, "audit.view")
    form, period, ctx = _request_context(request, limit=SHOWN_PER_CHECK)
    controls = evidence_by_control(ctx)
    by_duty = request.GET.get("by") == "duty"
    params = period.as_params()
    return render(
        request,
        "audit/evidence.html",
        {
            "current": "audit",
            "form": form,
            "period": period,
            "by_duty": by_duty,
            "controls": controls,
            "duties": evidence_by_duty(controls) if by_duty else [],
            "chain_verified": ctx.verify_chain,
            "query": urlencode(params),
            "verify_query": urlencode(
                {**params, "verify": "1", **({"by": "duty"} if by_duty else {})}
            ),
            "scoped": ctx.scope is not None,
        },
    )


def _result_json(result: CheckResult) -> dict:
    return {
        "check": result.check.key,
        "label": str(result.check.label),
        "count": result.count,
        "verified": result.verified,
        "search_urls": [url for _action, url in result.search_links],
        "records": [
            {
                "kind": r.kind,
                "id": r.id,
                "label": r.label,
                "at": r.at.isoformat() if r.at else None,
                "url": r.url,
            }
            for r in result.records
        ],
    }


def evidence_json(ctx: Context, controls: list[ControlEvidence]) -> dict:
    return {
        "title": "Evidence by ISO/IEC 27001:2022 control",
        "period": ctx.period.as_params(),
        "generated_at": ctx.now.isoformat(),
        "chain_verified": ctx.verify_chain,
        "controls": [
            {
                "control": item.control.code,
                "title": str(item.control.title),
                "obligations": [{"id": code, "duty": str(duty)} for code, duty in item.duties],
                "not_recorded": str(item.control.not_recorded or ""),
                "working": [_result_json(r) for r in item.working],
                "failing": [_result_json(r) for r in item.failing],
            }
            for item in controls
        ],
        "obligations": [
            {
                "id": duty.code,
                "duty": str(duty.duty),
                "controls": [control.code for control in duty.controls],
                "working": [r.check.key for r in duty.working],
                "failing": [r.check.key for r in duty.failing],
            }
            for duty in evidence_by_duty(controls)
        ],
    }


def evidence_csv_rows(ctx: Context, controls: list[ControlEvidence]):
    period = ctx.period.as_params()
    for item in controls:
        control = item.control
        base = [
            period["period_from"],
            period["period_to"],
            control.code,
            str(control.title),
            ";".join(control.obligations),
        ]
        if control.not_recorded:
            empty = [""] * 9
            yield [*base, "not_recorded", *empty, str(control.not_recorded)]
        for side, results in (("working", item.working), ("failing", item.failing)):
            for result in results:
                head = [*base, side, result.check.key, str(result.check.label), result.count]
                tail = [" ".join(url for _action, url in result.search_links), ""]
                if not result.records:
                    yield [*head, "", "", "", "", "", *tail]
                for r in result.records:
                    at = r.at.isoformat() if r.at else ""
                    yield [*head, r.kind, r.id, r.label, at, r.url, *tail]


@require_safe
def audit_evidence_export(request, fmt: str):
    """The same evidence as CSV or JSON, with obligation IDs and check keys (AU-03); the
    export is itself an audit event with its rows and the file's SHA-256."""
    user = request.user
    require(user, "audit.view")
    _form, period, ctx = _request_context(request, limit=EXPORT_PER_CHECK)
    controls = evidence_by_control(ctx)
    if fmt == "json":
        document = evidence_json(ctx, controls)
        content = json.dumps(document, ensure_ascii=False, indent=2).encode()
        rows, content_type = len(document["controls"]), "application/json"
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        rows = 0
        for row in evidence_csv_rows(ctx, controls):
            writer.writerow([cell(value) for value in row])
            rows += 1
        content, content_type = buffer.getvalue().encode(), "text/csv; charset=utf-8"
    export_record(
        actor=user,
        what="evidence",
        file_format=fmt,
        rows=rows,
        sha256=hashlib.sha256(content).hexdigest(),
        selection=period.as_params(),
        customer_id=ctx.scope,
    )
    response = HttpResponse(content, content_type=content_type)
    filename = f"evidence-by-control-{period.start}-{period.end}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
