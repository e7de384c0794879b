"""Pages of temporary access (AC-03), under /access/temporary/."""

from django.urls import path

from access.views import temporary as views

urlpatterns = [
    path("access/temporary/", views.temporary_list, name="temporary_list"),
    path("access/temporary/request/", views.temporary_create, name="temporary_create"),
    path("access/temporary/<int:pk>/", views.temporary_detail, name="temporary_detail"),
    path("access/temporary/<int:pk>/approve/", views.temporary_approve, name="temporary_approve"),
    path("access/temporary/<int:pk>/refuse/", views.temporary_refuse, name="temporary_refuse"),
    path("access/temporary/<int:pk>/revoke/", views.temporary_revoke, name="temporary_revoke"),
    path(
        "access/temporary/<int:pk>/confirm-removal/",
        views.temporary_confirm_removal,
        name="temporary_confirm_removal",
    ),
]
