"""The processing hub (/processing/): the registers of processing on the customer's behalf,
each linked when the reader may open it, with a count of what needs attention."""

from __future__ import annotations

from dataclasses import dataclass

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from compliance.access import can, require
from processing.selectors.instructions import bindings_attention, instructions_attention


@dataclass
class HubEntry:
    title: str
    description: str
    url: str | None
    attention: int | None
    attention_label: str


# (route, permission, title, description, attention label, attention count or None)
PARTS = (
    (
        "processing:instruction_list",
        "instruction.view",
        _("Instructions"),
        _("Customers' written instructions, warnings when one appears to infringe the GDPR."),
        _("open"),
        instructions_attention,
    ),
    (
        "processing:binding_list",
        "binding_instruction.view",
        _("Binding instructions"),
        _("Binding instructions of the AP or GBA that customers reported, with their tasks."),
        _("not yet complied with"),
        bindings_attention,
    ),
    (
        "processing:subject_request_list",
        "subject_request.view",
        _("Data-subject requests"),
        _("Requests of data subjects forwarded to the customer, and help given."),
        "",
        None,
    ),
    (
        "processing:audit_list",
        "customer_audit.view",
        _("Customer audits"),
        _("Audits and inspections by customers or their auditors."),
        "",
        None,
    ),
    (
        "processing:deletion_list",
        "environment_deletion.view",
        _("Contract end"),
        _("Deletion of a customer's environment after the contract ends."),
        "",
        None,
    ),
    (
        "processing:record_list",
        "processing_record.view_list",
        _("Record of processing"),
        _("The record of processing activities on behalf of customers (Art. 30(2))."),
        "",
        None,
    ),
)


def hub_entries(user) -> list[HubEntry]:
    """The registers this user may open, each with its count where the part has one."""
    return [
        HubEntry(
            title=str(title),
            description=str(description),
            url=reverse(route),
            attention=attention(user) if attention else None,
            attention_label=str(label),
        )
        for route, action, title, description, label, attention in PARTS
        if can(user, action)
    ]


@require_safe
def hub(request):
    require(request.user, "processing.view")
    return render(
        request, "processing/instructions/hub.html", {"entries": hub_entries(request.user)}
    )
