"""Routes of the Audit section's KPI report: the page, its PDF and its CSV."""

from django.urls import path

from web.audit import kpi

urlpatterns = [
    path("kpi/", kpi.audit_kpi, name="audit_kpi"),
    path("kpi/report.pdf", kpi.audit_kpi_pdf, name="audit_kpi_pdf"),
    path("kpi/report.csv", kpi.audit_kpi_csv, name="audit_kpi_csv"),
]
