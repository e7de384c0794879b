"""Routes of the Audit section's evidence part."""

from django.urls import path

from web.audit import evidence

urlpatterns = [
    path("evidence/", evidence.audit_evidence, name="audit_evidence"),
    path(
        "evidence/export.csv",
        evidence.audit_evidence_export,
        {"fmt": "csv"},
        name="audit_evidence_csv",
    ),
    path(
        "evidence/export.json",
        evidence.audit_evidence_export,
        {"fmt": "json"},
        name="audit_evidence_json",
    ),
]
