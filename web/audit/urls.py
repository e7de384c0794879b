"""Routes of the Audit section, under /audit/: each part keeps its own list."""

from django.urls import include, path

from web.audit import home

urlpatterns = [
    path("audit/", home.audit_home, name="audit_home"),
    path("audit/", include("web.audit.search_urls")),
    path("audit/", include("web.audit.evidence_urls")),
    path("audit/", include("web.audit.sampling_urls")),
    path("audit/", include("web.audit.kpi_urls")),
    path("audit/", include("web.audit.chain_urls")),
    path("audit/", include("web.audit.retention_urls")),
]
