"""The staff dashboard and the customer portal's home: pages that span apps.

Home and help are routed in `config/urls.py`; these sit just before the core's pages, in
the order they always had.
"""

from django.urls import path

from web import alerts, customer_export, views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("portal/", views.portal, name="portal"),
    # RT-01: the customer's own records, before the contract ends.
    path(
        "portal/export/records.xlsx",
        customer_export.customer_export,
        {"fmt": "xlsx"},
        name="portal_customer_export_xlsx",
    ),
    path(
        "portal/export/records.csv",
        customer_export.customer_export,
        {"fmt": "csv"},
        name="portal_customer_export_csv",
    ),
    path(
        "portal/export/records.pdf",
        customer_export.customer_export,
        {"fmt": "pdf"},
        name="portal_customer_export_pdf",
    ),
    path("outbox/alerts/", alerts.outbox_alerts, name="outbox_alerts"),
]
