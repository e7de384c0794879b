"""The Audit section's front page: what an auditor can do here."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from compliance.access import require


@require_safe
def audit_home(request):
    require(request.user, "audit.view")
    return render(request, "audit/home.html", {"current": "audit"})
