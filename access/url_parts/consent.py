"""Pages of customer consent and uses of access (AC-04): staff under access/, the
customer's side under portal/access/."""

from django.urls import path

from access.views import consent

urlpatterns = [
    path("access/consents/", consent.consent_list, name="consent_list"),
    path("access/consents/new/", consent.consent_create, name="consent_create"),
    path("access/consents/<int:pk>/", consent.consent_detail, name="consent_detail"),
    path(
        "access/consents/<int:pk>/removal/",
        consent.consent_removal_confirm,
        name="consent_removal_confirm",
    ),
    path("access/uses/", consent.use_list, name="use_list"),
    path("access/uses/new/", consent.use_create, name="use_create"),
    path("portal/access/consents/", consent.portal_consents, name="portal_consents"),
    path(
        "portal/access/consents/<int:pk>/",
        consent.portal_consent_decide,
        name="portal_consent_decide",
    ),
    path(
        "portal/access/consents/<int:pk>/withdraw/",
        consent.portal_consent_withdraw,
        name="portal_consent_withdraw",
    ),
    path("portal/access/uses/", consent.portal_uses, name="portal_uses"),
]
