"""Pages of data-subject requests (DS-01): staff under /processing/subject-requests/, the
customer's under /portal/processing/subject-requests/."""

from django.urls import path

from processing.views import subject_requests as views

P = "processing/subject-requests/"

urlpatterns = [
    path(P, views.subject_request_list, name="subject_request_list"),
    path(f"{P}record/", views.subject_request_create, name="subject_request_create"),
    path(f"{P}<int:pk>/", views.subject_request_detail, name="subject_request_detail"),
    path(f"{P}<int:pk>/forward/", views.subject_request_forward, name="subject_request_forward"),
    path(f"{P}<int:pk>/reply/", views.subject_request_reply, name="subject_request_reply"),
    path(f"{P}<int:pk>/close/", views.subject_request_close, name="subject_request_close"),
    path(
        f"{P}<int:pk>/tasks/add/", views.subject_request_task_add, name="subject_request_task_add"
    ),
    path(
        f"{P}<int:pk>/tasks/<int:task_pk>/done/",
        views.subject_request_task_done,
        name="subject_request_task_done",
    ),
    path(
        "portal/processing/subject-requests/",
        views.portal_subject_requests,
        name="portal_subject_requests",
    ),
]
