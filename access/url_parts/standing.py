"""Pages of standing access (AC-02)."""

from django.urls import path

from access.views import standing

urlpatterns = [
    path("access/standing/", standing.grant_list, name="standing"),
    path("access/standing/new/", standing.grant_create, name="standing_create"),
    path("access/standing/<int:pk>/", standing.grant_detail, name="standing_detail"),
    path("access/standing/<int:pk>/end/", standing.grant_end, name="standing_end"),
    path("access/standing/<int:pk>/removal/", standing.grant_removal, name="standing_removal"),
]
