"""Routes of the Audit section's search: the page, its exports, one record's history."""

from django.urls import path

from web.audit import search

urlpatterns = [
    path("history/", search.audit_search, name="audit_search"),
    path("history/export.csv", search.audit_export_csv, name="audit_export_csv"),
    path("history/export.json", search.audit_export_json, name="audit_export_json"),
    path(
        "history/<str:object_type>/<str:object_id>/",
        search.audit_object_history,
        name="audit_object_history",
    ),
]
