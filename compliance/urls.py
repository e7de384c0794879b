from django.urls import path

from compliance import contact_views, document_views, views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("portal/", views.portal, name="portal"),
    path("portal/contacts/", contact_views.portal_contacts, name="portal_contacts"),
    path("portal/contacts/add/", contact_views.contact_create, name="portal_contact_create"),
    path("customers/", contact_views.customer_list, name="customer_list"),
    path("customers/<int:pk>/", contact_views.customer_detail, name="customer_detail"),
    path(
        "customers/<int:customer_pk>/contacts/add/",
        contact_views.contact_create,
        name="contact_create",
    ),
    path("contacts/<int:pk>/edit/", contact_views.contact_update, name="contact_update"),
    path("contacts/<int:pk>/delete/", contact_views.contact_delete, name="contact_delete"),
    path(
        "documents/<uuid:uuid>/download/",
        document_views.document_download,
        name="document_download",
    ),
]
