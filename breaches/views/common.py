"""Helpers the breach pages share: a form's status code, a service call whose
ValidationError lands on the form, page numbers and links, the incident an officer manages."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.http import urlencode

from breaches import selectors
from breaches.models import Incident
from compliance.access import require
from compliance.forms import attach_service_errors


def form_status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


def with_service(form, call):
    """Run a service; its ValidationError lands on the form. Returns the result or None."""
    try:
        return call()
    except ValidationError as error:
        attach_service_errors(form, error)
        return None


def page_numbers(page_obj) -> list:
    """Page numbers around the current one, None for a gap (shown as …)."""
    return [
        n if isinstance(n, int) else None
        for n in page_obj.paginator.get_elided_page_range(
            page_obj.number, on_each_side=2, on_ends=1
        )
    ]


def query_url(base: str, params: dict, anchor: str = "") -> str:
    """`base` with the parameters that are not their default, and an anchor."""
    defaults = {"page": 1, "show": "all", "q": ""}
    kept = {k: v for k, v in params.items() if v not in (None, "") and defaults.get(k) != v}
    return base + (f"?{urlencode(kept)}" if kept else "") + anchor


def manage_incident(request, pk, action="incident.manage") -> Incident:
    user = request.user
    require(user, action)
    return selectors.incident_get(user, pk)
