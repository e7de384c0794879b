"""Routes of the Audit section's search: the page, its exports, one record's history."""

from django.urls import path

from web.audit import search

urlpatterns = [
    path("history/", search.audit_search, name="audit_search"),
    path("history/export.csv", search.audit_export_csv, name="audit_export_csv"),
    path("history/export.json", search.audit_export_json, name="audit_export_json"),
    path("history/exports/", search.audit_exports, name="audit_exports"),
    path("history/exports/new/", search.audit_export_request, name="audit_export_request"),
    path(
        "history/exports/<int:pk>/download/",
        search.audit_export_download,
        name="audit_export_download",
    ),
    path(
        "history/<str:object_type>/<str:object_id>/",
        search.audit_object_history,
        name="audit_object_history",
    ),
]
