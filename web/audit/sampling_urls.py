"""Routes of the Audit section's sampling part."""

from django.urls import path

from web.audit import sampling

urlpatterns = [
    path("samples/", sampling.audit_samples, name="audit_samples"),
    path("samples/<int:pk>/", sampling.audit_sample_detail, name="audit_sample_detail"),
    path(
        "samples/<int:pk>/sample.csv",
        sampling.audit_sample_export,
        {"fmt": "csv"},
        name="audit_sample_csv",
    ),
    path(
        "samples/<int:pk>/sample.json",
        sampling.audit_sample_export,
        {"fmt": "json"},
        name="audit_sample_json",
    ),
]
