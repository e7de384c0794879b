"""The retention table of the Audit section (AU-03): how long each kind of record keeps its
personal data, with the reason. The privacy officer confirms or changes each period (every
confirmation and change is an audit event); the auditor reads it. The daily sweep
(`compliance.retention.retention_sweep`) erases what has passed its period."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from compliance.access import can, require
from compliance.methods import require_form
from compliance.models.retention import RetentionKind
from compliance.retention import DEFAULT_RULES, rule_confirm, rules

# What each kind erases and what it keeps, in people's words.
WHAT = {
    RetentionKind.AUDIT_PERSONAL: _(
        "Names, e-mail addresses and free text in the history's events; the times, states, "
        "counts and roles stay, and the chain still verifies."
    ),
    RetentionKind.HISTORY_PERSONAL: _(
        "Names, e-mail addresses, phone numbers and notes in earlier versions of contacts, "
        "users, notices and other records."
    ),
    RetentionKind.DOCUMENTS: _(
        "The content of letters, receipts and dossiers; the fingerprint (SHA-256) and the "
        "details of each document stay."
    ),
    RetentionKind.EXPORTS: _("The content of exports and evidence bundles made for auditors."),
    RetentionKind.OUTBOX: _(
        "Recipients, subjects and texts of sent e-mail; when it was sent and delivered stays."
    ),
}


class RuleForm(forms.Form):
    kind = forms.ChoiceField(choices=RetentionKind.choices, widget=forms.HiddenInput)
    period_days = forms.IntegerField(label=_("Period in days"), min_value=1, max_value=36500)
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4, "cols": 80})
    )


def _reason_shown(reason: str) -> str:
    # A default reason is an English msgid; a reason someone typed is shown as typed.
    defaults = {text for _days, text in DEFAULT_RULES.values()}
    return gettext(reason) if reason in defaults else reason


@require_form
def audit_retention(request):
    """The retention table; the privacy officer confirms a period (POST)."""
    user = request.user
    require(user, "audit.view")
    may_change = can(user, "retention.change")
    failed = None
    if request.method == "POST":
        require(user, "retention.change")
        form = RuleForm(request.POST)
        if form.is_valid():
            reason = form.cleaned_data["reason"].strip()
            current = rules()[form.cleaned_data["kind"]]
            if reason == _reason_shown(current.reason):
                reason = current.reason  # the default, confirmed as shown in this language
            rule = rule_confirm(
                actor=user,
                kind=form.cleaned_data["kind"],
                period_days=form.cleaned_data["period_days"],
                reason=reason,
            )
            done = gettext("Retention period confirmed: %(kind)s.")
            messages.success(request, done % {"kind": rule.get_kind_display()})
            return redirect("audit_retention")
        failed = form
    rows = []
    for kind, rule in rules().items():
        shown_reason = _reason_shown(rule.reason)
        form = None
        if may_change:
            if failed is not None and failed.data.get("kind") == kind:
                form = failed
            else:
                form = RuleForm(
                    initial={"kind": kind, "period_days": rule.period_days, "reason": shown_reason},
                    auto_id=f"id_{kind}_%s",
                )
        rows.append({"rule": rule, "reason": shown_reason, "what": WHAT[kind], "form": form})
    return render(
        request,
        "audit/retention.html",
        {"current": "audit", "rows": rows, "may_change": may_change},
    )
