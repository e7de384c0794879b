"""Reproducible samples (AU-03): the auditor (or the privacy officer) draws a sample of
incidents, customer notices or change notices from a period, with a size and a seed; the
selection rule and the recorded drawing are `audits.sampling`. Here: which ids form the
population (scoped like everything the reader sees), the pages, and the export of a sample
with the evidence of each member and the recipe to re-derive it."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import secrets

from django import forms
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from audits import sampling
from audits.models import AuditSample
from breaches.selectors import notices_for
from compliance.access import can, customer_scope, require
from compliance.csv_safe import cell
from compliance.methods import require_form
from subprocessors.models import OPEN_OBJECTION_STATES
from web.audit.evidence import PeriodForm
from web.audit.evidence_checks import Period, scoped_changes, scoped_incidents

KINDS = {
    "incident": _("Incidents"),
    "notice": _("Customer notices"),
    "change_notice": _("Change notices"),
}
# The date that puts a member in the period, per kind (shown on the page and exported).
PERIOD_FIELDS = {
    "incident": "discovered_at",
    "notice": "created_at",
    "change_notice": "announced_at",
}
SAMPLES_PER_PAGE = 25


def _members(user, kind: str):
    """The records of one kind the user may count (an engaged auditor: its customer's)."""
    scope = customer_scope(user)
    if kind == "incident":
        return scoped_incidents(user, scope)
    if kind == "notice":
        return notices_for(user)
    return scoped_changes(user, scope)


def population_ids(user, kind: str, period: Period) -> list[int]:
    """The ids of the population: every record of `kind` whose date falls in the period."""
    qs = _members(user, kind).filter(period.within(PERIOD_FIELDS[kind]))
    return list(qs.order_by("pk").values_list("pk", flat=True))


def samples_for(user):
    """The samples a reader may open: an engaged auditor those drawn for its customer."""
    require(user, "audit.view")
    scope = customer_scope(user)
    samples = AuditSample.objects.select_related("drawn_by")
    return samples if scope is None else samples.filter(customer_id=scope)


# --- each member's evidence ---------------------------------------------------------------


def _iso(value):
    return value.isoformat() if value else None


def _incident_evidence(user, ids):
    show = customer_scope(user) is None and can(user, "incident.view")
    for incident in _members(user, "incident").filter(pk__in=ids):
        yield (
            incident.pk,
            {
                "label": f"#{incident.pk} {incident.title}",
                "state": incident.state,
                "discovered_at": incident.discovered_at,
                "customer_due_at": incident.customer_due_at,
                "notified_at": incident.notified_at,
                "url": reverse("incident_detail", args=[incident.pk]) if show else "",
            },
        )


def _notice_evidence(user, ids):
    scope = customer_scope(user)
    staff_link = can(user, "incident.view") and can(user, "contact.view")
    for notice in (
        _members(user, "notice").filter(pk__in=ids).select_related("incident", "customer")
    ):
        if scope is not None:
            url = reverse("portal_notice_detail", args=[notice.pk])
        else:
            args = [notice.incident_id, notice.pk]
            url = reverse("incident_notice_messages", args=args) if staff_link else ""
        yield (
            notice.pk,
            {
                "label": f"{notice.incident.title} — {notice.customer.name}",
                "state": notice.state,
                "informed_at": notice.informed_at,
                "late": notice.late,
                "late_reason": notice.late_reason,
                "decided_at": notice.decided_at,
                "decision_is_breach": notice.decision_is_breach,
                "decision_authority_notified": notice.decision_authority_notified,
                "url": url,
            },
        )


def _change_evidence(user, ids):
    scope = customer_scope(user)
    mine = Q() if scope is None else Q(objections__customer_id=scope)
    changes = (
        _members(user, "change_notice")
        .filter(pk__in=ids)
        .annotate(
            objection_count=Count("objections", filter=mine),
            open_objections=Count(
                "objections", filter=mine & Q(objections__state__in=OPEN_OBJECTION_STATES)
            ),
        )
    )
    show = scope is None and can(user, "dashboard.view")
    for change in changes:
        yield (
            change.pk,
            {
                "label": str(change),
                "state": change.state,
                "announced_at": change.announced_at,
                "sent_completely_at": change.sent_completely_at,
                "effective_at": change.effective_at,
                "went_live_at": change.went_live_at,
                "objections": change.objection_count,
                "open_objections": change.open_objections,
                "url": reverse("subprocessors:change_notice_detail", args=[change.pk])
                if show
                else "",
            },
        )


EVIDENCE = {
    "incident": _incident_evidence,
    "notice": _notice_evidence,
    "change_notice": _change_evidence,
}
EVIDENCE_COLUMNS = {
    "incident": ("state", "discovered_at", "customer_due_at", "notified_at"),
    "notice": (
        "state",
        "informed_at",
        "late",
        "late_reason",
        "decided_at",
        "decision_is_breach",
        "decision_authority_notified",
    ),
    "change_notice": (
        "state",
        "announced_at",
        "sent_completely_at",
        "effective_at",
        "went_live_at",
        "objections",
        "open_objections",
    ),
}


def sample_members(user, sample: AuditSample) -> list[dict]:
    """The members in sample order, each with its rank, key and evidence (None when the
    reader may no longer see it)."""
    found = dict(EVIDENCE[sample.kind](user, sample.member_ids))
    return [
        {
            "rank": rank,
            "id": member_id,
            "key": sampling.sample_key(sample.seed, member_id),
            "evidence": found.get(member_id),
        }
        for rank, member_id in enumerate(sample.member_ids, start=1)
    ]


def recipe(sample: AuditSample) -> dict:
    return {
        "kind": sample.kind,
        "period_from": sample.period_from.isoformat(),
        "period_to": sample.period_to.isoformat(),
        "period_field": PERIOD_FIELDS.get(sample.kind, ""),
        "period_zone": "Europe/Amsterdam",
        "seed": sample.seed,
        "size": sample.size,
        "formula": sample.formula,
        "formula_text": sampling.FORMULA_TEXT,
        "population_size": sample.population_size,
        "chain_seq": sample.chain_seq,
        "chain_hash": sample.chain_hash,
        "drawn_at": sample.drawn_at.isoformat(),
    }


# --- pages --------------------------------------------------------------------------------


class SampleForm(PeriodForm):
    kind = forms.ChoiceField(label=_("Population"), choices=list(KINDS.items()))
    size = forms.IntegerField(
        label=_("Sample size"), min_value=1, max_value=sampling.MAX_SAMPLE_SIZE, initial=25
    )
    seed = forms.CharField(
        label=_("Seed"),
        max_length=sampling.MAX_SEED_LENGTH,
        help_text=_("Any text; the same seed over the same population gives the same sample."),
    )
    field_order = ["kind", "period_from", "period_to", "size", "seed"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period_from"].required = True
        self.fields["period_to"].required = True


@require_form
def audit_samples(request):
    """Draw a sample (POST) and the samples drawn so far, newest first."""
    user = request.user
    samples = samples_for(user)
    if request.method == "POST":
        form = SampleForm(request.POST)
        if form.is_valid():
            period, data = form.period(), form.cleaned_data
            sample = sampling.sample_draw(
                actor=user,
                kind=data["kind"],
                period_from=period.start,
                period_to=period.end,
                seed=data["seed"],
                size=data["size"],
                population_ids=population_ids(user, data["kind"], period),
                customer_id=customer_scope(user),
            )
            return redirect("audit_sample_detail", pk=sample.pk)
    else:
        form = SampleForm(initial={"seed": secrets.token_hex(8), **_default_period()})
    page = Paginator(samples, SAMPLES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/sample_list.html",
        {"current": "audit", "form": form, "page_obj": page, "kinds": KINDS},
        status=400 if form.is_bound else 200,
    )


def _default_period() -> dict:
    period = PeriodForm().period()
    return {"period_from": period.start, "period_to": period.end}


@require_safe
def audit_sample_detail(request, pk):
    user = request.user
    sample = get_object_or_404(samples_for(user), pk=pk)
    return render(
        request,
        "audit/sample_detail.html",
        {
            "current": "audit",
            "sample": sample,
            "kind_label": KINDS.get(sample.kind, sample.kind),
            "period_field": PERIOD_FIELDS.get(sample.kind, ""),
            "members": sample_members(user, sample),
            "columns": EVIDENCE_COLUMNS[sample.kind],
        },
    )


def sample_csv(sample: AuditSample, members: list[dict]) -> tuple[bytes, int]:
    columns = EVIDENCE_COLUMNS[sample.kind]
    head = ("rank", "kind", "id", "sample_key", "label", *columns, "url")
    steps = tuple(recipe(sample))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*head, *(f"recipe_{name}" for name in steps)])
    the_recipe = recipe(sample)
    for member in members:
        evidence = member["evidence"] or {}
        values = [evidence.get(column) for column in columns]
        row = [member["rank"], sample.kind, member["id"], member["key"], evidence.get("label")]
        row += [_iso(v) if hasattr(v, "isoformat") else v for v in values]
        row += [evidence.get("url"), *(the_recipe[name] for name in steps)]
        writer.writerow([cell(value) for value in row])
    return buffer.getvalue().encode(), len(members)


def sample_json(sample: AuditSample, members: list[dict]) -> tuple[bytes, int]:
    def plain(evidence):
        if evidence is None:
            return None
        return {k: _iso(v) if hasattr(v, "isoformat") else v for k, v in evidence.items()}

    document = {
        "recipe": recipe(sample),
        "members": [
            {
                "rank": m["rank"],
                "id": m["id"],
                "sample_key": m["key"],
                "evidence": plain(m["evidence"]),
            }
            for m in members
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode(), len(members)


@require_safe
def audit_sample_export(request, pk, fmt: str):
    """The sample with each member's evidence and the recipe, as CSV or JSON (AU-03); the
    export is itself an audit event with the file's SHA-256."""
    user = request.user
    sample = get_object_or_404(samples_for(user), pk=pk)
    members = sample_members(user, sample)
    content, rows = (sample_json if fmt == "json" else sample_csv)(sample, members)
    sampling.export_record(
        actor=user,
        what="sample",
        file_format=fmt,
        rows=rows,
        sha256=hashlib.sha256(content).hexdigest(),
        selection={"sample_id": sample.pk},
        customer_id=customer_scope(user),
    )
    content_type = "application/json" if fmt == "json" else "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="audit-sample-{sample.pk}.{fmt}"'
    return response
