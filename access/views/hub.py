"""The access hub (/access/): the registers of access to customer data (AC-01 … AC-05)."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from access.selectors.hub import hub_entries
from compliance.access import require


@require_safe
def hub(request):
    require(request.user, "access.view")
    return render(request, "access/hub/hub.html", {"entries": hub_entries(request.user)})
