from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.i18n import set_language as django_set_language

from compliance.access import can, require


def home(request):
    if can(request.user, "dashboard.view"):
        return redirect("dashboard")
    return redirect("portal")


def dashboard(request):
    require(request.user, "dashboard.view")
    return render(request, "compliance/dashboard.html")


def portal(request):
    require(request.user, "portal.view")
    return render(request, "compliance/portal.html")


def help_page(request):
    return render(request, "compliance/help.html")


def set_language(request):
    return django_set_language(request)


def healthz(request):
    return JsonResponse({"status": "ok"})
