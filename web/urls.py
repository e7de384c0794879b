"""The staff dashboard and the customer portal's home: pages that span apps.

Home and help are routed in `config/urls.py`; these sit just before the core's pages, in
the order they always had.
"""

from django.urls import path

from web import alerts, views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("portal/", views.portal, name="portal"),
    path("outbox/alerts/", alerts.outbox_alerts, name="outbox_alerts"),
]
