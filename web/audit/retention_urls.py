"""Routes of the Audit section's retention table."""

from django.urls import path

from web.audit import retention

urlpatterns = [
    path("retention/", retention.audit_retention, name="audit_retention"),
]
