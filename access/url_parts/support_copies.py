"""Pages of support copies (issue 15, AC-05): the staff register under access/, the
customer's own copies under portal/access/."""

from django.urls import path

from access.views import support_copies as views

urlpatterns = [
    path("access/support-copies/", views.support_copy_list, name="support_copy_list"),
    path("access/support-copies/new/", views.support_copy_create, name="support_copy_create"),
    path("access/support-copies/<int:pk>/", views.support_copy_detail, name="support_copy_detail"),
    path(
        "access/support-copies/<int:pk>/ticket/",
        views.support_copy_ticket_status,
        name="support_copy_ticket_status",
    ),
    path(
        "access/support-copies/<int:pk>/access/",
        views.support_copy_access_record,
        name="support_copy_access_record",
    ),
    path(
        "access/support-copies/<int:pk>/deletion/",
        views.support_copy_deletion,
        name="support_copy_deletion",
    ),
    path(
        "portal/access/support-copies/",
        views.portal_support_copies,
        name="portal_support_copies",
    ),
    path(
        "portal/access/support-copies/<int:pk>/",
        views.portal_support_copy_detail,
        name="portal_support_copy_detail",
    ),
]
