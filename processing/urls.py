"""Pages of processing on the customer's behalf (issue 16): one url module per duty."""

from django.urls import include, path

app_name = "processing"

urlpatterns = [
    path("", include("processing.url_parts.instructions")),
    path("", include("processing.url_parts.subject_requests")),
    path("", include("processing.url_parts.audits")),
    path("", include("processing.url_parts.contract_end")),
    path("", include("processing.url_parts.record")),
]
