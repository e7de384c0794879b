"""Pages of the record of processing (GDPR Art. 30(2), RP-01): staff under
/processing/record/, the customer's own under /portal/processing/record/."""

from django.urls import path

from processing.views import record as views

urlpatterns = [
    path("processing/record/", views.record_list, name="record_list"),
    path("processing/record/settings/", views.record_settings_edit, name="record_settings"),
    path("processing/record/export.<str:fmt>", views.record_export_all, name="record_export_all"),
    path("processing/record/<int:customer_id>/", views.record_detail, name="record_detail"),
    path(
        "processing/record/<int:customer_id>/details/",
        views.record_details_edit,
        name="record_details",
    ),
    path(
        "processing/record/<int:customer_id>/refresh/",
        views.record_refresh,
        name="record_refresh",
    ),
    path(
        "processing/record/<int:customer_id>/export.<str:fmt>",
        views.record_export_one,
        name="record_export",
    ),
    path(
        "portal/processing/record/<int:customer_id>/export.<str:fmt>",
        views.record_export_one,
        name="portal_record_export",
    ),
    path("portal/processing/record/", views.portal_record, name="portal_record"),
]
