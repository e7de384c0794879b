"""Pages of access to customer data (AC-01 … AC-05): one url module per duty."""

from django.urls import include, path

app_name = "access"

urlpatterns = [
    path("", include("access.url_parts.confidentiality")),
    path("", include("access.url_parts.standing")),
    path("", include("access.url_parts.temporary")),
    path("", include("access.url_parts.consent")),
    path("", include("access.url_parts.support_copies")),
    path("", include("access.url_parts.reviews")),
]
