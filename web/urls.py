"""The staff dashboard and the customer portal's home: pages that span apps.

Home and help are routed in `config/urls.py`; these sit just before the core's pages, in
the order they always had.
"""

from django.urls import path, re_path

from web import alerts, customer_export, views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("portal/", views.portal, name="portal"),
    # RT-01: the customer's own records, before the contract ends.
    re_path(
        r"^portal/export/(?P<fmt>xlsx|csv|pdf)/$",
        customer_export.customer_export,
        name="portal_customer_export",
    ),
    path("outbox/alerts/", alerts.outbox_alerts, name="outbox_alerts"),
]
