from django.urls import path

from compliance import contact_views, document_views, token_views, views

urlpatterns = [
    path("outbox/<int:pk>/resolve/", views.outbox_alert_resolve, name="outbox_alert_resolve"),
    path("portal/contacts/", contact_views.portal_contacts, name="portal_contacts"),
    path("portal/contacts/add/", contact_views.contact_create, name="portal_contact_create"),
    path(
        "portal/contacts/confirm/",
        contact_views.portal_contacts_confirm,
        name="portal_contacts_confirm",
    ),
    path("customers/", contact_views.customer_list, name="customer_list"),
    path("customers/<int:pk>/", contact_views.customer_detail, name="customer_detail"),
    path(
        "customers/<int:customer_pk>/contacts/add/",
        contact_views.contact_create,
        name="contact_create",
    ),
    path("contacts/<int:pk>/edit/", contact_views.contact_update, name="contact_update"),
    path("contacts/<int:pk>/delete/", contact_views.contact_delete, name="contact_delete"),
    path("accounts/tokens/", token_views.token_list, name="api_tokens"),
    path("accounts/tokens/new/", token_views.token_create, name="api_token_create"),
    path("accounts/tokens/<int:pk>/revoke/", token_views.token_revoke, name="api_token_revoke"),
    path(
        "documents/<uuid:uuid>/download/",
        document_views.document_download,
        name="document_download",
    ),
]
