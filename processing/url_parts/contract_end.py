"""Pages of contract end (RT-01): staff under /processing/deletions/, the customer's under
/portal/processing/contract-end/."""

from django.urls import path

from processing.views import contract_end as views

urlpatterns = [
    path("processing/deletions/", views.deletion_list, name="deletion_list"),
    path(
        "processing/deletions/contract-end/",
        views.contract_end_create,
        name="contract_end_create",
    ),
    path("processing/deletions/<int:pk>/", views.deletion_detail, name="deletion_detail"),
    path(
        "processing/deletions/<int:pk>/confirm/",
        views.deletion_confirm,
        name="deletion_confirm",
    ),
    path(
        "portal/processing/contract-end/",
        views.portal_contract_end,
        name="portal_contract_end",
    ),
    path(
        "portal/processing/contract-end/early-deletion/",
        views.portal_early_deletion,
        name="portal_early_deletion",
    ),
]
