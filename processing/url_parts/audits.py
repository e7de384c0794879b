"""Pages of customer audits (AU-01, AU-02): staff under processing/audits/, the customer's
under portal/processing/audits/."""

from django.urls import path

from processing.views import audits as views

urlpatterns = [
    path("processing/audits/", views.audit_list, name="audit_list"),
    path("processing/audits/record/", views.audit_create, name="audit_create"),
    path("processing/audits/<int:pk>/", views.audit_detail, name="audit_detail"),
    path("processing/audits/<int:pk>/schedule/", views.audit_schedule, name="audit_schedule"),
    path("processing/audits/<int:pk>/start/", views.audit_start, name="audit_start"),
    path("processing/audits/<int:pk>/report/", views.audit_report, name="audit_report"),
    path("processing/audits/<int:pk>/cancel/", views.audit_cancel, name="audit_cancel"),
    path("portal/processing/audits/", views.portal_audits, name="portal_audits"),
    path(
        "portal/processing/audits/request/",
        views.portal_audit_request,
        name="portal_audit_request",
    ),
]
