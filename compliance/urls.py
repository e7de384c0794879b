from django.urls import path

from compliance import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("portal/", views.portal, name="portal"),
]
